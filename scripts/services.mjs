#!/usr/bin/env node
// The local stack: Temporal (CLI dev server), FerretDB (SQLite), Kafka (KRaft) and the documents'
// object store (SeaweedFS, S3 API), built or fetched from the package registries, cached outside
// the checkout, started on loopback.
//
//   node scripts/services.mjs up|down|status [temporal|ferretdb|kafka|seaweedfs ...]
//
// `up` is idempotent and waits until each server really answers; `down` stops only what `up`
// started (it keeps a pid file per service and checks the pid still runs our binary).
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// SeaweedFS publishes no semver module tags the proxy serves for `weed`: a pseudo-version pins the commit.
export const versions = { temporal: 'v1.5.1', ferretdb: 'v1.24.2', kafka: '4.1.1', seaweedfs: 'v0.0.0-20261109003541-7506e5f91cd6' };

const env = process.env;
const cacheDir = env.DEALFLOW_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dealflow');
const dataDir = path.resolve(env.DEALFLOW_DATA_DIR ?? path.join(repoRoot, '.data'));
const runDir = path.join(dataDir, 'run');
const logDir = path.join(dataDir, 'logs');

function port(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name}=${raw} is not a TCP port (1-65535)`);
  return n;
}

export const ports = {
  temporal: port('DEALFLOW_TEMPORAL_PORT', 7233),
  temporalUi: port('DEALFLOW_TEMPORAL_UI_PORT', 8233),
  mongo: port('DEALFLOW_MONGO_PORT', 27017),
  kafka: port('DEALFLOW_KAFKA_PORT', 9092),
  kafkaController: port('DEALFLOW_KAFKA_CONTROLLER_PORT', 9093),
  // The S3 API; SeaweedFS's master, volume, filer and admin servers take the next four ports, and
  // each of the five its gRPC port 10000 above.
  s3: port('DEALFLOW_S3_PORT', 8333),
};
const seaweedPorts = { s3: ports.s3, master: ports.s3 + 1, volume: ports.s3 + 2, filer: ports.s3 + 3, admin: ports.s3 + 4 };
// The local store's identity; adapters/config.ts uses the same when DEALFLOW_S3_ENDPOINT is unset.
const LOCAL_S3_IDENTITY = { accessKey: 'dealflow-local', secretKey: 'dealflow-local-secret-not-for-production' };
export const LOCAL_S3_BUCKET = 'dealflow-files';

// Registered at every start (idempotent): ops list workflows by these in the Temporal UI.
const searchAttributes = {
  DealflowStatus: 'Keyword',
  DealflowRegion: 'Keyword',
  DealflowInstrument: 'Keyword',
  DealflowInstitutionIds: 'KeywordList',
  DealflowEnterpriseUscc: 'Keyword',
};

function fail(message) {
  console.error(`services: ${message}`);
  process.exit(1);
}

function say(message) {
  console.log(`services: ${message}`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function logTail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

// ---------- building and fetching (cached by version) ----------

function goBuild(label, binPath, buildInDir) {
  if (fs.existsSync(binPath)) return;
  const buildLog = path.join(cacheDir, 'logs', `build-${label}.log`);
  fs.mkdirSync(path.dirname(buildLog), { recursive: true });
  fs.mkdirSync(path.dirname(binPath), { recursive: true });
  say(`building ${label} from the Go module proxy (first run only, takes several minutes; log: ${buildLog})`);
  const started = Date.now();
  const ok = buildInDir(buildLog);
  if (!ok || !fs.existsSync(binPath)) fail(`building ${label} failed; see ${buildLog}:\n${logTail(buildLog)}`);
  say(`built ${label} in ${Math.round((Date.now() - started) / 1000)} s`);
}

function goCommand(args, cwd, buildLog) {
  const out = fs.openSync(buildLog, 'a');
  const result = spawnSync('go', args, { cwd, stdio: ['ignore', out, out], env: { ...env, GOFLAGS: '-buildvcs=false' } });
  fs.closeSync(out);
  if (result.error) fail(`cannot run go (${result.error.message}); install Go 1.26.6 or newer (SeaweedFS needs it)`);
  return result.status === 0;
}

const temporalBin = path.join(cacheDir, 'bin', `temporal-${versions.temporal}`, 'temporal');
// `-idindex-serialwrites`: built with the patches below, so a binary built without them is never reused.
const ferretdbBin = path.join(cacheDir, 'bin', `ferretdb-${versions.ferretdb}-idindex-serialwrites`, 'ferretdb');
const kafkaLibs = path.join(cacheDir, `kafka-${versions.kafka}`, 'libs');
const seaweedfsBin = path.join(cacheDir, 'bin', `seaweedfs-${versions.seaweedfs}`, 'weed');

// Temporal's `go install` puts the binary in GOBIN; we point GOBIN at the versioned cache folder.
function installTemporal(log) {
  const gobin = path.dirname(temporalBin);
  const out = fs.openSync(log, 'a');
  const result = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${versions.temporal}`], {
    cwd: os.tmpdir(),
    stdio: ['ignore', out, out],
    env: { ...env, GOBIN: gobin, GOFLAGS: '-buildvcs=false' },
  });
  fs.closeSync(out);
  if (result.error) fail(`cannot run go (${result.error.message}); install Go 1.26.6 or newer (SeaweedFS needs it)`);
  return result.status === 0;
}

// FerretDB's `go install` binary panics at start: the module zip lacks build/version/version.txt,
// which its release builds generate. We build the same module source with that file written.
//
// And with two patches:
// - `_id` lookups: the SQLite backend looks documents up by `_id` with the path
//   `_ferretdb_sjson->'$._id'`, while the unique index it creates is on `_ferretdb_sjson->"_id"`
//   (the same value, another expression), so SQLite never uses the index and every find, update
//   or delete by `_id` scans the table (EXPLAIN QUERY PLAN: SCAN; with `->'_id'`: SEARCH USING INDEX).
// - Serial writes: SQLite has one writer per database file, and FerretDB lets up to 100
//   connections contend for it; a writer that finds it taken sleeps in SQLite's busy handler
//   (1, 2, 5, 10 … 100 ms), so under concurrent writes the lock sits idle while writers sleep. With
//   64 concurrent `updateOne` by `_id`: 365 writes/s, p99 703 ms; queued on a mutex per database
//   instead: 1,394 writes/s, p99 73 ms (README, "FerretDB build"). Reads are not queued (WAL).
const FERRETDB_PATCHES = [
  {
    file: path.join('internal', 'backends', 'sqlite', 'metadata', 'metadata.go'),
    edits: [[`IDColumn = DefaultColumn + "->'$._id'"`, `IDColumn = DefaultColumn + "->'_id'"`]],
  },
  {
    file: path.join('internal', 'util', 'fsql', 'db.go'),
    edits: [
      ['\t"log/slog"\n\t"time"\n', '\t"log/slog"\n\t"sync"\n\t"time"\n'],
      ['\tsqlDB     *sql.DB\n', '\tsqlDB     *sql.DB\n\twrites    sync.Mutex\n'],
      ['\tres, err := db.sqlDB.ExecContext(ctx, query, args...)\n', '\tdb.writes.Lock()\n\tres, err := db.sqlDB.ExecContext(ctx, query, args...)\n\tdb.writes.Unlock()\n'],
      ['\tif sqlTx, err = db.sqlDB.BeginTx(ctx, nil); err != nil {', '\tdb.writes.Lock()\n\tdefer db.writes.Unlock()\n\n\tif sqlTx, err = db.sqlDB.BeginTx(ctx, nil); err != nil {'],
    ],
  },
];

/** Applies each patch's edits to the copied source; false (and the reason in the log) when the source no longer matches. */
function patchFerretdb(srcDir, log) {
  for (const { file, edits } of FERRETDB_PATCHES) {
    const target = path.join(srcDir, file);
    let source = fs.readFileSync(target, 'utf8');
    for (const [from, to] of edits) {
      if (source.split(from).length !== 2) {
        fs.appendFileSync(log, `${file} does not hold ${JSON.stringify(from)} exactly once: update the patch for ${versions.ferretdb}\n`);
        return false;
      }
      source = source.replace(from, to);
    }
    fs.writeFileSync(target, source);
  }
  return true;
}

function installFerretdb(log) {
  const download = run('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${versions.ferretdb}`], { cwd: os.tmpdir() });
  if (download.status !== 0) {
    fs.appendFileSync(log, download.stdout + download.stderr);
    return false;
  }
  const moduleDir = JSON.parse(download.stdout).Dir;
  const srcDir = path.join(cacheDir, 'src', `ferretdb-${versions.ferretdb}`);
  fs.rmSync(srcDir, { recursive: true, force: true });
  fs.cpSync(moduleDir, srcDir, { recursive: true });
  run('chmod', ['-R', 'u+w', srcDir]);
  fs.writeFileSync(path.join(srcDir, 'build', 'version', 'version.txt'), `${versions.ferretdb}\n`);
  if (!patchFerretdb(srcDir, log)) return false;
  const ok = goCommand(['build', '-o', ferretdbBin, './cmd/ferretdb'], srcDir, log);
  fs.rmSync(srcDir, { recursive: true, force: true });
  return ok;
}

// SeaweedFS's go.mod has a `replace` directive, which `go install module@version` refuses: we
// build the same module source from the Go module cache (read-only, nothing written into it).
function installSeaweedfs(log) {
  const download = run('go', ['mod', 'download', '-json', `github.com/seaweedfs/seaweedfs@${versions.seaweedfs}`], { cwd: os.tmpdir() });
  if (download.status !== 0) {
    fs.appendFileSync(log, download.stdout + download.stderr);
    return false;
  }
  const moduleDir = JSON.parse(download.stdout).Dir;
  return goCommand(['build', '-o', seaweedfsBin, './weed'], moduleDir, log);
}

function ensureKafkaJars() {
  if (fs.existsSync(path.join(kafkaLibs, `kafka_2.13-${versions.kafka}.jar`))) return;
  const log = path.join(cacheDir, 'logs', 'fetch-kafka.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  say(`fetching Kafka ${versions.kafka} jars from Maven Central (first run only; log: ${log})`);
  const out = fs.openSync(log, 'a');
  const result = spawnSync('mvn', [
    '-B', '-q', '-f', path.join(repoRoot, 'scripts', 'kafka', 'pom.xml'),
    'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${kafkaLibs}`,
    `-Dkafka.version=${versions.kafka}`,
  ], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (result.error) fail(`cannot run mvn (${result.error.message}); install Maven and Java 17`);
  if (result.status !== 0) fail(`fetching Kafka jars failed; see ${log}:\n${logTail(log)}`);
}

// ---------- the services ----------

const services = [
  {
    name: 'ferretdb',
    ports: [ports.mongo],
    binary: () => ferretdbBin,
    // Built before the patches: still ours to stop.
    earlierBinaries: ['', '-idindex'].map((suffix) => path.join(cacheDir, 'bin', `ferretdb-${versions.ferretdb}${suffix}`, 'ferretdb')),
    prepare: () => goBuild('ferretdb', ferretdbBin, installFerretdb),
    command: () => {
      const dir = path.join(dataDir, 'ferretdb');
      fs.mkdirSync(path.join(dir, 'sqlite'), { recursive: true });
      return [ferretdbBin, [
        '--handler=sqlite',
        `--sqlite-url=file:${path.join(dir, 'sqlite')}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${ports.mongo}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ]];
    },
    ready: async () => {
      const { default: mongoose } = await import('mongoose');
      const conn = mongoose.createConnection(`mongodb://127.0.0.1:${ports.mongo}/dealflow`, { serverSelectionTimeoutMS: 1000 });
      try {
        await conn.asPromise();
        await conn.db.admin().ping();
        return true;
      } finally {
        await conn.close().catch(() => {});
      }
    },
  },
  {
    name: 'temporal',
    ports: [ports.temporal, ports.temporalUi],
    binary: () => temporalBin,
    prepare: () => goBuild('temporal', temporalBin, installTemporal),
    command: () => {
      const dir = path.join(dataDir, 'temporal');
      fs.mkdirSync(dir, { recursive: true });
      return [temporalBin, [
        'server', 'start-dev',
        '--ip', '127.0.0.1',
        '--port', String(ports.temporal),
        '--ui-ip', '127.0.0.1',
        '--ui-port', String(ports.temporalUi),
        '--db-filename', path.join(dir, 'temporal.db'),
        '--namespace', 'default',
        // WAL and relaxed fsync: about ten times the throughput of the defaults on SQLite.
        '--sqlite-pragma', 'journal_mode=WAL',
        '--sqlite-pragma', 'synchronous=NORMAL',
        '--log-level', 'warn',
        ...Object.entries(searchAttributes).flatMap(([key, type]) => ['--search-attribute', `${key}=${type}`]),
      ]];
    },
    ready: async () => {
      const result = run(temporalBin, ['operator', 'namespace', 'describe', '--namespace', 'default', '--address', `127.0.0.1:${ports.temporal}`]);
      return result.status === 0;
    },
  },
  {
    name: 'kafka',
    ports: [ports.kafka, ports.kafkaController],
    binary: () => 'java',
    prepare: ensureKafkaJars,
    command: () => {
      const dir = path.join(dataDir, 'kafka');
      const logsDir = path.join(dir, 'data');
      fs.mkdirSync(dir, { recursive: true });
      const config = path.join(dir, 'server.properties');
      fs.writeFileSync(config, kafkaServerProperties(logsDir));
      const classpath = `${kafkaLibs}/*`;
      const jvm = ['-Xms256m', '-Xmx768m', `-Dlog4j2.configurationFile=${path.join(repoRoot, 'scripts', 'kafka', 'log4j2.properties')}`, `-Dkafka.logs.dir=${logDir}`];
      if (!fs.existsSync(path.join(logsDir, 'meta.properties'))) {
        // `=` keeps an id that starts with '-' (one in 64 of them) from reading as an option.
        const format = run('java', [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${randomBytes(16).toString('base64url')}`, '-c', config]);
        if (format.status !== 0) fail(`formatting Kafka storage failed:\n${format.stdout}${format.stderr}`);
      }
      return ['java', [...jvm, '-cp', classpath, 'kafka.Kafka', config]];
    },
    ready: async () => {
      const { Kafka, logLevel, Partitioners } = await import('kafkajs');
      const kafka = new Kafka({ brokers: [`127.0.0.1:${ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
      const admin = kafka.admin();
      // kafkajs insists an idempotent producer may retry; one retry keeps the probe short.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 }, createPartitioner: Partitioners.DefaultPartitioner });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        // Consumer groups and idempotent producers need coordinators that load after the broker
        // starts: ready means both answer.
        await admin.describeGroups(['dealflow-readiness-probe']);
        await producer.connect();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } finally {
        await producer.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
      }
    },
  },
  {
    // The documents' object store: `weed mini` runs SeaweedFS's master, volume, filer, S3 and admin
    // servers in one process; everything else it offers (WebDAV, admin UI, Iceberg, Lance, telemetry) off.
    name: 'seaweedfs',
    ports: [...Object.values(seaweedPorts), ...Object.values(seaweedPorts).map((p) => p + 10000)],
    binary: () => seaweedfsBin,
    prepare: () => goBuild('seaweedfs', seaweedfsBin, installSeaweedfs),
    command: () => {
      const dir = path.join(dataDir, 'seaweedfs');
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      const s3Config = path.join(dir, 's3.json');
      fs.writeFileSync(s3Config, JSON.stringify({
        identities: [{ name: 'dealflow', credentials: [LOCAL_S3_IDENTITY], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] }],
      }, null, 2));
      return [seaweedfsBin, [
        'mini',
        '-ip=127.0.0.1',
        '-ip.bind=127.0.0.1',
        `-dir=${path.join(dir, 'data')}`,
        `-s3.port=${seaweedPorts.s3}`,
        `-master.port=${seaweedPorts.master}`,
        `-volume.port=${seaweedPorts.volume}`,
        `-filer.port=${seaweedPorts.filer}`,
        // The admin server (maintenance jobs) always runs in `mini`; its UI is off, its old second port too.
        `-admin.port=${seaweedPorts.admin}`,
        '-admin.port.legacy=0',
        `-s3.config=${s3Config}`,
        `-bucket=${LOCAL_S3_BUCKET}`,
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        '-webdav=false',
        '-admin.ui=false',
        '-master.telemetry=false',
      ]];
    },
    ready: async () => {
      // `/status` answers once the S3 server runs; a signed HeadBucket once the bucket is there.
      const status = await fetch(`http://127.0.0.1:${seaweedPorts.s3}/status`, { signal: AbortSignal.timeout(1000) });
      if (!status.ok) return false;
      // The SDK's once-per-process notice that its 2027 releases need Node 22 is not news on every `up`.
      env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3');
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${seaweedPorts.s3}`,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: LOCAL_S3_IDENTITY.accessKey, secretAccessKey: LOCAL_S3_IDENTITY.secretKey },
        maxAttempts: 1,
      });
      try {
        await client.send(new HeadBucketCommand({ Bucket: LOCAL_S3_BUCKET }));
        return true;
      } finally {
        client.destroy();
      }
    },
  },
];

function kafkaServerProperties(logsDir) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${ports.kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logsDir}`,
    'num.partitions=3',
    // One node: every internal topic must fit on it, or consumer groups never find a coordinator.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

// ---------- process bookkeeping ----------

const pidFile = (svc) => path.join(runDir, `${svc.name}.pid`);

function ourPid(svc) {
  let pid;
  try {
    pid = Number(fs.readFileSync(pidFile(svc), 'utf8').trim());
  } catch {
    return null;
  }
  try {
    // A recycled pid would run another program: only claim it when it runs our binary.
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const binaries = [svc.binary(), ...(svc.earlierBinaries ?? [])];
    if (binaries.some((binary) => cmdline.includes(binary)) && cmdline.includes(dataDir)) return pid;
  } catch {
    // the process is gone
  }
  fs.rmSync(pidFile(svc), { force: true });
  return null;
}

function portInUse(p) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: p });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(svc, pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pid !== null && !isAlive(pid)) return false;
    try {
      if (await svc.ready()) return true;
    } catch {
      // not yet
    }
    await sleep(500);
  }
  return false;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(selected) {
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  for (const svc of selected) svc.prepare();

  const started = [];
  for (const svc of selected) {
    const log = path.join(logDir, `${svc.name}.log`);
    const pid = ourPid(svc);
    if (pid !== null) {
      if (await waitReady(svc, pid, 60_000)) {
        say(`${svc.name} already running (pid ${pid})`);
        continue;
      }
      fail(`${svc.name} (pid ${pid}) runs but does not answer; see ${log}:\n${logTail(log)}`);
    }
    for (const p of svc.ports) {
      if (await portInUse(p)) fail(`port ${p} for ${svc.name} is taken by a process dealflow did not start; stop it or set another port (see README, Configuration)`);
    }
    const [cmd, args] = svc.command();
    const out = fs.openSync(log, 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], cwd: dataDir });
    fs.closeSync(out);
    child.unref();
    fs.writeFileSync(pidFile(svc), String(child.pid));
    say(`starting ${svc.name} (pid ${child.pid}, log ${log})`);
    started.push([svc, child.pid]);
  }
  for (const [svc, pid] of started) {
    if (!(await waitReady(svc, pid, 120_000))) {
      const log = path.join(logDir, `${svc.name}.log`);
      fail(`${svc.name} did not become ready; see ${log}:\n${logTail(log)}`);
    }
    say(`${svc.name} ready`);
  }
  printAddresses();
}

async function down(selected) {
  for (const svc of [...selected].reverse()) {
    const pid = ourPid(svc);
    if (pid === null) {
      say(`${svc.name} not running (not started by dealflow)`);
      continue;
    }
    process.kill(-pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
    fs.rmSync(pidFile(svc), { force: true });
    say(`${svc.name} stopped`);
  }
}

async function status(selected) {
  let allUp = true;
  for (const svc of selected) {
    const pid = ourPid(svc);
    const answering = pid !== null && (await waitReady(svc, pid, 1500));
    allUp &&= answering;
    say(`${svc.name.padEnd(9)} ${pid === null ? 'stopped' : answering ? `running (pid ${pid})` : `not answering (pid ${pid})`}  ports ${svc.ports.join(', ')}`);
  }
  process.exitCode = allUp ? 0 : 3;
}

function printAddresses() {
  say(`Temporal   127.0.0.1:${ports.temporal}  (UI http://127.0.0.1:${ports.temporalUi})`);
  say(`MongoDB    mongodb://127.0.0.1:${ports.mongo}/dealflow  (FerretDB ${versions.ferretdb}, SQLite)`);
  say(`Kafka      127.0.0.1:${ports.kafka}  (${versions.kafka}, KRaft)`);
  say(`S3         http://127.0.0.1:${ports.s3}  (SeaweedFS ${versions.seaweedfs}, bucket ${LOCAL_S3_BUCKET})`);
}

const usage = 'usage: node scripts/services.mjs up|down|status [temporal|ferretdb|kafka|seaweedfs ...]';
const commands = { up, down, status };
const command = commands[process.argv[2]];
if (!command) fail(usage);
const names = process.argv.slice(3);
const unknown = names.filter((n) => !services.some((svc) => svc.name === n));
if (unknown.length > 0) fail(`unknown service ${unknown.join(', ')}; ${usage}`);
await command(names.length === 0 ? services : services.filter((svc) => names.includes(svc.name)));
