import { ensureStackUp, waitFor } from './support/processes';
import { recordFault } from './support/results';
import { FAULT_LOAD, startRig, type Rig } from './support/rig';

// The worker process is killed (SIGKILL) while applications are in due diligence and started
// again: every accepted application still ends, once, with its events complete and in order.

jest.setTimeout(300_000);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig('worker-kill', { load: FAULT_LOAD });
});
afterAll(async () => {
  await rig?.close();
  await ensureStackUp();
});

test('a worker killed during due diligence and restarted loses and duplicates no application', async () => {
  const load = rig.runLoad(FAULT_LOAD, 180_000);
  const inDueDiligence = await waitFor(async () => (await rig.dealsIn('interested', 'documents_requested', 'under_review')) >= 3, 60_000);
  expect(inDueDiligence).toBe(true);
  await rig.restartWorker();
  await load;

  const result = await rig.verify();
  recordFault({ ...result, fault: 'worker-kill' });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
});
