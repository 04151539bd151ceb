import { z } from 'zod';
import { ApplicationId, DealId, Gb4754, InstitutionId, IsoDate, IsoDateTime, ProductId, Region, Uscc } from './common';
import { ApplicationRequest, ApplicationSource, ApplicationStatus, ScreeningResult } from './application';
import { DealView, MatchReason, SubmittedDocument } from './deal';
import { DealflowEvent } from './events';
import { PIPELINE_DEFAULTS } from './vocabulary';

// Shapes that cross the workflow boundary: the application workflow's input, and what its
// activities take and return.

/** Durations and sizes a deployment may tune; tests shorten the SLAs through these. */
export const PipelineSettings = z.strictObject({
  /** Deals proposed at once. */
  topK: z.int().min(1).max(20).default(PIPELINE_DEFAULTS.topK),
  /** Open deals one institution may hold on one application (`DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION`). */
  maxOpenDealsPerInstitution: z.int().min(1).max(20).default(PIPELINE_DEFAULTS.maxOpenDealsPerInstitution),
  /** Ranked candidates kept for backfilling. */
  candidateLimit: z.int().min(1).max(200).default(PIPELINE_DEFAULTS.candidateLimit),
  /** Enterprise's time to answer a document request. */
  documentsDeadlineDays: z.number().positive().default(PIPELINE_DEFAULTS.documentsDeadlineDays),
  /** Window to choose an offer, from the first term sheet. */
  offerWindowDays: z.number().positive().default(PIPELINE_DEFAULTS.offerWindowDays),
  /** Multiplies every product SLA; 1 in production, small in tests that run on real time. */
  slaScale: z.number().positive().max(1).default(PIPELINE_DEFAULTS.slaScale),
});
export type PipelineSettings = z.infer<typeof PipelineSettings>;

export const ApplicationWorkflowInput = z.strictObject({
  applicationId: ApplicationId,
  enterpriseUscc: Uscc,
  request: ApplicationRequest,
  submittedAt: IsoDateTime,
  settings: PipelineSettings.default(PipelineSettings.parse({})),
  /** The forum meeting the application follows up, with the meeting's institution (checked when submitted): its best product goes first. */
  source: ApplicationSource.extend({ institutionId: InstitutionId }).optional(),
});
export type ApplicationWorkflowInput = z.input<typeof ApplicationWorkflowInput>;

/** The part of the profile matching needs, captured at screening so ranking reads no profile again. */
export const ProfileSnapshot = z.object({
  region: Region,
  industry: Gb4754,
  revenueCny: z.number(),
  founded: IsoDate,
});
export type ProfileSnapshot = z.infer<typeof ProfileSnapshot>;

export const ScreeningOutcome = z.object({
  result: ScreeningResult,
  profile: ProfileSnapshot.nullable(),
});
export type ScreeningOutcome = z.infer<typeof ScreeningOutcome>;

/** A ranked product with the SLAs the workflow's timers need. */
export const Candidate = z.object({
  productId: ProductId,
  institutionId: InstitutionId,
  /** Optional: candidates ranked before names were carried have none. */
  productName: z.string().optional(),
  institutionName: z.string().optional(),
  score: z.int().min(0).max(100),
  reasons: z.array(MatchReason),
  responseSlaHours: z.number().positive(),
  ddSlaDays: z.number().positive(),
  /** The product's SLAs in working days; each, when set, replaces the calendar one. */
  responseSlaWorkingDays: z.int().min(1).max(60).optional(),
  ddSlaWorkingDays: z.int().min(1).max(250).optional(),
});
export type Candidate = z.infer<typeof Candidate>;

/** The application read model: what `GET /v1/applications/:id` shows besides its timeline and deals. */
export const ApplicationRecord = z.object({
  applicationId: ApplicationId,
  enterpriseUscc: Uscc,
  status: ApplicationStatus,
  request: ApplicationRequest,
  source: ApplicationSource.optional(),
  screening: ScreeningResult.nullable(),
  region: Region.nullable(),
  offerDeadline: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type ApplicationRecord = z.infer<typeof ApplicationRecord>;

/** The deal read model; `deadline` is when the deal's current SLA or term sheet lapses. */
export const DealRecord = DealView.omit({ enterprise: true, request: true }).extend({
  enterpriseUscc: Uscc,
  documentsSubmitted: z.array(SubmittedDocument),
  deadline: IsoDateTime.nullable(),
  note: z.string().nullable(),
});
export type DealRecord = z.infer<typeof DealRecord>;

export const RecordEventsInput = z.object({
  application: ApplicationRecord,
  deals: z.array(DealRecord),
  events: z.array(DealflowEvent).min(1),
});
export type RecordEventsInput = z.infer<typeof RecordEventsInput>;

/** `applicationId` (absent in older workflows) lets a refused reservation be noted in the application's explanation. */
export const CapacityRequest = z.object({ productId: ProductId, dealId: DealId, applicationId: ApplicationId.optional() });
export type CapacityRequest = z.infer<typeof CapacityRequest>;
