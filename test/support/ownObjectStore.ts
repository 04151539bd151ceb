import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_S3_CREDENTIALS } from '../../adapters/config';
import { createObjectStore } from '../../adapters/objectStore';

// A SeaweedFS of a test's (or a bench's) own, on free ports with its own data directory: the
// binary `npm run services:up` built (scripts/services.mjs), started and stopped here at will,
// never touching the shared local store.

const root = path.resolve(__dirname, '../..');

function seaweedfsBinary(): string {
  // The pinned version lives in scripts/services.mjs, which runs its CLI when imported: read it.
  const version = /seaweedfs: '([^']+)'/.exec(fs.readFileSync(path.join(root, 'scripts', 'services.mjs'), 'utf8'))?.[1];
  const cacheDir = process.env.DEALFLOW_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'dealflow');
  const binary = path.join(cacheDir, 'bin', `seaweedfs-${version}`, 'weed');
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run services:up\` once to build SeaweedFS`);
  return binary;
}

const portFree = (port: number): Promise<boolean> => new Promise((resolve) => {
  const server = createServer();
  server.once('error', () => resolve(false));
  server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
});

/** A base port whose next four and their +10000 gRPC ports are all free. */
async function freePortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const wanted = [0, 1, 2, 3, 4].flatMap((offset) => [base + offset, base + offset + 10_000]);
    if ((await Promise.all(wanted.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free block of ports for SeaweedFS');
}

export interface OwnObjectStore {
  /** The S3 endpoint, for DEALFLOW_S3_ENDPOINT. */
  endpoint: string;
  /** The environment that points dealflow's config at this store. */
  env: Record<string, string>;
  /** Stops the store (SIGTERM, then SIGKILL); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when the S3 API answers. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

export async function startOwnObjectStore(bucket = 'dealflow-files'): Promise<OwnObjectStore> {
  const binary = seaweedfsBinary();
  const base = await freePortBlock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-seaweedfs-'));
  fs.mkdirSync(path.join(dir, 'data'));
  const s3Config = path.join(dir, 's3.json');
  fs.writeFileSync(s3Config, JSON.stringify({
    identities: [{ name: 'dealflow', credentials: [{ accessKey: LOCAL_S3_CREDENTIALS.accessKeyId, secretKey: LOCAL_S3_CREDENTIALS.secretAccessKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] }],
  }));
  const endpoint = `http://127.0.0.1:${base}`;
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const log = fs.openSync(path.join(dir, 'weed.log'), 'a');
    child = spawn(binary, [
      'mini', '-ip=127.0.0.1', '-ip.bind=127.0.0.1', `-dir=${path.join(dir, 'data')}`,
      `-s3.port=${base}`, `-master.port=${base + 1}`, `-volume.port=${base + 2}`, `-filer.port=${base + 3}`,
      `-admin.port=${base + 4}`, '-admin.port.legacy=0',
      `-s3.config=${s3Config}`, `-bucket=${bucket}`, '-s3.port.iceberg=0', '-s3.port.lance=0',
      '-webdav=false', '-admin.ui=false', '-master.telemetry=false',
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    // Ready when a signed HeadBucket answers: `/status` answers before the filer behind it does.
    const probe = createObjectStore({ endpoint, bucket, region: 'us-east-1', forcePathStyle: true, credentials: { ...LOCAL_S3_CREDENTIALS }, encryptionKey: Buffer.alloc(32), retentionDays: 1, maxBytes: 1 });
    try {
      const until = Date.now() + 90_000;
      while (Date.now() < until) {
        if (child.exitCode !== null) throw new Error(`SeaweedFS exited (${child.exitCode}); see ${path.join(dir, 'weed.log')}`);
        if (await probe.ping().then(() => true, () => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      probe.close();
    }
    throw new Error(`SeaweedFS did not answer within 90 s; see ${path.join(dir, 'weed.log')}`);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    endpoint,
    env: {
      DEALFLOW_S3_ENDPOINT: endpoint,
      DEALFLOW_S3_BUCKET: bucket,
      DEALFLOW_S3_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      DEALFLOW_S3_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    },
    stop,
    start,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
