import { WorkflowNotFoundError } from '@temporalio/client';
import {
  candidates,
  dealEvents,
  dealIdOf,
  dealOf,
  decide,
  eventTypes,
  expectEndedAndReleased,
  issueTermSheet,
  read,
  settled,
  startProposed,
  startWithAcceptedOffer,
  submitDocuments,
  termSheet,
  TEST_TIMEOUT_MS,
  useHarness,
  waitFor,
  withdraw,
} from './support';

// The deal lifecycle driven by commands: declines and backfills, document rounds, withdrawal.

const h = useHarness();

describe('declines and backfill', () => {
  test('a declined deal releases its capacity and is backfilled by the next ranked product', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(4) });
    const d1 = dealIdOf(app, 1);

    const result = await decide(app, d1, { action: 'decline', reason: 'Outside our risk appetite' });
    expect(result.deal).toMatchObject({ status: 'declined', note: 'Outside our risk appetite', deadline: null });

    const state = await settled(app, (s) => s.deals.length === 4, 'the backfilled deal');
    const d4 = dealOf(state, dealIdOf(app, 4));
    expect(d4).toMatchObject({ productId: 'p-4', institutionId: 'inst-4', status: 'proposed' });
    expect(eventTypes(state.timeline).slice(6)).toEqual(['deal.declined', 'deal.proposed']);
    expect(state.timeline.at(-1)?.data).toMatchObject({ productId: 'p-4', rank: 4 });
    expect(state.timeline[6]?.data).toEqual({ reason: 'Outside our risk appetite' });
    expect(app.market.released).toEqual([{ productId: 'p-1', dealId: d1 }]);
    expect([...app.market.held.keys()].sort()).toEqual([2, 3, 4].map((n) => dealIdOf(app, n)).sort());
    expect(state.application.status).toBe('in_due_diligence');
  }, TEST_TIMEOUT_MS);

  test('when every deal is declined and no candidate remains the application ends as no_match (all_deals_declined_or_expired)', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(4) });

    await decide(app, dealIdOf(app, 1), { action: 'decline', reason: 'Too small' });
    await waitFor(app, (s) => s.deals.length === 4, 'the backfilled deal');
    await decide(app, dealIdOf(app, 2), { action: 'express_interest' });
    await decide(app, dealIdOf(app, 2), { action: 'decline', reason: 'Revenue concentration' });
    await decide(app, dealIdOf(app, 3), { action: 'decline', reason: 'Sector exposure limit' });
    await decide(app, dealIdOf(app, 4), { action: 'decline', reason: 'No capacity this quarter' });

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'no_match' });
    const final = await read(app);
    expect(final.timeline.at(-1)).toMatchObject({ type: 'application.no_match', data: { reason: 'all_deals_declined_or_expired' } });
    expectEndedAndReleased(app, final, ['declined', 'declined', 'declined', 'declined']);
  }, TEST_TIMEOUT_MS);

  test('an institution may decline after reviewing documents, and ask again after a review', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(3) });
    const [d1, d2] = [dealIdOf(app, 1), dealIdOf(app, 2)];

    await decide(app, d1, { action: 'express_interest' });
    await decide(app, d1, { action: 'request_documents', documents: ['financial_statements'] });
    await submitDocuments(app, d1);
    const again = await decide(app, d1, { action: 'request_documents', documents: ['tax_records'] });
    expect(again.deal).toMatchObject({ status: 'documents_requested', documentsRequested: ['financial_statements', 'tax_records'] });
    expect((await submitDocuments(app, d1)).deal?.status).toBe('under_review');
    expect((await decide(app, d1, { action: 'decline', reason: 'Margins too thin' })).deal?.status).toBe('declined');

    await decide(app, d2, { action: 'express_interest' });
    expect((await decide(app, d2, { action: 'issue_term_sheet', termSheet: await termSheet(h().env) })).application.status).toBe('offers_ready');

    const state = await settled(app);
    expect(dealEvents(state.timeline, d1)).toEqual([
      'deal.proposed', 'deal.interest_expressed', 'deal.documents_requested', 'deal.documents_submitted',
      'deal.documents_requested', 'deal.documents_submitted', 'deal.declined',
    ]);
    expect(app.market.released.map((r) => r.dealId)).toEqual([d1]);
  }, TEST_TIMEOUT_MS);
});

describe('withdrawal', () => {
  test('withdrawing during due diligence ends the application and releases every open deal', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(5) });
    await decide(app, dealIdOf(app, 1), { action: 'express_interest' });

    const result = await withdraw(app, 'Financed elsewhere');
    expect(result.application.status).toBe('withdrawn');
    expect(result.deal).toBeNull();

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'withdrawn' });
    const final = await read(app);
    expect(eventTypes(final.timeline).slice(7)).toEqual(['application.withdrawn', 'deal.not_selected', 'deal.not_selected', 'deal.not_selected']);
    expect(final.timeline[7]?.data).toEqual({ reason: 'Financed elsewhere' });
    expect(final.timeline.slice(8).map((e) => e.data)).toEqual(Array(3).fill({ reason: 'application_withdrawn' }));
    expectEndedAndReleased(app, final, ['not_selected', 'not_selected', 'not_selected']);
  }, TEST_TIMEOUT_MS);

  test('withdrawing with offers ready releases the term sheet too and clears the offer window', async () => {
    const app = await startProposed(h(), 3, { candidates: candidates(3) });
    const [d1, d2, d3] = [1, 2, 3].map((n) => dealIdOf(app, n)) as [string, string, string];
    await issueTermSheet(h().env, app, d1);
    await decide(app, d2, { action: 'express_interest' });

    const result = await withdraw(app, 'Board chose equity instead');
    expect(result.application).toMatchObject({ status: 'withdrawn', offerDeadline: null });

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'withdrawn' });
    const final = await read(app);
    for (const dealId of [d1, d2, d3]) expect(dealEvents(final.timeline, dealId).at(-1)).toBe('deal.not_selected(application_withdrawn)');
    expect(app.market.held.size).toBe(0);
    expect(app.market.released.map((r) => r.dealId).sort()).toEqual([d1, d2, d3].sort());
  }, TEST_TIMEOUT_MS);

  test('withdrawing after accepting an offer ends the application and gives back every reservation', async () => {
    const { app, dealId: d1 } = await startWithAcceptedOffer(h());

    const result = await withdraw(app, 'Changed our mind');
    expect(result.application.status).toBe('withdrawn');

    expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'withdrawn' });
    const final = await read(app);
    expect(eventTypes(final.timeline).slice(-2)).toEqual(['application.withdrawn', 'deal.not_selected']);
    expect(final.timeline.at(-1)).toMatchObject({ dealId: d1, data: { reason: 'application_withdrawn' } });
    // The chosen institution is told too, and every reservation is given back.
    expect(final.deals.map((d) => d.status)).toEqual(['not_selected', 'not_selected', 'not_selected']);
    expect(app.market.released.map((r) => r.dealId)).toContain(d1);
    expect(app.market.held.size).toBe(0);
    expect(app.market.events).toEqual(final.timeline);
  }, TEST_TIMEOUT_MS);

  test('withdrawing a closed application is rejected and records nothing', async () => {
    const { app, dealId: d1 } = await startWithAcceptedOffer(h());
    await decide(app, d1, { action: 'confirm_close' });
    await app.handle.result();
    const recorded = app.market.events.length;

    // The workflow has completed, so the server refuses the update before any code of ours runs.
    await expect(withdraw(app, 'Too late')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await read(app)).application.status).toBe('closed');
    expect(app.market.events.length).toBe(recorded);
  }, TEST_TIMEOUT_MS);
});
