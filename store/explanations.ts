import type { mongo } from 'mongoose';
import { PinnedExplanation, type ApplicationExplanation, type ApplicationView } from '../schemas';
import { isApplicationOpen, isDealOpen, rankedOutcome } from '../domain';
import { collectionOf, upsertById } from './collection';
import type { Models } from './models';

// An application's explanation (`GET /v1/applications/:id/explanation`), one document per
// application (`_id = applicationId`): the rank activity pins the ranked candidates and the near
// misses with their scores, reasons and failed rules; a refused reservation is added to it; each
// ranked candidate's outcome is derived from the application's deals when read.

/** Written by the ranking; a retried ranking writes its own answer over the earlier one. */
export async function storeExplanation(models: Models, applicationId: string, pinned: Omit<PinnedExplanation, 'refusedProductIds'>): Promise<void> {
  await upsertById(collectionOf(models.explanations), applicationId, { explanation: JSON.stringify(pinned), refusedProductIds: [] });
}

/** A ranked product whose reservation was refused (full when its turn came); idempotent. */
export async function noteRefusedReservation(models: Models, applicationId: string, productId: string): Promise<void> {
  const explanations = models.explanations.collection as unknown as mongo.Collection<{ _id: string; refusedProductIds: string[] }>;
  await explanations.updateOne({ _id: applicationId }, { $addToSet: { refusedProductIds: productId } });
}

async function loadPinned(models: Models, applicationId: string): Promise<PinnedExplanation | null> {
  const doc = await collectionOf(models.explanations).findOne({ _id: applicationId });
  if (!doc || typeof doc.explanation !== 'string') return null;
  return PinnedExplanation.parse({ ...(JSON.parse(doc.explanation) as object), refusedProductIds: doc.refusedProductIds ?? [] });
}

/**
 * The explanation of an application as read: null until it has been ranked (screening rejected
 * it, or it is still being screened). Ranked candidates' outcomes come from `view`'s deals.
 */
export async function loadExplanation(models: Models, view: Pick<ApplicationView, 'applicationId' | 'status' | 'deals'>): Promise<ApplicationExplanation | null> {
  const pinned = await loadPinned(models, view.applicationId);
  if (!pinned) return null;
  const context = {
    deals: view.deals.map((deal) => ({ productId: deal.productId, institutionId: deal.institutionId, open: isDealOpen(deal.status) })),
    refusedProductIds: new Set(pinned.refusedProductIds),
    applicationOpen: isApplicationOpen(view.status),
    maxPerInstitution: pinned.maxOpenDealsPerInstitution,
  };
  return {
    rulesVersion: pinned.rulesVersion,
    rankedAt: pinned.rankedAt,
    candidates: pinned.candidates.map((candidate) => (candidate.outcome === 'waiting'
      ? { ...candidate, outcome: rankedOutcome(candidate, context) }
      : candidate)),
  };
}
