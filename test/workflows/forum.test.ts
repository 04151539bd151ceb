import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker } from '@temporalio/worker';
import type { ForumActivities } from '../../activities/forums';
import { beijingDateOf, provisionalCalendarYear, SHIPPED_CN_CALENDARS } from '../../domain/calendar';
import { placeMeetings, stableMeetings, type PlacedMeeting, type ScoredPair } from '../../domain/forums/schedule';
import { slotsOf, usccCheckCharacter, type ForumEvent, type Meeting, type RecordForumEventsInput } from '../../schemas';
import type { forumWorkflow } from '../../workflows/forum';
import {
  cancelForumUpdate, confirmMeetingUpdate, declineMeetingUpdate, forumWorkflowId, forumWorkflowType, getForumQuery, meetingOutcomeUpdate, registerUpdate,
  scheduleNowUpdate, withdrawRegistrationUpdate, type ForumParty, type ForumWorkflowInput,
} from '../../workflows/forumMessages';
import { CommandRejection } from '../../workflows/messages';
import { rejectionOf } from './support';
import { createTimeSkippingEnv, ENV_SETUP_TIMEOUT_MS, testDataConverter } from './testEnv';

// A forum from registration to its end in skipped time: registrations and a withdrawal, the
// schedule at the close (real stable matching and placement over the fake pair scores), the
// reminder on the working day before (after the Spring Festival of 2027, so not the day before),
// confirm, decline with its replacement, outcomes, and `held`; every event with a gap-free seq.

jest.setTimeout(120_000);

const uscc = (body: string): string => body + usccCheckCharacter(body);
const E1 = uscc('91310115MA1K4A2B1');
const E2 = uscc('91310115MA1K4A2B2');
const E3 = uscc('91310115MA1K4A2B3');
const E4 = uscc('91310115MA1K4A2B4');
const E5 = uscc('91310115MA1K4A2B5');

/**
 * Pair scores the fake scheduling activity starts from; E4 withdraws, so its pairs must not meet.
 * bank-b (room for 3) prefers E3, E1 and E2 to E5, who gets E2's place when E2's meeting is declined.
 */
const SCORES: ScoredPair[] = [
  [E1, 'bank-a', 90], [E1, 'bank-b', 70], [E2, 'bank-a', 85], [E2, 'bank-b', 60],
  [E3, 'bank-a', 80], [E3, 'bank-b', 75], [E4, 'bank-a', 99], [E5, 'bank-b', 50],
].map(([enterpriseUscc, institutionId, score]) => ({
  enterpriseUscc: enterpriseUscc as string, institutionId: institutionId as string, score: score as number,
  reasons: [{ code: 'industry_match', message: 'fits', weight: 30 }],
}));

const recorded: ForumEvent[] = [];
const schedulePages = new Map<string, PlacedMeeting[][]>();
const batches: RecordForumEventsInput[] = [];

const fakeActivities: ForumActivities = {
  async scheduleForum(input) {
    const registered = new Set(input.registrations.map((r) => (r.party === 'enterprise' ? r.enterpriseUscc : r.institutionId)));
    const pairs = SCORES.filter((p) => registered.has(p.enterpriseUscc) && registered.has(p.institutionId));
    const caps = {
      perEnterprise: input.meetingsPerEnterprise,
      perInstitution: new Map(input.registrations.flatMap((r) => (r.party === 'institution' ? [[r.institutionId, r.meetingsCapacity] as const] : []))),
    };
    const { placed, cut } = placeMeetings(stableMeetings(pairs, caps), { slots: slotsOf(input), tables: input.tables });
    // Pages of two, so the workflow reads several.
    const pages = Array.from({ length: Math.ceil(placed.length / 2) }, (_, i) => placed.slice(i * 2, i * 2 + 2));
    schedulePages.set(input.forumId, pages);
    return {
      pages: pages.length, placedCount: placed.length, cut, reserve: pairs.filter((p) => !placed.some((m) => m.enterpriseUscc === p.enterpriseUscc && m.institutionId === p.institutionId)),
      names: Object.fromEntries([...registered].map((id) => [id, `name of ${id}`])),
    };
  },
  async loadForumSchedulePage({ forumId, page }) {
    const placed = schedulePages.get(forumId)?.[page];
    if (!placed) throw new Error(`no page ${page} of ${forumId}`);
    return placed;
  },
  async forumCalendarYears({ years }) {
    return years.map((year) => {
      const calendar = SHIPPED_CN_CALENDARS.find((c) => c.year === year) ?? provisionalCalendarYear(year);
      return { ...calendar, holidays: [...calendar.holidays], workdays: [...calendar.workdays] };
    });
  },
  async recordForumEvents(input) {
    if (!Context.current().info.workflowExecution?.workflowId.startsWith('forum-')) throw new Error('not a forum');
    batches.push(input);
    recorded.push(...input.events);
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `forum-${randomUUID()}`;

beforeAll(async () => {
  env = await createTimeSkippingEnv([]);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: fakeActivities,
    dataConverter: testDataConverter,
    bundlerOptions: { logger: new DefaultLogger('WARN') } as never,
  });
  running = worker.run();
}, ENV_SETUP_TIMEOUT_MS);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

// Beijing: registration closes 20 January 2027; the forum is Tuesday 9 February 2027, 09:00-13:00,
// right after the Spring Festival days off (5-8 February, provisional 2027 calendar): the working
// day before is Thursday 4 February.
const FORUM = {
  forumId: 'spring-forum',
  title: '产融对接会 · 新兴产业',
  theme: 'new_industries' as const,
  venue: '上海国际会议中心',
  registrationClosesAt: '2027-01-20T02:00:00.000Z',
  startsAt: '2027-02-09T01:00:00.000Z',
  endsAt: '2027-02-09T05:00:00.000Z',
  slotMinutes: 60,
  tables: 2,
};

const eventsOf = (type: string) => recorded.filter((e) => e.type === type);
const latest = (meetingId: string): Meeting => {
  const meeting = [...batches].reverse().flatMap((b) => b.meetings).find((m) => m.meetingId === meetingId);
  if (!meeting) throw new Error(`no recorded meeting ${meetingId}`);
  return meeting;
};

async function sleepUntil(iso: string): Promise<void> {
  const now = await env.currentTimeMs();
  if (Date.parse(iso) > now) await env.sleep(Date.parse(iso) - now);
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}; events ${recorded.map((e) => e.type).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a forum from registration through schedule, reminder, meetings and outcomes to held', async () => {
  const input: ForumWorkflowInput = { forum: FORUM, createdAt: new Date(await env.currentTimeMs()).toISOString(), settings: { meetingsPerEnterprise: 2, outcomeWindowDays: 14 } };
  const handle: WorkflowHandle<typeof forumWorkflow> = await env.client.workflow.start<typeof forumWorkflow>(forumWorkflowType, {
    taskQueue, workflowId: forumWorkflowId(FORUM.forumId), args: [input],
  });

  // ---- registration ----
  for (const enterpriseUscc of [E1, E2, E3, E4, E5]) {
    await handle.executeUpdate(registerUpdate, { args: [{ party: 'enterprise', enterpriseUscc, instruments: ['credit_loan'], amountCny: 5_000_000 }] });
  }
  await handle.executeUpdate(registerUpdate, { args: [{ party: 'institution', institutionId: 'bank-a', productIds: ['pa'], meetingsCapacity: 2 }] });
  await handle.executeUpdate(registerUpdate, { args: [{ party: 'institution', institutionId: 'bank-b', productIds: ['pb'], meetingsCapacity: 3 }] });
  await handle.executeUpdate(withdrawRegistrationUpdate, { args: [{ role: 'enterprise', org: E4 }] });
  expect(await rejectionOf(handle.executeUpdate(withdrawRegistrationUpdate, { args: [{ role: 'enterprise', org: E4 }] }))).toMatchObject({ type: CommandRejection.notFound });
  expect(eventsOf('forum.registration_added')).toHaveLength(7);
  expect(eventsOf('forum.registration_withdrawn')).toEqual([expect.objectContaining({ enterpriseUscc: E4 })]);

  // ---- the close: scheduled by the durable timer ----
  await sleepUntil('2027-01-20T02:00:01.000Z');
  await waitUntil(() => eventsOf('meeting.scheduled').length > 0, 'the schedule');
  const late = await rejectionOf(handle.executeUpdate(registerUpdate, { args: [{ party: 'enterprise', enterpriseUscc: E4, instruments: ['equity'], amountCny: 1_000_000 }] }));
  expect(late.type).toBe(CommandRejection.notAllowed);
  const { forum, meetings } = await handle.query(getForumQuery);
  expect(forum.status).toBe('scheduled');
  // bank-a holds its two best (E1 90, E2 85); bank-b its three best (E3 75, E1 70, E2 60); E5 (50) waits.
  const pairs = meetings.map((m) => `${m.enterpriseUscc.slice(-2)}-${m.institutionId}`).sort();
  expect(meetings.every((m) => m.enterpriseUscc !== E4)).toBe(true);
  expect(pairs).toEqual([E1, E1, E2, E2, E3].map((e, i) => `${e.slice(-2)}-${['bank-a', 'bank-b', 'bank-a', 'bank-b', 'bank-b'][i]}`).sort());
  // Nobody in two places at once, no table twice in a slot.
  for (const key of ['enterpriseUscc', 'institutionId', 'table'] as const) {
    const seen = meetings.map((m) => `${m.slot}|${m[key]}`);
    expect(new Set(seen).size).toBe(seen.length);
  }
  for (const m of meetings) expect(Date.parse(m.startsAt)).toBe(Date.parse(FORUM.startsAt) + m.slot * 3_600_000);

  // ---- meetings before the forum ----
  const e1a = meetings.find((m) => m.enterpriseUscc === E1 && m.institutionId === 'bank-a') as Meeting;
  const e2b = meetings.find((m) => m.enterpriseUscc === E2 && m.institutionId === 'bank-b') as Meeting;
  const e3b = meetings.find((m) => m.enterpriseUscc === E3 && m.institutionId === 'bank-b') as Meeting;
  const byE1: ForumParty = { role: 'enterprise', org: E1 };
  expect(await rejectionOf(handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e1a.meetingId, by: { role: 'enterprise', org: E2 } }] }))).toMatchObject({ type: CommandRejection.notFound });
  expect(await rejectionOf(handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e1a.meetingId, by: { role: 'institution', org: 'bank-b' } }] }))).toMatchObject({ type: CommandRejection.notFound });
  expect(await rejectionOf(handle.executeUpdate(meetingOutcomeUpdate, { args: [{ meetingId: e1a.meetingId, by: byE1, outcome: { held: true, followUp: 'apply' } }] }))).toMatchObject({ type: CommandRejection.notAllowed });
  expect((await handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e1a.meetingId, by: byE1 }] })).status).toBe('confirmed');
  expect(await rejectionOf(handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e1a.meetingId, by: { role: 'institution', org: 'bank-a' } }] }))).toMatchObject({ type: CommandRejection.notAllowed });
  await handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e3b.meetingId, by: { role: 'institution', org: 'bank-b' } }] });
  const declined = await handle.executeUpdate(declineMeetingUpdate, { args: [{ meetingId: e2b.meetingId, by: { role: 'institution', org: 'bank-b' } }] });
  expect(declined.declined.status).toBe('declined');
  // E2–bank-b's place goes to the next stable pair free in that slot: E5–bank-b, at the same table.
  expect(declined.replacement).toMatchObject({
    enterpriseUscc: E5, institutionId: 'bank-b', slot: e2b.slot, table: e2b.table, startsAt: e2b.startsAt, replaces: e2b.meetingId, status: 'scheduled', score: 50,
  });
  expect(eventsOf('meeting.scheduled').at(-1)).toMatchObject({ meetingId: declined.replacement?.meetingId, data: expect.objectContaining({ replaces: e2b.meetingId }) });
  expect(await rejectionOf(handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: e2b.meetingId, by: { role: 'enterprise', org: E2 } }] }))).toMatchObject({ type: CommandRejection.notAllowed });

  // ---- the reminder: the working day before, Beijing time ----
  await sleepUntil('2027-02-03T23:00:00.000Z');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(eventsOf('forum.reminder_sent')).toEqual([]);
  await sleepUntil('2027-02-04T01:00:01.000Z');
  await waitUntil(() => eventsOf('forum.reminder_sent').length > 0, 'the reminders');
  const reminders = eventsOf('forum.reminder_sent');
  for (const reminder of reminders) {
    expect(beijingDateOf(reminder.occurredAt)).toBe('2027-02-04');
    expect(reminder.data.day).toBe('2027-02-04');
  }
  // One per party with a meeting still on: E2 for its bank-a meeting only, E5 for the replacement.
  const reminded = reminders.map((r) => r.enterpriseUscc ?? r.institutionId).sort();
  expect(reminded).toEqual([E1, E2, E3, E5, 'bank-a', 'bank-b'].sort());
  expect(reminders.find((r) => r.enterpriseUscc === E2)?.data.meetingIds).not.toContain(e2b.meetingId);

  // ---- the forum ends: held; outcomes after ----
  await sleepUntil('2027-02-09T05:00:01.000Z');
  await waitUntil(() => eventsOf('forum.held').length === 1, 'forum.held');
  const held = await handle.executeUpdate(meetingOutcomeUpdate, { args: [{ meetingId: e1a.meetingId, by: { role: 'institution', org: 'bank-a' }, outcome: { held: true, followUp: 'apply', note: 'term sheet next week' } }] });
  expect(held).toMatchObject({ status: 'held', outcome: { held: true, followUp: 'apply' } });
  await handle.executeUpdate(meetingOutcomeUpdate, { args: [{ meetingId: e3b.meetingId, by: { role: 'enterprise', org: E3 }, outcome: { held: false, followUp: 'none' } }] });
  expect(latest(e3b.meetingId).status).toBe('no_show');
  expect(await rejectionOf(handle.executeUpdate(meetingOutcomeUpdate, { args: [{ meetingId: e1a.meetingId, by: byE1, outcome: { held: false, followUp: 'none' } }] }))).toMatchObject({ type: CommandRejection.notAllowed });

  // Unconfirmed meetings keep the workflow open for outcomes until the window closes.
  const outcome = await handle.result();
  expect(outcome.status).toBe('held');
  expect(recorded.map((e) => e.seq)).toEqual(recorded.map((_, i) => i + 1));
  expect(recorded.every((e) => e.eventId === `${FORUM.forumId}:${e.seq}` && e.forumId === FORUM.forumId)).toBe(true);
  expect(recorded[0]?.type).toBe('forum.opened');
  expect(eventsOf('meeting.held')).toEqual([expect.objectContaining({ meetingId: e1a.meetingId, enterpriseUscc: E1, institutionId: 'bank-a' })]);
  expect(eventsOf('meeting.no_show')).toHaveLength(1);
  expect(batches[batches.length - 1]?.forum.status).toBe('held');
});

test('ops schedules before the close, then cancels: registration shuts, the workflow ends cancelled', async () => {
  const now = await env.currentTimeMs();
  const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
  const forumId = 'early-forum';
  const handle = await env.client.workflow.start<typeof forumWorkflow>(forumWorkflowType, {
    taskQueue,
    workflowId: forumWorkflowId(forumId),
    args: [{
      forum: { ...FORUM, forumId, registrationClosesAt: at(10), startsAt: at(20), endsAt: new Date(now + 20 * 86_400_000 + 4 * 3_600_000).toISOString() },
      createdAt: new Date(now).toISOString(),
      settings: { meetingsPerEnterprise: 3, outcomeWindowDays: 14 },
    }],
  });
  await handle.executeUpdate(registerUpdate, { args: [{ party: 'enterprise', enterpriseUscc: E1, instruments: ['credit_loan'], amountCny: 5_000_000 }] });
  await handle.executeUpdate(registerUpdate, { args: [{ party: 'institution', institutionId: 'bank-a', productIds: ['pa'], meetingsCapacity: 5 }] });
  const scheduled = await handle.executeUpdate(scheduleNowUpdate, { args: [{ requestedBy: 'ops-tester' }] });
  expect(scheduled.forum.status).toBe('scheduled');
  expect(scheduled.activeMeetings).toBe(1);
  const [meeting] = (await handle.query(getForumQuery)).meetings;
  expect([meeting?.enterpriseUscc, meeting?.institutionId]).toEqual([E1, 'bank-a']);
  expect(await rejectionOf(handle.executeUpdate(scheduleNowUpdate, { args: [{ requestedBy: 'ops-tester' }] }))).toMatchObject({ type: CommandRejection.notAllowed });
  expect(await rejectionOf(handle.executeUpdate(withdrawRegistrationUpdate, { args: [{ role: 'enterprise', org: E1 }] }))).toMatchObject({ type: CommandRejection.notAllowed });

  const cancelled = await handle.executeUpdate(cancelForumUpdate, { args: [{ reason: 'venue unavailable' }] });
  expect(cancelled.forum.status).toBe('cancelled');
  expect((await handle.result()).status).toBe('cancelled');
  // The workflow has ended: a late command finds no workflow (the API answers 409).
  await expect(handle.executeUpdate(confirmMeetingUpdate, { args: [{ meetingId: meeting?.meetingId as string, by: { role: 'enterprise', org: E1 } }] })).rejects.toThrow(WorkflowNotFoundError);
  const own = recorded.filter((e) => e.forumId === forumId);
  expect(own.map((e) => e.type)).toEqual(['forum.opened', 'forum.registration_added', 'forum.registration_added', 'forum.scheduled', 'meeting.scheduled', 'forum.cancelled']);
  expect(own.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
});
