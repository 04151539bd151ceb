import fc from 'fast-check';
import { hardFilterFailure, hardFilterFailures, indexProducts, nearMisses, rankProducts, type ProductWithStats } from '../../../domain/matching';
import { nextProposable, preferInstitution, rankedOutcome } from '../../../domain/proposing';
import { TODAY } from '../fixtures';
import { applicationArb as applicationOf, catalogueArb, instrumentArb as instrumentsOf, passingProductArb } from './matchingArbitraries';

// The one-deal-per-institution rule as the workflow's backfill applies it, the near misses an
// explanation names, and the outcome of each ranked candidate.

interface Ranked { productId: string; institutionId: string }

/**
 * The workflow's backfill over a ranked list: propose while fewer than `topK` deals are open, the
 * next proposable candidate each time; after each proposal round one open deal (chosen by `ends`)
 * ends. Returns every proposal with the open deals per institution at that moment.
 */
function simulate(ranked: readonly Ranked[], topK: number, max: number, ends: readonly number[]) {
  const remaining = [...ranked];
  const open: Ranked[] = [];
  const proposals: { candidate: Ranked; skipped: Ranked[]; openBefore: Map<string, number> }[] = [];
  const countOpen = () => {
    const counts = new Map<string, number>();
    for (const deal of open) counts.set(deal.institutionId, (counts.get(deal.institutionId) ?? 0) + 1);
    return counts;
  };
  const backfill = () => {
    while (open.length < topK && remaining.length > 0) {
      const counts = countOpen();
      const position = nextProposable(remaining, counts, max);
      if (position < 0) return;
      const [candidate] = remaining.splice(position, 1) as [Ranked];
      proposals.push({ candidate, skipped: ranked.filter((c) => remaining.slice(0, position).includes(c)), openBefore: counts });
      open.push(candidate);
    }
  };
  backfill();
  for (const end of ends) {
    if (open.length === 0) break;
    open.splice(end % open.length, 1);
    backfill();
  }
  return { proposals, remaining, open, openCounts: countOpen() };
}

const rankedArb = fc.uniqueArray(
  fc.record({ productId: fc.string({ minLength: 1, maxLength: 3 }), institutionId: fc.constantFrom('bank-a', 'bank-b', 'fund-c', 'lessor-d') }),
  { selector: (c) => c.productId, maxLength: 25 },
);

describe('nextProposable in the backfill', () => {
  test('no institution ever holds more than the allowed open deals, and each proposal is the best candidate allowed then', () => {
    fc.assert(fc.property(rankedArb, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { maxLength: 30 }), (ranked, topK, max, ends) => {
      const { proposals } = simulate(ranked, topK, max, ends);
      for (const { candidate, skipped, openBefore } of proposals) {
        expect(openBefore.get(candidate.institutionId) ?? 0).toBeLessThan(max);
        // Every candidate passed over was blocked by its institution's open deals.
        for (const waiting of skipped) expect(openBefore.get(waiting.institutionId) ?? 0).toBeGreaterThanOrEqual(max);
      }
    }));
  });

  test('a waiting candidate is proposed once deals end: when every deal has ended, nothing proposable is left', () => {
    fc.assert(fc.property(rankedArb, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), (ranked, topK, max) => {
      const { proposals, remaining } = simulate(ranked, topK, max, Array.from({ length: ranked.length + 1 }, () => 0));
      expect(remaining).toEqual([]);
      expect(proposals.map((p) => p.candidate.productId).sort()).toEqual(ranked.map((c) => c.productId).sort());
    }));
  });

  test('while deals stay open, at most topK are open and fewer only when every remaining candidate waits on its institution', () => {
    fc.assert(fc.property(rankedArb, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), (ranked, topK, max) => {
      const { open, remaining, openCounts } = simulate(ranked, topK, max, []);
      expect(open.length).toBeLessThanOrEqual(topK);
      if (open.length < topK) for (const waiting of remaining) expect(openCounts.get(waiting.institutionId) ?? 0).toBeGreaterThanOrEqual(max);
    }));
  });
});

describe('preferInstitution', () => {
  test('moves the best candidate of the institution to the front and keeps the rest in rank order', () => {
    const ranked = [
      { productId: 'p1', institutionId: 'a' }, { productId: 'p2', institutionId: 'b' },
      { productId: 'p3', institutionId: 'c' }, { productId: 'p4', institutionId: 'c' },
    ];
    expect(preferInstitution(ranked, 'c').map((c) => c.productId)).toEqual(['p3', 'p1', 'p2', 'p4']);
    expect(preferInstitution(ranked, 'a').map((c) => c.productId)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(preferInstitution(ranked, 'zz').map((c) => c.productId)).toEqual(['p1', 'p2', 'p3', 'p4']);
  });
});

describe('rankedOutcome', () => {
  const context = (deals: { productId: string; institutionId: string; open: boolean }[], applicationOpen = true, refused: string[] = []) => ({
    deals, refusedProductIds: new Set(refused), applicationOpen, maxPerInstitution: 1,
  });
  const second = { productId: 'a-2', institutionId: 'bank-a' };

  test('proposed, same_institution, waiting and no_capacity follow the deals', () => {
    expect(rankedOutcome(second, context([{ productId: 'a-2', institutionId: 'bank-a', open: false }]))).toBe('proposed');
    expect(rankedOutcome(second, context([{ productId: 'a-1', institutionId: 'bank-a', open: true }]))).toBe('same_institution');
    expect(rankedOutcome(second, context([{ productId: 'a-1', institutionId: 'bank-a', open: false }]))).toBe('waiting');
    expect(rankedOutcome(second, context([{ productId: 'a-1', institutionId: 'bank-a', open: false }], false))).toBe('same_institution');
    expect(rankedOutcome(second, context([], true, ['a-2']))).toBe('no_capacity');
    expect(rankedOutcome(second, context([{ productId: 'b-1', institutionId: 'bank-b', open: true }]))).toBe('waiting');
  });
});

// ---------------------------------------------------------------------------
// Near misses
// ---------------------------------------------------------------------------

const instrumentArb = instrumentsOf(2);
const applicationArb = applicationOf(instrumentArb);

const productArb = passingProductArb(instrumentArb, 5);

describe('nearMisses', () => {
  test('names active products of the instrument in the region that fail a rule, closest first, never a ranked one; the index changes nothing', () => {
    fc.assert(fc.property(applicationArb, catalogueArb(productArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 10 }), (application, products, limit) => {
      const missed = nearMisses({ application, products, today: TODAY, limit });
      const ranked = new Set(rankProducts({ application, products, today: TODAY }).map((c) => c.productId));
      const byId = new Map(products.map((p) => [p.product.productId, p]));
      const failures = (p: ProductWithStats) => hardFilterFailures(application, p, TODAY);
      const eligibleMisses = products.filter((p) => p.product.active && p.product.instruments.includes(application.request.instrument)
        && p.product.regions.includes(application.profile.region) && failures(p).length > 0);
      expect(missed).toHaveLength(Math.min(limit, eligibleMisses.length));
      for (const miss of missed) {
        const product = byId.get(miss.productId) as ProductWithStats;
        expect(ranked.has(miss.productId)).toBe(false);
        expect(miss.exclusions).toEqual(failures(product));
        expect(miss.exclusions[0]?.code).toBe(hardFilterFailure(application, product, TODAY));
      }
      const counts = missed.map((m) => m.exclusions.length);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      const worstShown = counts.at(-1) ?? 0;
      const shown = new Set(missed.map((m) => m.productId));
      for (const other of eligibleMisses) if (!shown.has(other.product.productId)) expect(failures(other).length).toBeGreaterThanOrEqual(worstShown);
      const index = indexProducts(products.map((p) => p.product));
      expect(nearMisses({ application, products, index, today: TODAY, limit })).toEqual(missed);
    }));
  });
});
