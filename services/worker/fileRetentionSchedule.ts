import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from '../../adapters/logger';

// The Temporal Schedule that starts the files' retention sweep every hour (workflows/fileRetention.ts):
// durable in Temporal, not a timer in a process; one sweep at a time; a missed hour (Temporal or
// every worker down) is caught up within a day. Created by the worker at start, once per task queue.

export const fileRetentionScheduleId = (taskQueue: string): string => `dealflow-file-retention.${taskQueue}`;

export async function ensureFileRetentionSchedule(client: Client, taskQueue: string, logger: Logger): Promise<void> {
  const scheduleId = fileRetentionScheduleId(taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'fileRetentionWorkflow', workflowId: `file-retention.${taskQueue}`, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    logger.info({ scheduleId }, 'file retention schedule created');
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}
