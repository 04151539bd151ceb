import { connectMongo } from '../../adapters/mongo';
import { collectionOf } from '../../store/collection';
import { appendToList, listDeals, listKey, readList } from '../../store/lists';
import { upgradeStoredDocuments } from '../../store/migrations';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

// The lists on the real FerretDB: appends from many writers at once lose nothing and list nothing
// twice, retries change nothing, pages read newest first and stop at their bound.

const logger = testLogger();

let models: Models;
let close: () => Promise<void>;

beforeAll(async () => {
  const mongo = await connectMongo(testConfig(), logger);
  models = defineModels(mongo.connection);
  close = mongo.close;
  await prepareStore(models, logger);
});
afterAll(() => close());

type Item = { _id: string; status: string };

/** Stores items in a collection of read-model documents (the deals collection will do) and lists them. */
async function storedItems(count: number, status: (i: number) => string = (i) => (i % 2 === 0 ? 'even' : 'odd')): Promise<{ list: string; ids: string[] }> {
  const list = `test:${uniqueSuffix()}`;
  const ids = Array.from({ length: count }, (_, i) => `${list.slice(5)}-${i}`);
  await collectionOf(models.deals).insertMany(ids.map((_id, i) => ({ _id, status: status(i) })));
  return { list, ids };
}

/** Every item of the list, newest first, page by page; fails on a page that reads past its bound. */
async function readAll(list: string, limit: number, keep?: (doc: Item) => boolean): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let from: number | undefined;
  for (let pages = 1; ; pages += 1) {
    const { docs, next } = await readList<Item>(models, list, models.deals, { from, limit, maxEntries: 5 * limit, keep });
    expect(docs.length).toBeLessThanOrEqual(limit);
    ids.push(...docs.map((doc) => doc._id));
    if (next === null) return { ids, pages };
    from = next;
  }
}

test('appends of one list from many writers at once, each item twice, list every item exactly once', async () => {
  const { list, ids } = await storedItems(12);
  await Promise.all([...ids, ...ids].map((id) => appendToList(models, list, [id])));
  const { ids: listed } = await readAll(list, 100);
  expect([...listed].sort()).toEqual([...ids].sort());
}, 20_000);

test('a retried append changes nothing, and a batch keeps its order', async () => {
  const { list, ids } = await storedItems(5);
  await appendToList(models, list, ids.slice(0, 3));
  await appendToList(models, list, ids);
  await appendToList(models, list, ids);
  expect((await readAll(list, 10)).ids).toEqual([...ids].reverse());
  expect(await collectionOf(models.listEntries).findOne({ _id: `${list}#6` })).toBeNull();
});

test('pages read newest first; the cursor goes on where the page stopped and null ends the list', async () => {
  const { list, ids } = await storedItems(7);
  for (const id of ids) await appendToList(models, list, [id]);
  const first = await readList<Item>(models, list, models.deals, { limit: 3, maxEntries: 15 });
  expect(first.docs.map((doc) => doc._id)).toEqual([ids[6], ids[5], ids[4]]);
  const second = await readList<Item>(models, list, models.deals, { from: first.next ?? undefined, limit: 3, maxEntries: 15 });
  expect(second.docs.map((doc) => doc._id)).toEqual([ids[3], ids[2], ids[1]]);
  const last = await readList<Item>(models, list, models.deals, { from: second.next ?? undefined, limit: 3, maxEntries: 15 });
  expect(last).toEqual({ docs: [expect.objectContaining({ _id: ids[0] })], next: null });
});

test('a head that lags is probed past; a losing writer\'s entry and an item not written yet are skipped', async () => {
  const { list, ids } = await storedItems(3);
  const entries = collectionOf(models.listEntries);
  await appendToList(models, list, ids);
  // What a writer that lost the race for ids[0]'s marker leaves behind: an entry its marker does not name.
  await entries.insertOne({ _id: `${list}#4`, itemId: ids[0] as string });
  await entries.updateOne({ _id: list }, { $set: { n: 1 } });
  await appendToList(models, list, ['not-written-yet']);
  expect(await entries.findOne({ _id: `${list}#5` })).toMatchObject({ itemId: 'not-written-yet' });
  await entries.updateOne({ _id: list }, { $set: { n: 1 } });
  expect((await readAll(list, 10)).ids).toEqual([...ids].reverse());
});

test('a status filter reads at most its bound per page and answers fewer items with a cursor', async () => {
  const { list, ids } = await storedItems(30, (i) => (i === 0 ? 'rare' : 'common'));
  await appendToList(models, list, ids);
  const keep = (doc: Item) => doc.status === 'rare';
  const first = await readList<Item>(models, list, models.deals, { limit: 2, maxEntries: 10, keep });
  expect(first).toEqual({ docs: [], next: 20 });
  const { ids: found, pages } = await readAll(list, 2, keep);
  expect(found).toEqual([ids[0]]);
  expect(pages).toBe(3);
});

test('the migration lists the deals stored before lists existed, oldest first', async () => {
  const institutionId = `inst-${uniqueSuffix()}`;
  const deals = [2, 1, 3].map((hour) => ({
    _id: `${institutionId}-d${hour}`,
    institutionId,
    status: 'proposed',
    view: JSON.stringify({ createdAt: `2026-11-01T0${hour}:00:00.000Z` }),
  }));
  await collectionOf(models.deals).insertMany(deals);
  await models.migrations.deleteOne({ _id: '2026-11-lists' });
  await upgradeStoredDocuments(models, logger);
  await listDeals(models, [{ dealId: deals[0]?._id as string, institutionId }]);
  expect((await readAll(listKey.inbox(institutionId), 10)).ids).toEqual([`${institutionId}-d3`, `${institutionId}-d2`, `${institutionId}-d1`]);
});
