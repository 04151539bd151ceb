import { ensureStackUp, sleep } from './support/processes';
import { recordFault } from './support/results';
import { FAULT_LOAD, startRig, type Rig } from './support/rig';

// The API process is killed (SIGKILL) while clients submit, then stopped gracefully, each time
// started again on the same port: clients that retry with the same Idempotency-Key get one
// application each, and every application ends.

jest.setTimeout(300_000);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig('api-restart', { load: FAULT_LOAD });
});
afterAll(async () => {
  await rig?.close();
  await ensureStackUp();
});

test('an API killed and restarted while clients retry with the same Idempotency-Key makes one application per key', async () => {
  const load = rig.runLoad(FAULT_LOAD, 180_000);
  await sleep(1_200);
  await rig.restartApi(true);
  await sleep(4_000);
  await rig.restartApi(false);
  await load;

  const result = await rig.verify();
  recordFault({ ...result, fault: 'api-restart' });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(rig.statusCounts.get(0) ?? 0).toBeGreaterThan(0); // the clients did meet the restarts
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
});
