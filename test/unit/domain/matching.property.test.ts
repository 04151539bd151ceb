import fc from 'fast-check';
import { passesHardFilters, rankProducts } from '../../../domain/matching';
import type { ProductWithStats } from '../../../domain/matching';
import { TODAY } from '../fixtures';
import { applicationArb as applicationOf, catalogueArb, instrumentArb as instrumentsOf, passingProductArb } from './matchingArbitraries';

// A small vocabulary (two instruments, five regions) and products weighted towards passing, so
// random products often match and the filters are exercised both ways.

const instrumentArb = instrumentsOf(2);
const applicationArb = applicationOf(instrumentArb);

const productArb = passingProductArb(instrumentArb, 2);

const productsArb = catalogueArb(productArb, { minLength: 1, maxLength: 60, size: 'medium' });

const scenarioArb = fc
  .tuple(applicationArb, productsArb)
  .chain(([application, products]) =>
    fc.shuffledSubarray(products, { minLength: products.length, maxLength: products.length })
      .map((shuffled) => ({ application, products, shuffled })));

describe('rankProducts properties', () => {
  it('are tested on scenarios that mostly produce candidates, so they are not vacuous', () => {
    const samples = fc.sample(scenarioArb, { numRuns: 300, seed: 42 });
    const nonEmpty = samples.filter(({ application, products }) => rankProducts({ application, products, today: TODAY }).length > 0);
    expect(nonEmpty.length).toBeGreaterThan(150);
  });

  it('ranks identically for the same inputs, whatever the product order', () => {
    fc.assert(fc.property(scenarioArb, ({ application, products, shuffled }) => {
      const a = rankProducts({ application, products, today: TODAY });
      const b = rankProducts({ application, products, today: TODAY });
      const c = rankProducts({ application, products: shuffled, today: TODAY });
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    }), { numRuns: 200 });
  });

  it('proposes only products that pass every hard filter, and every passing product', () => {
    fc.assert(fc.property(scenarioArb, ({ application, products }) => {
      const ranked = rankProducts({ application, products, today: TODAY });
      const byId = new Map(products.map((p) => [p.product.productId, p]));
      for (const candidate of ranked) {
        const source = byId.get(candidate.productId);
        expect(source).toBeDefined();
        expect(passesHardFilters(application, source as ProductWithStats, TODAY)).toBe(true);
      }
      const passing = products.filter((p) => passesHardFilters(application, p, TODAY));
      expect(ranked).toHaveLength(passing.length);
    }), { numRuns: 200 });
  });

  it('never proposes an excluded product again', () => {
    fc.assert(fc.property(scenarioArb, fc.nat(), ({ application, products }, pick) => {
      const excluded = new Set(products.filter((_, i) => (i + pick) % 2 === 0).map((p) => p.product.productId));
      const ranked = rankProducts({ application, products, today: TODAY, excludeProductIds: excluded });
      for (const candidate of ranked) expect(excluded.has(candidate.productId)).toBe(false);
    }), { numRuns: 100 });
  });

  it('keeps scores integers in 0..100, sorted descending with productId tie-breaks, explained by reasons', () => {
    fc.assert(fc.property(scenarioArb, ({ application, products }) => {
      const ranked = rankProducts({ application, products, today: TODAY });
      ranked.forEach((candidate, i) => {
        expect(Number.isInteger(candidate.score)).toBe(true);
        expect(candidate.score).toBeGreaterThanOrEqual(0);
        expect(candidate.score).toBeLessThanOrEqual(100);
        expect(candidate.reasons.length).toBeGreaterThan(0);
        expect(candidate.reasons.reduce((s, r) => s + (r.weight ?? 0), 0)).toBe(candidate.score);
        const next = ranked[i + 1];
        if (next !== undefined) {
          expect(candidate.score > next.score || (candidate.score === next.score && candidate.productId < next.productId)).toBe(true);
        }
      });
    }), { numRuns: 200 });
  });
});
