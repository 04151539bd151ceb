import type { PlacedMeeting } from '../domain/forums/schedule';
import { ForumRecord, Meeting, type RecordForumEventsInput } from '../schemas';
import { collectionOf, upsertById, withCurrent, writeForward, type StoredDoc } from './collection';
import type { Models } from './models';

// The forums' read models, written by the forum workflow's `recordForumEvents` activity, every
// read and write by `_id` (see readModels.ts for why):
//   forums         _id = forumId: the forum record (status, registrations, cut pairs) and every meeting (ops' agenda)
//   forum_agendas  _id = `${forumId}:${uscc or institutionId}`: one participant's meetings, so a party's agenda is one read
//   forum_schedules _id = `${forumId}#${page}`: the computed schedule, in pages the workflow reads one activity at a time
// As for applications (readModels.ts), writes only move forward: what a batch changes is kept in
// `current`, whose first field is `lastSeq`, written with `$max` by `_id`, so an attempt of a batch
// that lands after a newer one changes nothing. Readers take `current` over the fixed fields
// (withCurrent), and documents of the earlier, flat layout as they are.

export type ForumDoc = {
  _id: string;
  status: ForumRecord['status'];
  lastSeq: number;
  updatedAt: string;
  /** ForumRecord as JSON. */
  record: string;
  /** Meeting[] as JSON, in slot and table order. */
  meetings: string;
  /** Meetings not declined, for the list. */
  meetingCount: number;
};

type AgendaDoc = {
  _id: string;
  forumId: string;
  lastSeq: number;
  meetings: string;
};

export const agendaId = (forumId: string, org: string): string => `${forumId}:${org}`;

const byTime = (a: Meeting, b: Meeting): number => a.slot - b.slot || a.table - b.table || a.meetingId.localeCompare(b.meetingId);

function merged(storedJson: string | undefined, changed: readonly Meeting[]): string {
  const ids = new Set(changed.map((m) => m.meetingId));
  const before = storedJson ? (JSON.parse(storedJson) as Meeting[]) : [];
  return JSON.stringify([...before.filter((m) => !ids.has(m.meetingId)), ...changed].sort(byTime));
}

/** The forum as `PUT /v1/forums/:forumId` stores it, before its workflow has written anything (whose writes win). */
export async function storeCreatedForum(models: Models, record: ForumRecord): Promise<void> {
  await writeForward(collectionOf(models.forums), storedForum(ForumRecord.parse(record), '[]', 0));
}

/** Stored: everything a batch changes is in `current`, `lastSeq` first. */
function storedForum(record: ForumRecord, meetings: string, lastSeq: number): { _id: string; current: Omit<ForumDoc, '_id'> } {
  const meetingCount = (JSON.parse(meetings) as Meeting[]).filter((m) => m.status !== 'declined').length;
  return { _id: record.forumId, current: { lastSeq, status: record.status, updatedAt: record.updatedAt, record: JSON.stringify(record), meetings, meetingCount } };
}

const forumOf = (raw: StoredDoc | null): ForumDoc | null => withCurrent<ForumDoc>(raw);
const agendaOf = (raw: StoredDoc | null): AgendaDoc | null => withCurrent<AgendaDoc>(raw);

/**
 * One batch of a forum's events into the read models: the agendas of the participants whose
 * meetings changed first, then the forum (whose `lastSeq` says the whole batch landed). Returns
 * false for a batch already stored.
 */
export async function storeForumBatch(models: Models, { forum, meetings, events }: RecordForumEventsInput): Promise<boolean> {
  const lastSeq = events[events.length - 1]?.seq ?? 0;
  const forums = collectionOf(models.forums);
  const stored = forumOf(await forums.findOne({ _id: forum.forumId }));
  if (stored && stored.lastSeq >= lastSeq) return false;

  const byParty = new Map<string, Meeting[]>();
  for (const meeting of meetings) {
    for (const org of [meeting.enterpriseUscc, meeting.institutionId]) byParty.set(org, [...(byParty.get(org) ?? []), meeting]);
  }
  const agendas = collectionOf(models.forumAgendas);
  await Promise.all([...byParty].map(async ([org, changed]) => {
    const _id = agendaId(forum.forumId, org);
    const doc = agendaOf(await agendas.findOne({ _id }));
    if (doc && doc.lastSeq >= lastSeq) return;
    await writeForward(agendas, { _id, forumId: forum.forumId, current: { lastSeq, meetings: merged(doc?.meetings, changed) } });
  }));
  await writeForward(forums, storedForum(forum, merged(stored?.meetings, meetings), lastSeq));
  return true;
}

export interface StoredForum {
  forum: ForumRecord;
  meetings: Meeting[];
}

export async function loadForum(models: Models, forumId: string): Promise<StoredForum | null> {
  const doc = forumOf(await collectionOf(models.forums).findOne({ _id: forumId }));
  if (!doc) return null;
  return { forum: JSON.parse(doc.record) as ForumRecord, meetings: JSON.parse(doc.meetings) as Meeting[] };
}

/** One participant's meetings at a forum (none before scheduling). */
export async function loadAgenda(models: Models, forumId: string, org: string): Promise<Meeting[]> {
  const doc = agendaOf(await collectionOf(models.forumAgendas).findOne({ _id: agendaId(forumId, org) }));
  return doc ? (JSON.parse(doc.meetings) as Meeting[]) : [];
}

/**
 * Every forum, soonest first. A scan of the collection: a summit runs a handful of forums a year,
 * so the list stays a few documents and FerretDB's full read of it costs nothing worth an index.
 */
export async function listForums(models: Models): Promise<{ forum: ForumRecord; meetingCount: number }[]> {
  const docs = await collectionOf(models.forums).find({}, { projection: { record: 1, meetingCount: 1, current: 1 } }).toArray();
  return docs
    .map((raw) => forumOf(raw) as Pick<ForumDoc, 'record' | 'meetingCount'>)
    .map((doc) => ({ forum: JSON.parse(doc.record) as ForumRecord, meetingCount: doc.meetingCount ?? 0 }))
    .sort((a, b) => a.forum.startsAt.localeCompare(b.forum.startsAt) || a.forum.forumId.localeCompare(b.forum.forumId));
}

const scheduleId = (forumId: string, page: number): string => `${forumId}#${page}`;

/** Writes a computed schedule in pages (a retried schedule writes the same pages again). */
export async function storeSchedulePages(models: Models, forumId: string, pages: readonly PlacedMeeting[][]): Promise<void> {
  const collection = collectionOf(models.forumSchedules);
  await Promise.all(pages.map((placed, page) => upsertById(collection, scheduleId(forumId, page), { forumId, placed: JSON.stringify(placed) })));
}

export async function loadSchedulePage(models: Models, forumId: string, page: number): Promise<PlacedMeeting[]> {
  const doc = await collectionOf(models.forumSchedules).findOne({ _id: scheduleId(forumId, page) });
  if (!doc) throw new Error(`schedule page ${page} of forum ${forumId} is missing`);
  return JSON.parse(doc.placed as string) as PlacedMeeting[];
}
