import { z } from 'zod';
import {
  AmountCny, ApplicationId, DealId, FileId, Gb4754, InstitutionId, IsoDateTime, ProductId, QualificationType, Region, Uscc,
} from './common';
import { ApplicationRequest, ScreeningResult } from './application';
import { buildEventId, EVENT_VERSION } from './vocabulary';
import { DocumentKind, MatchReason, SubmittedDocument, TermSheet } from './deal';

export const EVENT_TYPES = [
  'application.submitted',
  'application.screened',
  'application.matched',
  'application.no_match',
  'application.withdrawn',
  'application.expired',
  'application.closed',
  'application.rejected',
  'deal.proposed',
  'deal.interest_expressed',
  'deal.declined',
  'deal.expired',
  'deal.documents_requested',
  'deal.documents_submitted',
  'deal.term_sheet_issued',
  'deal.selected',
  'deal.not_selected',
  'deal.closed',
  'deal.document_downloaded',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export { EVENT_VERSION, buildEventId } from './vocabulary';

export function isDealEventType(type: EventType): boolean {
  return type.startsWith('deal.');
}


// Event data objects strip unknown keys instead of rejecting them: a consumer on an older schema
// must keep working when a producer adds a field ("add, don't rename").

export const MatchCandidate = z.object({
  productId: ProductId,
  institutionId: InstitutionId,
  score: z.int().min(0).max(100),
  reasons: z.array(MatchReason),
});
export type MatchCandidate = z.infer<typeof MatchCandidate>;

export const NO_MATCH_REASONS = ['no_eligible_product', 'all_deals_declined_or_expired'] as const;
export const DEAL_EXPIRY_REASONS = ['response_sla_elapsed', 'due_diligence_sla_elapsed', 'documents_not_submitted', 'term_sheet_expired'] as const;
export const DEAL_RELEASE_REASONS = ['other_offer_accepted', 'application_withdrawn', 'application_expired', 'enterprise_listed_dishonest'] as const;
/** Why an application that passed screening ended `rejected` later. */
export const LATE_REJECTION_REASONS = ['dishonest_debtor'] as const;

const reasonText = z.string().trim().min(1).max(1000);

export const EVENT_DATA = {
  'application.submitted': z.object({
    request: ApplicationRequest,
    // Snapshot of the profile at submission so funnel metrics by region/industry need no join.
    region: Region.optional(),
    industry: Gb4754.optional(),
    qualificationTypes: z.array(QualificationType).optional(),
  }),
  'application.screened': ScreeningResult,
  'application.matched': z.object({ candidates: z.array(MatchCandidate) }),
  'application.no_match': z.object({ reason: z.enum(NO_MATCH_REASONS), message: z.string().optional() }),
  'application.withdrawn': z.object({ reason: reasonText }),
  'application.expired': z.object({ reason: z.string().optional() }),
  'application.closed': z.object({ dealId: DealId, amountCny: AmountCny.optional() }),
  'application.rejected': z.object({ reason: z.enum(LATE_REJECTION_REASONS), message: z.string().optional() }),
  'deal.proposed': z.object({
    productId: ProductId,
    score: z.int().min(0).max(100),
    reasons: z.array(MatchReason),
    rank: z.int().min(1).optional(),
  }),
  'deal.interest_expressed': z.object({ reason: z.string().optional() }),
  'deal.declined': z.object({ reason: reasonText }),
  'deal.expired': z.object({ reason: z.enum(DEAL_EXPIRY_REASONS) }),
  'deal.documents_requested': z.object({ documents: z.array(DocumentKind).min(1), reason: z.string().optional() }),
  'deal.documents_submitted': z.object({ documents: z.array(SubmittedDocument).min(1) }),
  'deal.term_sheet_issued': z.object({ termSheet: TermSheet }),
  'deal.selected': z.object({}),
  'deal.not_selected': z.object({ reason: z.enum(DEAL_RELEASE_REASONS) }),
  'deal.closed': z.object({ amountCny: AmountCny.optional() }),
  // Who read which file of the deal: the institution's user (or ops), by the token's `sub`.
  'deal.document_downloaded': z.object({
    fileId: FileId,
    kind: DocumentKind.optional(),
    name: z.string().optional(),
    by: z.object({ role: z.enum(['institution', 'ops']), sub: z.string().min(1), org: z.string().optional() }),
  }),
} as const satisfies Record<EventType, z.ZodType>;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

const envelopeShape = {
  eventId: z.string().min(1),
  version: z.literal(EVENT_VERSION),
  seq: z.int().min(1),
  occurredAt: IsoDateTime,
  applicationId: ApplicationId,
  enterpriseUscc: Uscc,
  dealId: DealId.optional(),
  institutionId: InstitutionId.optional(),
};

function eventOf<T extends EventType>(type: T) {
  return z.object({ ...envelopeShape, type: z.literal(type), data: EVENT_DATA[type] });
}

const EventUnion = z.discriminatedUnion('type', [
  eventOf('application.submitted'),
  eventOf('application.screened'),
  eventOf('application.matched'),
  eventOf('application.no_match'),
  eventOf('application.withdrawn'),
  eventOf('application.expired'),
  eventOf('application.closed'),
  eventOf('application.rejected'),
  eventOf('deal.proposed'),
  eventOf('deal.interest_expressed'),
  eventOf('deal.declined'),
  eventOf('deal.expired'),
  eventOf('deal.documents_requested'),
  eventOf('deal.documents_submitted'),
  eventOf('deal.term_sheet_issued'),
  eventOf('deal.selected'),
  eventOf('deal.not_selected'),
  eventOf('deal.closed'),
  eventOf('deal.document_downloaded'),
], { error: `type must be one of ${EVENT_TYPES.join(', ')}` });

/** The Kafka value on `dealflow.events.v1`: the envelope with the data schema of its type. */
export const DealflowEvent = EventUnion.superRefine((event, ctx) => {
  const expected = buildEventId(event.applicationId, event.seq);
  if (event.eventId !== expected) {
    ctx.addIssue({ code: 'custom', path: ['eventId'], message: `eventId must be "<applicationId>:<seq>", i.e. "${expected}"` });
  }
  // A deal event without its deal and institution cannot be routed to the institution's inbox.
  if (isDealEventType(event.type)) {
    if (event.dealId === undefined) ctx.addIssue({ code: 'custom', path: ['dealId'], message: `dealId is required for ${event.type}` });
    if (event.institutionId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['institutionId'], message: `institutionId is required for ${event.type}` });
    }
  }
});
export type DealflowEvent = z.infer<typeof DealflowEvent>;
export type DealflowEventOf<T extends EventType> = Extract<DealflowEvent, { type: T }>;

export function parseEvent(input: unknown): z.ZodSafeParseResult<DealflowEvent> {
  return DealflowEvent.safeParse(input);
}
