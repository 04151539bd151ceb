import { setHandler } from '@temporalio/workflow';
import { nextDealStatus } from '../domain/dealLifecycle';
import { emit, setDeadline, setOfferDeadline, type ApplicationState } from './applicationState';
import { dishonestDebtorListedSignal } from './messages';
import { changeStatus, isOpen, openDeals, transitionDeal } from './transitions';

// The enterprise was put on the dishonest-debtor list (失信被执行人) while its application is open:
// no institution may finance it, so the application ends as the contract says. The signal only
// marks the state; the orchestration ends the application at its next step (application.ts).

export function registerDishonestDebtorSignal(state: ApplicationState): void {
  setHandler(dishonestDebtorListedSignal, () => {
    if (!isOpen(state)) return;
    state.listedDishonest = true;
    state.needsReconcile = true;
  });
}

/** Every open deal `not_selected`, then the application `rejected`; capacity is released by the next reconcile. */
export function endListedDishonest(state: ApplicationState): void {
  if (!isOpen(state)) return;
  for (const deal of openDeals(state)) {
    if (!nextDealStatus(deal.record.status, 'release').ok) continue;
    transitionDeal(state, deal, 'release');
    setDeadline(state, deal, null, null);
    emit(state, 'deal.not_selected', { reason: 'enterprise_listed_dishonest' }, deal);
  }
  state.remaining = [];
  setOfferDeadline(state, null);
  changeStatus(state, 'rejected');
  emit(state, 'application.rejected', {
    reason: 'dishonest_debtor',
    message: 'The enterprise was put on the dishonest-debtor list; financing cannot be arranged while it is listed',
  });
}
