import fc from 'fast-check';
import { indexProducts, rankProducts } from '../../../domain/matching';
import type { MatchApplication, ProductWithStats } from '../../../domain/matching';
import { baselineRank } from '../../../bench/matching/baseline';
import { TODAY } from '../fixtures';
import { applicationArb as applicationOf, catalogueArb as catalogueOf, INDUSTRIES, instrumentArb as instrumentsOf, productFrom, qualArb, REGIONS, type ProductFields } from './matchingArbitraries';

// The indexed ranking (what the rankCandidates activity runs) against the straightforward
// baseline of bench/matching/baseline.ts, which checks and scores every product: same
// candidates, same order, same scores, on random catalogues. Regions and instruments are drawn
// from the whole vocabulary, so products outside an application's index group are common.

const instrumentArb = instrumentsOf(3);
const applicationArb = applicationOf(instrumentArb);

const productArb = (productId: string): fc.Arbitrary<ProductWithStats> => fc.record<ProductFields>({
  institutionId: fc.constantFrom('bank-1', 'bank-2', 'fund-1'),
  instruments: fc.uniqueArray(instrumentArb, { minLength: 1, maxLength: 2 }),
  range: fc.tuple(fc.integer({ min: 100_000, max: 10_000_000 }), fc.integer({ min: 1_000_000, max: 100_000_000 })),
  regions: fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 5 }),
  include: fc.uniqueArray(fc.constantFrom(...INDUSTRIES), { maxLength: 3 }),
  exclude: fc.uniqueArray(fc.constantFrom(...INDUSTRIES), { maxLength: 1 }),
  required: fc.uniqueArray(qualArb, { maxLength: 2 }),
  minRevenueCny: fc.option(fc.integer({ min: 0, max: 200_000_000 }), { nil: undefined }),
  minYearsSinceFounding: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
  capacity: fc.integer({ min: 1, max: 5 }),
  active: fc.boolean(),
  openDeals: fc.integer({ min: 0, max: 3 }),
  responseRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  institutionRegions: fc.option(fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map((fields) => productFrom(productId, fields));

const catalogueArb = catalogueOf(productArb, { minLength: 0, maxLength: 80 });

const withoutReasons = (ranked: ReturnType<typeof rankProducts>) =>
  ranked.map(({ productId, institutionId, score }) => ({ productId, institutionId, score }));

describe('the indexed ranking', () => {
  it('ranks exactly like the baseline that scores every product, with and without a limit', () => {
    fc.assert(fc.property(applicationArb, catalogueArb, fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), (application, products, limit) => {
      const index = indexProducts(products.map(({ product }) => product));
      const indexed = rankProducts({ application, products, index, today: TODAY, ...(limit === undefined ? {} : { limit }) });
      const expected = baselineRank(application, products, TODAY, limit === undefined ? {} : { limit });
      expect(withoutReasons(indexed)).toEqual(expected);
      // Same candidates and reasons as the unindexed path the other properties cover.
      expect(indexed).toEqual(rankProducts({ application, products, today: TODAY, ...(limit === undefined ? {} : { limit }) }));
    }), { numRuns: 400 });
  });

  it('skips excluded products like the baseline does', () => {
    fc.assert(fc.property(applicationArb, catalogueArb, fc.nat(), (application, products, pick) => {
      const excludeProductIds = new Set(products.filter((_, i) => (i + pick) % 3 === 0).map((p) => p.product.productId));
      const index = indexProducts(products.map(({ product }) => product));
      const indexed = rankProducts({ application, products, index, today: TODAY, excludeProductIds });
      expect(withoutReasons(indexed)).toEqual(baselineRank(application, products, TODAY, { excludeProductIds }));
    }), { numRuns: 200 });
  });

  it('refuses an index built from another list of products', () => {
    const index = indexProducts([]);
    const application = fc.sample(applicationArb, { numRuns: 1, seed: 1 })[0] as MatchApplication;
    const products = fc.sample(catalogueArb.filter((list) => list.length > 0), { numRuns: 1, seed: 1 })[0] as ProductWithStats[];
    expect(() => rankProducts({ application, products, index, today: TODAY })).toThrow(/index was built from 0 products/);
  });
});
