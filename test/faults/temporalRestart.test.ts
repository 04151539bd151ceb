import { expectSurvived, outageUnderLoad, useRig } from './support/scenario';

// The Temporal dev server is stopped under load and started again on the same database: running
// workflows continue from their history, and the API answers 503 while it is away.

jest.setTimeout(300_000);

const rig = useRig('temporal-restart');

test('with the Temporal server restarted, running workflows continue from their history and every application ends', async () => {
  await outageUnderLoad(rig(), 'temporal', 5_000);
  await expectSurvived(rig(), 'temporal-restart', { processesSurvive: true });
});
