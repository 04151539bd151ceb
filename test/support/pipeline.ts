import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DealDecision } from '../../schemas';
import type { applicationWorkflow } from '../../workflows/application';
import { decideUpdate, getApplicationQuery } from '../../workflows/messages';
import type { ApplicationSnapshot } from '../../workflows/applicationState';

export type ApplicationHandle = WorkflowHandle<typeof applicationWorkflow>;

/** Polls the workflow's query until `predicate` holds: the state a user would wait to see. */
export async function waitForState(
  handle: ApplicationHandle,
  predicate: (state: ApplicationSnapshot) => boolean,
  timeoutMs = 60_000,
): Promise<ApplicationSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: ApplicationSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(getApplicationQuery);
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting; last state: ${JSON.stringify(last?.application.status)} deals ${JSON.stringify(last?.deals.map((d) => d.status))}`);
}

export function decide(handle: ApplicationHandle, dealId: string, institutionId: string, decision: DealDecision) {
  return handle.executeUpdate(decideUpdate, { args: [{ dealId, institutionId, decision }] });
}

export const termSheet = (amountCny: number) => ({
  amountCny,
  rateBps: 385,
  termMonths: 12,
  conditions: ['Quarterly financial statements', 'No change of control without consent'],
  expiresAt: new Date(Date.now() + 7 * 24 * 3_600_000).toISOString(),
});

export type { Client };
