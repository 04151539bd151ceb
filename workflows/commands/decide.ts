import type { DealDecision } from '../../schemas';
import { emit, setDeadline, setOfferDeadline, type ApplicationState, type DealState } from '../applicationState';
import { documentsClock, dueDiligenceClock, offerWindowClock } from '../deadlines';
import { parseDecision } from '../commandChecks';
import { CommandRejection, type InstitutionDecision } from '../messages';
import { acceptOrReject, reject } from '../rejection';
import { changeStatus, transitionDeal } from '../transitions';
import { checkApplicationOpen, checkTransition, findDeal } from './guards';

// An institution's decision on one of its deals: interest, a decline, a request for documents, a
// term sheet, or the close of an accepted offer.

export function checkDecision(state: ApplicationState, command: InstitutionDecision): { deal: DealState; decision: DealDecision } {
  const decision = acceptOrReject(parseDecision(command?.decision), 'decision');
  const deal = findDeal(state, command.dealId);
  if (deal.record.institutionId !== command.institutionId) reject(CommandRejection.notFound, `deal ${command.dealId} not found`);
  checkApplicationOpen(state);
  checkTransition(deal, decision.action);
  if (decision.action === 'issue_term_sheet' && Date.parse(decision.termSheet.expiresAt) <= Date.now()) {
    reject(CommandRejection.invalid, 'termSheet.expiresAt must be in the future');
  }
  return { deal, decision };
}

export function decide(state: ApplicationState, command: InstitutionDecision): DealState {
  const { deal, decision } = checkDecision(state, command);
  const now = Date.now();
  transitionDeal(state, deal, decision.action);
  deal.record.note = decision.reason ?? deal.record.note;
  switch (decision.action) {
    case 'express_interest': {
      const dueDiligence = dueDiligenceClock(state, deal.candidate, now);
      deal.ddDeadlineMs = dueDiligence.atMs;
      deal.ddDeadlineProvisional = dueDiligence.provisional;
      setDeadline(state, deal, 'due_diligence', dueDiligence.atMs, dueDiligence.provisional);
      emit(state, 'deal.interest_expressed', decision.reason ? { reason: decision.reason } : {}, deal);
      break;
    }
    case 'decline':
      setDeadline(state, deal, null, null);
      emit(state, 'deal.declined', { reason: decision.reason }, deal);
      break;
    case 'request_documents': {
      deal.record.documentsRequested = [...new Set([...deal.record.documentsRequested, ...decision.documents])];
      deal.documentsRequestedAtMs ??= now;
      const documents = documentsClock(state, now);
      setDeadline(state, deal, 'documents', documents.atMs, documents.provisional);
      emit(state, 'deal.documents_requested', { documents: decision.documents, ...(decision.reason ? { reason: decision.reason } : {}) }, deal);
      break;
    }
    case 'issue_term_sheet':
      deal.record.termSheet = decision.termSheet;
      setDeadline(state, deal, 'term_sheet', Date.parse(decision.termSheet.expiresAt));
      emit(state, 'deal.term_sheet_issued', { termSheet: decision.termSheet }, deal);
      if (state.record.status === 'in_due_diligence') {
        changeStatus(state, 'offers_ready');
        setOfferDeadline(state, offerWindowClock(state, now).atMs);
      }
      break;
    case 'confirm_close':
      setDeadline(state, deal, null, null);
      emit(state, 'deal.closed', deal.record.termSheet ? { amountCny: deal.record.termSheet.amountCny } : {}, deal);
      changeStatus(state, 'closed');
      emit(state, 'application.closed', { dealId: deal.record.dealId, ...(deal.record.termSheet ? { amountCny: deal.record.termSheet.amountCny } : {}) });
      break;
  }
  return deal;
}
