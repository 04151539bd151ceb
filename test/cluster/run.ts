import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { loadConfig, type JwtSettings } from '../../adapters/config';
import { fileRetentionScheduleId } from '../../services/worker/fileRetentionSchedule';
import { createLogger } from '../../adapters/logger';
import { TOPIC_PARTITIONS } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { createTemporalClient } from '../../adapters/temporalClient';
import { isApplicationTerminal } from '../../domain';
import type { ApplicationView, OpsMetrics } from '../../schemas';
import type { Principal } from '../../schemas/http';
import { opsGroupId } from '../../services/ops/projector';
import { defineModels } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { createApiClient } from '../../tools/demo/http';
import { runDemo, type DemoResult } from '../../tools/demo/run';
import { generateSeed } from '../../tools/seed/generate';
import { seedDatabase } from '../../tools/seed/seed';
import { applicationWorkflowId } from '../../workflows/messages';
import { opsLagProbe } from '../../bench/lib/opsLag';
import { startBalancer, type Balancer } from './balancer';
import { startKafkaCluster, type KafkaCluster } from './kafkaCluster';
import { dealflowProcess, freePort, sleep, waitFor, type DealflowProcess } from './processes';
import { writeClusterResult, type ClusterResult, type FaultSurvived } from './report';
import { analyseStream, readTopic, watchStream, type ApplicationStream, type StreamWatch } from './stream';

// `npm run test:cluster`: dealflow on a local cluster under faults (issue 12, "Proof on a local
// cluster"). A three-node Kafka, two workers, two API replicas behind a balancer, two ops
// projectors, the shared Temporal dev server and FerretDB (a database of its own); a steady load
// of applications driven to an end by simulated parties; one Kafka node, one worker, one API
// replica and one projector killed with SIGKILL in turn and restarted. Then: every application
// ended, its events on the topic gapless and in order, its read model equal to the stream, one
// workflow run each, the ops counts equal to the stream, and reads right after commands on the
// other replica. Writes the numbers to BENCHMARKS.md and bench/results/summary.json; exits 1 when
// a check failed. Every process, the temp dir and the database are removed at the end, also on
// Ctrl-C; the logs are copied to test-output/cluster/.

const USAGE = 'usage: npm run test:cluster -- [--rate 1] [--down 25] [--gap 25] [--first 20] [--drain 180] [--keep-database]';
const root = path.resolve(__dirname, '../..');
const DATABASE = 'dealflow_cluster';
const TOPIC = 'dealflow.cluster.v1';
const FORUM_TOPIC = 'dealflow.cluster.forums.v1';
const PROBE_TOPIC = 'cluster.write-probe';
/** SLAs scaled so that every path to an end (silence, lapsed documents and term sheets) fits in a few minutes. */
const SCALED = { DEALFLOW_SLA_SCALE: '0.0001', DEALFLOW_OFFER_WINDOW_DAYS: '0.001', DEALFLOW_DOCUMENTS_DEADLINE_DAYS: '0.001' };
/** How long a fault's effects are watched after the restart. */
const AFTER_RESTART_MS = 30_000;
const OPS: Principal = { role: 'ops', sub: 'cluster:ops' };

interface Options { rate: number; downMs: number; gapMs: number; firstMs: number; drainMs: number; keepDatabase: boolean }

function parseOptions(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: { rate: { type: 'string' }, down: { type: 'string' }, gap: { type: 'string' }, first: { type: 'string' }, drain: { type: 'string' }, 'keep-database': { type: 'boolean' } },
  });
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"\n${USAGE}`);
    return value;
  };
  return {
    rate: positive('rate', values.rate, 1),
    downMs: positive('down', values.down, 25) * 1_000,
    gapMs: positive('gap', values.gap, 25) * 1_000,
    firstMs: positive('first', values.first, 20) * 1_000,
    drainMs: positive('drain', values.drain, 180) * 1_000,
    keepDatabase: values['keep-database'] === true,
  };
}

const log = (line: string) => process.stderr.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** What is torn down at the end, last opened first; each step once, a failing one logged. */
class Teardown {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private done: Promise<void> | null = null;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        await Promise.race([step.run(), sleep(30_000)]).catch((error: unknown) => log(`cleanup: ${step.name} failed: ${(error as Error).message}`));
      }
    })();
    return this.done;
  }
}

interface Fault {
  name: string;
  kill(): Promise<string>;
  restart(): Promise<void>;
}

interface FaultTimes { name: string; victim: string; killAt: number; restartedAt: number; windowEnd: number }

interface Submission { applicationId: string; sentAt: number }

async function main(): Promise<boolean> {
  const options = parseOptions(process.argv.slice(2));
  const teardown = new Teardown();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping and cleaning up`);
    abort.abort();
    void teardown.run().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${(error as Error)?.message ?? String(error)}`));

  const runId = `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-cluster-'));
  const logDir = path.join(tempDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const keptLogs = path.join(root, 'test-output', 'cluster', runId);
  teardown.add('temp dir', async () => {
    fs.mkdirSync(keptLogs, { recursive: true });
    fs.cpSync(logDir, keptLogs, { recursive: true });
    fs.rmSync(tempDir, { recursive: true, force: true });
    log(`logs kept in ${path.relative(root, keptLogs)}`);
  });
  try {
    return await run(options, teardown, tempDir, logDir, abort.signal);
  } finally {
    await teardown.run();
  }
}

async function run(options: Options, teardown: Teardown, tempDir: string, logDir: string, signal: AbortSignal): Promise<boolean> {
  const started = Date.now();
  log(`starting a three-node Kafka in ${tempDir}`);
  const kafkaCluster: KafkaCluster = await startKafkaCluster({ baseDir: tempDir, logDir });
  teardown.add('kafka', () => kafkaCluster.stop());
  log(`Kafka up in ${((Date.now() - started) / 1000).toFixed(0)} s: ${kafkaCluster.brokers.join(', ')}`);

  const suffix = Date.now().toString(36);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT || 27017}/${DATABASE}`,
    DEALFLOW_TOPIC: TOPIC,
    DEALFLOW_FORUM_TOPIC: FORUM_TOPIC,
    TEMPORAL_TASK_QUEUE: `dealflow-cluster-${suffix}`,
    KAFKA_BROKERS: kafkaCluster.brokers.join(','),
    ...SCALED,
  };
  const config = loadConfig(env);
  const quiet = createLogger({ env: 'test', logLevel: 'silent' }, 'cluster');
  const kafka = new Kafka({ clientId: 'cluster-harness', brokers: kafkaCluster.brokers, logLevel: logLevel.NOTHING });
  const admin: Admin = kafka.admin();
  await admin.connect();
  teardown.add('kafka admin', () => admin.disconnect());
  // adapters/kafka.ts creates topics with replication factor 1 (not configurable yet): the
  // platform's way is used here, the topics exist before any process starts and only get checked.
  await createReplicatedTopics(admin, [[TOPIC, TOPIC_PARTITIONS], [FORUM_TOPIC, TOPIC_PARTITIONS], [PROBE_TOPIC, 3]]);

  const mongo = await connectMongo(config, quiet);
  teardown.add('mongo', async () => {
    if (!options.keepDatabase) await mongo.connection.dropDatabase();
    await mongo.close();
  });
  await mongo.connection.dropDatabase();
  const models = defineModels(mongo.connection);
  await prepareStore(models, quiet);
  const data = generateSeed();
  await seedDatabase(models, { data });
  const temporal = await createTemporalClient(config);
  teardown.add('temporal', async () => {
    // Whatever is still open (a run cut short) ends here: the shared server keeps no open workflows of ours.
    const open: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query: `TaskQueue = "${config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) open.push(execution.workflowId);
    await Promise.all(open.map((id) => temporal.client.workflow.getHandle(id).terminate('cluster run finished').catch(() => undefined)));
    // The workers' file retention schedule for this run's task queue goes with it.
    await temporal.client.schedule.getHandle(fileRetentionScheduleId(config.temporal.taskQueue)).delete().catch(() => undefined);
    await temporal.close();
  });

  // ---------- the processes ----------
  const make = async (name: string, role: 'worker' | 'api' | 'ops') => {
    const handle = dealflowProcess({ name, role, env, logDir, httpPort: role === 'api' ? await freePort() : 0, metricsPort: await freePort(), temporalMetricsPort: await freePort() });
    teardown.add(name, () => handle.stop());
    return handle;
  };
  const workers = [await make('worker-1', 'worker'), await make('worker-2', 'worker')];
  const projectors = [await make('ops-1', 'ops'), await make('ops-2', 'ops')];
  const apis = [await make('api-1', 'api'), await make('api-2', 'api')];
  const all = [...workers, ...projectors, ...apis];
  // Two at a time: starting a process through tsx is the heaviest thing a 2-core machine does here.
  for (const pair of [workers, projectors, apis]) await Promise.all(pair.map((p) => p.start()));
  log(`2 workers, 2 ops projectors, 2 API replicas ready (${((Date.now() - started) / 1000).toFixed(0)} s since start)`);

  const balancer: Balancer = await startBalancer(apis.map((p) => ({ name: p.name, port: p.httpPort, up: () => p.ready })));
  teardown.add('balancer', () => balancer.close());

  // ---------- what is watched during the run ----------
  const watch: StreamWatch = await watchStream(kafka, TOPIC, `cluster-watch-${suffix}`);
  teardown.add('stream watch', () => watch.close());
  const lagSamples: { at: number; seconds: number; events: number }[] = [];
  const probeLag = opsLagProbe(admin, TOPIC, opsGroupId(TOPIC));
  const writeProbe = await startWriteProbe(kafka);
  teardown.add('write probe', () => writeProbe.stop());
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const sample = await probeLag().catch(() => null);
      if (sample) lagSamples.push(sample);
      await sleep(1_000);
    }
  })();
  teardown.add('sampler', async () => {
    sampling = false;
    await sampler;
  });

  // ---------- the faults ----------
  let killedNode = 0;
  const faults: Fault[] = [
    {
      name: 'kafka-node-kill',
      async kill() {
        // The active controller: its partitions need new leaders and the quorum a new leader.
        killedNode = (await admin.describeCluster()).controller ?? 1;
        await kafkaCluster.kill(killedNode);
        return `Kafka node ${killedNode} (the active controller)`;
      },
      restart: () => kafkaCluster.restart(killedNode),
    },
    processFault('worker-kill', workers[0] as DealflowProcess),
    processFault('api-kill', apis[0] as DealflowProcess),
    processFault('projector-kill', projectors[0] as DealflowProcess),
  ];
  const loadMs = options.firstMs + faults.length * (options.downMs + options.gapMs + 15_000);
  const count = Math.max(4, Math.round((loadMs / 1000) * options.rate));
  log(`load: ${count} applications over ${(loadMs / 1000).toFixed(0)} s (${options.rate}/s) through the balancer; faults from ${options.firstMs / 1000} s, each down ${options.downMs / 1000} s`);

  const submissions: Submission[] = [];
  const loadStart = Date.now();
  const demo: Promise<DemoResult> = runDemo({
    api: balancer.url,
    applications: count,
    seed: 12,
    concurrency: 16,
    maxMinutes: (loadMs + options.drainMs) / 60_000,
    jwt: config.jwt,
    data,
    rampMs: loadMs,
    pollMs: 2_500,
    patienceMs: 10_000,
    termSheetValidityMs: 60_000,
    signal,
    log: (line) => log(`parties: ${line}`),
    onSubmitted: ({ applicationId, sentAt }) => void submissions.push({ applicationId, sentAt }),
    onProgress: progressLogger(),
  });

  const times: FaultTimes[] = [];
  const schedule = (async () => {
    await sleep(options.firstMs);
    for (const fault of faults) {
      if (signal.aborted) return;
      const killAt = Date.now();
      const victim = await fault.kill();
      log(`fault ${fault.name}: killed ${victim} (SIGKILL); restart in ${options.downMs / 1000} s`);
      await sleep(options.downMs);
      await fault.restart();
      const restartedAt = Date.now();
      log(`fault ${fault.name}: ${victim} back after ${((restartedAt - killAt) / 1000).toFixed(0)} s`);
      const previous = times.at(-1);
      if (previous) previous.windowEnd = Math.min(previous.windowEnd, killAt);
      times.push({ name: fault.name, victim, killAt, restartedAt, windowEnd: restartedAt + AFTER_RESTART_MS });
      await sleep(options.gapMs);
    }
  })();
  const [demoResult] = await Promise.all([demo, schedule]);
  if (signal.aborted) return false;
  log(`parties done: outcomes ${JSON.stringify(demoResult.summary.outcomes)}; http ${JSON.stringify(demoResult.summary.http.byStatus)}`);

  // ---------- settle ----------
  const projected = await waitFor(async () => (await probeLag().catch(() => null))?.events === 0, 120_000, 1_000);
  await balancer.settle();
  sampling = false;
  await sampler;
  await sleep(3_000); // the API caches the ops metrics for 2 s

  // ---------- checks ----------
  log('checking: reading the topic from the beginning, every read model, every workflow run, the ops metrics');
  const topic = await readTopic(kafka, TOPIC, `cluster-final-${suffix}`);
  const streams = new Map<string, ApplicationStream>([...topic.byApplication].map(([id, events]) => [id, analyseStream(events)]));
  const runs = new Map<string, number>();
  for await (const execution of temporal.client.workflow.list({ query: `TaskQueue = "${config.temporal.taskQueue}" AND WorkflowType = "applicationWorkflow"` })) {
    runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1);
  }
  const reader = createApiClient({ baseUrl: balancer.url, jwt: config.jwt, concurrency: 8, retries: 3, timeoutMs: 15_000 });
  const verdicts = new Map<string, AppVerdict>();
  await Promise.all(submissions.map(async ({ applicationId }) => {
    const answer = await reader.call<ApplicationView>(OPS, 'GET', `/v1/applications/${applicationId}`).catch(() => ({ status: 0, body: null }));
    verdicts.set(applicationId, judge(applicationId, answer.status === 200 ? answer.body : null, streams.get(applicationId), runs.get(applicationWorkflowId(applicationId)) ?? 0));
  }));
  const ours = new Set(submissions.map((s) => applicationWorkflowId(s.applicationId)));
  const strayRuns = [...runs.keys()].filter((id) => !ours.has(id));
  const opsProblems = await checkOpsMetrics(apis, config.jwt, topic.messages, topic.foreign, streams);

  const verdictList = [...verdicts.values()];
  const problemsOf = (pick: (v: AppVerdict) => string | null) => verdictList.flatMap((v) => {
    const problem = pick(v);
    return problem ? [`${v.applicationId}: ${problem}`] : [];
  });
  const crashes = all.flatMap((p) => p.crashes);
  const serverErrors = Object.entries(demoResult.summary.http.byStatus).filter(([status]) => Number(status) >= 500 && Number(status) !== 503);
  const ryw = balancer.readYourWrites;
  const check = (name: string, problems: readonly string[]) => ({
    name,
    ok: problems.length === 0,
    detail: problems.length === 0 ? '' : `${problems.length}: ${problems.slice(0, 10).join('; ')}`,
    ...(problems.length > 0 ? { problems: problems.slice(0, 100) } : {}),
  });
  const checks = [
    check('every submission accepted', demoResult.summary.submissionFailures.map((f) => `${f.key} ${f.status ?? 'no answer'} ${f.message.slice(0, 120)}`)),
    check('every application ended', problemsOf((v) => v.notEnded)),
    check('no event lost, out of order or conflicting on the topic', problemsOf((v) => v.streamProblem)),
    check('read models equal the event streams', problemsOf((v) => v.readModelProblem)),
    check('one workflow run per application', [...problemsOf((v) => (v.runs === 1 ? null : `${v.runs} runs`)), ...strayRuns.map((id) => `${id}: no submission of ours`)]),
    check('ops counts equal the truth from the stream', [...(projected ? [] : ['the ops projection did not catch up within 120 s']), ...opsProblems]),
    check('reads right after a command show it on the other replica', ryw.staleOnOther === 0 ? [] : [`${ryw.staleOnOther} of ${ryw.checked} reads on the other replica did not show the command (${ryw.examples.slice(0, 2).join('; ')})`]),
    check('no process crashed on its own', crashes),
    check('no 5xx but 503 from the API', serverErrors.map(([status, n]) => `${n} × ${status}`)),
  ];

  // ---------- numbers per fault ----------
  const submittedAt = new Map(submissions.map((s) => [s.applicationId, s.sentAt]));
  const endOfRun = Date.now();
  const windowNumbers = (killAt: number, windowEnd: number, inFlight: readonly string[]): Omit<FaultSurvived, 'fault'> => {
    // Submitted in the window, or before it and not yet matched when it began.
    const pipeline = submissions.map((s) => ({ ...s, decisiveAt: watch.firstDecisiveAt.get(s.applicationId) ?? endOfRun }))
      .filter((s) => s.sentAt <= windowEnd && (s.sentAt >= killAt || s.decisiveAt >= killAt))
      .map((s) => (s.decisiveAt - s.sentAt) / 1000);
    const lag = lagSamples.filter((s) => s.at >= killAt && s.at <= windowEnd).map((s) => s.seconds);
    const streamStallS = longestPause(watch.arrivals, killAt, windowEnd) / 1000;
    const writesRefusedS = writeProbe.longestRefusal(killAt, windowEnd) / 1000;
    const requestsCutOff = balancer.cutOffAt.filter((at) => at >= killAt && at <= windowEnd).length;
    const recovery = { streamStallS, pipelineMaxS: Math.max(0, ...pipeline), opsLagMaxS: Math.max(0, ...lag), writesRefusedS, requestsCutOff };
    const verdictsInFlight = inFlight.map((id) => verdicts.get(id)).filter((v): v is AppVerdict => v !== undefined);
    return {
      inFlight: inFlight.length,
      completed: verdictsInFlight.filter((v) => v.completed).length,
      lost: verdictsInFlight.filter((v) => !v.completed).length,
      duplicated: verdictsInFlight.filter((v) => v.duplicatedIn(killAt, windowEnd)).length,
      maxRecoverySeconds: Math.max(recovery.streamStallS, recovery.pipelineMaxS, recovery.opsLagMaxS, recovery.writesRefusedS),
      recovery,
    };
  };
  const firstKill = times[0]?.killAt ?? endOfRun;
  // The baseline's applications: those that ended before the first fault.
  const baselineApps = submissions.filter((s) => (watch.endedAt.get(s.applicationId) ?? Infinity) < firstKill).map((s) => s.applicationId);
  const faultLines: FaultSurvived[] = [
    { fault: 'baseline (before the first fault)', ...windowNumbers(loadStart + 5_000, firstKill, baselineApps) },
    ...times.map((t) => {
      const inFlight = [...submittedAt].filter(([id, at]) => at < t.killAt && (watch.endedAt.get(id) ?? Infinity) > t.killAt).map(([id]) => id);
      return { fault: `${t.name}: ${t.victim}, back after ${((t.restartedAt - t.killAt) / 1000).toFixed(0)} s`, ...windowNumbers(t.killAt, t.windowEnd, inFlight) };
    }),
  ];

  const ok = checks.every((c) => c.ok);
  const result: ClusterResult = {
    ranAt: new Date().toISOString(),
    ok,
    setup: {
      'Kafka nodes': 3,
      'replication factor': 3,
      'min.insync.replicas': 2,
      workers: workers.length,
      'API replicas': apis.length,
      'ops projectors': projectors.length,
      'rate /s': options.rate,
      'down s': options.downMs / 1000,
      'SLA scale': SCALED.DEALFLOW_SLA_SCALE,
      'run s': Math.round((Date.now() - started) / 1000),
      Temporal: 'shared dev server (SQLite), not PostgreSQL',
    },
    applications: {
      submitted: submissions.length,
      ended: verdictList.filter((v) => v.notEnded === null).length,
      lost: verdictList.filter((v) => !v.completed).length,
      duplicated: verdictList.filter((v) => v.duplicated).length,
      kafkaDuplicateSeqs: [...streams.values()].reduce((n, s) => n + s.duplicateSeqs, 0),
    },
    faults: faultLines,
    readYourWrites: { checked: ryw.checked, staleOnOther: ryw.staleOnOther, staleOnSame: ryw.staleOnSame, staleOnlyOnOther: ryw.staleOnlyOnOther, longestStaleMs: ryw.longestStaleMs, neverShown: ryw.neverShown, byCommand: ryw.byCommand },
    checks,
  };
  writeClusterResult(result);
  for (const line of faultLines) {
    log(`fault ${line.fault}: in flight ${line.inFlight}, completed ${line.completed}, lost ${line.lost}, duplicated ${line.duplicated}, max recovery ${line.maxRecoverySeconds.toFixed(1)} s ${JSON.stringify(line.recovery)}`);
  }
  log(`read-your-writes: ${ryw.staleOnOther} of ${ryw.checked} stale on the other replica (${ryw.staleOnlyOnOther} of them shown by the same one), ${ryw.staleOnSame} stale on the same; longest ${(ryw.longestStaleMs / 1000).toFixed(1)} s; ${JSON.stringify(ryw.byCommand)}`);
  log(`balancer: ${JSON.stringify(balancer.stats)}`);
  for (const c of checks) log(`${c.ok ? 'held  ' : 'FAILED'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
  log(`${ok ? 'every check held' : 'some checks FAILED'}; written to BENCHMARKS.md ("Cluster run") and bench/results/summary.json ("cluster"); ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok;

  function progressLogger() {
    let last = 0;
    return (p: { submitted: number; total: number; ended: number; openDeals: number; elapsedMs: number }) => {
      if (Date.now() - last < 30_000) return;
      last = Date.now();
      const lag = lagSamples.at(-1);
      log(`${(p.elapsedMs / 1000).toFixed(0)} s: submitted ${p.submitted}/${p.total}, ended ${p.ended}, open deals ${p.openDeals}, ops lag ${lag?.events ?? '?'} events`);
    };
  }
}

/** Replication factor 3, `min.insync.replicas` 2; ready when every partition has a leader (a fresh cluster may answer "does not host this topic-partition" at first). */
async function createReplicatedTopics(admin: Admin, topics: readonly [string, number][]): Promise<void> {
  const replicated = [{ name: 'min.insync.replicas', value: '2' }];
  await admin.createTopics({ topics: topics.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 3, configEntries: replicated })) });
  const led = await waitFor(async () => {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: topics.map(([topic]) => topic) });
      return metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0 && p.isr.length === 3));
    } catch {
      return false;
    }
  }, 60_000, 500);
  if (!led) throw new Error(`the topics ${topics.map(([topic]) => topic).join(', ')} got no leaders within 60 s`);
}

function processFault(name: string, victim: DealflowProcess): Fault {
  return {
    name,
    async kill() {
      await victim.kill();
      return victim.name;
    },
    restart: () => victim.start(),
  };
}

interface AppVerdict {
  applicationId: string;
  runs: number;
  notEnded: string | null;
  streamProblem: string | null;
  readModelProblem: string | null;
  completed: boolean;
  duplicated: boolean;
  /** Two runs, a seq twice in the read model, or a copy of an event written to the topic between `from` and `to`. */
  duplicatedIn(from: number, to: number): boolean;
}

function judge(applicationId: string, view: ApplicationView | null, stream: ApplicationStream | undefined, runs: number): AppVerdict {
  const notEnded = view === null ? 'no read model (GET answered no 200)'
    : !isApplicationTerminal(view.status) ? `still ${view.status}${stream?.endStatus ? `, ended ${stream.endStatus} on the topic` : ''}`
    : stream && stream.endStatus === null ? `${view.status}, but no ending event on the topic` : null;
  let streamProblem: string | null = null;
  if (!stream) streamProblem = 'no event on the topic';
  else if (stream.gaps.length > 0) streamProblem = `seqs missing on the topic: ${stream.gaps.slice(0, 5).join(',')}`;
  else if (stream.outOfOrder > 0) streamProblem = `${stream.outOfOrder} events out of order`;
  else if (stream.conflictingDuplicates > 0) streamProblem = `${stream.conflictingDuplicates} seqs twice with different event ids`;
  else if (stream.partitions > 1) streamProblem = `events on ${stream.partitions} partitions`;
  let readModelProblem: string | null = null;
  const seqs = view?.timeline.map((e) => e.seq) ?? [];
  const gapless = seqs.every((seq, i) => seq === i + 1);
  if (view && stream) {
    if (view.status !== stream.endStatus && isApplicationTerminal(view.status)) readModelProblem = `status ${view.status}, the stream says ${stream.endStatus ?? 'not ended'}`;
    else if (seqs.length !== stream.distinct || !gapless) readModelProblem = `timeline holds ${seqs.length} events (seqs ${ranges(seqs)}), the stream ${stream.distinct} (seqs 1..${stream.highest}${stream.gaps.length > 0 ? ` but ${stream.gaps.join(',')}` : ''})`;
  }
  const duplicated = runs > 1 || new Set(seqs).size !== seqs.length || (stream?.duplicateSeqs ?? 0) > 0;
  return {
    applicationId,
    runs,
    duplicatedIn: (from, to) => runs > 1 || new Set(seqs).size !== seqs.length || (stream?.duplicatesWrittenAt ?? []).some((at) => at >= from && at <= to),
    notEnded,
    streamProblem,
    readModelProblem,
    completed: notEnded === null && streamProblem === null && readModelProblem === null,
    duplicated,
  };
}

/** `1..6,8..19`: the seqs as runs. */
function ranges(seqs: readonly number[]): string {
  const runs: string[] = [];
  let start: number | null = null;
  let previous: number | null = null;
  for (const seq of [...seqs, Number.NaN]) {
    if (previous !== null && seq === previous + 1) {
      previous = seq;
      continue;
    }
    if (start !== null && previous !== null) runs.push(start === previous ? String(start) : `${start}..${previous}`);
    start = seq;
    previous = seq;
  }
  return runs.join(',');
}

/** The ops metrics of each replica against the truth counted from the topic. */
async function checkOpsMetrics(apis: readonly DealflowProcess[], jwt: JwtSettings, messages: number, foreign: number, streams: ReadonlyMap<string, ApplicationStream>): Promise<string[]> {
  const problems: string[] = [];
  const byStatus = new Map<string, number>();
  for (const s of streams.values()) if (s.endStatus) byStatus.set(s.endStatus, (byStatus.get(s.endStatus) ?? 0) + 1);
  const distinct = [...streams.values()].reduce((n, s) => n + s.distinct, 0);
  const gaps = [...streams.values()].filter((s) => s.gaps.length > 0).length;
  const truth: [string, (m: OpsMetrics) => number, number][] = [
    ['applications', (m) => m.applications, streams.size],
    ['funnel.all.total', (m) => m.funnel.all.total, streams.size],
    ...[...new Set([...byStatus.keys(), 'closed', 'no_match', 'withdrawn', 'expired', 'rejected'])].map((status): [string, (m: OpsMetrics) => number, number] => [
      `funnel.all.byStatus.${status}`, (m) => m.funnel.all.byStatus[status as keyof OpsMetrics['funnel']['all']['byStatus']] ?? 0, byStatus.get(status) ?? 0,
    ]),
    ['counters.eventsSeen', (m) => m.counters.eventsSeen, messages - foreign],
    ['counters.eventsApplied', (m) => m.counters.eventsApplied, distinct],
    ['counters.duplicatesDropped', (m) => m.counters.duplicatesDropped, messages - foreign - distinct],
    ['counters.gaps', (m) => m.counters.gaps, gaps],
    ['counters.malformedSkipped', (m) => m.counters.malformedSkipped, foreign],
    ['projectionLagEvents', (m) => m.projectionLagEvents, 0],
  ];
  for (const api of apis) {
    const client = createApiClient({ baseUrl: `http://127.0.0.1:${api.httpPort}`, jwt, concurrency: 1, retries: 3 });
    const answer = await client.call<OpsMetrics>(OPS, 'GET', '/v1/ops/metrics').catch((error: Error) => ({ status: 0, body: error.message }));
    if (answer.status !== 200) {
      problems.push(`${api.name}: GET /v1/ops/metrics answered ${answer.status}`);
      continue;
    }
    const metrics = answer.body as OpsMetrics;
    for (const [name, read, expected] of truth) {
      const actual = read(metrics);
      if (actual !== expected) problems.push(`${api.name}: ${name} ${actual}, the stream says ${expected}`);
    }
  }
  return problems;
}

/** The longest time between two arrivals, counting those that end inside [from, to] (a pause the window ends in counts up to `to`). */
function longestPause(arrivals: readonly number[], from: number, to: number): number {
  let longest = 0;
  let previous: number | null = null;
  for (const at of arrivals) {
    if (at > to) {
      if (previous !== null && previous < to) longest = Math.max(longest, to - Math.max(previous, from));
      return longest;
    }
    if (previous !== null && at >= from) longest = Math.max(longest, at - Math.max(previous, from));
    previous = at;
  }
  if (previous !== null && previous < to) longest = Math.max(longest, Math.min(to, Date.now()) - Math.max(previous, from));
  return longest;
}

/** An acks=all write to each partition of the probe topic every second; remembers how long each partition refused them. */
async function startWriteProbe(kafka: Kafka): Promise<{ longestRefusal(from: number, to: number): number; stop(): Promise<void> }> {
  const producer: Producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
  await producer.connect();
  const refusals: { from: number; to: number }[] = [];
  const failingSince = new Map<number, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const tick = Date.now();
      await Promise.all([0, 1, 2].map(async (partition) => {
        const attempt = Date.now();
        try {
          await producer.send({ topic: PROBE_TOPIC, acks: -1, timeout: 2_000, messages: [{ partition, value: String(attempt) }] });
          const since = failingSince.get(partition);
          if (since !== undefined) {
            refusals.push({ from: since, to: Date.now() });
            failingSince.delete(partition);
          }
        } catch {
          if (!failingSince.has(partition)) failingSince.set(partition, attempt);
        }
      }));
      await sleep(Math.max(0, 1_000 - (Date.now() - tick)));
    }
  })();
  return {
    longestRefusal(from, to) {
      const open = [...failingSince.values()].map((since) => ({ from: since, to: Date.now() }));
      return Math.max(0, ...[...refusals, ...open].filter((r) => r.to >= from && r.from <= to).map((r) => r.to - r.from));
    },
    async stop() {
      running = false;
      await loop;
      await producer.disconnect();
    },
  };
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
