import { ensureStackUp, services, sleep, waitFor } from './support/processes';
import { recordFault } from './support/results';
import { FAULT_LOAD, startRig, type Rig } from './support/rig';

// The Temporal dev server is stopped under load and started again on the same database: running
// workflows continue from their history, and the API answers 503 while it is away.

jest.setTimeout(300_000);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig('temporal-restart', { load: FAULT_LOAD });
});
afterAll(async () => {
  await rig?.close();
  await ensureStackUp();
});

test('with the Temporal server restarted, running workflows continue from their history and every application ends', async () => {
  const load = rig.runLoad(FAULT_LOAD, 200_000);
  expect(await waitFor(async () => (await rig.dealsIn('interested', 'documents_requested', 'under_review', 'term_sheet_issued')) >= 3, 60_000)).toBe(true);
  await services('down', 'temporal');
  try {
    await sleep(2_000);
    const ready = await rig.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.temporal.ok).toBe(false);
    await sleep(3_000);
  } finally {
    await services('up', 'temporal');
  }
  await load;

  const result = await rig.verify(120_000);
  recordFault({ ...result, fault: 'temporal-restart' });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(rig.unavailableWithoutRetryAfter).toEqual([]);
  expect(rig.worker.exited()).toBe(false);
  expect(rig.api.exited()).toBe(false);
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
});
