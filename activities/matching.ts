import { ApplicationFailure } from '@temporalio/activity';
import { rankProducts } from '../domain';
import type { ApplicationRequest, Candidate, CapacityRequest, ProfileSnapshot, Qualification } from '../schemas';
import { openDealsByProduct, releaseCapacity, reserveCapacity } from '../services/store/capacity';
import { cachedFor } from '../services/store/cache';
import { collectionOf } from '../services/store/collection';
import { loadResponseRates, withStats } from '../services/store/catalogue';
import type { ActivityDeps } from './deps';

export function createMatchingActivities({ models, catalogue, logger }: ActivityDeps) {
  // Counts for the capacity filter and the responsiveness score, shared by the rankings of one
  // second: a reservation re-checks capacity atomically, so a second-old count only shifts a rank.
  const liveStats = cachedFor(1_000, async () => {
    const [openDeals, responseRates] = await Promise.all([openDealsByProduct(models), loadResponseRates(models)]);
    return { openDeals, responseRates };
  });

  return {
    /** Every product that passes the hard filters, best first, with the SLAs of each. */
    async rankCandidates(input: {
      applicationId: string;
      request: ApplicationRequest;
      profile: ProfileSnapshot;
      verifiedQualifications: Qualification[];
      today: string;
      limit: number;
    }): Promise<Candidate[]> {
      const [{ entries, index, byId }, { openDeals, responseRates }] = await Promise.all([
        catalogue.indexedProducts(),
        liveStats.get(),
      ]);
      const ranked = rankProducts({
        application: { request: input.request, profile: input.profile, verifiedQualifications: input.verifiedQualifications },
        products: withStats(entries, openDeals, responseRates),
        index,
        today: input.today,
        limit: input.limit,
      });
      logger.info({ applicationId: input.applicationId, candidates: ranked.length, catalogue: entries.length }, 'application ranked');
      return ranked.map((candidate) => {
        const product = byId.get(candidate.productId);
        if (!product) throw ApplicationFailure.nonRetryable(`ranked product ${candidate.productId} is not in the catalogue`);
        return {
          ...candidate,
          responseSlaHours: product.responseSlaHours,
          ddSlaDays: product.ddSlaDays,
          ...(product.responseSlaWorkingDays !== undefined ? { responseSlaWorkingDays: product.responseSlaWorkingDays } : {}),
          ...(product.ddSlaWorkingDays !== undefined ? { ddSlaWorkingDays: product.ddSlaWorkingDays } : {}),
        };
      });
    },

    /** Takes one unit of the product's capacity for the deal; false when the product is full or gone. */
    async reserveCapacity({ productId, dealId }: CapacityRequest): Promise<boolean> {
      const product = await collectionOf(models.products).findOne({ _id: productId }, { projection: { capacity: 1, active: 1 } });
      if (!product || product.active !== true) return false;
      const reserved = await reserveCapacity(models, productId, dealId, product.capacity as number, new Date());
      logger.info({ productId, dealId, reserved }, reserved ? 'capacity reserved' : 'product at capacity');
      return reserved;
    },

    async releaseCapacity({ productId, dealId }: CapacityRequest): Promise<void> {
      await releaseCapacity(models, dealId);
      logger.info({ productId, dealId }, 'capacity released');
    },
  };
}
