import { expectSurvived, outageUnderLoad, useRig } from './support/scenario';

// The Kafka broker is stopped for 20 seconds under load and started again: the events wait in the
// workflows' outboxes, then reach a consumer that ran all along late, in seq order, with no gap.

jest.setTimeout(300_000);

const rig = useRig('kafka-stop');

test('with Kafka down for 20 s, events arrive late but complete and in order, and every application ends', async () => {
  await outageUnderLoad(rig(), 'kafka', 20_000);
  await expectSurvived(rig(), 'kafka-stop', { processesSurvive: true });
});
