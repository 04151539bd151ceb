import { sleep } from './support/processes';
import { FAULT_LOAD } from './support/rig';
import { expectSurvived, useRig } from './support/scenario';

// The API process is killed (SIGKILL) while clients submit, then stopped gracefully, each time
// started again on the same port: clients that retry with the same Idempotency-Key get one
// application each, and every application ends.

jest.setTimeout(300_000);

const rig = useRig('api-restart');

test('an API killed and restarted while clients retry with the same Idempotency-Key makes one application per key', async () => {
  const load = rig().runLoad(FAULT_LOAD, 180_000);
  await sleep(1_200);
  await rig().restartApi(true);
  await sleep(4_000);
  await rig().restartApi(false);
  await load;
  expect(rig().statusCounts.get(0) ?? 0).toBeGreaterThan(0); // the clients did meet the restarts
  await expectSurvived(rig(), 'api-restart');
});
