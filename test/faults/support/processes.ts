import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { testEnv } from '../../support/stack';

// The processes a fault test starts, stops and kills: the worker and the API as real child
// processes (`node --import tsx`, one process, so SIGKILL hits the program itself), and the local
// services through `scripts/services.mjs` with the same environment the test runs with.

export const root = path.resolve(__dirname, '../../..');

export type Service = 'temporal' | 'ferretdb' | 'kafka';

/** Runs `node scripts/services.mjs <command> [service]` without blocking the event loop (the load keeps going). */
export function services(command: 'up' | 'down' | 'status', service?: Service, timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/services.mjs', command, ...(service ? [service] : [])], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 || (command === 'status' && code === 3)) resolve(output);
      else reject(new Error(`services.mjs ${command} ${service ?? ''} exited with ${code}:\n${output}`));
    });
  });
}

/** Puts every service back up; used in afterAll so a failed test never leaves the stack down. */
export async function ensureStackUp(): Promise<void> {
  await services('up');
}

export interface ChildHandle {
  child: ChildProcess;
  /** The last lines it printed, for a failure message. */
  tail(): string;
  /** True once it exited (killed or crashed). */
  exited(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function startChild(script: string, env: NodeJS.ProcessEnv, readyLine: string, timeoutMs = 90_000): Promise<ChildHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: testEnv({ LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exited = false;
  // The handle keeps only the last lines; FAULTS_LOG_DIR keeps every line, to study a slow recovery afterwards.
  const logDir = process.env.FAULTS_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    const file = fs.createWriteStream(path.join(logDir, `${path.basename(path.dirname(script))}-${child.pid}.log`), { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  const handle: ChildHandle = {
    child,
    tail: () => lines.slice(-40).join('\n'),
    exited: () => exited,
    kill: (signal = 'SIGKILL') => new Promise((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${handle.tail()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(line.slice(0, 2_000));
      if (lines.length > 400) lines.splice(0, lines.length - 400);
      if (lines.some((line) => line.includes(readyLine))) {
        clearTimeout(timer);
        resolve(handle);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${handle.tail()}`));
    });
  });
}

export const startWorkerProcess = (env: NodeJS.ProcessEnv): Promise<ChildHandle> =>
  startChild('services/worker/main.ts', env, 'worker started');

export const startApiProcess = (env: NodeJS.ProcessEnv, port: number): Promise<ChildHandle> =>
  startChild('services/api/server.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' }, 'dealflow API listening');

/** A port free right now, so a restarted API can listen where its clients already point. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it holds; false when `timeoutMs` passed first. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return false;
}
