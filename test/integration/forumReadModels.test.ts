import type { ForumEvent, ForumRecord, Meeting } from '../../schemas';
import { agendaId, loadAgenda, loadForum, listForums, storeCreatedForum, storeForumBatch } from '../../store/forums';
import { randomUscc } from '../support/catalogue';
import { uniqueSuffix } from '../support/stack';
import { useTestStore } from '../support/store';
import { withWritesHeld } from '../support/heldWrites';

// The forums' read models on the real FerretDB: the API's first document, batches that update the
// forum and each participant's agenda by `_id`, and a retried or late batch that changes nothing.

const models = useTestStore({ prepare: false });

const T0 = '2027-03-01T01:00:00.000Z';

function forumRecord(forumId: string, status: ForumRecord['status']): ForumRecord {
  return {
    forumId, title: '测试对接会', theme: 'general', venue: '上海', startsAt: '2027-03-10T01:00:00.000Z', endsAt: '2027-03-10T03:00:00.000Z',
    slotMinutes: 30, tables: 2, registrationClosesAt: '2027-03-05T01:00:00.000Z', status, registrations: [], meetingsPerEnterprise: 3,
    cut: [], scheduledAt: status === 'open' ? null : T0, createdAt: T0, updatedAt: T0,
  };
}

function meeting(forumId: string, n: number, enterpriseUscc: string, institutionId: string, status: Meeting['status'] = 'scheduled'): Meeting {
  return {
    meetingId: `${forumId}-m${n}`, enterpriseUscc, enterpriseName: '甲公司', institutionId, institutionName: '乙银行',
    startsAt: '2027-03-10T01:00:00.000Z', endsAt: '2027-03-10T01:30:00.000Z', slot: n - 1, table: 1, score: 80, reasons: [],
    status, replaces: null, outcome: null, updatedAt: T0,
  };
}

const event = (forumId: string, seq: number, type: ForumEvent['type'], meetingId?: string): ForumEvent => ({
  eventId: `${forumId}:${seq}`, type, version: 1, seq, occurredAt: T0, forumId, ...(meetingId ? { meetingId } : {}), data: {},
});

test('a forum and its agendas: each party reads its own meetings by _id; a retried or older batch changes nothing', async () => {
  const forumId = `f-${uniqueSuffix()}`;
  const [e1, e2] = [randomUscc('CN-SH'), randomUscc('CN-SH')];
  await storeCreatedForum(models, forumRecord(forumId, 'open'));
  expect((await loadForum(models, forumId))?.forum.status).toBe('open');
  expect((await listForums(models)).some(({ forum }) => forum.forumId === forumId)).toBe(true);

  const m1 = meeting(forumId, 1, e1, 'bank-a');
  const m2 = meeting(forumId, 2, e2, 'bank-a');
  const scheduled = { forum: forumRecord(forumId, 'scheduled'), meetings: [m1, m2], events: [event(forumId, 1, 'forum.opened'), event(forumId, 2, 'meeting.scheduled', m1.meetingId), event(forumId, 3, 'meeting.scheduled', m2.meetingId)] };
  expect(await storeForumBatch(models, scheduled)).toBe(true);
  expect(await storeForumBatch(models, scheduled)).toBe(false);
  expect((await loadAgenda(models, forumId, e1)).map((m) => m.meetingId)).toEqual([m1.meetingId]);
  expect((await loadAgenda(models, forumId, 'bank-a')).map((m) => m.meetingId)).toEqual([m1.meetingId, m2.meetingId]);
  expect(await loadAgenda(models, forumId, randomUscc('CN-SH'))).toEqual([]);

  const confirmed = { ...m1, status: 'confirmed' as const };
  expect(await storeForumBatch(models, { forum: forumRecord(forumId, 'scheduled'), meetings: [confirmed], events: [event(forumId, 4, 'meeting.confirmed', m1.meetingId)] })).toBe(true);
  // A late copy of an earlier batch (a retry) does not roll the meeting back.
  expect(await storeForumBatch(models, { forum: forumRecord(forumId, 'open'), meetings: [m1], events: [event(forumId, 2, 'meeting.scheduled', m1.meetingId)] })).toBe(false);
  const stored = await loadForum(models, forumId);
  expect(stored?.forum.status).toBe('scheduled');
  expect(stored?.meetings.map((m) => [m.meetingId, m.status])).toEqual([[m1.meetingId, 'confirmed'], [m2.meetingId, 'scheduled']]);
  expect((await loadAgenda(models, forumId, 'bank-a')).find((m) => m.meetingId === m1.meetingId)?.status).toBe('confirmed');
  expect((await loadAgenda(models, forumId, e2)).map((m) => m.status)).toEqual(['scheduled']);
  expect(await models.forumAgendas.countDocuments({ _id: agendaId(forumId, e1) })).toBe(1);
});

test('an attempt of a forum batch that lands after the next batch changes neither the forum nor an agenda', async () => {
  const forumId = `f-${uniqueSuffix()}`;
  const e1 = randomUscc('CN-SH');
  const m1 = meeting(forumId, 1, e1, 'bank-a');
  const scheduled = { forum: forumRecord(forumId, 'scheduled'), meetings: [m1], events: [event(forumId, 1, 'forum.opened'), event(forumId, 2, 'meeting.scheduled', m1.meetingId)] };
  const confirmed = { forum: { ...forumRecord(forumId, 'scheduled'), updatedAt: '2027-03-02T01:00:00.000Z' }, meetings: [{ ...m1, status: 'confirmed' as const }], events: [event(forumId, 3, 'meeting.confirmed', m1.meetingId)] };
  const declined = { forum: { ...forumRecord(forumId, 'scheduled'), updatedAt: '2027-03-03T01:00:00.000Z' }, meetings: [{ ...m1, status: 'declined' as const }], events: [event(forumId, 4, 'meeting.declined', m1.meetingId)] };
  await storeForumBatch(models, scheduled);

  // The first attempt of the second batch reads what is stored, then its writes hang; its retry and the third batch land first.
  const { models: stalled, release } = withWritesHeld(models, ['forums', 'forumAgendas']);
  const late = storeForumBatch(stalled, confirmed);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await storeForumBatch(models, confirmed);
  await storeForumBatch(models, declined);
  release();
  await late;

  expect((await loadForum(models, forumId))?.meetings.map((m) => m.status)).toEqual(['declined']);
  expect((await loadAgenda(models, forumId, e1)).map((m) => m.status)).toEqual(['declined']);
  expect((await loadAgenda(models, forumId, 'bank-a')).map((m) => m.status)).toEqual(['declined']);
  expect((await listForums(models)).find(({ forum }) => forum.forumId === forumId)?.meetingCount).toBe(0);
});
