import type { Instrument, MatchReason } from '../../schemas';
import { rankProducts, type MatchApplication, type ProductWithStats } from '../matching';
import type { ScoredPair } from './schedule';

// A forum pair's score (the contract's "Forums"): the best matching score of the enterprise's
// registration against the products the institution registered, by the same rules as an
// application's ranking. A pair whose every product fails a hard rule for every instrument the
// enterprise named never meets.

export interface EnterpriseForScoring {
  enterpriseUscc: string;
  instruments: readonly Instrument[];
  amountCny: number;
  profile: MatchApplication['profile'];
  /** Only what the registries record: as in screening, a claimed qualification counts for nothing. */
  verifiedQualifications: MatchApplication['verifiedQualifications'];
}

export interface InstitutionForScoring {
  institutionId: string;
  /** The products the institution registered for the forum, with the stats ranking uses. */
  products: readonly ProductWithStats[];
}

export interface ScoredForumPair extends ScoredPair {
  /** The product and instrument behind the best score. */
  productId: string;
  instrument: Instrument;
}

/**
 * Every enterprise–institution pair that passes the hard rules, with its best score and the reasons
 * for it. Ties between products or instruments go to the first ranked (rankProducts breaks its ties
 * by id), then the first instrument named, so the result does not depend on input order.
 */
export function pairScores(
  enterprises: readonly EnterpriseForScoring[],
  institutions: readonly InstitutionForScoring[],
  today: string,
): ScoredForumPair[] {
  // A product counts only for the institution that offers it.
  const products = institutions.flatMap(({ institutionId, products: own }) => own.filter((p) => p.product.institutionId === institutionId));
  const pairs: ScoredForumPair[] = [];
  for (const enterprise of enterprises) {
    const best = new Map<string, { score: number; reasons: MatchReason[]; productId: string; instrument: Instrument }>();
    for (const instrument of enterprise.instruments) {
      const ranked = rankProducts({
        application: {
          request: { instrument, amountCny: enterprise.amountCny },
          profile: enterprise.profile,
          verifiedQualifications: enterprise.verifiedQualifications,
        },
        products,
        today,
      });
      for (const candidate of ranked) {
        const held = best.get(candidate.institutionId);
        if (held && held.score >= candidate.score) continue;
        best.set(candidate.institutionId, { score: candidate.score, reasons: candidate.reasons, productId: candidate.productId, instrument });
      }
    }
    for (const [institutionId, { score, reasons, productId, instrument }] of best) {
      pairs.push({ enterpriseUscc: enterprise.enterpriseUscc, institutionId, score, reasons, productId, instrument });
    }
  }
  return pairs.sort((a, b) => b.score - a.score
    || (a.enterpriseUscc < b.enterpriseUscc ? -1 : a.enterpriseUscc > b.enterpriseUscc ? 1 : 0)
    || (a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0));
}
