import { ensureStackUp, services, sleep, waitFor } from './support/processes';
import { recordFault } from './support/results';
import { FAULT_LOAD, startRig, type Rig } from './support/rig';

// The Kafka broker is stopped for 20 seconds under load and started again: the events wait in the
// workflows' outboxes, then reach a consumer that ran all along late, in seq order, with no gap.

jest.setTimeout(300_000);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig('kafka-stop', { load: FAULT_LOAD });
});
afterAll(async () => {
  await rig?.close();
  await ensureStackUp();
});

test('with Kafka down for 20 s, events arrive late but complete and in order, and every application ends', async () => {
  const load = rig.runLoad(FAULT_LOAD, 200_000);
  expect(await waitFor(async () => (await rig.dealsIn('interested', 'documents_requested', 'under_review', 'term_sheet_issued')) >= 3, 60_000)).toBe(true);
  await services('down', 'kafka');
  try {
    await sleep(3_000);
    const ready = await rig.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.kafka.ok).toBe(false);
    await sleep(17_000);
  } finally {
    await services('up', 'kafka');
  }
  await load;

  const result = await rig.verify(120_000);
  recordFault({ ...result, fault: 'kafka-stop' });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(rig.unavailableWithoutRetryAfter).toEqual([]);
  expect(rig.worker.exited()).toBe(false);
  expect(rig.api.exited()).toBe(false);
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
});
