import type { ApplicationStatus, DealflowEvent } from '../../schemas';
import { isApplicationTerminal } from '../../domain';

// The ops projection of one application, as a pure function of its events: status, the dimensions
// the funnel is cut by, and the time spent in each stage. The projector stores one such document
// per application (`ops_applications`) and the metrics are read from those documents.

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
      moveTo(next, 'no_match', at);
      break;
    case 'application.withdrawn':
      moveTo(next, 'withdrawn', at);
      break;
    case 'application.expired':
      moveTo(next, 'expired', at);
      break;
    case 'application.closed':
      moveTo(next, 'closed', at);
      break;
    case 'application.rejected':
      moveTo(next, 'rejected', at);
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
