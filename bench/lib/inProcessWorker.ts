import type { Worker } from '@temporalio/worker';
import type { Config } from '../../adapters/config';
import type { Logger } from '../../adapters/logger';
import { startWorker } from '../../services/worker/startWorker';

// The project's worker inside the benchmark's process. Apart from apiStack.ts, so a process that
// runs only the API does not load the Temporal worker (its native runtime is tens of megabytes).

export async function startInProcessWorker(config: Config, logger: Logger): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const started = await startWorker(config, logger, { taskQueue: config.temporal.taskQueue });
  const running = started.worker.run();
  let stopped: Promise<void> | null = null;
  return {
    worker: started.worker,
    stop() {
      stopped ??= (async () => {
        if (started.worker.getState() === 'RUNNING') started.worker.shutdown();
        await running;
        await started.close();
      })();
      return stopped;
    },
  };
}

