import { z } from 'zod';
import { AmountCny, ApplicationId, idSchema, Instrument, IsoDateTime } from './common';
import { Qualification } from './enterprise';

export const APPLICATION_STATUSES = [
  'submitted', 'screening', 'rejected', 'matching', 'in_due_diligence', 'offers_ready',
  'accepted', 'closed', 'no_match', 'withdrawn', 'expired',
] as const;
export const ApplicationStatus = z.enum(APPLICATION_STATUSES);
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

/** Term bounds in months per instrument, enforced at screening (a business rule, not a 400). */
export const TERM_BOUNDS_MONTHS = {
  // Unsecured SME credit in China rarely runs past 3 years.
  credit_loan: { min: 1, max: 36 },
  // Working capital follows the operating cycle; longer needs are capex, not working capital.
  working_capital_loan: { min: 1, max: 36 },
  // Patent-pledge loans are bounded by the pledged rights' remaining life and bank policy: 5 years.
  ip_pledge_loan: { min: 1, max: 60 },
  // Receivables and payables settle within a year.
  supply_chain_finance: { min: 1, max: 12 },
  // Equipment leases follow asset life: at least half a year, at most 10 years.
  leasing: { min: 6, max: 120 },
  // Funds hold for a year at least and exit within a fund life of about 10 years.
  equity: { min: 12, max: 120 },
  convertible: { min: 12, max: 120 },
  // Guarantees cover the guaranteed loan's term, which is usually up to 5 years.
  guarantee: { min: 1, max: 60 },
} as const satisfies Readonly<Record<Instrument, { min: number; max: number }>>;

const applicationRequestShape = {
  instrument: Instrument,
  amountCny: AmountCny,
  // Loose sanity bound here; the per-instrument bounds are a screening decision with a reason.
  termMonths: z.int().min(1, 'termMonths must be at least 1').max(600, 'termMonths must be at most 600'),
  purpose: z.string().trim().min(1, 'purpose is required').max(2000),
  collateral: z.string().trim().min(1).max(2000).optional(),
};

/** Body of `POST /v1/applications`. */
export const ApplicationRequest = z.strictObject(applicationRequestShape);
export type ApplicationRequest = z.infer<typeof ApplicationRequest>;

/** The forum meeting an application follows up (a meeting whose outcome was `followUp: "apply"`). */
export const ApplicationSource = z.strictObject({ forumId: idSchema('forumId'), meetingId: idSchema('meetingId') });
export type ApplicationSource = z.infer<typeof ApplicationSource>;

/** Body of `POST /v1/applications`: the request, and the meeting it follows up when it does. */
export const ApplicationSubmission = z.strictObject({ ...applicationRequestShape, source: ApplicationSource.optional() });
export type ApplicationSubmission = z.infer<typeof ApplicationSubmission>;

export const ApplicationAccepted = z.object({ applicationId: ApplicationId, status: ApplicationStatus });
export type ApplicationAccepted = z.infer<typeof ApplicationAccepted>;

/** Body of `POST /v1/applications/:id/withdraw`. */
export const WithdrawRequest = z.strictObject({ reason: z.string().trim().min(1, 'reason is required').max(1000) });
export type WithdrawRequest = z.infer<typeof WithdrawRequest>;

/** Stable codes consumers may switch on; the set may grow, so the wire schema accepts any snake_case code. */
export const SCREENING_REASON_CODES = [
  'screening_passed',
  'profile_missing',
  'profile_incomplete',
  'uscc_invalid',
  'dishonest_debtor',
  'amount_not_positive',
  'term_out_of_bounds',
  'qualification_expired',
  'qualification_not_yet_valid',
  'qualification_unverified',
  'qualification_verified',
] as const;
export type ScreeningReasonCode = (typeof SCREENING_REASON_CODES)[number];

/** Codes that make an application ineligible; the others only inform. */
export const BLOCKING_SCREENING_CODES: ReadonlySet<ScreeningReasonCode> = new Set<ScreeningReasonCode>([
  'profile_missing', 'profile_incomplete', 'uscc_invalid', 'dishonest_debtor', 'amount_not_positive', 'term_out_of_bounds',
]);

export const ReasonCode = z.string().regex(/^[a-z][a-z0-9_]*$/, 'code must be snake_case');

export const ScreeningReason = z.object({ code: ReasonCode, message: z.string().min(1) });
export type ScreeningReason = z.infer<typeof ScreeningReason>;

export const ScreeningResult = z.object({
  eligible: z.boolean(),
  reasons: z.array(ScreeningReason),
  verifiedQualifications: z.array(Qualification),
  unverifiedQualifications: z.array(Qualification),
  screenedAt: IsoDateTime,
});
export type ScreeningResult = z.infer<typeof ScreeningResult>;

// ApplicationView embeds events and deals, which import this file; it lives in applicationView.ts to avoid a cycle.
