import type { ExplanationOutcome } from '../schemas/explanation';

// Which ranked candidate is proposed next, and what became of each: pure and zod-free, so the
// application workflow (which may load no zod) and the API's explanation share one rule.

interface Ranked {
  productId: string;
  institutionId: string;
}

/**
 * The position in `remaining` (best first) of the first candidate whose institution holds fewer
 * than `maxPerInstitution` open deals on the application, or -1 when every one waits on its
 * institution. Skipped candidates stay where they are: when that institution's deal ends they may
 * be proposed in a backfill.
 */
export function nextProposable(
  remaining: readonly Ranked[],
  openDealsByInstitution: ReadonlyMap<string, number>,
  maxPerInstitution: number,
): number {
  return remaining.findIndex((candidate) => (openDealsByInstitution.get(candidate.institutionId) ?? 0) < maxPerInstitution);
}

/**
 * The ranked list with the best candidate of `institutionId` moved to the front (a forum meeting
 * asked for that institution); unchanged when that institution has no eligible product.
 */
export function preferInstitution<T extends Ranked>(ranked: readonly T[], institutionId: string): T[] {
  const position = ranked.findIndex((candidate) => candidate.institutionId === institutionId);
  if (position <= 0) return [...ranked];
  return [ranked[position] as T, ...ranked.slice(0, position), ...ranked.slice(position + 1)];
}

export interface DealOfApplication extends Ranked {
  open: boolean;
}

/**
 * The outcome of one ranked (not excluded) candidate, from the application's deals: `proposed`
 * when it has a deal; `no_capacity` when its reservation was refused; `same_institution` when its
 * institution holds the allowed open deals (or, once the application is over, had any deal);
 * otherwise `waiting`.
 */
export function rankedOutcome(
  candidate: Ranked,
  context: {
    deals: readonly DealOfApplication[];
    refusedProductIds: ReadonlySet<string>;
    applicationOpen: boolean;
    maxPerInstitution: number;
  },
): ExplanationOutcome {
  const { deals } = context;
  if (deals.some((deal) => deal.productId === candidate.productId)) return 'proposed';
  if (context.refusedProductIds.has(candidate.productId)) return 'no_capacity';
  const sameInstitution = deals.filter((deal) => deal.institutionId === candidate.institutionId);
  if (context.applicationOpen) {
    if (sameInstitution.filter((deal) => deal.open).length >= context.maxPerInstitution) return 'same_institution';
  } else if (sameInstitution.length > 0) {
    return 'same_institution';
  }
  return 'waiting';
}
