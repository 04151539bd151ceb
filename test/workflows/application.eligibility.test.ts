import { dishonestDebtorListedSignal } from '../../workflows/messages';
import {
  acceptOffer,
  candidates,
  dealEvents,
  dealIdOf,
  dealOf,
  decide,
  read,
  rejectionOf,
  settled,
  startProposed,
  startWithOneDeal,
  submitDocuments,
  termSheet,
  TEST_TIMEOUT_MS,
  useHarness,
} from './support';

// Eligibility after screening: re-checked against the registries before a term sheet and before
// the close, and the dishonest-debtor list ending an open application at any step.

const h = useHarness();

test('a term sheet and a close are refused (enterprise_not_eligible) while the registries say the enterprise no longer qualifies', async () => {
  const { app, dealId } = await startWithOneDeal(h());
  await decide(app, dealId, { action: 'express_interest' });

  app.market.ineligibleBecause = ['the product requires little_giant, which the recognition registry does not hold as valid today'];
  const refused = await rejectionOf(decide(app, dealId, { action: 'issue_term_sheet', termSheet: await termSheet(h().env) }));
  expect(refused.type).toBe('EnterpriseNotEligible');
  expect(refused.message).toMatch(/^enterprise_not_eligible: .*little_giant/);
  expect(dealOf(await read(app), dealId).status).toBe('interested');

  app.market.ineligibleBecause = [];
  await decide(app, dealId, { action: 'issue_term_sheet', termSheet: await termSheet(h().env) });
  await acceptOffer(app, dealId);

  app.market.ineligibleBecause = ['the enterprise is on the dishonest-debtor list'];
  expect((await rejectionOf(decide(app, dealId, { action: 'confirm_close' }))).type).toBe('EnterpriseNotEligible');
  app.market.ineligibleBecause = [];
  await decide(app, dealId, { action: 'confirm_close' });
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'closed' });
}, TEST_TIMEOUT_MS);

test('a listing as a dishonest debtor during due diligence ends the application: deals not_selected, capacity released, application.rejected last', async () => {
  const app = await startProposed(h(), 3, { candidates: candidates(4), settings: { topK: 3 } });
  const [d1, d2, d3] = [1, 2, 3].map((n) => dealIdOf(app, n)) as [string, string, string];
  await decide(app, d1, { action: 'express_interest' });
  await decide(app, d1, { action: 'request_documents', documents: ['financial_statements'] });
  await submitDocuments(app, d1);
  await decide(app, d2, { action: 'decline', reason: 'Outside our appetite' });
  await settled(app, (s) => s.deals.length === 4, 'the backfill of the declined deal');

  await app.handle.signal(dishonestDebtorListedSignal, { listedAt: new Date().toISOString() });
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'rejected' });
  const final = await settled(app);
  const d4 = dealIdOf(app, 4);
  for (const dealId of [d1, d3, d4]) {
    expect(dealOf(final, dealId).status).toBe('not_selected');
    expect(dealEvents(final.timeline, dealId).at(-1)).toBe('deal.not_selected(enterprise_listed_dishonest)');
  }
  expect(dealOf(final, d2).status).toBe('declined');
  expect(final.timeline.at(-1)).toMatchObject({ type: 'application.rejected', data: { reason: 'dishonest_debtor' } });
  expect(final.application.status).toBe('rejected');
  expect(app.market.held.size).toBe(0);
  expect(app.market.released.map((r) => r.dealId).sort()).toEqual([d1, d2, d3, d4].sort());
  expect(app.market.events).toEqual(final.timeline);
}, TEST_TIMEOUT_MS);

test('a listing signalled while a command is being applied is not lost', async () => {
  const app = await startProposed(h(), 2, { candidates: candidates(2), settings: { topK: 2 } });
  const dealId = dealIdOf(app, 1);
  const interest = decide(app, dealId, { action: 'express_interest' });
  await app.handle.signal(dishonestDebtorListedSignal, { listedAt: new Date().toISOString() });
  await interest.catch(() => undefined); // applied before or refused after the listing: either way the listing wins
  expect(await app.handle.result()).toEqual({ applicationId: app.applicationId, status: 'rejected' });
  const final = await settled(app);
  expect(final.deals.every((d) => d.status === 'not_selected')).toBe(true);
  expect(app.market.held.size).toBe(0);
}, TEST_TIMEOUT_MS);
