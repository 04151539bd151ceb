import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, sleep, waitFor } from './processes';

// A three-node KRaft Kafka on loopback from the jars `npm run services:up` caches (scripts/services.mjs
// formats and starts one node the same way): each node is broker and controller, a static quorum
// of the three, data in a temp dir, small heaps. Internal topics are replicated three times with
// min.insync.replicas 2, so one node may die without refusing an `acks=all` write.

const KAFKA_VERSION = '4.1.1';
const root = path.resolve(__dirname, '../..');

export interface KafkaNode {
  id: number;
  brokerPort: number;
  controllerPort: number;
  dir: string;
  process: ChildProcess | null;
}

export interface KafkaCluster {
  nodes: KafkaNode[];
  brokers: string[];
  /** SIGKILL: no clean shutdown, no leadership handed over. */
  kill(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  /** Partitions of `topic` whose in-sync replicas are fewer than their replicas. */
  underReplicated(topic: string): Promise<number>;
  stop(): Promise<void>;
}

function kafkaLibs(): string {
  const cache = process.env.DEALFLOW_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dealflow');
  const libs = path.join(cache, `kafka-${KAFKA_VERSION}`, 'libs');
  if (!fs.existsSync(path.join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new Error(`no Kafka ${KAFKA_VERSION} jars in ${libs}: run \`npm run services:up kafka\` once, which fetches them`);
  }
  return libs;
}

function nodeProperties(node: KafkaNode, nodes: readonly KafkaNode[]): string {
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.brokerPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(node.dir, 'data')}`,
    'num.partitions=6',
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'offsets.topic.replication.factor=3',
    // Fewer than the default 50: each is three replicas on a 2-core machine.
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'transaction.state.log.num.partitions=6',
    'share.coordinator.state.topic.replication.factor=3',
    'share.coordinator.state.topic.min.isr=2',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'unclean.leader.election.enable=false',
    '',
  ].join('\n');
}

export async function startKafkaCluster(options: { baseDir: string; logDir: string }): Promise<KafkaCluster> {
  const libs = kafkaLibs();
  const nodes: KafkaNode[] = [];
  for (const id of [1, 2, 3]) {
    nodes.push({ id, brokerPort: await freePort(), controllerPort: await freePort(), dir: path.join(options.baseDir, `kafka-${id}`), process: null });
  }
  const clusterId = randomBytes(16).toString('base64url');
  const jvm = (node: KafkaNode) => [
    '-Xms128m', '-Xmx384m', '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${path.join(root, 'scripts', 'kafka', 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${path.join(node.dir, 'logs')}`,
  ];
  for (const node of nodes) {
    fs.mkdirSync(node.dir, { recursive: true });
    const config = path.join(node.dir, 'server.properties');
    fs.writeFileSync(config, nodeProperties(node, nodes));
    // A static quorum (controller.quorum.voters): formatted without --standalone or --initial-controllers.
    // `=`: an id that starts with '-' is not read as an option.
    const format = spawnSync('java', [...jvm(node), '-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config], { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`formatting Kafka node ${node.id} failed:\n${format.stdout}${format.stderr}`);
  }

  const start = (node: KafkaNode) => {
    const log = fs.openSync(path.join(options.logDir, `kafka-${node.id}.log`), 'a');
    node.process = spawn('java', [...jvm(node), '-cp', `${libs}/*`, 'kafka.Kafka', path.join(node.dir, 'server.properties')], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
  };
  nodes.forEach(start);
  const brokers = nodes.map((n) => `127.0.0.1:${n.brokerPort}`);
  const admin = new Kafka({ clientId: 'cluster-harness', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2_000, retry: { retries: 2 } }).admin();

  const allUp = async (): Promise<boolean> => {
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length === nodes.length && cluster.controller !== null;
    } catch {
      await admin.disconnect().catch(() => undefined);
      return false;
    }
  };
  if (!(await waitFor(allUp, 120_000, 1_000))) {
    // Not handed to the caller yet: nobody else would stop them.
    await admin.disconnect().catch(() => undefined);
    for (const node of nodes) node.process?.kill('SIGKILL');
    throw new Error(`the three Kafka nodes did not form a cluster within 120 s; logs in ${options.logDir}`);
  }

  const exited = (node: KafkaNode) => node.process === null || node.process.exitCode !== null || node.process.signalCode !== null;
  const nodeOf = (id: number): KafkaNode => {
    const node = nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no Kafka node ${id}`);
    return node;
  };

  return {
    nodes,
    brokers,
    async kill(id) {
      const node = nodeOf(id);
      if (exited(node)) return;
      const gone = new Promise((resolve) => node.process?.once('exit', resolve));
      node.process?.kill('SIGKILL');
      await gone;
    },
    async restart(id) {
      const node = nodeOf(id);
      if (!exited(node)) throw new Error(`Kafka node ${id} still runs`);
      start(node);
      // Ready when the node itself answers and the cluster lists it again.
      const own = new Kafka({ clientId: 'cluster-harness', brokers: [`127.0.0.1:${node.brokerPort}`], logLevel: logLevel.NOTHING, connectionTimeout: 2_000, retry: { retries: 0 } }).admin();
      const answers = async (): Promise<boolean> => {
        try {
          await own.connect();
          const cluster = await own.describeCluster();
          return cluster.brokers.some((b) => b.nodeId === id);
        } catch {
          return false;
        } finally {
          await own.disconnect().catch(() => undefined);
        }
      };
      if (!(await waitFor(answers, 120_000, 1_000))) throw new Error(`Kafka node ${id} did not rejoin within 120 s`);
    },
    async underReplicated(topic) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return (topics[0]?.partitions ?? []).filter((p) => p.isr.length < p.replicas.length).length;
    },
    async stop() {
      await admin.disconnect().catch(() => undefined);
      await Promise.all(nodes.map(async (node) => {
        if (exited(node)) return;
        const gone = new Promise((resolve) => node.process?.once('exit', resolve));
        node.process?.kill('SIGKILL');
        await Promise.race([gone, sleep(10_000)]);
      }));
    },
  };
}
