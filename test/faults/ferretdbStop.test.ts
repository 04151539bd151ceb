import { tokenFor } from '../api/support';
import { sleep } from './support/processes';
import { FAULT_LOAD, type Answer } from './support/rig';
import { expectSurvived, loadInDueDiligence, outage, useRig } from './support/scenario';

// FerretDB is stopped for 20 seconds under load, while more clients apply: the API answers 503
// with Retry-After meanwhile (never 500), and afterwards every workflow resumes and ends.

jest.setTimeout(300_000);

const rig = useRig('ferretdb-stop');
const LATE_CLIENTS = 5;

test('with FerretDB down for 20 s, the API answers 503 with Retry-After and every workflow resumes after', async () => {
  const ops = tokenFor(rig().config, { sub: 'faults-ops', role: 'ops' });
  const first = rig().runLoad(FAULT_LOAD - LATE_CLIENTS, 200_000);
  await loadInDueDiligence(rig());
  const during: Answer[] = [];
  let second: Promise<void> = Promise.resolve();
  await outage(rig(), 'ferretdb', 20_000, async () => {
    // Clients that arrive during the outage keep retrying with their Idempotency-Key.
    second = rig().runLoad(LATE_CLIENTS, 200_000);
    const until = Date.now() + 16_000;
    while (Date.now() < until) {
      during.push(await rig().call('GET', '/v1/applications', { token: ops }));
      during.push(await rig().call('GET', '/health/ready'));
      await sleep(1_000);
    }
  });
  await Promise.all([first, second]);

  expect(during.length).toBeGreaterThan(0);
  expect(during.filter((a) => a.status !== 503)).toEqual([]);
  expect(during.every((a) => /^\d+$/.test(a.retryAfter ?? ''))).toBe(true);
  await expectSurvived(rig(), 'ferretdb-stop', { processesSurvive: true });
});
