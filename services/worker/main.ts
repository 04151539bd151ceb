import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { startWorker } from './startWorker';

// The worker process. Worker.run() returns after SIGINT or SIGTERM once in-flight tasks finished
// (or the grace time passed); then the clients close.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'dealflow-worker');
  const { worker, close } = await startWorker(config, logger);
  logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address }, 'worker started');
  try {
    await worker.run();
  } finally {
    await close();
    logger.info('worker stopped');
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dealflow-worker: ${error.message}`);
  else console.error('dealflow-worker: failed', error);
  process.exit(1);
});
