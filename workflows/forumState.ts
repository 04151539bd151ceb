import { condition, proxyActivities } from '@temporalio/workflow';
import type { ForumActivities } from '../activities/forums';
import type { PlacedMeeting, ScoredPair } from '../domain/forums/schedule';
import { buildEventId, EVENT_VERSION } from '../schemas/vocabulary';
import type { ForumEvent, ForumEventType, ForumRecord, Meeting } from '../schemas';
import { publishActivity } from './activityOptions';
import type { ForumWorkflowInput } from './forumMessages';

// A forum workflow's state, its events and its outbox: the workflow owns the counter, so `seq` is
// gap-free per forum, and one loop records the outbox in seq order (as outbox.ts does for an
// application): the read models by `_id`, then the forum topic.

export interface ForumState {
  forum: ForumRecord;
  meetings: Map<string, Meeting>;
  /** Pairs a declined meeting's place can go to (the activity's best unplaced pairs and the placed ones). */
  pairs: ScoredPair[];
  /** Pairs that declined: never proposed again. */
  declinedPairs: Set<string>;
  /** Display names by uscc or institution id, from the scheduling activity. */
  names: Record<string, string>;
  scheduleRequested: boolean;
  nextMeeting: number;
  seq: number;
  persistedSeq: number;
  outbox: ForumEvent[];
}

export const nowIso = (): string => new Date(Date.now()).toISOString();

export function newForumState(input: ForumWorkflowInput): ForumState {
  const { forumId, ...spec } = input.forum;
  return {
    forum: {
      forumId,
      ...spec,
      status: 'open',
      registrations: [],
      meetingsPerEnterprise: input.settings.meetingsPerEnterprise,
      cut: [],
      scheduledAt: null,
      createdAt: input.createdAt,
      updatedAt: input.createdAt,
    },
    meetings: new Map(),
    pairs: [],
    declinedPairs: new Set(),
    names: {},
    scheduleRequested: false,
    nextMeeting: 1,
    seq: 0,
    persistedSeq: 0,
    outbox: [],
  };
}

export function emit(
  state: ForumState,
  type: ForumEventType,
  data: Record<string, unknown>,
  about: { meeting?: Meeting; enterpriseUscc?: string; institutionId?: string } = {},
): number {
  state.seq += 1;
  const occurredAt = nowIso();
  state.forum.updatedAt = occurredAt;
  const enterpriseUscc = about.meeting?.enterpriseUscc ?? about.enterpriseUscc;
  const institutionId = about.meeting?.institutionId ?? about.institutionId;
  state.outbox.push({
    eventId: buildEventId(state.forum.forumId, state.seq),
    type,
    version: EVENT_VERSION,
    seq: state.seq,
    occurredAt,
    forumId: state.forum.forumId,
    ...(about.meeting ? { meetingId: about.meeting.meetingId } : {}),
    ...(enterpriseUscc ? { enterpriseUscc } : {}),
    ...(institutionId ? { institutionId } : {}),
    data,
  });
  if (about.meeting) about.meeting.updatedAt = occurredAt;
  return state.seq;
}

/** Resolves once every event up to `seq` is recorded: a command answers after its change is readable. */
export const recorded = (state: ForumState, seq = state.seq): Promise<void> => condition(() => state.persistedSeq >= seq);

const { recordForumEvents } = proxyActivities<ForumActivities>(publishActivity);

/**
 * Events per recorded batch: a schedule emits one event per meeting, and an activity's input must
 * stay well under Temporal's 2 MB payload limit (a meeting with its reasons is about 1 KB).
 */
const BATCH_EVENTS = 200;

export async function recordForumLoop(state: ForumState): Promise<void> {
  for (;;) {
    await condition(() => state.outbox.length > 0);
    const events = state.outbox.splice(0, BATCH_EVENTS);
    // A batch carries the current state of the meetings its events are about.
    const ids = new Set(events.flatMap((e) => (e.meetingId ? [e.meetingId] : [])));
    const meetings = [...ids].map((id) => state.meetings.get(id)).filter((m): m is Meeting => m !== undefined);
    await recordForumEvents({ forum: { ...state.forum, registrations: [...state.forum.registrations] }, meetings, events });
    state.persistedSeq = events[events.length - 1]?.seq ?? state.persistedSeq;
  }
}

export const pairKeyOf = (p: { enterpriseUscc: string; institutionId: string }): string => `${p.enterpriseUscc}|${p.institutionId}`;

export function meetingTimes(forum: ForumRecord, slot: number): { startsAt: string; endsAt: string } {
  const start = Date.parse(forum.startsAt) + slot * forum.slotMinutes * 60_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + forum.slotMinutes * 60_000).toISOString() };
}

export function addMeeting(state: ForumState, placed: PlacedMeeting, replaces: string | null): Meeting {
  const meeting: Meeting = {
    meetingId: `${state.forum.forumId}-m${state.nextMeeting}`,
    enterpriseUscc: placed.enterpriseUscc,
    enterpriseName: state.names[placed.enterpriseUscc] ?? placed.enterpriseUscc,
    institutionId: placed.institutionId,
    institutionName: state.names[placed.institutionId] ?? placed.institutionId,
    ...meetingTimes(state.forum, placed.slot),
    slot: placed.slot,
    table: placed.table,
    score: placed.score,
    reasons: placed.reasons,
    status: 'scheduled',
    replaces,
    outcome: null,
    updatedAt: nowIso(),
  };
  state.nextMeeting += 1;
  state.meetings.set(meeting.meetingId, meeting);
  emit(state, 'meeting.scheduled', {
    startsAt: meeting.startsAt, endsAt: meeting.endsAt, slot: meeting.slot, table: meeting.table,
    score: meeting.score, reasons: meeting.reasons, ...(replaces ? { replaces } : {}),
  }, { meeting });
  return meeting;
}
