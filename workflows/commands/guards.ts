import { nextDealStatus, type DealAction } from '../../domain/dealLifecycle';
import type { ApplicationState, DealState } from '../applicationState';
import { CommandRejection } from '../messages';
import { isOpen } from '../transitions';
import { reject } from '../rejection';

// The checks several commands share, each a rejection when it fails.

export function findDeal(state: ApplicationState, dealId: unknown): DealState {
  const deal = typeof dealId === 'string' ? state.deals.get(dealId) : undefined;
  if (!deal) reject(CommandRejection.notFound, `deal ${String(dealId)} not found in application ${state.applicationId}`);
  return deal;
}

/** An ended application is only draining its outbox; a late command must not reopen or re-close it. */
export function checkApplicationOpen(state: ApplicationState): void {
  if (!isOpen(state)) reject(CommandRejection.notAllowed, `application ${state.applicationId} is ${state.record.status}`);
}

export function checkTransition(deal: DealState, action: DealAction): void {
  const next = nextDealStatus(deal.record.status, action);
  if (!next.ok) reject(CommandRejection.notAllowed, next.reason);
}
