import { MatchReason } from '../../../schemas';
import type { Product } from '../../../schemas';
import {
  MATCH_WEIGHTS, fullYearsBetween, hardFilterFailure, passesHardFilters, rankProducts, selectTopK,
} from '../../../domain/matching';
import type { HardFilterCode, MatchApplication, ProductWithStats, RankedCandidate } from '../../../domain/matching';
import { TODAY, product, profile, request } from '../fixtures';

const application: MatchApplication = {
  request: request({ instrument: 'credit_loan', amountCny: 5_000_000 }),
  profile: profile({ region: 'CN-JS', industry: 'C3911', revenueCny: 80_000_000, founded: '2018-07-01' }),
  verifiedQualifications: [{ type: 'high_tech' }],
};

const withStats = (p: Partial<Product> = {}, stats: Partial<ProductWithStats> = {}): ProductWithStats => ({
  product: product(p),
  openDeals: 0,
  ...stats,
});

describe('hard filters', () => {
  const cases: Array<[string, ProductWithStats, HardFilterCode]> = [
    ['an inactive product', withStats({ active: false }), 'product_inactive'],
    ['a product at capacity', withStats({ capacity: 3 }, { openDeals: 3 }), 'no_capacity'],
    ['another instrument', withStats({ instruments: ['equity'] }), 'instrument_not_offered'],
    ['a ticket range below the amount', withStats({ minAmountCny: 100_000, maxAmountCny: 4_999_999 }), 'amount_out_of_range'],
    ['a ticket range above the amount', withStats({ minAmountCny: 5_000_001, maxAmountCny: 50_000_000 }), 'amount_out_of_range'],
    ['another region', withStats({ regions: ['CN-ZJ', 'CN-SH'] }), 'region_not_served'],
    ['an industry include list that misses', withStats({ industries: { include: ['C38', 'I'], exclude: [] } }), 'industry_not_included'],
    ['an excluded industry prefix', withStats({ industries: { include: ['C'], exclude: ['C39'] } }), 'industry_excluded'],
    ['a required qualification not held', withStats({ requiredQualifications: ['little_giant'] }), 'qualification_missing'],
    ['a revenue floor above revenue', withStats({ minRevenueCny: 80_000_001 }), 'revenue_below_minimum'],
    ['a minimum age above the firm age', withStats({ minYearsSinceFounding: 7 }), 'too_few_years_since_founding'],
  ];

  it.each(cases)('exclude %s', (_label, candidate, code) => {
    expect(hardFilterFailure(application, candidate, TODAY)).toBe(code);
    expect(passesHardFilters(application, candidate, TODAY)).toBe(false);
    expect(rankProducts({ application, products: [candidate], today: TODAY })).toEqual([]);
  });

  it('admit a product at the exact edges of every limit', () => {
    const edge = withStats({
      minAmountCny: 5_000_000, maxAmountCny: 5_000_000, regions: ['CN-JS'], minRevenueCny: 80_000_000,
      minYearsSinceFounding: 6, requiredQualifications: ['high_tech'], capacity: 2,
      industries: { include: ['C3911'], exclude: ['C392'] },
    }, { openDeals: 1 });
    expect(hardFilterFailure(application, edge, TODAY)).toBeNull();
  });

  it('count only verified qualifications: an unverified Little Giant does not satisfy a requirement', () => {
    const requiresLittleGiant = withStats({ requiredQualifications: ['little_giant'] });
    expect(passesHardFilters(application, requiresLittleGiant, TODAY)).toBe(false);
    const verified = { ...application, verifiedQualifications: [{ type: 'little_giant' as const }] };
    expect(passesHardFilters(verified, requiresLittleGiant, TODAY)).toBe(true);
  });

  it('skip products the caller excludes, such as ones already proposed', () => {
    const ranked = rankProducts({
      application, today: TODAY, excludeProductIds: new Set(['p-a']),
      products: [withStats({ productId: 'p-a' }), withStats({ productId: 'p-b' })],
    });
    expect(ranked.map((r) => r.productId)).toEqual(['p-b']);
  });
});

describe('fullYearsBetween', () => {
  it('counts a year only once its anniversary is reached', () => {
    expect(fullYearsBetween('2018-07-01', '2025-06-30')).toBe(6);
    expect(fullYearsBetween('2018-07-01', '2025-07-01')).toBe(7);
    expect(fullYearsBetween('2020-02-29', '2021-02-28')).toBe(0);
  });
});

describe('scoring', () => {
  it('weights sum to 100', () => {
    expect(Object.values(MATCH_WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('gives an integer score in 0..100 equal to the sum of its reason weights, with valid reasons', () => {
    const [top] = rankProducts({ application, products: [withStats({}, { responseRate: 0.9 })], today: TODAY });
    expect(top).toBeDefined();
    const candidate = top as RankedCandidate;
    expect(Number.isInteger(candidate.score)).toBe(true);
    expect(candidate.score).toBeGreaterThanOrEqual(0);
    expect(candidate.score).toBeLessThanOrEqual(100);
    expect(candidate.reasons.map((r) => r.code)).toEqual(['industry_fit', 'ticket_fit', 'region_fit', 'qualification_boost', 'institution_responsiveness']);
    expect(candidate.reasons.reduce((s, r) => s + (r.weight ?? 0), 0)).toBe(candidate.score);
    for (const r of candidate.reasons) expect(MatchReason.safeParse(r).success).toBe(true);
  });

  it('prefers a product focused on the exact industry class over a generalist', () => {
    const ranked = rankProducts({
      application, today: TODAY,
      products: [withStats({ productId: 'generalist' }), withStats({ productId: 'specialist', industries: { include: ['C3911'], exclude: [] } })],
    });
    expect(ranked.map((r) => r.productId)).toEqual(['specialist', 'generalist']);
    expect(ranked[0]?.reasons[0]?.message).toMatch(/C3911 is within the product's focus C3911/);
  });

  it('prefers a ticket range centred on the amount (log scale) over one where it sits at the edge', () => {
    const centred = withStats({ productId: 'centred', minAmountCny: 500_000, maxAmountCny: 50_000_000 });
    const edge = withStats({ productId: 'edge', minAmountCny: 5_000_000, maxAmountCny: 500_000_000 });
    const ranked = rankProducts({ application, products: [edge, centred], today: TODAY });
    const ticket = (id: string) => ranked.find((r) => r.productId === id)?.reasons.find((x) => x.code === 'ticket_fit')?.weight;
    expect(ticket('centred')).toBe(MATCH_WEIGHTS.ticket);
    expect(ticket('edge')).toBe(Math.round(MATCH_WEIGHTS.ticket / 2));
    expect(ranked[0]?.productId).toBe('centred');
  });

  it('prefers a local institution and a responsive one; unknown response rate counts as 50%', () => {
    const local = withStats({ productId: 'local' }, { institutionRegions: ['CN-JS'] });
    const remote = withStats({ productId: 'remote' }, { institutionRegions: ['CN-SH'] });
    const r1 = rankProducts({ application, products: [remote, local], today: TODAY });
    expect(r1[0]?.productId).toBe('local');

    const fast = withStats({ productId: 'fast' }, { responseRate: 1 });
    const unknown = withStats({ productId: 'unknown' });
    const slow = withStats({ productId: 'slow' }, { responseRate: 0 });
    const r2 = rankProducts({ application, products: [slow, unknown, fast], today: TODAY });
    expect(r2.map((r) => r.productId)).toEqual(['fast', 'unknown', 'slow']);
    expect(r2[1]?.reasons[4]?.message).toMatch(/no response history/);
  });

  it('breaks score ties by productId ascending', () => {
    const ranked = rankProducts({ application, products: ['p-c', 'p-a', 'p-b'].map((productId) => withStats({ productId })), today: TODAY });
    expect(ranked.map((r) => r.productId)).toEqual(['p-a', 'p-b', 'p-c']);
  });

  it('builds only the requested number of candidates when given a limit', () => {
    const products = Array.from({ length: 10 }, (_, i) => withStats({ productId: `p-${i}` }));
    const all = rankProducts({ application, products, today: TODAY });
    const top3 = rankProducts({ application, products, today: TODAY, limit: 3 });
    expect(top3).toEqual(all.slice(0, 3));
  });
});

describe('selectTopK', () => {
  const ranked: RankedCandidate[] = [
    { productId: 'a', institutionId: 'i1', score: 90, reasons: [] },
    { productId: 'b', institutionId: 'i1', score: 80, reasons: [] },
    { productId: 'c', institutionId: 'i2', score: 70, reasons: [] },
  ];

  it('takes the first k in rank order', () => {
    expect(selectTopK(ranked, 2).map((r) => r.productId)).toEqual(['a', 'b']);
    expect(selectTopK(ranked, 10)).toHaveLength(3);
    expect(selectTopK(ranked, 0)).toEqual([]);
    expect(selectTopK(ranked, -1)).toEqual([]);
  });

  it('can cap deals per institution so one lender does not crowd out others', () => {
    expect(selectTopK(ranked, 2, { maxPerInstitution: 1 }).map((r) => r.productId)).toEqual(['a', 'c']);
  });
});
