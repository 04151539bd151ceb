import { waitFor } from './support/processes';
import { FAULT_LOAD } from './support/rig';
import { dealsInDueDiligence, expectSurvived, outage, useRig } from './support/scenario';

// The Kafka broker is stopped for 20 seconds under load and started again: the events wait in the
// workflows' outboxes, then reach a consumer that ran all along late, in seq order, with no gap.

jest.setTimeout(300_000);

const rig = useRig('kafka-stop');

test('with Kafka down for 20 s, events arrive late but complete and in order, and every application ends', async () => {
  const load = rig().runLoad(FAULT_LOAD, 200_000);
  expect(await waitFor(async () => (await dealsInDueDiligence(rig())) >= 3, 60_000)).toBe(true);
  await outage(rig(), 'kafka', 20_000);
  await load;
  await expectSurvived(rig(), 'kafka-stop', { processesSurvive: true });
});
