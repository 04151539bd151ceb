import {
  BLOCKING_SCREENING_CODES, EnterpriseProfile, QUALIFICATION_LABELS, TERM_BOUNDS_MONTHS, usccProblem, usccRegionProblem,
} from '../schemas';
import type {
  ApplicationRequest, Qualification, Recognition, ScreeningReason, ScreeningReasonCode,
  ScreeningResult,
} from '../schemas';

export interface ScreeningInput {
  profile: EnterpriseProfile | null;
  request: ApplicationRequest;
  isDishonestDebtor: boolean;
  /** Registry entries on record for this enterprise's uscc. */
  recognitions: readonly Recognition[];
  /** The screening day: the Beijing date (`beijingDateOf` in domain/calendar) of the moment it runs. */
  today: string;
  /** Stamped as `screenedAt`; defaults to midnight UTC of `today` so the function stays clock-free. */
  now?: string;
}

function reason(code: ScreeningReasonCode, message: string): ScreeningReason {
  return { code, message };
}

function isValidOn(from: string, to: string, day: string): boolean {
  return from <= day && day <= to;
}

function describe(q: Qualification): string {
  return `${QUALIFICATION_LABELS[q.type]} certificate ${q.certificateNo}`;
}

function profileProblems(profile: EnterpriseProfile): string[] {
  // Stored profiles may predate a rule or be partially written; re-check them rather than trust the type.
  const parsed = EnterpriseProfile.safeParse(profile);
  const fields = new Set<string>();
  for (const issue of parsed.error?.issues ?? []) {
    const path = issue.path.map((p) => String(p)).join('.');
    // The uscc gets its own, more precise reason.
    if (path !== 'uscc') fields.add(path === '' ? '(profile)' : path);
  }
  // Profiles stored before the region had to match the code are caught here.
  if (typeof profile.uscc === 'string' && typeof profile.region === 'string' && !fields.has('region')) {
    const mismatch = usccRegionProblem(profile.uscc, profile.region);
    if (mismatch !== null) fields.add(`region (${mismatch})`);
  }
  return [...fields];
}

interface QualificationOutcome {
  reasons: ScreeningReason[];
  verified: Qualification[];
  unverified: Qualification[];
}

export function screenQualifications(
  qualifications: readonly Qualification[],
  recognitions: readonly Recognition[],
  today: string,
): QualificationOutcome {
  const out: QualificationOutcome = { reasons: [], verified: [], unverified: [] };
  for (const q of qualifications) {
    if (q.validTo < today) {
      out.reasons.push(reason('qualification_expired', `${describe(q)} expired on ${q.validTo} and does not count`));
      continue;
    }
    if (q.validFrom > today) {
      out.reasons.push(reason('qualification_not_yet_valid', `${describe(q)} is valid only from ${q.validFrom} and does not count yet`));
      continue;
    }
    // Every type counts only as the registry records it: a claim alone unlocks nothing.
    const record = recognitions.find((r) => r.type === q.type && r.certificateNo === q.certificateNo);
    if (record === undefined) {
      // Registries lag behind new announcements, so an unknown claim is kept for a human to check, not a rejection.
      out.unverified.push(q);
      out.reasons.push(reason('qualification_unverified', `${describe(q)} is not in the recognition registry; kept as unverified and not used for matching`));
      continue;
    }
    if (!isValidOn(record.validFrom, record.validTo, today)) {
      out.reasons.push(reason('qualification_expired', `${describe(q)} is on record as valid ${record.validFrom} to ${record.validTo}, not on ${today}; it does not count`));
      continue;
    }
    out.verified.push(q);
    out.reasons.push(reason('qualification_verified', `${describe(q)} confirmed by the recognition registry, valid until ${record.validTo}`));
  }
  return out;
}

export function screenApplication(input: ScreeningInput): ScreeningResult {
  const { profile, request, isDishonestDebtor, recognitions, today } = input;
  const reasons: ScreeningReason[] = [];
  let verified: Qualification[] = [];
  let unverified: Qualification[] = [];

  if (profile === null) {
    reasons.push(reason('profile_missing', 'No enterprise profile on file; complete the profile (PUT /v1/enterprises/:uscc) before applying'));
  } else {
    const missing = profileProblems(profile);
    if (missing.length > 0) {
      reasons.push(reason('profile_incomplete', `The enterprise profile is incomplete or invalid in: ${missing.join(', ')}`));
    }
    const usccIssue = typeof profile.uscc === 'string' ? usccProblem(profile.uscc) : 'USCC is missing';
    if (usccIssue !== null) {
      reasons.push(reason('uscc_invalid', `The Unified Social Credit Code (统一社会信用代码) is invalid: ${usccIssue}`));
    }
  }

  if (isDishonestDebtor) {
    reasons.push(reason('dishonest_debtor', 'The enterprise is on the dishonest judgment debtor list (失信被执行人); financing cannot be arranged while it is listed'));
  }

  if (!Number.isSafeInteger(request.amountCny) || request.amountCny <= 0) {
    reasons.push(reason('amount_not_positive', `The requested amount must be a positive whole number of CNY, got ${request.amountCny}`));
  }

  const bounds = TERM_BOUNDS_MONTHS[request.instrument];
  if (!Number.isInteger(request.termMonths) || request.termMonths < bounds.min || request.termMonths > bounds.max) {
    reasons.push(reason('term_out_of_bounds', `${request.instrument} terms run ${bounds.min}-${bounds.max} months; requested ${request.termMonths}`));
  }

  if (profile !== null && Array.isArray(profile.qualifications)) {
    const outcome = screenQualifications(profile.qualifications, recognitions, today);
    reasons.push(...outcome.reasons);
    verified = outcome.verified;
    unverified = outcome.unverified;
  }

  const eligible = !reasons.some((r) => BLOCKING_SCREENING_CODES.has(r.code as ScreeningReasonCode));
  if (eligible) {
    reasons.unshift(reason('screening_passed', 'The application passed screening and goes on to matching'));
  }

  return {
    eligible,
    reasons,
    verifiedQualifications: verified,
    unverifiedQualifications: unverified,
    screenedAt: input.now ?? `${today}T00:00:00.000Z`,
  };
}
