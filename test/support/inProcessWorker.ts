import type { Worker } from '@temporalio/worker';
import type { Models } from '../../store/models';
import { startWorker } from '../../services/worker/startWorker';

// The project's worker inside a test's or a benchmark's process, running from the start. In its
// own module, so that a process that runs only the API does not load the Temporal worker (its
// native runtime is tens of megabytes).

export interface InProcessWorker {
  worker: Worker;
  models: Models;
  /** Lets the tasks in flight finish, then closes the worker's clients; once, however often called. */
  stop: () => Promise<void>;
}

/** startWorker's worker, already running. */
export async function startInProcessWorker(...args: Parameters<typeof startWorker>): Promise<InProcessWorker> {
  const started = await startWorker(...args);
  const running = started.worker.run();
  let stopped: Promise<void> | null = null;
  return {
    worker: started.worker,
    models: started.models,
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
