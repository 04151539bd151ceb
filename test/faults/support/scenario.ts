import { ensureStackUp, services, sleep, waitFor, type Service } from './processes';
import { recordFault, type FaultName } from './results';
import { FAULT_LOAD, startRig, type Rig } from './rig';

// What every fault test shares: a rig per file that is closed (and the stack brought back up)
// even when the test fails, and the checks that say the fault was survived.

/** Registers beforeAll/afterAll for one rig and returns a getter for it. */
export function useRig(fault: FaultName): () => Rig {
  let rig: Rig | undefined;
  beforeAll(async () => {
    rig = await startRig(fault, { load: FAULT_LOAD });
  });
  afterAll(async () => {
    await rig?.close();
    await ensureStackUp();
  });
  return () => {
    if (!rig) throw new Error('the rig did not start');
    return rig;
  };
}

/** Deals past the first answer: the load is in due diligence when the fault hits. */
export const dealsInDueDiligence = (rig: Rig): Promise<number> =>
  rig.dealsIn('interested', 'documents_requested', 'under_review', 'term_sheet_issued');

/** Waits until deals of the load are in due diligence: the moment a fault hits. */
export async function loadInDueDiligence(rig: Rig): Promise<void> {
  expect(await waitFor(async () => (await dealsInDueDiligence(rig)) >= 3, 60_000)).toBe(true);
}

/** The fault load with `service` down for `downMs` once it is in due diligence; resolves when the load has run. */
export async function outageUnderLoad(rig: Rig, service: Service, downMs: number): Promise<void> {
  const load = rig.runLoad(FAULT_LOAD, 200_000);
  await loadInDueDiligence(rig);
  await outage(rig, service, downMs);
  await load;
}

/**
 * Stops `service` for `downMs`; a moment in, readiness must name it as the one down, then
 * `during` runs while it stays down. Always starts it again.
 */
export async function outage(rig: Rig, service: Service, downMs: number, during?: () => Promise<void>): Promise<void> {
  await services('down', service);
  try {
    await sleep(Math.min(2_000, downMs));
    const ready = await rig.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks[service === 'ferretdb' ? 'mongo' : service].ok).toBe(false);
    await Promise.all([sleep(Math.max(0, downMs - 2_000)), during?.()]);
  } finally {
    await services('up', service);
  }
}

/** Records the fault's numbers, then checks nothing was lost or duplicated and every application ended. */
export async function expectSurvived(rig: Rig, fault: FaultName, options: { processesSurvive?: boolean } = {}): Promise<void> {
  const result = await rig.verify(120_000);
  recordFault({ ...result, fault });
  expect(result.problems).toEqual([]);
  expect(rig.serverErrors).toEqual([]);
  expect(rig.unavailableWithoutRetryAfter).toEqual([]);
  if (options.processesSurvive) {
    expect(rig.worker.exited()).toBe(false);
    expect(rig.api.exited()).toBe(false);
  }
  expect(result).toMatchObject({ load: FAULT_LOAD, accepted: FAULT_LOAD, completed: FAULT_LOAD, lost: 0, duplicated: 0 });
}
