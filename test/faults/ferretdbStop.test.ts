import { tokenFor } from '../api/support';
import { ensureStackUp, services, sleep, waitFor } from './support/processes';
import { recordFault } from './support/results';
import { FAULT_LOAD, startRig, type Answer, type Rig } from './support/rig';

// FerretDB is stopped for 20 seconds under load, while more clients apply: the API answers 503
// with Retry-After meanwhile (never 500), and afterwards every workflow resumes and ends.

jest.setTimeout(300_000);

let rig: Rig;

beforeAll(async () => {
  rig = await startRig('ferretdb-stop', { load: FAULT_LOAD });
});
afterAll(async () => {
  await rig?.close();
  await ensureStackUp();
});

test('with FerretDB down for 20 s, the API answers 503 with Retry-After and every workflow resumes after', async () => {
  const ops = tokenFor(rig.config, { sub: 'faults-ops', role: 'ops' });
  const first = rig.runLoad(FAULT_LOAD - 5, 200_000);
  expect(await waitFor(async () => (await rig.dealsIn('interested', 'documents_requested', 'under_review', 'term_sheet_issued')) >= 3, 60_000)).toBe(true);
  await services('down', 'ferretdb');
  const during: Answer[] = [];
  let second: Promise<void> = Promise.resolve();
  try {
    await sleep(1_000);
    // Clients that arrive during the outage keep retrying with their Idempotency-Key.
    second = rig.runLoad(5, 200_000);
    const until = Date.now() + 18_000;
    while (Date.now() < until) {
      during.push(await rig.call('GET', '/v1/applications', { token: ops }));
      during.push(await rig.call('GET', '/health/ready'));
      await sleep(1_000);
    }
  } finally {
    await services('up', 'ferretdb');
  }
  await Promise.all([first, second]);

  expect(during.length).toBeGreaterThan(0);
  expect(during.filter((a) => a.status !== 503)).toEqual([]);
  expect(during.every((a) => /^\d+$/.test(a.retryAfter ?? ''))).toBe(true);

  const result = await rig.verify(120_000);
  recordFault({ ...result, fault: 'ferretdb-stop' });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(rig.unavailableWithoutRetryAfter).toEqual([]);
  expect(rig.worker.exited()).toBe(false);
  expect(rig.api.exited()).toBe(false);
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
});
