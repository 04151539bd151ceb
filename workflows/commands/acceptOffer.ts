import { emit, setDeadline, setOfferDeadline, type ApplicationState, type DealState } from '../applicationState';
import { CommandRejection, type OfferAcceptance } from '../messages';
import { reject } from '../rejection';
import { changeStatus, releaseOpenDeals, transitionDeal } from '../transitions';
import { checkTransition, findDeal } from './guards';

// The enterprise accepts one term sheet; every other open deal is released.

export function checkAcceptance(state: ApplicationState, acceptance: OfferAcceptance): DealState {
  const deal = findDeal(state, acceptance?.dealId);
  checkTransition(deal, 'accept_offer');
  if (state.record.status !== 'offers_ready') reject(CommandRejection.notAllowed, `cannot accept an offer while the application is ${state.record.status}`);
  return deal;
}

export function acceptOffer(state: ApplicationState, acceptance: OfferAcceptance): DealState {
  const deal = checkAcceptance(state, acceptance);
  transitionDeal(state, deal, 'accept_offer');
  setDeadline(state, deal, null, null);
  setOfferDeadline(state, null);
  changeStatus(state, 'accepted');
  emit(state, 'deal.selected', {}, deal);
  releaseOpenDeals(state, 'other_offer_accepted', deal.record.dealId);
  return deal;
}
