import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../faults/support/processes';

// The dealflow processes of the cluster run, each started as `npm start` starts it
// (scripts/start.mjs: `node --import tsx services/.../main.ts`, one process, so SIGKILL hits the
// program itself), on ports of its own, and ready when its operations server says so.

const root = path.resolve(__dirname, '../..');

export type Role = 'worker' | 'api' | 'ops';

const ENTRY: Record<Role, { script: string; nodeFlags: string[] }> = {
  worker: { script: 'services/worker/main.ts', nodeFlags: [] },
  // The API's young generation is capped as in the image (Dockerfile, scripts/start.mjs).
  api: { script: 'services/api/server.ts', nodeFlags: ['--max-semi-space-size=4'] },
  ops: { script: 'services/ops/main.ts', nodeFlags: [] },
};

export interface DealflowProcess {
  name: string;
  role: Role;
  /** The API's HTTP port; 0 for the others. */
  httpPort: number;
  metricsPort: number;
  child: ChildProcess | null;
  /** Started and answered ready, not killed since: a balancer sends it requests. */
  ready: boolean;
  /** Exits nobody asked for (a crash), with their code or signal. */
  crashes: string[];
  start(): Promise<void>;
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  running(): boolean;
}

export function dealflowProcess(options: { name: string; role: Role; env: NodeJS.ProcessEnv; logDir: string; httpPort: number; metricsPort: number; temporalMetricsPort: number }): DealflowProcess {
  const { script, nodeFlags } = ENTRY[options.role];
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    DEALFLOW_METRICS_HOST: '127.0.0.1',
    DEALFLOW_METRICS_PORT: String(options.metricsPort),
    DEALFLOW_TEMPORAL_METRICS_PORT: String(options.temporalMetricsPort),
    ...(options.role === 'api' ? { PORT: String(options.httpPort), HOST: '127.0.0.1' } : {}),
  };
  let incarnation = 0;
  let stopRequested = () => undefined as void;
  const handle: DealflowProcess = {
    name: options.name,
    role: options.role,
    httpPort: options.httpPort,
    metricsPort: options.metricsPort,
    child: null,
    ready: false,
    crashes: [],
    running: () => handle.child !== null && handle.child.exitCode === null && handle.child.signalCode === null,
    async start() {
      incarnation += 1;
      const log = fs.openSync(path.join(options.logDir, `${options.name}-${incarnation}.log`), 'a');
      const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      handle.child = child;
      let asked = false;
      stopRequested = () => {
        asked = true;
      };
      child.once('exit', (code, signal) => {
        handle.ready = false;
        if (!asked) handle.crashes.push(`${options.name}-${incarnation} exited (${code ?? signal})`);
      });
      const ready = await waitFor(async () => {
        if (!handle.running()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see ${options.logDir}/${options.name}-${incarnation}.log`);
        return (await httpStatus(`http://127.0.0.1:${options.metricsPort}/health/ready`)) === 200;
      }, 120_000, 500);
      if (!ready) throw new Error(`${options.name} was not ready within 120 s; see ${options.logDir}/${options.name}-${incarnation}.log`);
      handle.ready = true;
    },
    async kill() {
      const child = handle.child;
      handle.ready = false;
      if (!child || !handle.running()) return;
      stopRequested();
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      const child = handle.child;
      handle.ready = false;
      if (!child || !handle.running()) return;
      stopRequested();
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
  return handle;
}

async function httpStatus(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

// The same helpers as the fault tier's.
export { freePort, sleep, waitFor } from '../faults/support/processes';
