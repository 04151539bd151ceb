import { waitFor } from './support/processes';
import { FAULT_LOAD } from './support/rig';
import { expectSurvived, useRig } from './support/scenario';

// The worker process is killed (SIGKILL) while applications are in due diligence and started
// again: every accepted application still ends, once, with its events complete and in order.

jest.setTimeout(300_000);

const rig = useRig('worker-kill');

test('a worker killed during due diligence and restarted loses and duplicates no application', async () => {
  const load = rig().runLoad(FAULT_LOAD, 180_000);
  expect(await waitFor(async () => (await rig().dealsIn('interested', 'documents_requested', 'under_review')) >= 3, 60_000)).toBe(true);
  await rig().restartWorker();
  await load;
  await expectSurvived(rig(), 'worker-kill');
});
