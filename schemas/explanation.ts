import { z } from 'zod';
import { InstitutionId, IsoDateTime, ProductId } from './common';
import { MatchReason } from './deal';

// `GET /v1/applications/:id/explanation`: why these institutions, why not others.

export const EXPLANATION_OUTCOMES = ['proposed', 'waiting', 'same_institution', 'no_capacity', 'excluded'] as const;
export const ExplanationOutcome = z.enum(EXPLANATION_OUTCOMES);
export type ExplanationOutcome = z.infer<typeof ExplanationOutcome>;

/** A hard rule the product failed for this application (a `HardFilterCode` of domain/matching.ts). */
export const Exclusion = z.object({ code: z.string(), message: z.string() });
export type Exclusion = z.infer<typeof Exclusion>;

export const ExplainedCandidate = z.object({
  productId: ProductId,
  productName: z.string(),
  institutionId: InstitutionId,
  institutionName: z.string(),
  score: z.int().min(0).max(100),
  reasons: z.array(MatchReason),
  outcome: ExplanationOutcome,
  exclusions: z.array(Exclusion),
});
export type ExplainedCandidate = z.infer<typeof ExplainedCandidate>;

export const ApplicationExplanation = z.object({
  /** The matching rules the ranking ran with (`RULES_VERSION` of domain/matching.ts). */
  rulesVersion: z.string(),
  rankedAt: IsoDateTime,
  candidates: z.array(ExplainedCandidate),
});
export type ApplicationExplanation = z.infer<typeof ApplicationExplanation>;

/**
 * What the ranking pinned: the ranked candidates in rank order (outcome `waiting` until the
 * application's deals say otherwise) and the excluded near misses (`excluded` or `no_capacity`).
 */
export const PinnedExplanation = ApplicationExplanation.extend({
  /** Ranked products whose reservation was refused when their turn came: the product was full. */
  refusedProductIds: z.array(ProductId),
  /** The application's limit of open deals per institution, which decides `same_institution`. */
  maxOpenDealsPerInstitution: z.int().min(1),
});
export type PinnedExplanation = z.infer<typeof PinnedExplanation>;
