import { waitFor } from './support/processes';
import { FAULT_LOAD, planOf } from './support/rig';
import { expectSurvived, useRig } from './support/scenario';
import type { StoredDoc } from '../../store/collection';
import { readModelDoc, type ApplicationDoc } from '../../store/readModels';

// The worker process is killed (SIGKILL) while applications are in due diligence and started
// again: every accepted application still ends, once, with its events complete and in order, at
// the end its parties drove it to, and every capacity reservation is given back.

jest.setTimeout(300_000);

const rig = useRig('worker-kill');

test('a worker killed during due diligence and restarted loses and duplicates no application', async () => {
  const load = rig().runLoad(FAULT_LOAD, 180_000);
  expect(await waitFor(async () => (await rig().dealsIn('interested', 'documents_requested', 'under_review')) >= 3, 60_000)).toBe(true);
  await rig().restartWorker();
  await load;
  await expectSurvived(rig(), 'worker-kill');

  // The rig's database is its own: every application in it is one of this load's.
  const ended = (await rig().models.applications.find({}).lean()).map((doc) => readModelDoc<ApplicationDoc>(doc as StoredDoc));
  const expected = Array.from({ length: FAULT_LOAD }, (_, i) => (planOf(i) === 'decline' ? 'no_match' : 'closed'));
  expect(ended.map((doc) => String(doc?.status)).sort()).toEqual(expected.sort());
  expect(await rig().models.capacitySlots.countDocuments({})).toBe(0);
  expect(await rig().models.capacityHolds.countDocuments({})).toBe(0);
});
