import { runProcess } from '../process';
import { startWorker } from './startWorker';

// The worker process. Worker.run() returns after SIGINT or SIGTERM (the SDK's runtime handles
// them) once in-flight tasks finished or the grace time passed; then the clients close.
runProcess('dealflow-worker', async (config, logger) => {
  const { worker, close } = await startWorker(config, logger);
  logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address }, 'worker started');
  try {
    await worker.run();
  } finally {
    await close();
    logger.info('worker stopped');
  }
});
