import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApplicationStatus, DealDecision, DealRecord, DocumentSubmission, WithdrawRequest } from '../schemas';
import type { ApplicationSnapshot } from './applicationState';

// What the application workflow answers to from outside: its id, its query and updates, and how a
// rejected command is typed. The API and the tests import these, never the names, and loading this
// module loads no workflow code.

/** The workflow's type: its function's name in workflows/application.ts, which a unit test holds it to. */
export const applicationWorkflowType = 'applicationWorkflow';

/** The only place a workflow id is built. */
export const applicationWorkflowId = (applicationId: string): string => `application-${applicationId}`;

export interface InstitutionDecision {
  dealId: string;
  institutionId: string;
  decision: DealDecision;
}
export interface OfferAcceptance {
  dealId: string;
}
/** Who downloads which file of a deal: recorded as `deal.document_downloaded` before the file is served. */
export interface DocumentDownload {
  dealId: string;
  fileId: string;
  by: { role: 'institution' | 'ops'; sub: string; org?: string };
}
export interface CommandResult {
  application: ApplicationSnapshot['application'];
  deal: DealRecord | null;
  /** The application's seq after the command: its read models show at least this much (the API's X-Dealflow-Seq). */
  seq: number;
}

export const getApplicationQuery = defineQuery<ApplicationSnapshot>('getApplication');
export const decideUpdate = defineUpdate<CommandResult, [InstitutionDecision]>('decide');
export const submitDocumentsUpdate = defineUpdate<CommandResult, [DocumentSubmission]>('submitDocuments');
export const acceptOfferUpdate = defineUpdate<CommandResult, [OfferAcceptance]>('acceptOffer');
export const withdrawUpdate = defineUpdate<CommandResult, [WithdrawRequest]>('withdraw');
export const recordDownloadUpdate = defineUpdate<CommandResult, [DocumentDownload]>('recordDownload');
/**
 * The enterprise was put on the dishonest-debtor list: the application ends `rejected`. A signal,
 * so a listing made while the workflow is busy waits in its history instead of being lost.
 */
export const dishonestDebtorListedSignal = defineSignal<[{ listedAt: string }]>('dishonestDebtorListed');

/** `ApplicationFailure.type` of a rejected command; the API maps them to 400, 404 and 409. */
export const CommandRejection = {
  invalid: 'ValidationFailed',
  notFound: 'NotFound',
  notAllowed: 'NotAllowed',
  /** A term sheet or close refused because the enterprise is no longer eligible: 409, reason `enterprise_not_eligible`. */
  notEligible: 'EnterpriseNotEligible',
} as const;

/** What the workflow returns when the application ends. */
export interface ApplicationOutcome {
  applicationId: string;
  status: ApplicationStatus;
}
