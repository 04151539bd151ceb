import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// A throwaway single-node KRaft broker whose only client listener is SASL_SSL (SCRAM-SHA-512, and
// a client certificate required), from the jars `npm run services:up` caches. Its certificates are
// made here with openssl, its SCRAM user is written at format time. Never the shared 9092 broker.

const KAFKA_VERSION = '4.1.1';
const kafkaLibs = path.join(os.homedir(), '.cache', 'dealflow', `kafka-${KAFKA_VERSION}`, 'libs');
const log4j = path.resolve(__dirname, '..', '..', 'scripts', 'kafka', 'log4j2.properties');

export interface SecuredBroker {
  broker: string;
  username: string;
  password: string;
  /** PEM files: the CA that signed the broker's and the client's certificates, and the client's pair. */
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  stop(): Promise<void>;
}

export const securedKafkaAvailable = (): boolean => fs.existsSync(path.join(kafkaLibs, `kafka_2.13-${KAFKA_VERSION}.jar`));

export async function startSecuredBroker(): Promise<SecuredBroker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-secured-kafka-'));
  const file = (name: string): string => path.join(dir, name);
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const username = 'dealflow';
  const password = randomBytes(12).toString('base64url');
  const storePassword = randomBytes(12).toString('hex');

  makeCertificates(dir, storePassword);
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${file('broker.p12')}`,
    `ssl.keystore.password=${storePassword}`,
    `ssl.key.password=${storePassword}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${file('ca.pem')}`,
    // On a SASL listener only the listener-prefixed setting is applied.
    'listener.name.sasl_ssl.ssl.client.auth=required',
    `log.dirs=${file('data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
  fs.writeFileSync(file('server.properties'), properties);

  const jvm = ['-Xms128m', '-Xmx384m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${dir}`];
  const classpath = `${kafkaLibs}/*`;
  const format = spawnSync('java', [
    ...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone',
    `--cluster-id=${randomBytes(16).toString('base64url').replace(/^-/, 'A')}`,
    '--add-scram', `SCRAM-SHA-512=[name=${username},password=${password}]`,
    '-c', file('server.properties'),
  ], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`formatting the secured broker's storage failed:\n${format.stdout}${format.stderr}`);

  const output = fs.openSync(file('broker.out'), 'a');
  const child: ChildProcess = spawn('java', [...jvm, '-cp', classpath, 'kafka.Kafka', file('server.properties')], { stdio: ['ignore', output, output] });
  fs.closeSync(output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => fs.readFileSync(file('broker.out'), 'utf8'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { broker: `127.0.0.1:${port}`, username, password, caFile: file('ca.pem'), clientCertFile: file('client.pem'), clientKeyFile: file('client.key'), stop };
}

function makeCertificates(dir: string, storePassword: string): void {
  const openssl = (...args: string[]): void => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=dealflow test CA');
  for (const [name, extension] of [['broker', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=dealflow-${name}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `${extension}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  openssl('pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-out', 'broker.p12', '-passout', `pass:${storePassword}`);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the secured broker exited (${child.exitCode}):\n${output().slice(-3000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the secured broker did not listen on ${port} within ${timeoutMs} ms:\n${output().slice(-3000)}`);
}
