import type { mongo } from 'mongoose';
import { collectionOf, isDuplicateKey, type StoredDoc } from './collection';
import type { Models } from './models';

// Lists the API pages through (an institution's inbox, an enterprise's applications, ops' views of
// all), kept as documents found by `_id` alone: FerretDB 1.x scans the whole collection for any
// other filter, so a page must cost what it returns, not what the store holds.
//
// A list is a dense sequence of entries `<list>#1`, `<list>#2`, … each naming the id of what it
// lists. The unique `_id` is the atomic primitive (no transactions on FerretDB): an append claims
// the next free position by inserting it, and on a duplicate key tries the one after. A marker
// `<list>@<itemId>` naming the position is inserted after the entry: a retried append finds it and
// does nothing, and when two writers of one item race (the API and the workflow both list a new
// application), the first marker wins and the other entry stays a blank readers skip, because a
// reader takes an entry only when its item's marker names that very position (the winner marks
// its entry `confirmed`, which spares readers that look-up). The head `<list>`
// holds the highest position known, raised with `$max` after each append; it may lag (a writer
// died in between), so readers probe past it, and writers skip past taken positions anyway.
//
// Positions are never reused or removed, so `n` is a stable cursor: a page reads downwards from it.

/** The lists the read models keep. Ids never contain ':', '#' or '@' (schemas/common.ts, Uscc). */
export const listKey = {
  inbox: (institutionId: string) => `inbox:${institutionId}`,
  allDeals: 'deals:all',
  applicationsOf: (uscc: string) => `apps:${uscc}`,
  allApplications: 'apps:all',
};

/** Lists applications (oldest first) in their enterprise's list and in ops' list of all. */
export async function listApplications(models: Models, applications: readonly { applicationId: string; enterpriseUscc: string }[]): Promise<void> {
  const byEnterprise = groupBy(applications, (application) => listKey.applicationsOf(application.enterpriseUscc), (application) => application.applicationId);
  await Promise.all([
    appendToList(models, listKey.allApplications, applications.map((application) => application.applicationId)),
    ...[...byEnterprise].map(([list, ids]) => appendToList(models, list, ids)),
  ]);
}

/** Lists deals (oldest first) in their institution's inbox and in ops' list of all. */
export async function listDeals(models: Models, deals: readonly { dealId: string; institutionId: string }[]): Promise<void> {
  const byInstitution = groupBy(deals, (deal) => listKey.inbox(deal.institutionId), (deal) => deal.dealId);
  await Promise.all([
    appendToList(models, listKey.allDeals, deals.map((deal) => deal.dealId)),
    ...[...byInstitution].map(([list, ids]) => appendToList(models, list, ids)),
  ]);
}

function groupBy<T>(values: readonly T[], keyOf: (value: T) => string, valueOf: (value: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key);
    if (group) group.push(valueOf(value));
    else groups.set(key, [valueOf(value)]);
  }
  return groups;
}

const entryId = (list: string, n: number): string => `${list}#${n}`;
const markerId = (list: string, itemId: string): string => `${list}@${itemId}`;

type Entries = mongo.Collection<StoredDoc>;

const PARALLEL_READS = 32;

/**
 * Lists the items at the end of the list, in the order given, unless they are listed already.
 * Call it before the items' documents are written: a listed item whose document is not there yet
 * is skipped by readers, while a document written first could be missing from its lists for good.
 */
export async function appendToList(models: Models, list: string, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  const entries = collectionOf(models.listEntries);
  const distinct = [...new Set(itemIds)];
  const markers = await inChunks(distinct, (itemId) => entries.findOne({ _id: markerId(list, itemId) }, { projection: { _id: 1 } }));
  let pending = distinct.filter((_, i) => markers[i] === null);
  if (pending.length === 0) return;

  const claimed: { itemId: string; n: number }[] = [];
  let next = (await headOf(entries, list)) + 1;
  while (pending.length > 0) {
    const positions = pending.map((itemId, i) => ({ itemId, n: next + i }));
    try {
      await entries.insertMany(positions.map(({ itemId, n }) => ({ _id: entryId(list, n), itemId })), { ordered: true });
      claimed.push(...positions);
      break;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Ordered: everything before the first taken position is ours; go on past it.
      const inserted = firstFailedIndex(error);
      claimed.push(...positions.slice(0, inserted));
      pending = pending.slice(inserted);
      next += inserted + 1;
    }
  }
  const won = await insertMarkers(entries, list, claimed);
  await Promise.all([
    // A confirmed entry is one its marker names: readers then skip reading the marker.
    confirm(entries, list, won),
    raiseHead(entries, list, (claimed[claimed.length - 1] as { n: number }).n),
  ]);
}

export interface ListPageQuery<T> {
  /** The position to read first (a cursor); the newest entry when absent. */
  from?: number | undefined;
  limit: number;
  /** The most entries one page may read: a filter that rarely matches answers fewer items, with a cursor. */
  maxEntries: number;
  keep?: ((doc: T) => boolean) | undefined;
}

/**
 * One page of a list, newest first, with the listed documents read from `items` by `_id`. `next`
 * is the position to read next, null at the end of the list.
 */
export async function readList<T extends StoredDoc>(models: Models, list: string, items: Models[keyof Models], query: ListPageQuery<T>): Promise<{ docs: T[]; next: number | null }> {
  const entries = collectionOf(models.listEntries);
  const listed = collectionOf(items);
  let position = query.from ?? (await topOf(entries, list));
  let read = 0;
  const docs: T[] = [];
  // Rounds of parallel reads, each no larger than what the page still lacks, so a page without a
  // filter reads exactly its items (and the blanks among them).
  while (position >= 1 && docs.length < query.limit && read < query.maxEntries) {
    const count = Math.min(query.limit - docs.length, query.maxEntries - read, position);
    const round = Array.from({ length: count }, (_, i) => position - i);
    const found = await Promise.all(round.map((n) => listedAt(entries, listed, list, n)));
    for (const doc of found) if (doc && (!query.keep || query.keep(doc as T))) docs.push(doc as T);
    read += count;
    position -= count;
  }
  return { docs, next: position >= 1 ? position : null };
}

/** The document listed at position n, or null for a blank, a position not taken, or a document not written yet. */
async function listedAt(entries: Entries, listed: Entries, list: string, n: number): Promise<StoredDoc | null> {
  const entry = await entries.findOne({ _id: entryId(list, n) });
  if (!entry) return null;
  const itemId = String(entry.itemId);
  if (entry.confirmed === true) return listed.findOne({ _id: itemId });
  // Being appended, or a writer lost the race for this item's marker (or died before confirming).
  const [marker, doc] = await Promise.all([
    entries.findOne({ _id: markerId(list, itemId) }, { projection: { n: 1 } }),
    listed.findOne({ _id: itemId }),
  ]);
  return marker?.n === n ? doc : null;
}

async function headOf(entries: Entries, list: string): Promise<number> {
  const head = await entries.findOne({ _id: list }, { projection: { n: 1 } });
  return typeof head?.n === 'number' ? head.n : 0;
}

/** The newest position taken: the head, or past it when a writer has not raised it yet. */
async function topOf(entries: Entries, list: string): Promise<number> {
  let top = await headOf(entries, list);
  while (await entries.findOne({ _id: entryId(list, top + 1) }, { projection: { _id: 1 } })) top += 1;
  return top;
}

async function raiseHead(entries: Entries, list: string, n: number): Promise<void> {
  try {
    await entries.updateOne({ _id: list }, { $max: { n } }, { upsert: true });
  } catch (error) {
    // Two first appends raced to create the head (FerretDB does not retry that upsert): it exists now.
    if (!isDuplicateKey(error)) throw error;
    await entries.updateOne({ _id: list }, { $max: { n } });
  }
}

/** Inserts the markers of the claimed positions; answers those inserted, not those another writer of the item inserted first. */
async function insertMarkers(entries: Entries, list: string, claimed: readonly { itemId: string; n: number }[]): Promise<{ itemId: string; n: number }[]> {
  try {
    await entries.insertMany(claimed.map(({ itemId, n }) => ({ _id: markerId(list, itemId), n })), { ordered: false });
    return [...claimed];
  } catch (error) {
    const failures = writeErrorsOf(error);
    if (failures.length === 0 || !failures.every((failure) => failure.code === 11000)) throw error;
    const lost = new Set(failures.map((failure) => failure.index));
    return claimed.filter((_, i) => !lost.has(i));
  }
}

/** Marks the entries whose marker this append inserted. */
async function confirm(entries: Entries, list: string, won: readonly { n: number }[]): Promise<void> {
  // One update command per entry: FerretDB 1.24 slows down and then stops answering update commands of many statements.
  await inChunks(won, ({ n }) => entries.updateOne({ _id: entryId(list, n) }, { $set: { confirmed: true } }));
}

/** Parallel reads a few at a time: a long list of items must not queue past the pool's wait limit. */
async function inChunks<T, R>(values: readonly T[], read: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < values.length; start += PARALLEL_READS) {
    results.push(...(await Promise.all(values.slice(start, start + PARALLEL_READS).map(read))));
  }
  return results;
}

type WriteError = { index: number; code: number };

function writeErrorsOf(error: unknown): WriteError[] {
  const writeErrors = (error as { writeErrors?: WriteError | WriteError[] }).writeErrors;
  if (writeErrors === undefined) return [];
  return Array.isArray(writeErrors) ? writeErrors : [writeErrors];
}

function firstFailedIndex(error: unknown): number {
  const [first] = writeErrorsOf(error);
  if (!first) throw error;
  return first.index;
}
