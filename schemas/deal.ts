import { z } from 'zod';
import { AmountCny, ApplicationId, DealId, FileId, InstitutionId, IsoDateTime, ListQuery, ProductId } from './common';
import { ApplicationRequest, ReasonCode } from './application';
import { EnterpriseProfile } from './enterprise';
import { DEAL_DECISION_ACTIONS, DOCUMENT_KINDS } from './vocabulary';

export const DEAL_STATUSES = [
  'proposed', 'interested', 'declined', 'expired', 'documents_requested', 'under_review',
  'term_sheet_issued', 'selected', 'not_selected', 'closed',
] as const;
export const DealStatus = z.enum(DEAL_STATUSES);
export type DealStatus = z.infer<typeof DealStatus>;

/** `weight` is the points this reason added to the score (0-100), so reasons explain the number. */
export const MatchReason = z.object({
  code: ReasonCode,
  message: z.string().min(1),
  weight: z.int().min(0).max(100).optional(),
});
export type MatchReason = z.infer<typeof MatchReason>;

export { DOCUMENT_KINDS } from './vocabulary';
export const DocumentKind = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const TermSheet = z.strictObject({
  amountCny: AmountCny,
  rateBps: z.int().min(0).max(10_000).optional(),
  valuationCny: AmountCny.optional(),
  termMonths: z.int().min(1).max(600),
  conditions: z.array(z.string().trim().min(1).max(1000)).max(50).default([]),
  expiresAt: IsoDateTime,
});
export type TermSheet = z.infer<typeof TermSheet>;

const note = z.string().trim().min(1).max(1000).optional();

/** Body of `POST /v1/deals/:dealId/decision`; strict per action so stray fields are reported, not ignored. */
export const DealDecision = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('express_interest'), reason: note }),
  z.strictObject({
    action: z.literal('decline'),
    reason: z.string({ error: 'reason is required when declining' }).trim().min(1, 'reason is required when declining').max(1000),
  }),
  z.strictObject({
    action: z.literal('request_documents'),
    documents: z.array(DocumentKind, { error: 'documents (a list of document kinds) is required' })
      .min(1, 'request at least one document kind'),
    reason: note,
  }),
  z.strictObject({
    action: z.literal('issue_term_sheet'),
    termSheet: TermSheet,
    reason: note,
  }),
  z.strictObject({ action: z.literal('confirm_close'), reason: note }),
], { error: `action must be one of ${DEAL_DECISION_ACTIONS.join(', ')}` });
export type DealDecision = z.infer<typeof DealDecision>;
export type DealDecisionAction = DealDecision['action'];

const DocumentName = z.string().trim().min(1, 'name is required').max(300);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex characters');

/** A submitted document as events and the workflow carry it; `fileId` when it is a stored file. */
export const SubmittedDocument = z.strictObject({
  kind: DocumentKind,
  name: DocumentName,
  sha256: Sha256,
  fileId: FileId.optional(),
});
export type SubmittedDocument = z.infer<typeof SubmittedDocument>;

/** What the workflow's submitDocuments update takes: the body with each file resolved to its name and hash. */
export const DocumentSubmission = z.strictObject({
  dealId: DealId,
  documents: z.array(SubmittedDocument).min(1, 'submit at least one document').max(100),
});
export type DocumentSubmission = z.infer<typeof DocumentSubmission>;

/** Body of `POST /v1/applications/:id/documents`: each document named with its hash, or a file uploaded before. */
export const DocumentSubmissionBody = z.strictObject({
  dealId: DealId,
  documents: z.array(z.union([
    z.strictObject({ kind: DocumentKind, name: DocumentName, sha256: Sha256 }),
    z.strictObject({ kind: DocumentKind, fileId: FileId }),
  ], { error: 'each document is { kind, name, sha256 } or { kind, fileId }' })).min(1, 'submit at least one document').max(100),
});
export type DocumentSubmissionBody = z.infer<typeof DocumentSubmissionBody>;

/** A deal as read; `enterprise` and `request` are present in an institution's view only. */
export const DealView = z.object({
  dealId: DealId,
  applicationId: ApplicationId,
  institutionId: InstitutionId,
  /** Optional: views stored before names were recorded have none (the API fills them when read). */
  institutionName: z.string().optional(),
  productId: ProductId,
  productName: z.string().optional(),
  status: DealStatus,
  score: z.int().min(0).max(100),
  reasons: z.array(MatchReason),
  documentsRequested: z.array(DocumentKind),
  termSheet: TermSheet.optional(),
  /** When the deal's current clock lapses: the response SLA, the documents deadline, due diligence or the term sheet's expiry. */
  deadline: IsoDateTime.nullable().optional()
    .describe('When the deal lapses unless someone acts: the response SLA, the documents deadline, the due-diligence SLA or the term sheet\'s expiresAt; null when no clock runs'),
  deadlineProvisional: z.boolean().optional()
    .describe('True when the deadline counts a working day of a year whose State Council notice is not loaded yet (GET /v1/calendars/cn/:year says provisional)'),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  enterprise: EnterpriseProfile.optional(),
  request: ApplicationRequest.optional(),
});
export type DealView = z.infer<typeof DealView>;

/** Query of `GET /v1/deals`. */
export const DealListQuery = ListQuery.extend({ status: DealStatus.optional() });
export type DealListQuery = z.infer<typeof DealListQuery>;
