import type { ApplicationStatus, DealflowEvent } from '../schemas';
import { isApplicationTerminal } from './applicationLifecycle';

// The ops projection of one application, as a pure function of its events: status, the dimensions
// the funnel is cut by, the time spent in each stage and each deal's outcome. The ops projector
// stores one such state per application and keeps the aggregates (opsAggregates.ts) by the
// difference between an application's state before and after a batch of its events.

export interface OpsApplicationState {
  applicationId: string;
  enterpriseUscc: string;
  /** Seq of the newest event applied; events are applied in seq order, see projector.ts. */
  lastSeq: number;
  /** Null while the application's first status-changing event is missing. */
  status: ApplicationStatus | null;
  region: string | null;
  industry: string | null;
  instrument: string | null;
  qualificationTypes: string[];
  /** The enterprise profile was consulted for the dimensions the submission event lacked. */
  profileChecked: boolean;
  stageEnteredAt: string | null;
  /** Total milliseconds spent in each stage that was left; a stage entered twice adds up. */
  stageMs: Partial<Record<ApplicationStatus, number>>;
  /** Every status the application was ever in. */
  reached: ApplicationStatus[];
  /** Deals whose term sheet is open: offers_ready falls back to in_due_diligence when none is left. */
  openTermSheets: string[];
  /** Seqs that a gap skipped and that have not arrived since (bounded, see MAX_MISSING). */
  missing: number[];
  /** Every deal of the application: a list, because ids may hold '.', which MongoDB field names may not. */
  deals: OpsDealState[];
}

export interface OpsDealState {
  dealId: string;
  institutionId: string;
  /** Set once, by the first event that says how the institution answered (dealOutcomeOf). */
  outcome: DealOutcome;
}

export const MAX_MISSING = 100;

export function initialState(event: Pick<DealflowEvent, 'applicationId' | 'enterpriseUscc'>): OpsApplicationState {
  return {
    applicationId: event.applicationId,
    enterpriseUscc: event.enterpriseUscc,
    lastSeq: 0,
    status: null,
    region: null,
    industry: null,
    instrument: null,
    qualificationTypes: [],
    profileChecked: false,
    stageEnteredAt: null,
    stageMs: {},
    reached: [],
    openTermSheets: [],
    missing: [],
    deals: [],
  };
}

/** The state after `event`; `state` is not modified. Seq bookkeeping is the caller's. */
export function applyEvent(state: OpsApplicationState, event: DealflowEvent): OpsApplicationState {
  const next: OpsApplicationState = {
    ...state,
    stageMs: { ...state.stageMs },
    reached: [...state.reached],
    openTermSheets: [...state.openTermSheets],
    qualificationTypes: [...state.qualificationTypes],
    deals: withDealEffect(state.deals, event),
  };
  const at = event.occurredAt;
  switch (event.type) {
    case 'application.submitted':
      next.instrument = event.data.request.instrument;
      next.region = event.data.region ?? next.region;
      next.industry = event.data.industry ?? next.industry;
      if (event.data.qualificationTypes) next.qualificationTypes = unique(event.data.qualificationTypes);
      // A full snapshot in the event spares the profile lookup.
      if (event.data.region !== undefined && event.data.qualificationTypes !== undefined) next.profileChecked = true;
      markReached(next, 'submitted');
      // The workflow moves to screening in the same step as it records the submission.
      moveTo(next, 'screening', at);
      break;
    case 'application.screened':
      moveTo(next, event.data.eligible ? 'matching' : 'rejected', at);
      break;
    case 'application.matched':
      if (event.data.candidates.length > 0) moveTo(next, 'in_due_diligence', at);
      break;
    case 'application.no_match':
    case 'application.withdrawn':
    case 'application.expired':
    case 'application.closed':
    case 'application.rejected':
      moveTo(next, ENDED_IN[event.type], at);
      break;
    case 'deal.term_sheet_issued':
      if (!next.openTermSheets.includes(event.dealId ?? '')) next.openTermSheets.push(event.dealId ?? '');
      if (next.status === 'in_due_diligence') moveTo(next, 'offers_ready', at);
      break;
    case 'deal.declined':
    case 'deal.expired':
    case 'deal.not_selected':
      next.openTermSheets = next.openTermSheets.filter((id) => id !== event.dealId);
      if (next.status === 'offers_ready' && next.openTermSheets.length === 0) moveTo(next, 'in_due_diligence', at);
      break;
    case 'deal.selected':
      moveTo(next, 'accepted', at);
      break;
    default:
      break;
  }
  return next;
}

/** The status each ending event leaves an application in. */
const ENDED_IN = {
  'application.no_match': 'no_match',
  'application.withdrawn': 'withdrawn',
  'application.expired': 'expired',
  'application.closed': 'closed',
  'application.rejected': 'rejected',
} as const satisfies Partial<Record<DealflowEvent['type'], ApplicationStatus>>;

function moveTo(state: OpsApplicationState, to: ApplicationStatus, at: string): void {
  if (state.status === to) return;
  // A final status stays final: a late or out-of-order event must not reopen the application.
  if (state.status !== null && isApplicationTerminal(state.status)) return;
  if (state.status !== null && state.stageEnteredAt !== null) {
    const spent = Math.max(0, Date.parse(at) - Date.parse(state.stageEnteredAt));
    state.stageMs[state.status] = (state.stageMs[state.status] ?? 0) + spent;
  }
  state.status = to;
  state.stageEnteredAt = at;
  markReached(state, to);
}

function markReached(state: OpsApplicationState, status: ApplicationStatus): void {
  if (!state.reached.includes(status)) state.reached.push(status);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The deal's first answer sticks: a later event of the same deal does not change its outcome. */
function withDealEffect(deals: readonly OpsDealState[], event: DealflowEvent): OpsDealState[] {
  const { dealId, institutionId } = event;
  if (dealId === undefined || institutionId === undefined) return [...deals];
  const outcome = dealOutcomeOf(event.type);
  const existing = deals.find((d) => d.dealId === dealId);
  if (!existing) return [...deals, { dealId, institutionId, outcome: outcome ?? 'pending' }];
  if (existing.outcome !== 'pending' || outcome === null) return [...deals];
  return deals.map((d) => (d === existing ? { ...d, outcome } : d));
}

export type DealOutcome = 'pending' | 'responded' | 'expired' | 'withdrawn';

/**
 * What a deal event says about the institution's answer to the proposal. Anything the institution
 * did (or that follows from it, like a selection) is an answer; `deal.expired` is none; a deal
 * released before an answer (withdrawal, another offer accepted) counts as neither.
 */
export function dealOutcomeOf(type: DealflowEvent['type']): Exclude<DealOutcome, 'pending'> | null {
  switch (type) {
    case 'deal.interest_expressed':
    case 'deal.declined':
    case 'deal.documents_requested':
    case 'deal.documents_submitted':
    case 'deal.term_sheet_issued':
    case 'deal.selected':
    case 'deal.closed':
      return 'responded';
    case 'deal.expired':
      return 'expired';
    case 'deal.not_selected':
      return 'withdrawn';
    default:
      return null;
  }
}

/** A rate in [0, 1], or null while nothing was answered or missed. */
export function responseRate(responded: number, expired: number): number | null {
  return responded + expired === 0 ? null : responded / (responded + expired);
}

export type ProjectOutcome = 'applied' | 'duplicate' | 'late';

export interface Projected {
  outcome: ProjectOutcome;
  /** The state after the event; the same object as the input for a duplicate. */
  state: OpsApplicationState;
  /** The seqs a jump over skipped, when this event made one. */
  gap: { from: number; to: number } | null;
}

/**
 * One event against the application's state (null: none yet), deduplicated by seq, which is the
 * eventId's tail. Events are applied in seq order; an event past a gap is applied at once (a lost
 * event must not freeze an application) and the skipped seqs are remembered. One of them arriving
 * later counts its deal answer but does not move the status back (that would undo newer facts).
 */
export function projectEvent(current: OpsApplicationState | null, event: DealflowEvent): Projected {
  const state = current ?? initialState(event);
  if (event.seq <= state.lastSeq) {
    if (!state.missing.includes(event.seq)) return { outcome: 'duplicate', state, gap: null };
    const next = { ...state, deals: withDealEffect(state.deals, event), missing: state.missing.filter((s) => s !== event.seq) };
    return { outcome: 'late', state: next, gap: null };
  }
  let missing = state.missing;
  let gap: Projected['gap'] = null;
  if (event.seq > state.lastSeq + 1) {
    const from = state.lastSeq + 1;
    gap = { from, to: event.seq - 1 };
    // Only the newest MAX_MISSING are kept, so a wild seq cannot blow the state up.
    const keptFrom = Math.max(from, event.seq - MAX_MISSING);
    missing = [...missing, ...Array.from({ length: event.seq - keptFrom }, (_, i) => keptFrom + i)].slice(-MAX_MISSING);
  }
  const next = applyEvent(state, event);
  next.lastSeq = event.seq;
  next.missing = missing;
  return { outcome: 'applied', state: next, gap };
}

/** The dimensions the submission event lacked, from the enterprise's profile (read once per application). */
export function withProfileDimensions(
  state: OpsApplicationState,
  profile: { region?: unknown; industry?: unknown; qualifications?: unknown } | null,
): OpsApplicationState {
  const next = { ...state, profileChecked: true };
  if (!profile) return next;
  if (next.region === null && typeof profile.region === 'string') next.region = profile.region;
  if (next.industry === null && typeof profile.industry === 'string') next.industry = profile.industry;
  if (next.qualificationTypes.length === 0 && Array.isArray(profile.qualifications)) {
    const types = (profile.qualifications as { type?: unknown }[]).map((q) => q?.type).filter((t): t is string => typeof t === 'string');
    next.qualificationTypes = unique(types);
  }
  return next;
}
