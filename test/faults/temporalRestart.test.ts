import { waitFor } from './support/processes';
import { FAULT_LOAD } from './support/rig';
import { dealsInDueDiligence, expectSurvived, outage, useRig } from './support/scenario';

// The Temporal dev server is stopped under load and started again on the same database: running
// workflows continue from their history, and the API answers 503 while it is away.

jest.setTimeout(300_000);

const rig = useRig('temporal-restart');

test('with the Temporal server restarted, running workflows continue from their history and every application ends', async () => {
  const load = rig().runLoad(FAULT_LOAD, 200_000);
  expect(await waitFor(async () => (await dealsInDueDiligence(rig())) >= 3, 60_000)).toBe(true);
  await outage(rig(), 'temporal', 5_000);
  await load;
  await expectSurvived(rig(), 'temporal-restart', { processesSurvive: true });
});
