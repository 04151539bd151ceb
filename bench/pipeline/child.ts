import { loadConfig } from '../../adapters/config';
import { benchLogger } from '../lib/stack';

// A child process of the pipeline and soak benchmarks (spawned by bench/lib/children.ts), so each
// part's memory and CPU are its own: `worker` (the project's worker), `noop` (a worker of
// noopWorkflow), `api` (with its live feed, as services/api/server.ts) or `ops` (the ops projector,
// as services/ops/main.ts). It answers `stats` over IPC with its RSS, CPU time and, for a worker,
// how many workflows it has cached. Each role loads only its own modules, as the production
// processes do (the API no Temporal worker).

type Stats = { rss: number; cached: number; cpuMicros: number };

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function main(): Promise<void> {
  const role = process.argv[2];
  const config = loadConfig();
  const logger = benchLogger();
  let stats: () => Stats = () => ({ rss: process.memoryUsage().rss, cached: 0, cpuMicros: cpuMicros() });
  let stop: () => Promise<void>;
  let url: string | undefined;
  if (role === 'worker' || role === 'noop') {
    const { createTemporalWorker } = await import('../../adapters/temporal');
    const { startWorker, WORKER_TUNING } = await import('../../services/worker/startWorker');
    const started = role === 'worker'
      ? await startWorker(config, logger)
      : await createTemporalWorker(config, logger, { workflowsPath: require.resolve('./noopWorkflow'), activities: {}, tuning: WORKER_TUNING });
    const running = started.worker.run();
    stats = () => ({ rss: process.memoryUsage().rss, cached: started.worker.getStatus().numCachedWorkflows, cpuMicros: cpuMicros() });
    stop = async () => {
      started.worker.shutdown();
      await running;
      await started.close();
    };
  } else if (role === 'api') {
    const { startApiOnly } = await import('../lib/apiStack');
    const api = await startApiOnly(config, logger);
    url = api.url;
    stop = () => api.close(false);
  } else if (role === 'ops') {
    const { startOpsProjector } = await import('../lib/opsStack');
    stop = (await startOpsProjector(config, logger)).close;
  } else {
    throw new Error(`unknown role ${String(role)}`);
  }
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') process.send?.({ type: 'stats', ...stats() });
    if (message.type === 'stop') void stop().finally(() => process.exit(0));
  });
  // The benchmark died without stopping us: leave nothing running behind it.
  process.once('disconnect', () => void stop().finally(() => process.exit(0)));
  process.send?.({ type: 'ready', url, ...stats() });
}

main().catch((error: unknown) => {
  console.error('bench child failed', error);
  process.exit(1);
});
