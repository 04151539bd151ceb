import {
  candidate,
  DAY_MS,
  dealEvents,
  dealIdOf,
  dealOf,
  dealsProposed,
  decide,
  HOUR_MS,
  issueTermSheet,
  read,
  settled,
  startWithOneDeal,
  submitDocuments,
  TEST_TIMEOUT_MS,
  useHarness,
  type Application,
} from './support';

// Working-day SLAs across the Spring Festival 2026 (days off 15–23 February, Saturday 14 and
// Saturday 28 February worked) and National Day 2026 (days off 1–7 October, Saturday 10 October
// worked), from the State Council's notice for 2026. The server's clock starts before the Spring
// Festival and only moves forward, so the tests run in date order. Each deadline below is worked
// out by hand from the notice, and checked an hour before (nothing happened) and an hour after
// (it fired, with its reason).

const h = useHarness({ startAt: '2026-02-12T01:00:00Z' });

const ms = (iso: string): number => Date.parse(iso);

async function sleepUntil(iso: string): Promise<void> {
  const wait = ms(iso) - (await h().env.currentTimeMs());
  if (wait < 0) throw new Error(`the test clock is already past ${iso}`);
  await h().env.sleep(wait);
}

/** Sleeps to an hour before `deadline`, checks `before`, then to an hour after, and waits for `after`. */
async function acrossDeadline(deadline: string, before: () => Promise<void>, after: () => Promise<void>): Promise<void> {
  await sleepUntil(new Date(ms(deadline) - HOUR_MS).toISOString());
  await before();
  await sleepUntil(new Date(ms(deadline) + HOUR_MS).toISOString());
  await after();
}

const statusOf = async (app: Application, dealId: string): Promise<string> => dealOf(await read(app), dealId).status;

async function expectExpired(app: Application, dealId: string, reason: string): Promise<void> {
  await settled(app, (s) => dealOf(s, dealId).status === 'expired', `${dealId} to expire`);
  expect(dealEvents(app.market.events, dealId).at(-1)).toBe(`deal.expired(${reason})`);
}

/** The deal is still `statusBefore` an hour before `deadline`, and an hour after it has expired for `reason`. */
async function expectExpiryAt(deadline: string, app: Application, dealId: string, statusBefore: string, reason: string): Promise<void> {
  await acrossDeadline(deadline,
    async () => expect(await statusOf(app, dealId)).toBe(statusBefore),
    () => expectExpired(app, dealId, reason));
}

test('Spring Festival 2026: a 3-working-day response SLA and a 2-working-day documents deadline skip the holiday and count the make-up Saturday', async () => {
  // Thursday 12 February, 10:00 Beijing time.
  await sleepUntil('2026-02-12T02:00:00Z');
  const response = await h().start({ candidates: [candidate(1, { responseSlaWorkingDays: 3 })], settings: { topK: 1 } });
  const documents = await h().start({ candidates: [candidate(1)], settings: { topK: 1, documentsDeadlineDays: 2 } });
  const [responseDeal, documentsDeal] = [dealIdOf(response, 1), dealIdOf(documents, 1)];

  // Friday 13 (1), Saturday 14 worked (2), 15–23 off, Tuesday 24 (3): 24:00 Beijing = 16:00 UTC.
  const proposed = dealOf(await dealsProposed(response, 1), responseDeal);
  expect(proposed.deadline).toBe('2026-02-24T16:00:00.000Z');
  expect(proposed.deadlineProvisional).toBe(false);

  // Friday 13 (1), Saturday 14 worked (2): 24:00 Beijing of the make-up day.
  await dealsProposed(documents, 1);
  await decide(documents, documentsDeal, { action: 'express_interest' });
  const requested = await decide(documents, documentsDeal, { action: 'request_documents', documents: ['tax_records'] });
  expect(requested.deal?.deadline).toBe('2026-02-14T16:00:00.000Z');

  await expectExpiryAt('2026-02-14T16:00:00.000Z', documents, documentsDeal, 'documents_requested', 'documents_not_submitted');
  // 72 calendar hours would have lapsed on 15 February; the working-day SLA still runs.
  expect(await statusOf(response, responseDeal)).toBe('proposed');

  await expectExpiryAt('2026-02-24T16:00:00.000Z', response, responseDeal, 'proposed', 'response_sla_elapsed');
}, TEST_TIMEOUT_MS);

test('Spring Festival 2026: a 3-working-day due-diligence SLA from Wednesday 25 February ends with the make-up Saturday 28 February', async () => {
  await sleepUntil('2026-02-25T02:00:00Z');
  const { app, dealId } = await startWithOneDeal(h(), { responseSlaWorkingDays: 10, ddSlaWorkingDays: 3 });
  const interested = await decide(app, dealId, { action: 'express_interest' });
  // Thursday 26 (1), Friday 27 (2), Saturday 28 worked (3).
  expect(interested.deal?.deadline).toBe('2026-02-28T16:00:00.000Z');

  await expectExpiryAt('2026-02-28T16:00:00.000Z', app, dealId, 'interested', 'due_diligence_sla_elapsed');
}, TEST_TIMEOUT_MS);

test('National Day 2026: from Wednesday 30 September, due diligence (1), the offer window (2) and the response SLA (3 working days) end on 8, 9 and the make-up Saturday 10 October', async () => {
  // Wednesday 30 September, 10:00 Beijing time; 1–7 October are days off.
  await sleepUntil('2026-09-30T02:00:00Z');
  const response = await h().start({ candidates: [candidate(1, { responseSlaWorkingDays: 3 })], settings: { topK: 1 } });
  const dueDiligence = await h().start({ candidates: [candidate(1, { ddSlaWorkingDays: 1 })], settings: { topK: 1 } });
  const offers = await h().start({ candidates: [candidate(1)], settings: { topK: 1, offerWindowDays: 2 } });
  const [responseDeal, ddDeal, offerDeal] = [dealIdOf(response, 1), dealIdOf(dueDiligence, 1), dealIdOf(offers, 1)];
  await Promise.all([dealsProposed(response, 1), dealsProposed(dueDiligence, 1), dealsProposed(offers, 1)]);

  const interested = await decide(dueDiligence, ddDeal, { action: 'express_interest' });
  expect(interested.deal?.deadline).toBe('2026-10-08T16:00:00.000Z');
  const issued = await issueTermSheet(h().env, offers, offerDeal, 30 * DAY_MS);
  expect(issued.application.offerDeadline).toBe('2026-10-09T16:00:00.000Z');
  expect(dealOf(await read(response), responseDeal).deadline).toBe('2026-10-10T16:00:00.000Z');

  await expectExpiryAt('2026-10-08T16:00:00.000Z', dueDiligence, ddDeal, 'interested', 'due_diligence_sla_elapsed');

  await acrossDeadline('2026-10-09T16:00:00.000Z',
    async () => expect((await read(offers)).application.status).toBe('offers_ready'),
    async () => {
      const expired = await settled(offers, (s) => s.application.status === 'expired', 'the offer window to close');
      expect(expired.timeline.find((e) => e.type === 'application.expired')?.data)
        .toEqual({ reason: 'No offer was accepted within 2 working days of the first term sheet' });
    });

  await expectExpiryAt('2026-10-10T16:00:00.000Z', response, responseDeal, 'proposed', 'response_sla_elapsed');
}, TEST_TIMEOUT_MS);

test('the due-diligence clock stands still for the working days the enterprise took to send documents', async () => {
  // Monday 12 October 10:00 Beijing: 3 working days of due diligence end on Thursday 15.
  await sleepUntil('2026-10-12T02:00:00Z');
  const { app, dealId } = await startWithOneDeal(h(), { ddSlaWorkingDays: 3 });
  expect((await decide(app, dealId, { action: 'express_interest' })).deal?.deadline).toBe('2026-10-15T16:00:00.000Z');

  // Documents asked on Tuesday 13, sent on Friday 16: the 14th, 15th and 16th were waited.
  await sleepUntil('2026-10-13T02:00:00Z');
  await decide(app, dealId, { action: 'request_documents', documents: ['financial_statements'] });
  await sleepUntil('2026-10-16T02:00:00Z');
  const submitted = await submitDocuments(app, dealId);
  // Thursday 15 plus 3 working days: Friday 16, Monday 19, Tuesday 20.
  expect(submitted.deal?.deadline).toBe('2026-10-20T16:00:00.000Z');

  await expectExpiryAt('2026-10-20T16:00:00.000Z', app, dealId, 'under_review', 'due_diligence_sla_elapsed');
}, TEST_TIMEOUT_MS);

test('a deadline that counts a day of a year without a loaded notice (2027) says so: deadlineProvisional', async () => {
  // Monday 21 December 2026: 10 working days run into January 2027, provisional until its notice is loaded.
  await sleepUntil('2026-12-21T02:00:00Z');
  const late = await h().start({ candidates: [candidate(1, { responseSlaWorkingDays: 10 })], settings: { topK: 1 } });
  const early = await h().start({ candidates: [candidate(1, { responseSlaWorkingDays: 3 })], settings: { topK: 1 } });
  const lateDeal = dealOf(await dealsProposed(late, 1), dealIdOf(late, 1));
  const earlyDeal = dealOf(await dealsProposed(early, 1), dealIdOf(early, 1));
  // 22–24, 25, 28–31 December (8), 1 January 2027 is New Year's Day, Monday 4 (9), Tuesday 5 (10).
  expect(lateDeal).toMatchObject({ deadline: '2027-01-05T16:00:00.000Z', deadlineProvisional: true });
  expect(earlyDeal).toMatchObject({ deadline: '2026-12-24T16:00:00.000Z', deadlineProvisional: false });
}, TEST_TIMEOUT_MS);

test('scaled mode (slaScale < 1, demos and benchmarks): a working day is 24 hours times the scale, no calendar', async () => {
  const app = await h().start({ candidates: [candidate(1, { responseSlaWorkingDays: 3 })], settings: { topK: 1, slaScale: 0.001 } });
  const deal = dealOf(await dealsProposed(app, 1), dealIdOf(app, 1));
  expect(ms(deal.deadline ?? '') - ms(deal.createdAt)).toBe(3 * DAY_MS * 0.001);
  expect(app.market.calls.loadCalendar).toBe(0);
}, TEST_TIMEOUT_MS);
