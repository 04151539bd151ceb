import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { createTemporalClient, createTemporalWorker } from '../../adapters/temporal';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { echoActivities } from './fixtures/echoActivities';
import { echoWorkflow } from './fixtures/echoWorkflow';

jest.setTimeout(120_000);

test('a workflow started by the client is completed by a worker on the real Temporal server', async () => {
  const config = testConfig();
  const logger = testLogger();
  const taskQueue = `it-echo-${uniqueSuffix()}`;
  const { client, close: closeClient } = await createTemporalClient(config);
  const { worker, close: closeWorker } = await createTemporalWorker(config, logger, {
    workflowsPath: require.resolve('./fixtures/echoWorkflow'),
    activities: echoActivities,
    taskQueue,
  });
  try {
    const workflowId = `it-echo-${uniqueSuffix()}`;
    const result = await worker.runUntil(
      client.workflow.execute(echoWorkflow, {
        args: ['deal'],
        taskQueue,
        workflowId,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      }),
    );
    expect(result).toBe('DEAL!');
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
  } finally {
    await closeWorker();
    await closeClient();
  }
});
