import { ApplicationView, DealView, type ApplicationRecord, type DealRecord } from '../../schemas';
import { collectionOf } from '../../store/collection';
import { listKey, readList } from '../../store/lists';
import { upgradeStoredDocuments } from '../../store/migrations';
import type { Models } from '../../store/models';
import { applicationDoc, findApplicationDoc, findDealDoc, storeBatch, storedApplication, storeSubmittedApplication, type ApplicationDoc } from '../../store/readModels';
import { randomUscc } from '../support/catalogue';
import { eventStream, HOUR, proposal, screened, T0 } from '../support/opsEvents';
import { testLogger, uniqueSuffix } from '../support/stack';
import { useTestStore } from '../support/store';
import { withWritesHeld } from '../support/heldWrites';

// The read models on the real FerretDB: batches append to the stored views in seq order, a retried
// or late batch never rolls a view back, and documents of the earlier layout are upgraded once.

const logger = testLogger();
const request = { instrument: 'credit_loan', amountCny: 8_000_000, termMonths: 12, purpose: 'New SMT line' } as const;

const models = useTestStore({ prepare: true });

function newApplication() {
  const applicationId = `app-${uniqueSuffix()}`;
  const uscc = randomUscc('CN-SH');
  const event = eventStream(applicationId, uscc);
  const record = (status: ApplicationRecord['status'], atMs: number): ApplicationRecord => ({
    applicationId,
    enterpriseUscc: uscc,
    status,
    request,
    screening: null,
    region: null,
    offerDeadline: null,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(atMs).toISOString(),
  });
  const deal = (n: number, status: DealRecord['status'], atMs: number): DealRecord => ({
    dealId: `${applicationId}-d${n}`,
    applicationId,
    enterpriseUscc: uscc,
    institutionId: `inst-${n}`,
    productId: `prod-${n}`,
    status,
    score: 80,
    reasons: proposal(`prod-${n}`).reasons,
    documentsRequested: [],
    documentsSubmitted: [],
    deadline: null,
    note: 'internal note',
    createdAt: new Date(T0 + n * HOUR).toISOString(),
    updatedAt: new Date(atMs).toISOString(),
  });
  return { applicationId, uscc, event, record, deal };
}

const applicationNow = async (applicationId: string) => (await findApplicationDoc(models, applicationId)) as ApplicationDoc;
const dealNow = async (dealId: string) => findDealDoc(models, dealId);
const viewOf = (doc: ApplicationDoc) => ApplicationView.parse(JSON.parse(doc.view));

test('batches append to the view in seq order; deals are merged and sorted; bookkeeping stays out', async () => {
  const { applicationId, event, record, deal } = newApplication();
  await storeSubmittedApplication(models, record('submitted', T0));
  expect(viewOf(await applicationNow(applicationId)).timeline).toEqual([]);

  const first = [event(1, 'application.submitted', T0, { request }), event(2, 'application.screened', T0 + 1, screened(true, T0 + 1))];
  expect(await storeBatch(models, { application: record('matching', T0 + 1), deals: [], events: first })).toBe(true);
  const second = [
    event(3, 'deal.proposed', T0 + 2 * HOUR, { ...proposal('prod-2'), rank: 1 }, { dealId: `${applicationId}-d2`, institutionId: 'inst-2' }),
    event(4, 'deal.proposed', T0 + 2 * HOUR, { ...proposal('prod-1'), rank: 2 }, { dealId: `${applicationId}-d1`, institutionId: 'inst-1' }),
  ];
  await storeBatch(models, { application: record('in_due_diligence', T0 + 2 * HOUR), deals: [deal(2, 'proposed', T0), deal(1, 'proposed', T0)], events: second });
  const third = [event(5, 'deal.declined', T0 + 3 * HOUR, { reason: 'outside our appetite' }, { dealId: `${applicationId}-d1`, institutionId: 'inst-1' })];
  await storeBatch(models, { application: record('in_due_diligence', T0 + 3 * HOUR), deals: [deal(1, 'declined', T0 + 3 * HOUR)], events: third });

  const stored = await applicationNow(applicationId);
  expect(stored).toMatchObject({ status: 'in_due_diligence', lastSeq: 5, enterpriseUscc: record('submitted', T0).enterpriseUscc });
  const view = viewOf(stored);
  expect(view.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  expect(view.deals.map((d) => [d.dealId, d.status])).toEqual([[`${applicationId}-d1`, 'declined'], [`${applicationId}-d2`, 'proposed']]);
  expect(stored.view).not.toContain('internal note');

  const dealDoc = await dealNow(`${applicationId}-d1`);
  expect(dealDoc).toMatchObject({ applicationId, institutionId: 'inst-1', status: 'declined', lastSeq: 5 });
  expect(DealView.parse(JSON.parse(dealDoc?.view ?? 'null'))).toMatchObject({ status: 'declined', request });
});

test('a retried batch, an older one and a late API write change nothing', async () => {
  const { applicationId, event, record, deal } = newApplication();
  const first = { application: record('matching', T0 + 1), deals: [], events: [event(1, 'application.submitted', T0, { request })] };
  const second = {
    application: record('in_due_diligence', T0 + 2),
    deals: [deal(1, 'proposed', T0 + 2)],
    events: [event(2, 'deal.proposed', T0 + 2, { ...proposal('prod-1'), rank: 1 }, { dealId: `${applicationId}-d1`, institutionId: 'inst-1' })],
  };
  await storeBatch(models, first);
  await storeBatch(models, second);
  const before = await applicationNow(applicationId);

  expect(await storeBatch(models, second)).toBe(false);
  expect(await storeBatch(models, first)).toBe(false);
  await storeSubmittedApplication(models, record('submitted', T0));

  expect(await applicationNow(applicationId)).toEqual(before);
  expect((await dealNow(`${applicationId}-d1`))?.status).toBe('proposed');
});

test('an attempt of a batch that lands after the next batch changes nothing', async () => {
  const { applicationId, event, record, deal } = newApplication();
  const dealId = `${applicationId}-d1`;
  const proposed = event(2, 'deal.proposed', T0 + 2, { ...proposal('prod-1'), rank: 1 }, { dealId, institutionId: 'inst-1' });
  const first = { application: record('matching', T0 + 1), deals: [], events: [event(1, 'application.submitted', T0, { request })] };
  const second = { application: record('in_due_diligence', T0 + 2), deals: [deal(1, 'proposed', T0 + 2)], events: [proposed] };
  const third = {
    application: record('in_due_diligence', T0 + 3),
    deals: [deal(1, 'declined', T0 + 3)],
    events: [event(3, 'deal.declined', T0 + 3, { reason: 'outside our appetite' }, { dealId, institutionId: 'inst-1' })],
  };
  await storeBatch(models, first);

  // The first attempt of the second batch reads the stored view, then its writes hang (an election, a worker cut off)...
  const { models: stalled, release } = withWritesHeld(models, ['applications', 'deals']);
  const late = storeBatch(stalled, second);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // ...its retry and the third batch land meanwhile, then the late attempt's writes go through.
  await storeBatch(models, second);
  await storeBatch(models, third);
  const newest = await applicationNow(applicationId);
  release();
  await late;

  expect(await applicationNow(applicationId)).toEqual(newest);
  expect(viewOf(newest).timeline.map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(await dealNow(dealId)).toMatchObject({ status: 'declined', lastSeq: 3 });
});

test('a document of the earlier, flat layout is read as it is and moves forward with its next batch', async () => {
  const { applicationId, event, record } = newApplication();
  const first = [event(1, 'application.submitted', T0, { request })];
  const { _id, ...flat } = applicationDoc(record('screening', T0 + 1), first, [], 1);
  await collectionOf(models.applications).insertOne({ _id, ...flat });
  expect(await applicationNow(applicationId)).toMatchObject({ status: 'screening', lastSeq: 1 });

  const second = { application: record('withdrawn', T0 + 2), deals: [], events: [event(2, 'application.withdrawn', T0 + 2, { reason: 'Financed elsewhere' })] };
  expect(await storeBatch(models, second)).toBe(true);
  const after = await applicationNow(applicationId);
  expect(after).toMatchObject({ status: 'withdrawn', lastSeq: 2 });
  expect(viewOf(after).timeline.map((e) => e.seq)).toEqual([1, 2]);
  expect(await storeBatch(models, { application: record('screening', T0 + 1), deals: [], events: first })).toBe(false);
  expect(await applicationNow(applicationId)).toEqual(after);
});

test('the API\'s submitted document loses to a workflow batch whichever lands first', async () => {
  const { applicationId, event, record } = newApplication();
  const batch = { application: record('screening', T0 + 1), deals: [], events: [event(1, 'application.submitted', T0, { request })] };
  await Promise.all([storeSubmittedApplication(models, record('submitted', T0)), storeBatch(models, batch)]);
  expect(await applicationNow(applicationId)).toMatchObject({ status: 'screening', lastSeq: 1 });
});

test('the application and each new deal are listed once, whoever writes first and however often a batch is retried', async () => {
  const { applicationId, uscc, event, record, deal } = newApplication();
  const first = { application: record('screening', T0 + 1), deals: [], events: [event(1, 'application.submitted', T0, { request })] };
  const second = {
    application: record('in_due_diligence', T0 + 2),
    deals: [deal(1, 'proposed', T0 + 2), deal(2, 'proposed', T0 + 2)],
    events: [event(2, 'deal.proposed', T0 + 2, { ...proposal('prod-1'), rank: 1 }, { dealId: `${applicationId}-d1`, institutionId: 'inst-1' })],
  };
  await Promise.all([storeSubmittedApplication(models, record('submitted', T0)), storeBatch(models, first)]);
  const afterFirst = await applicationNow(applicationId);
  await storeBatch(models, second);
  // As if the batch died after writing its deals, before the application: its retry lists them again.
  const { _id, ...stored } = storedApplication(afterFirst);
  await collectionOf(models.applications).replaceOne({ _id }, stored);
  await storeBatch(models, second);

  const listed = async (list: string, items: Models['applications' | 'deals']) =>
    (await readList(models, list, items, { limit: 100, maxEntries: 500 })).docs.map((doc) => doc._id);
  expect(await listed(listKey.applicationsOf(uscc), models.applications)).toEqual([applicationId]);
  expect((await listed(listKey.allApplications, models.applications)).filter((id) => id === applicationId)).toHaveLength(1);
  expect(await listed(listKey.inbox('inst-1'), models.deals)).toContain(`${applicationId}-d1`);
  const allDeals = await listed(listKey.allDeals, models.deals);
  expect(allDeals.filter((id) => id.startsWith(applicationId))).toEqual([`${applicationId}-d2`, `${applicationId}-d1`]);
});

test('documents stored in the earlier layout are upgraded once, with their timeline', async () => {
  const { applicationId, event, record, deal } = newApplication();
  const events = [
    event(1, 'application.submitted', T0, { request }),
    event(2, 'deal.proposed', T0 + 1, { ...proposal('prod-1'), rank: 1 }, { dealId: `${applicationId}-d1`, institutionId: 'inst-1' }),
  ];
  // The earlier layout: the record's fields, the deal's fields, one document per event.
  await models.applications.create({ _id: applicationId, ...record('in_due_diligence', T0 + 1), lastSeq: 2 });
  await models.deals.create({ _id: `${applicationId}-d1`, ...deal(1, 'proposed', T0 + 1), lastSeq: 2 });
  const legacyEvents = models.applications.db.collection<{ _id: string }>('events');
  await legacyEvents.insertMany(events.reverse().map((e) => ({ _id: e.eventId, ...e })));
  await models.migrations.deleteOne({ _id: '2026-11-read-model-views' });

  await upgradeStoredDocuments(models, logger);

  const view = viewOf(await applicationNow(applicationId));
  expect(view).toMatchObject({ status: 'in_due_diligence', deals: [{ dealId: `${applicationId}-d1`, status: 'proposed' }] });
  expect(view.timeline.map((e) => e.seq)).toEqual([1, 2]);
  expect((await dealNow(`${applicationId}-d1`))?.view).toContain('"request"');
  expect(await models.migrations.exists({ _id: '2026-11-read-model-views' })).not.toBeNull();
  await legacyEvents.deleteMany({ applicationId });
});
