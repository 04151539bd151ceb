import { candidate, dealIdOf, dealsProposed, decide, settled, TEST_TIMEOUT_MS, useHarness } from './support';

// Proposing under the one-deal-per-institution rule, and a forum meeting's institution first.

const h = useHarness();

/** Two products of bank A ranked first and second, then B and C. */
const twoOfOneBank = () => [
  candidate(1, { institutionId: 'bank-a', institutionName: 'Bank A', productName: 'A Tech Loan' }),
  candidate(2, { institutionId: 'bank-a', institutionName: 'Bank A', productName: 'A IP Pledge' }),
  candidate(3, { institutionId: 'bank-b', institutionName: 'Bank B', productName: 'B Credit' }),
  candidate(4, { institutionId: 'fund-c', institutionName: 'Fund C', productName: 'C Growth' }),
];

describe('one open deal per institution', () => {
  test('a second product of an institution waits while its first deal is open, and is proposed when that deal ends', async () => {
    const app = await h().start({ candidates: twoOfOneBank() });
    const state = await dealsProposed(app, 3);
    expect(state.deals.map((d) => [d.productId, d.institutionId])).toEqual([['p-1', 'bank-a'], ['p-3', 'bank-b'], ['p-4', 'fund-c']]);
    expect(state.deals[0]).toMatchObject({ institutionName: 'Bank A', productName: 'A Tech Loan' });
    expect(app.market.deals.get(dealIdOf(app, 1))).toMatchObject({ institutionName: 'Bank A', productName: 'A Tech Loan' });

    await decide(app, dealIdOf(app, 1), { action: 'decline', reason: 'Outside our risk appetite' });
    const after = await settled(app, (s) => s.deals.length === 4, 'the waiting product of bank A');
    expect(after.deals[3]).toMatchObject({ productId: 'p-2', institutionId: 'bank-a', status: 'proposed', productName: 'A IP Pledge' });
  }, TEST_TIMEOUT_MS);

  test('with maxOpenDealsPerInstitution 2 both products of the bank are proposed in rank order', async () => {
    const app = await h().start({ candidates: twoOfOneBank(), settings: { maxOpenDealsPerInstitution: 2 } });
    const state = await dealsProposed(app, 3);
    expect(state.deals.map((d) => d.productId)).toEqual(['p-1', 'p-2', 'p-3']);
  }, TEST_TIMEOUT_MS);

  test('when every remaining candidate waits on an open deal of its institution, fewer than topK deals are open', async () => {
    const app = await h().start({ candidates: twoOfOneBank().slice(0, 2) });
    const state = await dealsProposed(app, 1);
    expect(state.deals.map((d) => d.productId)).toEqual(['p-1']);
    expect(state.application.status).toBe('in_due_diligence');
  }, TEST_TIMEOUT_MS);
});

describe('an application following up a forum meeting', () => {
  test('the best product of the meeting\'s institution is proposed first and the application records its source', async () => {
    const app = await h().start({
      candidates: [candidate(1), candidate(2), candidate(3), candidate(4), candidate(5, { institutionId: 'inst-4' })],
      source: { forumId: 'forum-1', meetingId: 'm-7', institutionId: 'inst-4' },
    });
    const state = await dealsProposed(app, 3);
    expect(state.deals.map((d) => d.productId)).toEqual(['p-4', 'p-1', 'p-2']);
    expect(state.timeline.find((e) => e.type === 'deal.proposed')?.data).toMatchObject({ productId: 'p-4', rank: 1 });
    expect(state.application.source).toEqual({ forumId: 'forum-1', meetingId: 'm-7' });
  }, TEST_TIMEOUT_MS);

  test('a meeting institution with no eligible product changes nothing', async () => {
    const app = await h().start({ candidates: [candidate(1), candidate(2), candidate(3)], source: { forumId: 'forum-1', meetingId: 'm-8', institutionId: 'inst-9' } });
    const state = await dealsProposed(app, 3);
    expect(state.deals.map((d) => d.productId)).toEqual(['p-1', 'p-2', 'p-3']);
  }, TEST_TIMEOUT_MS);
});
