import { isApplicationTerminal } from '../domain/applicationLifecycle';
import { isDealOpen, nextDealStatus, type DealAction } from '../domain/dealLifecycle';
import type { ApplicationStatus } from '../schemas';
import { emit, setDeadline, setDealStatus, setStatus, type ApplicationState, type DealState } from './applicationState';
import { CommandRejection } from './messages';
import { searchAttributes, setSearchAttributes } from './outbox';
import { reject } from './rejection';

// The moves of the application and its deals that both the orchestration and the commands make.
// Each one marks the state for the next reconcile (application.ts).

export function changeStatus(state: ApplicationState, status: ApplicationStatus): void {
  setStatus(state, status);
  setSearchAttributes(state, [{ key: searchAttributes.status, value: status }]);
  state.needsReconcile = true;
}

export function transitionDeal(state: ApplicationState, deal: DealState, action: DealAction): void {
  const next = nextDealStatus(deal.record.status, action);
  if (!next.ok) reject(CommandRejection.notAllowed, next.reason);
  setDealStatus(state, deal, next.status);
  state.needsReconcile = true;
}

export function releaseOpenDeals(state: ApplicationState, reason: 'other_offer_accepted' | 'application_withdrawn' | 'application_expired', except?: string): void {
  for (const deal of openDeals(state)) {
    // Checked first so a lifecycle change can never fail a withdrawal half-way through.
    if (deal.record.dealId === except || !nextDealStatus(deal.record.status, 'release').ok) continue;
    transitionDeal(state, deal, 'release');
    setDeadline(state, deal, null, null);
    emit(state, 'deal.not_selected', { reason }, deal);
  }
}

export function openDeals(state: ApplicationState): DealState[] {
  return [...state.deals.values()].filter((deal) => isDealOpen(deal.record.status));
}

export const isOpen = (state: ApplicationState): boolean => !isApplicationTerminal(state.record.status);

export const acceptsNewDeals = (state: ApplicationState): boolean =>
  state.record.status === 'matching' || state.record.status === 'in_due_diligence' || state.record.status === 'offers_ready';
