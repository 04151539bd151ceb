import { proxyActivities } from '@temporalio/workflow';
import type { FileActivities } from '../activities/files';

// The files' retention sweep: started every hour by the Temporal Schedule the worker keeps
// (services/worker/fileRetentionSchedule.ts), so it survives restarts and runs once per hour
// however many workers there are. The activity does the work; a failed attempt is retried.

const { sweepFiles } = proxyActivities<FileActivities>({
  // A long backlog (the store down for days) is swept an hour bucket at a time; each bucket is committed.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function fileRetentionWorkflow(): Promise<{ hours: number; deleted: number; kept: number; rechecked: number }> {
  return sweepFiles({});
}
