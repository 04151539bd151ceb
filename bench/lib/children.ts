import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledPath } from './compiled';
import { sleep } from './report';

// The processes `npm start` runs, each a compiled child of a benchmark (bench/pipeline/child.ts):
// `worker`, `api` (with its live feed and ops routes), `ops` (the ops projector), and `noop` (a
// worker of the no-op workflow, the pipeline's ceiling). Each answers `stats` over IPC.

export type ChildRole = 'worker' | 'noop' | 'api' | 'ops';

export interface ChildStats {
  rss: number;
  /** Workflows cached by a worker; 0 for the others. */
  cached: number;
  /** CPU time the process has used since it started, user + system, µs (process.cpuUsage). */
  cpuMicros: number;
}

export interface Child {
  role: ChildRole;
  process: ChildProcess;
  url?: string;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

export async function spawnChild(role: ChildRole, env: NodeJS.ProcessEnv): Promise<Child> {
  // Node flags as the image runs each process (Dockerfile, docker-compose.yml).
  const execArgv = role === 'api' ? ['--max-semi-space-size=4'] : [];
  // DEALFLOW_BENCH_PROFILE_DIR=dir: V8 CPU profiles of each child's threads (a worker runs its
  // workflows in threads of their own) under dir/<role>, summarised by bench/profile.ts.
  const profileDir = process.env.DEALFLOW_BENCH_PROFILE_DIR;
  if (profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, role)}`);
  const child = fork(compiledPath(require.resolve('../pipeline/child')), [role], { env, execArgv, stdio: ['ignore', 2, 2, 'ipc'] });
  const ready = await new Promise<{ url?: string }>((resolve, reject) => {
    child.once('message', (message: { type: string; url?: string }) => resolve(message));
    child.once('exit', (code) => reject(new Error(`bench ${role} child exited with ${code}`)));
  });
  return {
    role,
    process: child,
    ...(ready.url ? { url: ready.url } : {}),
    stats: () => new Promise((resolve, reject) => {
      const onMessage = (message: { type: string } & ChildStats) => {
        if (message.type !== 'stats') return;
        child.off('message', onMessage);
        resolve({ rss: message.rss, cached: message.cached, cpuMicros: message.cpuMicros });
      };
      child.on('message', onMessage);
      // A child that already exited rejects here rather than crashing the benchmark with an 'error' event.
      child.send({ type: 'stats' }, (error) => {
        if (!error) return;
        child.off('message', onMessage);
        reject(error);
      });
    }),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send({ type: 'stop' });
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    }),
  };
}

/** Samples a child's stats every `everyMs` until stopped; keeps the highest RSS and its cached count. */
export function peakSampler(child: Child, everyMs = 250) {
  let peak = { rss: 0, cached: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = await child.stats().catch(() => null);
      if (!now) return;
      if (now.rss > peak.rss) peak = { rss: now.rss, cached: now.cached };
      await sleep(everyMs);
    }
  })();
  return { async stop() { running = false; await loop; return peak; } };
}

/** CPU of each child between two moments, as a share of one core (1 = one core busy all the time). */
export async function cpuSnapshot(children: readonly Child[]): Promise<{ at: number; cpu: Map<ChildRole, number> }> {
  const stats = await Promise.all(children.map(async (child) => [child.role, (await child.stats()).cpuMicros] as const));
  return { at: performance.now(), cpu: new Map(stats) };
}

export function cpuShares(from: Awaited<ReturnType<typeof cpuSnapshot>>, to: Awaited<ReturnType<typeof cpuSnapshot>>): Map<ChildRole, number> {
  const elapsedMicros = (to.at - from.at) * 1_000;
  return new Map([...to.cpu].map(([role, micros]) => [role, elapsedMicros > 0 ? (micros - (from.cpu.get(role) ?? micros)) / elapsedMicros : 0]));
}

export const formatCpu = (shares: ReadonlyMap<ChildRole, number>): string =>
  [...shares].map(([role, share]) => `${role} ${(share * 100).toFixed(0)} %`).join(', ');
