import type { DocumentSubmission } from '../../schemas';
import { emit, setDeadline, type ApplicationState, type DealState } from '../applicationState';
import { parseSubmission } from '../commandChecks';
import { resumedDueDiligence } from '../deadlines';
import { acceptOrReject } from '../rejection';
import { transitionDeal } from '../transitions';
import { checkApplicationOpen, checkTransition, findDeal } from './guards';

// The enterprise hands in the documents an institution asked for.

export function checkSubmission(state: ApplicationState, raw: DocumentSubmission): { deal: DealState; submission: DocumentSubmission } {
  const submission = acceptOrReject(parseSubmission(raw), 'documents');
  const deal = findDeal(state, submission.dealId);
  checkApplicationOpen(state);
  checkTransition(deal, 'submit_documents');
  return { deal, submission };
}

export function submitDocuments(state: ApplicationState, raw: DocumentSubmission): DealState {
  const { deal, submission } = checkSubmission(state, raw);
  const now = Date.now();
  transitionDeal(state, deal, 'submit_documents');
  deal.record.documentsSubmitted = [...deal.record.documentsSubmitted, ...submission.documents];
  // The due-diligence clock stood still while the institution waited on the enterprise.
  const resumed = resumedDueDiligence(state, deal, now);
  deal.ddDeadlineMs = resumed?.atMs ?? null;
  deal.ddDeadlineProvisional = resumed?.provisional ?? false;
  deal.documentsRequestedAtMs = null;
  setDeadline(state, deal, 'due_diligence', deal.ddDeadlineMs, deal.ddDeadlineProvisional);
  emit(state, 'deal.documents_submitted', { documents: submission.documents }, deal);
  return deal;
}
