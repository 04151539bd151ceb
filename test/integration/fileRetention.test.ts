import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createObjectStore } from '../../adapters/objectStore';
import { createTemporalClient } from '../../adapters/temporal';
import { fileRetentionScheduleId, ensureFileRetentionSchedule } from '../../services/worker/fileRetentionSchedule';
import { findFileRecord, recordUploadStarted, recordUploadStored } from '../../store/files';
import { startInProcessWorker } from '../support/inProcessWorker';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

// The files' retention as it runs: the Temporal Schedule the worker keeps starts the sweep
// workflow, whose activity removes a file nobody submitted once its 24 hours are up, object and
// record, and leaves a file not yet due. The schedule is triggered here instead of waiting an hour.

jest.setTimeout(120_000);

test('the schedule\'s sweep removes an unreferenced file whose time is up and keeps one that is not due', async () => {
  const taskQueue = `it-retention-${uniqueSuffix()}`;
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
  const logger = testLogger();
  const store = createObjectStore(config.files);
  await store.ensureBucket();
  const { client, close: closeClient } = await createTemporalClient(config);
  const worker = await startInProcessWorker(config, logger, { taskQueue });
  const models = worker.models;
  const file = (name: string) => ({
    _id: `file_${randomBytes(16).toString('hex')}`,
    applicationId: `app-retention-${name}`, enterpriseUscc: '91310000MA1FL0007C', kind: 'audit_report' as const, name: `${name}.pdf`,
    state: 'uploading' as const, objectKey: `applications/app-retention-${name}/${uniqueSuffix()}`, uploadedAt: new Date().toISOString(), uploadedBy: 'tester',
  });
  const expired = file('expired');
  const fresh = file('fresh');
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    for (const [record, dueAtMs] of [[expired, Date.now() - 3_600_000], [fresh, Date.now() + 86_400_000]] as const) {
      await recordUploadStarted(models, record, dueAtMs);
      await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: record.objectKey, Body: 'ciphertext' }));
      await recordUploadStored(models, record._id, { contentType: 'application/pdf', size: 10, sha256: '0'.repeat(64), encryption: { cipher: 'test', iv: '', tag: '' } });
    }
    await ensureFileRetentionSchedule(client, taskQueue, logger);
    await ensureFileRetentionSchedule(client, taskQueue, logger); // a second start finds it there
    const schedule = client.schedule.getHandle(fileRetentionScheduleId(taskQueue));
    cleanups.push(() => schedule.delete());
    expect((await schedule.describe()).spec.intervals?.[0]?.every).toBe(3_600_000);
    await schedule.trigger();
    for (let i = 0; i < 100 && (await findFileRecord(models, expired._id)) !== null; i += 1) await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await findFileRecord(models, expired._id)).toBeNull();
    await expect(store.get(expired.objectKey)).rejects.toThrow(/not found/);
    expect(await findFileRecord(models, fresh._id)).not.toBeNull();
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await store.delete(fresh.objectKey).catch(() => undefined);
    store.close();
    await worker.stop();
    await closeClient();
  }
});
