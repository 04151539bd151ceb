import { createBusinessCalendar } from '../../domain/calendar';
import {
  candidates,
  DAY_MS,
  dealEvents,
  dealIdOf,
  dealOf,
  dealsProposed,
  decide,
  HOUR_MS,
  read,
  settled,
  startProposed,
  startWithOneDeal,
  submitDocuments,
  termSheet,
  TEST_TIMEOUT_MS,
  useHarness,
  waitFor,
  type Application,
} from './support';

// Every timer of the application in workflow time: the product's response and due-diligence SLAs,
// the documents deadline, a term sheet's expiry and the offer window. Each is checked an hour
// before it lapses (nothing happened) and an hour after (it fired, with its reason).

const h = useHarness();

const ms = (iso: string | null | undefined): number => Date.parse(iso ?? '');

/** The documents deadline and the offer window count working days (their own test: application.workingDays.test.ts). */
const afterWorkingDays = (fromMs: number, days: number): number => ms(createBusinessCalendar().addWorkingDays(fromMs, days).deadline);

/** The deal's only event of this type happened within an hour after `atMs`: the timer fired on time. */
function expectFiredAt(app: Application, type: string, dealId: string | undefined, atMs: number): void {
  const event = app.market.events.find((e) => e.type === type && e.dealId === dealId);
  expect(event).toBeDefined();
  expect(ms(event?.occurredAt)).toBeGreaterThanOrEqual(atMs);
  expect(ms(event?.occurredAt)).toBeLessThan(atMs + HOUR_MS);
}

/** One deal that has expressed interest, alone so no other deal's timer interferes. */
async function oneInterestedDeal(): Promise<{ app: Application; dealId: string; ddDeadlineMs: number }> {
  const { app, dealId } = await startWithOneDeal(h());
  const interested = await decide(app, dealId, { action: 'express_interest' });
  return { app, dealId, ddDeadlineMs: ms(interested.deal?.deadline) };
}

test('the 72-hour response SLA expires unanswered deals and backfills them; at 71 hours nothing has expired', async () => {
  const app = await h().start({ candidates: candidates(4) });
  const proposed = await dealsProposed(app, 3);
  const firstDeadline = ms(proposed.deals[0]?.deadline);
  expect(firstDeadline - ms(proposed.deals[0]?.createdAt)).toBe(72 * HOUR_MS);

  await h().env.sleep('71 hours');
  const early = await read(app);
  expect(early.deals.map((d) => d.status)).toEqual(['proposed', 'proposed', 'proposed']);
  expect(early.timeline.some((e) => e.type === 'deal.expired')).toBe(false);

  await h().env.sleep('2 hours');
  const lapsed = await settled(app, (s) => s.deals.length === 4, 'the backfilled deal');
  for (const n of [1, 2, 3]) {
    expect(dealEvents(lapsed.timeline, dealIdOf(app, n))).toEqual(['deal.proposed', 'deal.expired(response_sla_elapsed)']);
  }
  expectFiredAt(app, 'deal.expired', dealIdOf(app, 1), firstDeadline);
  const d4 = dealOf(lapsed, dealIdOf(app, 4));
  expect(d4).toMatchObject({ productId: 'p-4', status: 'proposed' });
  expect(ms(d4.deadline) - ms(d4.createdAt)).toBe(72 * HOUR_MS);
  expect(app.market.released.map((r) => r.productId).sort()).toEqual(['p-1', 'p-2', 'p-3']);

  // The backfilled deal lapses too, and nothing is left to propose.
  await h().env.sleep('73 hours');
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
  const final = await read(app);
  expect(dealEvents(final.timeline, d4.dealId).at(-1)).toBe('deal.expired(response_sla_elapsed)');
  expect(final.timeline.at(-1)).toMatchObject({ type: 'application.no_match', data: { reason: 'all_deals_declined_or_expired' } });
  expect(app.market.held.size).toBe(0);
}, TEST_TIMEOUT_MS);

test('the 30-day due-diligence SLA, running from interest, expires the deal', async () => {
  const { app, dealId, ddDeadlineMs } = await oneInterestedDeal();
  expect(ddDeadlineMs - ms(app.market.events.at(-1)?.occurredAt)).toBe(30 * DAY_MS);

  await h().env.sleep(30 * DAY_MS - HOUR_MS);
  expect(dealOf(await read(app), dealId).status).toBe('interested');

  await h().env.sleep('2 hours');
  await settled(app, (s) => dealOf(s, dealId).status === 'expired', 'the deal to expire');
  expect(dealEvents(app.market.events, dealId).at(-1)).toBe('deal.expired(due_diligence_sla_elapsed)');
  expectFiredAt(app, 'deal.expired', dealId, ddDeadlineMs);
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
}, TEST_TIMEOUT_MS);

test('the due-diligence clock stops while documents are requested: the pause extends the SLA', async () => {
  const { app, dealId, ddDeadlineMs } = await oneInterestedDeal();

  await h().env.sleep('10 days');
  const requested = await decide(app, dealId, { action: 'request_documents', documents: ['financial_statements'] });
  const requestedAt = ms(requested.deal?.updatedAt);
  // While the enterprise owes documents, the documents deadline (14 working days) is the one that counts.
  expect(ms(requested.deal?.deadline)).toBe(afterWorkingDays(requestedAt, 14));

  await h().env.sleep('5 days');
  const submitted = await submitDocuments(app, dealId);
  const pausedMs = ms(submitted.deal?.updatedAt) - requestedAt;
  expect(pausedMs).toBeGreaterThanOrEqual(5 * DAY_MS);
  expect(ms(submitted.deal?.deadline)).toBe(ddDeadlineMs + pausedMs);

  // Past the unpaused 30 days, still under review.
  await h().env.sleep(ddDeadlineMs + pausedMs - HOUR_MS - (await h().env.currentTimeMs()));
  expect(await h().env.currentTimeMs()).toBeGreaterThan(ddDeadlineMs + 4 * DAY_MS);
  expect(dealOf(await read(app), dealId).status).toBe('under_review');

  await h().env.sleep('2 hours');
  await settled(app, (s) => dealOf(s, dealId).status === 'expired', 'the deal to expire');
  expect(dealEvents(app.market.events, dealId).at(-1)).toBe('deal.expired(due_diligence_sla_elapsed)');
  expectFiredAt(app, 'deal.expired', dealId, ddDeadlineMs + pausedMs);
}, TEST_TIMEOUT_MS);

test('documents not submitted within 14 working days expire the deal (documents_not_submitted)', async () => {
  const { app, dealId } = await oneInterestedDeal();
  const requested = await decide(app, dealId, { action: 'request_documents', documents: ['tax_records'] });
  const deadline = ms(requested.deal?.deadline);
  expect(deadline).toBe(afterWorkingDays(ms(requested.deal?.updatedAt), 14));

  await h().env.sleep(deadline - HOUR_MS - (await h().env.currentTimeMs()));
  expect(dealOf(await read(app), dealId).status).toBe('documents_requested');

  await h().env.sleep('2 hours');
  await settled(app, (s) => dealOf(s, dealId).status === 'expired', 'the deal to expire');
  expect(dealEvents(app.market.events, dealId).at(-1)).toBe('deal.expired(documents_not_submitted)');
  expectFiredAt(app, 'deal.expired', dealId, deadline);
}, TEST_TIMEOUT_MS);

test('a term sheet past its expiresAt expires the deal and offers_ready falls back to in_due_diligence', async () => {
  const app = await startProposed(h(), 2, { candidates: candidates(2), settings: { topK: 2 } });
  const [d1, d2] = [dealIdOf(app, 1), dealIdOf(app, 2)];
  await decide(app, d1, { action: 'express_interest' });
  const sheet = await termSheet(h().env, 5 * DAY_MS);
  const issued = await decide(app, d1, { action: 'issue_term_sheet', termSheet: sheet });
  expect(issued.application.status).toBe('offers_ready');
  expect(issued.deal?.deadline).toBe(sheet.expiresAt);
  await decide(app, d2, { action: 'express_interest' });

  await h().env.sleep(5 * DAY_MS - HOUR_MS);
  expect(dealOf(await read(app), d1).status).toBe('term_sheet_issued');

  await h().env.sleep('2 hours');
  const fallen = await settled(app, (s) => s.application.status === 'in_due_diligence', 'the fall back to due diligence');
  expect(dealEvents(fallen.timeline, d1).at(-1)).toBe('deal.expired(term_sheet_expired)');
  expectFiredAt(app, 'deal.expired', d1, ms(sheet.expiresAt));
  expect(fallen.application.offerDeadline).toBeNull();
  expect(dealOf(fallen, d2).status).toBe('interested');
  expect(app.market.released.map((r) => r.dealId)).toEqual([d1]);

  // The offer window closed with the last term sheet: day 15 passes without an application.expired.
  await h().env.sleep('10 days');
  const later = await read(app);
  expect(later.application.status).toBe('in_due_diligence');
  expect(later.timeline.some((e) => e.type === 'application.expired')).toBe(false);
}, TEST_TIMEOUT_MS);

test('when the only term sheet expires and no deal remains the application ends as no_match', async () => {
  const { app, dealId } = await oneInterestedDeal();
  await decide(app, dealId, { action: 'issue_term_sheet', termSheet: await termSheet(h().env, 3 * DAY_MS) });

  await h().env.sleep('73 hours');
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
  const final = await read(app);
  expect(dealEvents(final.timeline, dealId).at(-1)).toBe('deal.expired(term_sheet_expired)');
  expect(final.timeline.at(-1)).toMatchObject({ type: 'application.no_match', data: { reason: 'all_deals_declined_or_expired' } });
}, TEST_TIMEOUT_MS);

test('no offer accepted within 14 working days of the first term sheet expires the application and releases its deals', async () => {
  const app = await startProposed(h(), 2, { candidates: candidates(2), settings: { topK: 2 } });
  const [d1, d2] = [dealIdOf(app, 1), dealIdOf(app, 2)];
  await decide(app, d1, { action: 'express_interest' });
  await decide(app, d2, { action: 'express_interest' });
  const issued = await decide(app, d1, { action: 'issue_term_sheet', termSheet: await termSheet(h().env, 30 * DAY_MS) });
  const offerDeadline = ms(issued.application.offerDeadline);
  expect(offerDeadline).toBe(afterWorkingDays(ms(issued.deal?.updatedAt), 14));

  await h().env.sleep(offerDeadline - HOUR_MS - (await h().env.currentTimeMs()));
  expect((await read(app)).application.status).toBe('offers_ready');

  await h().env.sleep('2 hours');
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'expired' });
  const final = await waitFor(app, () => true, 'the final state');
  expect(final.timeline.slice(-3).map((e) => [e.type, e.dealId, e.data])).toEqual([
    ['application.expired', undefined, { reason: 'No offer was accepted within 14 working days of the first term sheet' }],
    ['deal.not_selected', d1, { reason: 'application_expired' }],
    ['deal.not_selected', d2, { reason: 'application_expired' }],
  ]);
  expectFiredAt(app, 'application.expired', undefined, offerDeadline);
  expect(final.application.offerDeadline).toBeNull();
  expect(app.market.held.size).toBe(0);
  expect(app.market.events).toEqual(final.timeline);
}, TEST_TIMEOUT_MS);
