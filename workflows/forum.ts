import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ForumActivities } from '../activities/forums';
import { reminderMoment } from '../domain/forums/reminder';
import { replacementFor, type MeetingCaps, type PlacedMeeting } from '../domain/forums/schedule';
import type { ForumRegistration, Meeting } from '../schemas';
import { defaultActivity } from './activityOptions';
import {
  cancelForumUpdate, confirmMeetingUpdate, declineMeetingUpdate, getForumQuery, meetingOutcomeUpdate, registerUpdate,
  scheduleNowUpdate, withdrawRegistrationUpdate,
  type ForumOutcome, type ForumParty, type ForumSnapshot, type ForumSummary, type ForumWorkflowInput, type MeetingCommand,
} from './forumMessages';
import {
  addMeeting, emit, newForumState, nowIso, pairKeyOf, recorded, recordForumLoop, type ForumState,
} from './forumState';
import { CommandRejection } from './messages';

// One workflow per forum (the contract's "Forums"): open for registrations until
// `registrationClosesAt` (a durable timer) or ops' request; then scheduled once, by an activity
// (pair scores → stable meetings → slots and tables); a reminder to each party at 09:00 Beijing
// time of the working day before the forum (the calendar comes from an activity, as data); `held`
// when it ends; outcomes recorded for a while after. Meetings are state inside the workflow, so
// one counter gives the forum its gap-free `seq`.

const steps = proxyActivities<ForumActivities>(defaultActivity);
const DAY_MS = 24 * 3_600_000;

const notFound = (what: string) => ApplicationFailure.create({ type: CommandRejection.notFound, message: `${what} not found`, nonRetryable: true });
const notAllowed = (message: string) => ApplicationFailure.create({ type: CommandRejection.notAllowed, message, nonRetryable: true });
const untilMs = (iso: string): number => Math.max(1, Date.parse(iso) - Date.now());

export async function forumWorkflow(input: ForumWorkflowInput): Promise<ForumOutcome> {
  const state = newForumState(input);
  registerHandlers(state);
  void recordForumLoop(state);
  const { forum } = state;
  emit(state, 'forum.opened', {
    title: forum.title, theme: forum.theme, venue: forum.venue, startsAt: forum.startsAt, endsAt: forum.endsAt,
    slotMinutes: forum.slotMinutes, tables: forum.tables, registrationClosesAt: forum.registrationClosesAt,
  });

  await condition(() => state.scheduleRequested || forum.status !== 'open', untilMs(forum.registrationClosesAt));
  if (forum.status === 'open') await schedule(state);

  if (forum.status === 'scheduled') {
    const year = Number(forum.startsAt.slice(0, 4));
    const years = await steps.forumCalendarYears({ years: [year - 1, year] });
    const remindAt = reminderMoment(forum.startsAt, years);
    await condition(() => forum.status !== 'scheduled', untilMs(remindAt));
    if (forum.status === 'scheduled' && Date.now() < Date.parse(forum.startsAt)) remind(state, remindAt.slice(0, 10));
    await condition(() => forum.status !== 'scheduled', untilMs(forum.endsAt));
  }
  if (forum.status === 'scheduled') {
    forum.status = 'held';
    const meetings = [...state.meetings.values()];
    emit(state, 'forum.held', {
      meetings: meetings.filter((m) => m.status !== 'declined').length,
      declined: meetings.filter((m) => m.status === 'declined').length,
    });
    // Parties record outcomes after the forum; the workflow waits for them for a while.
    const open = () => meetings.some((m) => m.status === 'scheduled' || m.status === 'confirmed');
    await condition(() => !open(), input.settings.outcomeWindowDays * DAY_MS);
  }

  await condition(() => state.outbox.length === 0 && state.persistedSeq === state.seq);
  await condition(allHandlersFinished);
  return { forumId: forum.forumId, status: forum.status, meetings: [...state.meetings.values()].filter((m) => m.status !== 'declined').length };
}

async function schedule(state: ForumState): Promise<void> {
  const { forum } = state;
  const result = await steps.scheduleForum({
    forumId: forum.forumId,
    startsAt: forum.startsAt,
    endsAt: forum.endsAt,
    slotMinutes: forum.slotMinutes,
    tables: forum.tables,
    meetingsPerEnterprise: forum.meetingsPerEnterprise,
    registrations: forum.registrations,
    now: nowIso(),
  });
  const placed: PlacedMeeting[] = [];
  for (let page = 0; page < result.pages; page += 1) placed.push(...(await steps.loadForumSchedulePage({ forumId: forum.forumId, page })));
  if (forum.status !== 'open') return; // cancelled meanwhile
  state.names = result.names;
  state.pairs = [...placed.map(({ enterpriseUscc, institutionId, score, reasons }) => ({ enterpriseUscc, institutionId, score, reasons })), ...result.reserve];
  forum.cut = result.cut;
  forum.status = 'scheduled';
  forum.scheduledAt = nowIso();
  emit(state, 'forum.scheduled', {
    meetings: placed.length,
    cut: forum.cut.length,
    enterprises: forum.registrations.filter((r) => r.party === 'enterprise').length,
    institutions: forum.registrations.filter((r) => r.party === 'institution').length,
  });
  for (const meeting of placed) addMeeting(state, meeting, null);
}

/** One reminder per party with a meeting still on. */
function remind(state: ForumState, day: string): void {
  type Party = { about: { enterpriseUscc?: string; institutionId?: string }; meetingIds: string[] };
  const byParty = new Map<string, Party>();
  const add = (key: string, about: Party['about'], meetingId: string): void => {
    const entry = byParty.get(key) ?? { about, meetingIds: [] };
    entry.meetingIds.push(meetingId);
    byParty.set(key, entry);
  };
  for (const m of state.meetings.values()) {
    if (m.status !== 'scheduled' && m.status !== 'confirmed') continue;
    add(`e:${m.enterpriseUscc}`, { enterpriseUscc: m.enterpriseUscc }, m.meetingId);
    add(`i:${m.institutionId}`, { institutionId: m.institutionId }, m.meetingId);
  }
  for (const key of [...byParty.keys()].sort()) {
    const { about, meetingIds } = byParty.get(key) as Party;
    emit(state, 'forum.reminder_sent', { day, startsAt: state.forum.startsAt, venue: state.forum.venue, meetingIds }, about);
  }
}

// ---------- commands ----------

const snapshot = (state: ForumState): ForumSnapshot => ({ forum: state.forum, meetings: [...state.meetings.values()] });
const summary = (state: ForumState): ForumSummary => ({
  forum: state.forum,
  activeMeetings: [...state.meetings.values()].filter((m) => m.status !== 'declined').length,
});

function partyMatches(by: ForumParty, registration: ForumRegistration): boolean {
  return by.role === 'enterprise'
    ? registration.party === 'enterprise' && registration.enterpriseUscc === by.org
    : registration.party === 'institution' && registration.institutionId === by.org;
}

function checkRegistrationOpen(state: ForumState): void {
  if (state.forum.status !== 'open') throw notAllowed(`forum ${state.forum.forumId} is ${state.forum.status}; registration has closed`);
  if (Date.now() >= Date.parse(state.forum.registrationClosesAt) || state.scheduleRequested) {
    throw notAllowed(`registration for forum ${state.forum.forumId} closed at ${state.forum.registrationClosesAt}`);
  }
}

/** The meeting if `by` is one of its two parties; anyone else is told it does not exist. */
function meetingFor(state: ForumState, { meetingId, by }: MeetingCommand): Meeting {
  const meeting = state.meetings.get(meetingId);
  const org = by.role === 'enterprise' ? meeting?.enterpriseUscc : meeting?.institutionId;
  if (!meeting || org !== by.org) throw notFound(`meeting ${meetingId}`);
  return meeting;
}

function checkMeetingChange(state: ForumState, command: MeetingCommand, allowed: readonly Meeting['status'][], action: string): Meeting {
  const meeting = meetingFor(state, command);
  if (state.forum.status === 'cancelled') throw notAllowed(`forum ${state.forum.forumId} was cancelled`);
  if (!allowed.includes(meeting.status)) throw notAllowed(`meeting ${meeting.meetingId} is ${meeting.status}; cannot ${action}`);
  return meeting;
}

function capsOf(state: ForumState): MeetingCaps {
  return {
    perEnterprise: state.forum.meetingsPerEnterprise,
    perInstitution: new Map(state.forum.registrations.flatMap((r) => (r.party === 'institution' ? [[r.institutionId, r.meetingsCapacity] as const] : []))),
  };
}

function registerHandlers(state: ForumState): void {
  const { forum } = state;
  setHandler(getForumQuery, () => snapshot(state));

  setHandler(registerUpdate, async (command) => {
    const registration: ForumRegistration = command.party === 'enterprise'
      ? { party: 'enterprise', enterpriseUscc: command.enterpriseUscc, instruments: command.instruments, amountCny: command.amountCny, registeredAt: nowIso() }
      : { party: 'institution', institutionId: command.institutionId, productIds: command.productIds, meetingsCapacity: command.meetingsCapacity, registeredAt: nowIso() };
    const by: ForumParty = registration.party === 'enterprise' ? { role: 'enterprise', org: registration.enterpriseUscc } : { role: 'institution', org: registration.institutionId };
    // A second registration replaces the first.
    forum.registrations = [...forum.registrations.filter((r) => !partyMatches(by, r)), registration];
    const { party: _party, registeredAt: _at, ...data } = registration;
    await recorded(state, emit(state, 'forum.registration_added', data, by.role === 'enterprise' ? { enterpriseUscc: by.org } : { institutionId: by.org }));
    return registration;
  }, { validator: (_command) => checkRegistrationOpen(state) });

  setHandler(withdrawRegistrationUpdate, async (by) => {
    forum.registrations = forum.registrations.filter((r) => !partyMatches(by, r));
    await recorded(state, emit(state, 'forum.registration_withdrawn', {}, by.role === 'enterprise' ? { enterpriseUscc: by.org } : { institutionId: by.org }));
    return { withdrawn: true as const };
  }, {
    validator: (by) => {
      checkRegistrationOpen(state);
      if (!forum.registrations.some((r) => partyMatches(by, r))) throw notFound(`${by.org}'s registration for forum ${forum.forumId}`);
    },
  });

  setHandler(scheduleNowUpdate, async (_request) => {
    state.scheduleRequested = true;
    await condition(() => forum.status !== 'open');
    await recorded(state);
    return summary(state);
  }, {
    validator: (_request) => {
      if (forum.status !== 'open' || state.scheduleRequested) throw notAllowed(`forum ${forum.forumId} is ${forum.status}; it is scheduled once`);
    },
  });

  setHandler(cancelForumUpdate, async ({ reason }) => {
    forum.status = 'cancelled';
    await recorded(state, emit(state, 'forum.cancelled', { reason }));
    return summary(state);
  }, {
    validator: (_request) => {
      if (forum.status !== 'open' && forum.status !== 'scheduled') throw notAllowed(`forum ${forum.forumId} is ${forum.status}; it can no longer be cancelled`);
    },
  });

  setHandler(confirmMeetingUpdate, async (command) => {
    const meeting = meetingFor(state, command);
    meeting.status = 'confirmed';
    await recorded(state, emit(state, 'meeting.confirmed', { by: command.by.role }, { meeting }));
    return meeting;
  }, { validator: (command) => void checkMeetingChange(state, command, ['scheduled'], 'confirm') });

  setHandler(declineMeetingUpdate, async (command) => {
    const declined = meetingFor(state, command);
    declined.status = 'declined';
    state.declinedPairs.add(pairKeyOf(declined));
    emit(state, 'meeting.declined', { by: command.by.role }, { meeting: declined });
    const active = [...state.meetings.values()].filter((m) => m.status !== 'declined');
    const next = replacementFor(
      declined as PlacedMeeting,
      { placed: active as PlacedMeeting[], declined: state.declinedPairs },
      state.pairs,
      capsOf(state),
    );
    const replacement = next && forum.status === 'scheduled' ? addMeeting(state, next, declined.meetingId) : null;
    await recorded(state);
    return { declined, replacement };
  }, { validator: (command) => void checkMeetingChange(state, command, ['scheduled', 'confirmed'], 'decline') });

  setHandler(meetingOutcomeUpdate, async (command) => {
    const meeting = meetingFor(state, command);
    meeting.status = command.outcome.held ? 'held' : 'no_show';
    meeting.outcome = command.outcome;
    await recorded(state, emit(state, command.outcome.held ? 'meeting.held' : 'meeting.no_show', { ...command.outcome, by: command.by.role }, { meeting }));
    return meeting;
  }, { validator: (command) => void checkMeetingChange(state, command, ['confirmed'], 'record an outcome') });
}
