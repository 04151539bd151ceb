import { createMetricsRegistry, fetchPrometheusText, startOperationsServer } from '../metrics';
import { pingMongo } from '../../adapters/mongo';
import { runProcess } from '../process';
import { stopTracing } from '../../adapters/tracing';
import { createTemporalClient, installTemporalRuntime } from '../../adapters/temporal';
import { ensureFileRetentionSchedule } from './fileRetentionSchedule';
import { startWorker } from './startWorker';

// The worker process. Worker.run() returns after SIGINT or SIGTERM (the SDK's runtime handles
// them) once in-flight tasks finished or the grace time passed; then the clients close.
runProcess('dealflow-worker', async (config, logger) => {
  // The runtime's exporter listens on localhost only: the worker's /metrics serves it with ours.
  const runtimeMetricsUrl = `http://127.0.0.1:${config.metrics.temporalRuntimePort}/metrics`;
  installTemporalRuntime(logger, { prometheusBindAddress: `127.0.0.1:${config.metrics.temporalRuntimePort}` });
  const registry = createMetricsRegistry('worker');
  const { worker, models, close } = await startWorker(config, logger, {}, { metrics: registry, migrateStore: false });
  // The files' hourly retention sweep (contract, "Documents are files"): a Temporal Schedule, kept by the worker.
  const temporal = await createTemporalClient(config);
  try {
    await ensureFileRetentionSchedule(temporal.client, config.temporal.taskQueue, logger);
  } finally {
    await temporal.close();
  }
  const operations = await startOperationsServer({
    process: 'worker',
    config,
    logger,
    registry,
    extraMetrics: () => fetchPrometheusText(runtimeMetricsUrl),
    // Ready while the worker polls its task queue and MongoDB answers.
    readiness: {
      checks: {
        worker: async () => {
          if (worker.getState() !== 'RUNNING') throw new Error(`the worker is ${worker.getState()}`);
        },
        mongo: () => pingMongo(models.applications.db),
      },
    },
  });
  logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address, metrics: `${operations.url}/metrics` }, 'worker started');
  try {
    await worker.run();
  } finally {
    await operations.close();
    await close();
    await stopTracing();
    logger.info('worker stopped');
  }
});

