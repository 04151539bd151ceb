import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { CnCalendarYear } from '../domain/calendar/types';
import { buildEventId, EVENT_VERSION } from '../schemas/vocabulary';
import type {
  ApplicationRecord, ApplicationStatus, Candidate, DealflowEvent, DealRecord, DealStatus, EventData, EventType,
  PipelineSettings, ProfileSnapshot, ScreeningResult,
} from '../schemas';

// The application workflow's state and the bookkeeping every step shares: the event outbox with its
// seq counter, and the read-model records built from the state. Deterministic: time comes from the
// workflow clock (`Date.now()` inside a workflow), nothing here does I/O.

export type DeadlineKind = 'response' | 'due_diligence' | 'documents' | 'term_sheet';

export interface DealState {
  record: DealRecord;
  candidate: Candidate;
  /** When the current SLA lapses (epoch ms); null while nothing is timed. */
  deadlineMs: number | null;
  deadlineKind: DeadlineKind | null;
  /** The due-diligence clock; it stops while the institution waits on the enterprise's documents. */
  ddDeadlineMs: number | null;
  documentsRequestedAtMs: number | null;
  holdsCapacity: boolean;
  /** The due-diligence deadline counts a provisional day (working-day SLAs only). */
  ddDeadlineProvisional?: boolean;
}

/** The business calendar years the workflow was given by the `loadCalendar` activity. */
export interface LoadedCalendar {
  years: CnCalendarYear[];
  fromYear: number;
  toYear: number;
  loadedAtMs: number;
}

export interface ApplicationState {
  applicationId: string;
  enterpriseUscc: string;
  settings: PipelineSettings;
  record: ApplicationRecord;
  deals: Map<string, DealState>;
  /** The part of the profile matching needs, from screening. */
  profile: ProfileSnapshot | null;
  /** Undo steps of the saga (capacity reservations), in the order they were taken. */
  compensations: { dealId: string; undo: () => Promise<void> }[];
  /** Ranked candidates not proposed yet, best first. */
  remaining: Candidate[];
  institutionIds: Set<string>;
  offerDeadlineMs: number | null;
  timeline: DealflowEvent[];
  outbox: DealflowEvent[];
  dirtyDeals: Set<string>;
  seq: number;
  persistedSeq: number;
  /** Set by every transition that may need capacity released, a backfill or an end. */
  needsReconcile: boolean;
  /** At most `settings.maxOpenDealsPerInstitution` open deals per institution (false in workflows started before that rule). */
  onePerInstitution: boolean;
  /** Screening, ranking and capacity run as local activities (false in workflows started before they did). */
  localSteps: boolean;
  /** Local steps only before the first recorded batch, never beside another step (false in workflows started before; see steps.ts). */
  localStepsFirstTaskOnly: boolean;
  /** Local steps running now (counted only under localStepsFirstTaskOnly). */
  localStepsInFlight: number;
  /** The outbox is being recorded: from the first proposals on, or as soon as a command or the end waits for it. */
  recording: boolean;
  /** Search attributes changed since the last recorded batch, by attribute name (sent with the batch). */
  pendingSearchAttributes: Map<string, SearchAttributeUpdatePair>;
  /** Working-day SLAs, Beijing dates and the eligibility re-check (false in workflows started before them). */
  workingDaySlas: boolean;
  calendar: LoadedCalendar | null;
  /** Set by the dishonest-debtor signal; the orchestration ends the application. */
  listedDishonest: boolean;
}

export const nowIso = (): string => new Date().toISOString();
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function newApplicationState(input: {
  applicationId: string;
  enterpriseUscc: string;
  request: ApplicationRecord['request'];
  submittedAt: string;
  settings: PipelineSettings;
}): ApplicationState {
  return {
    applicationId: input.applicationId,
    enterpriseUscc: input.enterpriseUscc,
    settings: input.settings,
    record: {
      applicationId: input.applicationId,
      enterpriseUscc: input.enterpriseUscc,
      status: 'submitted',
      request: input.request,
      screening: null,
      region: null,
      offerDeadline: null,
      createdAt: input.submittedAt,
      updatedAt: input.submittedAt,
    },
    deals: new Map(),
    profile: null,
    compensations: [],
    remaining: [],
    institutionIds: new Set(),
    offerDeadlineMs: null,
    timeline: [],
    outbox: [],
    dirtyDeals: new Set(),
    seq: 0,
    persistedSeq: 0,
    needsReconcile: false,
    onePerInstitution: false,
    localSteps: false,
    localStepsFirstTaskOnly: false,
    localStepsInFlight: 0,
    recording: false,
    pendingSearchAttributes: new Map(),
    workingDaySlas: false,
    calendar: null,
    listedDishonest: false,
  };
}

/** Appends one event with the next seq; the publisher loop sends the outbox in seq order. */
export function emit<T extends EventType>(state: ApplicationState, type: T, data: EventData<T>, deal?: DealState): DealflowEvent {
  state.seq += 1;
  const event = {
    eventId: buildEventId(state.applicationId, state.seq),
    type,
    version: EVENT_VERSION,
    seq: state.seq,
    occurredAt: nowIso(),
    applicationId: state.applicationId,
    enterpriseUscc: state.enterpriseUscc,
    ...(deal ? { dealId: deal.record.dealId, institutionId: deal.record.institutionId } : {}),
    data,
  } as DealflowEvent;
  state.timeline.push(event);
  state.outbox.push(event);
  state.record.updatedAt = event.occurredAt;
  if (deal) touchDeal(state, deal);
  return event;
}

export function setStatus(state: ApplicationState, status: ApplicationStatus): void {
  state.record.status = status;
  state.record.updatedAt = nowIso();
}

export function setDealStatus(state: ApplicationState, deal: DealState, status: DealStatus): void {
  deal.record.status = status;
  touchDeal(state, deal);
}

export function setDeadline(state: ApplicationState, deal: DealState, kind: DeadlineKind | null, atMs: number | null, provisional = false): void {
  deal.deadlineKind = kind;
  deal.deadlineMs = atMs;
  deal.record.deadline = atMs === null ? null : new Date(atMs).toISOString();
  if (state.workingDaySlas) deal.record.deadlineProvisional = atMs !== null && provisional;
  touchDeal(state, deal);
}

function touchDeal(state: ApplicationState, deal: DealState): void {
  deal.record.updatedAt = nowIso();
  state.dirtyDeals.add(deal.record.dealId);
}

export function setScreening(state: ApplicationState, screening: ScreeningResult, region: ApplicationRecord['region']): void {
  state.record.screening = screening;
  state.record.region = region;
}

export function setOfferDeadline(state: ApplicationState, atMs: number | null): void {
  state.offerDeadlineMs = atMs;
  state.record.offerDeadline = atMs === null ? null : new Date(atMs).toISOString();
}

/** The earliest moment anything times out, or null when nothing is timed. */
export function nextDeadline(state: ApplicationState): number | null {
  let earliest = state.offerDeadlineMs;
  for (const deal of state.deals.values()) {
    if (deal.deadlineMs !== null && (earliest === null || deal.deadlineMs < earliest)) earliest = deal.deadlineMs;
  }
  return earliest;
}

export interface ApplicationSnapshot {
  application: ApplicationRecord;
  deals: DealRecord[];
  timeline: DealflowEvent[];
}

export function snapshot(state: ApplicationState): ApplicationSnapshot {
  return {
    application: { ...state.record },
    deals: [...state.deals.values()].map((deal) => ({ ...deal.record })),
    timeline: [...state.timeline],
  };
}

/** Takes the events and changed deals not yet recorded, oldest first. */
export function takeUnrecorded(state: ApplicationState): { events: DealflowEvent[]; deals: DealRecord[]; application: ApplicationRecord } {
  const events = state.outbox.splice(0, state.outbox.length);
  const deals = [...state.dirtyDeals].flatMap((id) => {
    const deal = state.deals.get(id);
    return deal ? [{ ...deal.record }] : [];
  });
  state.dirtyDeals.clear();
  return { events, deals, application: { ...state.record } };
}
