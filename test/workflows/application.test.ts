import { CommandRejection } from '../../workflows/messages';
import { DealflowEvent, type DealDecision } from '../../schemas';
import {
  acceptOffer,
  candidates,
  DAY_MS,
  dealIdOf,
  dealOf,
  dealsProposed,
  decide,
  ENTERPRISE_USCC,
  eventTypes,
  read,
  rejectionOf,
  startProposed,
  submitDocuments,
  termSheet,
  TEST_TIMEOUT_MS,
  useHarness,
  withdraw,
  type Application,
} from './support';

// The application lifecycle from submission to its end, and how commands are checked.

const h = useHarness();

describe('application lifecycle', () => {
  test('happy path: submitted to closed through due diligence, documents, a term sheet and acceptance, with a gap-free event stream', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(5) });
    const [d1, d2, d3] = [1, 2, 3].map((n) => dealIdOf(app, n)) as [string, string, string];

    expect((await decide(app, d1, { action: 'express_interest' })).deal?.status).toBe('interested');
    expect((await decide(app, d1, { action: 'request_documents', documents: ['financial_statements'] })).deal?.status).toBe('documents_requested');
    expect((await submitDocuments(app, d1)).deal?.status).toBe('under_review');
    const issued = await decide(app, d1, { action: 'issue_term_sheet', termSheet: await termSheet(h().env) });
    expect(issued.deal?.status).toBe('term_sheet_issued');
    expect(issued.application.status).toBe('offers_ready');
    const accepted = await acceptOffer(app, d1);
    expect(accepted.deal?.status).toBe('selected');
    expect(accepted.application.status).toBe('accepted');
    const closed = await decide(app, d1, { action: 'confirm_close' });
    expect(closed.application.status).toBe('closed');

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'closed' });
    const final = await read(app);
    expect(eventTypes(final.timeline)).toEqual([
      'application.submitted',
      'application.screened',
      'application.matched',
      'deal.proposed',
      'deal.proposed',
      'deal.proposed',
      'deal.interest_expressed',
      'deal.documents_requested',
      'deal.documents_submitted',
      'deal.term_sheet_issued',
      'deal.selected',
      'deal.not_selected',
      'deal.not_selected',
      'deal.closed',
      'application.closed',
    ]);
    expect(final.timeline.map((e) => e.seq)).toEqual(final.timeline.map((_, i) => i + 1));
    for (const event of final.timeline) {
      expect(event.eventId).toBe(`${app.applicationId}:${event.seq}`);
      expect(DealflowEvent.safeParse(event).error).toBeUndefined();
    }
    expect(final.timeline.filter((e) => e.type === 'deal.not_selected').map((e) => [e.dealId, e.data])).toEqual([
      [d2, { reason: 'other_offer_accepted' }],
      [d3, { reason: 'other_offer_accepted' }],
    ]);
    expect(final.deals.map((d) => [d.dealId, d.status])).toEqual([[d1, 'closed'], [d2, 'not_selected'], [d3, 'not_selected']]);

    // What consumers and the read model saw is exactly the timeline, in seq order.
    expect(app.market.events).toEqual(final.timeline);
    expect(app.market.application?.status).toBe('closed');
    expect([...app.market.deals.values()].map((d) => d.status)).toEqual(['closed', 'not_selected', 'not_selected']);
    // Every reservation taken was given back.
    expect(app.market.reserved.map((r) => r.dealId)).toEqual([d1, d2, d3]);
    expect(app.market.released.map((r) => r.dealId).sort()).toEqual([d1, d2, d3]);
    expect(app.market.held.size).toBe(0);

    const { searchAttributes } = await app.handle.describe();
    expect(searchAttributes).toMatchObject({
      DealflowStatus: ['closed'],
      DealflowRegion: ['CN-SH'],
      DealflowInstrument: ['credit_loan'],
      DealflowInstitutionIds: ['inst-1', 'inst-2', 'inst-3'],
      DealflowEnterpriseUscc: [ENTERPRISE_USCC],
    });
  }, TEST_TIMEOUT_MS);

  test('an ineligible application is rejected at screening and never matched', async () => {
    const app = await h().start({ eligible: false });

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'rejected' });
    const final = await read(app);
    expect(eventTypes(final.timeline)).toEqual(['application.submitted', 'application.screened']);
    expect(final.timeline[1]?.data).toMatchObject({ eligible: false, reasons: [{ code: 'dishonest_debtor' }] });
    expect(final.application.screening?.eligible).toBe(false);
    expect(app.market.calls).toEqual({ screenApplication: 1, rankCandidates: 0, loadCalendar: 0 });
    expect(app.market.reserved).toEqual([]);
    expect(app.market.events).toEqual(final.timeline);
  }, TEST_TIMEOUT_MS);

  test('no eligible product ends the application as no_match (no_eligible_product)', async () => {
    const app = await h().start({ candidates: [] });

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
    const final = await read(app);
    expect(eventTypes(final.timeline)).toEqual(['application.submitted', 'application.screened', 'application.matched', 'application.no_match']);
    expect(final.timeline[2]?.data).toEqual({ candidates: [] });
    expect(final.timeline[3]?.data).toMatchObject({ reason: 'no_eligible_product' });
    expect(final.deals).toEqual([]);
  }, TEST_TIMEOUT_MS);

  test('every candidate at capacity ends the application as no_match with no deal proposed', async () => {
    const app = await h().start({ candidates: candidates(3), capacity: { 'p-1': 0, 'p-2': 0, 'p-3': 0 } });

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
    const final = await read(app);
    expect(eventTypes(final.timeline)).toEqual(['application.submitted', 'application.screened', 'application.matched', 'application.no_match']);
    expect(final.timeline[3]?.data).toMatchObject({ reason: 'no_eligible_product' });
    expect(app.market.reserved).toEqual([]);
  }, TEST_TIMEOUT_MS);

  test('a product at capacity is skipped for the next ranked candidate', async () => {
    const app = await h().start({ candidates: candidates(5), capacity: { 'p-1': 0, 'p-3': 0 } });

    const state = await dealsProposed(app, 3);
    expect(state.deals.map((d) => d.productId)).toEqual(['p-2', 'p-4', 'p-5']);
    expect(state.deals.map((d) => d.dealId)).toEqual([1, 2, 3].map((n) => dealIdOf(app, n)));
    expect(app.market.held.size).toBe(3);
  }, TEST_TIMEOUT_MS);
});

describe('commands', () => {
  test("a command's result shows the change, and the read model has it when the update returns", async () => {
    const app = await startProposed(h(), 3);
    const d1 = dealIdOf(app, 1);
    const before = await h().env.currentTimeMs();

    const result = await decide(app, d1, { action: 'express_interest', reason: 'Strong patent portfolio' });

    // No waiting: the update answers only after recordEvents has the event.
    const lastRecorded = app.market.events.at(-1);
    expect(lastRecorded).toMatchObject({ type: 'deal.interest_expressed', dealId: d1, seq: 7, data: { reason: 'Strong patent portfolio' } });
    expect(app.market.deals.get(d1)).toMatchObject({ status: 'interested', note: 'Strong patent portfolio' });
    expect(result.deal).toMatchObject({ dealId: d1, status: 'interested', note: 'Strong patent portfolio' });
    expect(result.application.status).toBe('in_due_diligence');
    // The response SLA gave way to the 30-day due-diligence clock.
    const ddDeadline = Date.parse(result.deal?.deadline ?? '');
    expect(ddDeadline - before).toBeGreaterThanOrEqual(30 * DAY_MS - 1_000);
    expect(ddDeadline - before).toBeLessThanOrEqual(30 * DAY_MS + 60_000);
    expect(dealOf(await read(app), d1)).toEqual(result.deal);
  }, TEST_TIMEOUT_MS);

  // Each rejected command must leave the application exactly as it was: no event, no status change.
  async function expectRejected(app: Application, update: () => Promise<unknown>, type: string, message: RegExp): Promise<void> {
    const before = await read(app);
    const recorded = app.market.events.length;
    const rejection = await rejectionOf(update());
    expect(rejection.type).toBe(type);
    expect(rejection.message).toMatch(message);
    expect(await read(app)).toEqual(before);
    expect(app.market.events.length).toBe(recorded);
  }

  test('issuing a term sheet on a proposed deal is rejected as NotAllowed', async () => {
    const app = await startProposed(h(), 3);
    const sheet = await termSheet(h().env);
    await expectRejected(app, () => decide(app, dealIdOf(app, 1), { action: 'issue_term_sheet', termSheet: sheet }),
      CommandRejection.notAllowed, /cannot issue_term_sheet while deal is proposed; allowed from interested, under_review/);
  }, TEST_TIMEOUT_MS);

  test("a decision by an institution that does not own the deal is rejected as NotFound", async () => {
    const app = await startProposed(h(), 3);
    await expectRejected(app, () => decide(app, dealIdOf(app, 1), { action: 'express_interest' }, 'inst-2'),
      CommandRejection.notFound, /not found/);
  }, TEST_TIMEOUT_MS);

  test('a decision on an unknown deal is rejected as NotFound', async () => {
    const app = await startProposed(h(), 3);
    await expectRejected(app, () => decide(app, `${app.applicationId}-d99`, { action: 'express_interest' }, 'inst-1'),
      CommandRejection.notFound, /d99 not found/);
  }, TEST_TIMEOUT_MS);

  test('a malformed decision is rejected as ValidationFailed with the field at fault', async () => {
    const app = await startProposed(h(), 3);
    const d1 = dealIdOf(app, 1);
    await expectRejected(app, () => decide(app, d1, { action: 'decline' } as unknown as DealDecision),
      CommandRejection.invalid, /reason: reason is required when declining/);
    await expectRejected(app, () => decide(app, d1, { action: 'approve' } as unknown as DealDecision),
      CommandRejection.invalid, /action must be one of/);
  }, TEST_TIMEOUT_MS);

  test('a term sheet that has already expired is rejected as ValidationFailed', async () => {
    const app = await startProposed(h(), 3);
    const d1 = dealIdOf(app, 1);
    await decide(app, d1, { action: 'express_interest' });
    const lapsed = await termSheet(h().env, -DAY_MS);
    await expectRejected(app, () => decide(app, d1, { action: 'issue_term_sheet', termSheet: lapsed }),
      CommandRejection.invalid, /expiresAt must be in the future/);
  }, TEST_TIMEOUT_MS);

  test('accepting an offer on a deal without a term sheet is rejected as NotAllowed', async () => {
    const app = await startProposed(h(), 3);
    const d1 = dealIdOf(app, 1);
    await decide(app, d1, { action: 'express_interest' });
    await expectRejected(app, () => acceptOffer(app, d1),
      CommandRejection.notAllowed, /cannot accept_offer while deal is interested/);
  }, TEST_TIMEOUT_MS);

  test('documents for a deal that asked for none are rejected as NotAllowed', async () => {
    const app = await startProposed(h(), 3);
    await expectRejected(app, () => submitDocuments(app, dealIdOf(app, 1)),
      CommandRejection.notAllowed, /cannot submit_documents while deal is proposed/);
  }, TEST_TIMEOUT_MS);

  test('a withdrawal without a reason is rejected as ValidationFailed', async () => {
    const app = await startProposed(h(), 3);
    await expectRejected(app, () => withdraw(app, '  '),
      CommandRejection.invalid, /reason is required/);
  }, TEST_TIMEOUT_MS);
});
