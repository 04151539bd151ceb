import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { approveSignal, sleepyWorkflow, type SleepyResult } from './fixtures/sleepyWorkflow';
import { createTimeSkippingEnv, ENV_SETUP_TIMEOUT_MS, testDataConverter } from './testEnv';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
// Skipped time runs in about a second; a minute of real time means the timer was really waited on.
const REAL_TIME_BOUND_MS = 60_000;
const TEST_TIMEOUT_MS = 2 * REAL_TIME_BOUND_MS;
const taskQueue = `time-skipping-${randomUUID()}`;

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/sleepyWorkflow'),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
}, ENV_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await env?.teardown();
});

async function runWithWorker<T>(fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, dataConverter: testDataConverter });
  return worker.runUntil(fn);
}

test.each([
  ['72 hours', 72 * HOUR_MS],
  ['30 days', 30 * DAY_MS],
])(
  'an unanswered %s SLA lapses in workflow time, in seconds of real time',
  async (_label, slaMs) => {
    const realStart = Date.now();
    const serverStart = await env.currentTimeMs();

    const result: SleepyResult = await runWithWorker(() =>
      env.client.workflow.execute(sleepyWorkflow, { args: [slaMs], taskQueue, workflowId: `sleepy-${randomUUID()}` }),
    );

    expect(result.outcome).toBe('sla-lapsed');
    expect(result.waitedMs).toBeGreaterThanOrEqual(slaMs);
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(slaMs);
    expect(Date.now() - realStart).toBeLessThan(REAL_TIME_BOUND_MS);
  },
  TEST_TIMEOUT_MS,
);

test(
  'an approval 71 hours in beats the 72-hour SLA',
  async () => {
    const result: SleepyResult = await runWithWorker(async () => {
      const handle = await env.client.workflow.start(sleepyWorkflow, {
        args: [72 * HOUR_MS],
        taskQueue,
        workflowId: `sleepy-${randomUUID()}`,
      });
      await env.sleep(71 * HOUR_MS);
      await handle.signal(approveSignal);
      return handle.result();
    });

    expect(result.outcome).toBe('approved');
    expect(result.waitedMs).toBeGreaterThanOrEqual(71 * HOUR_MS);
    expect(result.waitedMs).toBeLessThan(72 * HOUR_MS);
  },
  TEST_TIMEOUT_MS,
);
