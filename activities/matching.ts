import { ApplicationFailure } from '@temporalio/activity';
import { nearMisses, rankProducts, RULES_VERSION, type RankedCandidate } from '../domain';
import type { ApplicationRequest, Candidate, CapacityRequest, ExplainedCandidate, ProfileSnapshot, Qualification } from '../schemas';
import { PIPELINE_DEFAULTS } from '../schemas/vocabulary';
import { openDealsByProduct, releaseCapacity, reserveCapacity } from '../store/capacity';
import { cachedFor } from '../store/cache';
import { collectionOf } from '../store/collection';
import { loadResponseRates, withStats, type CatalogueEntry } from '../store/catalogue';
import { noteRefusedReservation, storeExplanation } from '../store/explanations';
import type { ActivityDeps } from './deps';

/** How many excluded products an explanation names (the closest misses). */
const NEAR_MISSES_EXPLAINED = 10;

export function createMatchingActivities({ models, catalogue, logger }: ActivityDeps) {
  // Counts for the capacity filter and the responsiveness score, shared by the rankings of one
  // second: a reservation re-checks capacity atomically, so a second-old count only shifts a rank.
  const liveStats = cachedFor(1_000, async () => {
    const [openDeals, responseRates] = await Promise.all([openDealsByProduct(models), loadResponseRates(models)]);
    return { openDeals, responseRates };
  });

  return {
    /**
     * Every product that passes the hard filters, best first, with the names and SLAs of each; the
     * best product of `preferredInstitutionId` (a forum meeting's institution) is included even below
     * `limit`. Pins the explanation of the ranking: these candidates and the closest misses.
     */
    async rankCandidates(input: {
      applicationId: string;
      request: ApplicationRequest;
      profile: ProfileSnapshot;
      verifiedQualifications: Qualification[];
      today: string;
      limit: number;
      preferredInstitutionId?: string;
      maxOpenDealsPerInstitution?: number;
    }): Promise<Candidate[]> {
      const [{ entries, index, byId }, { openDeals, responseRates }] = await Promise.all([
        catalogue.indexedProducts(),
        liveStats.get(),
      ]);
      const application = { request: input.request, profile: input.profile, verifiedQualifications: input.verifiedQualifications };
      const products = withStats(entries, openDeals, responseRates);
      let ranked = rankProducts({ application, products, index, today: input.today, limit: input.limit });
      const preferred = input.preferredInstitutionId;
      if (preferred !== undefined && !ranked.some((candidate) => candidate.institutionId === preferred)) {
        // Below the limit: its best eligible product joins at the end, where its score puts it.
        const own = products.filter(({ product }) => product.institutionId === preferred);
        ranked = [...ranked, ...rankProducts({ application, products: own, today: input.today, limit: 1 })];
      }
      logger.info({ applicationId: input.applicationId, candidates: ranked.length, catalogue: entries.length }, 'application ranked');
      const named = (candidate: RankedCandidate): CatalogueEntry => {
        const entry = byId.get(candidate.productId);
        if (!entry) throw ApplicationFailure.nonRetryable(`ranked product ${candidate.productId} is not in the catalogue`);
        return entry;
      };
      const candidates = ranked.map((candidate) => {
        const { product, institutionName } = named(candidate);
        return {
          ...candidate,
          productName: product.name,
          institutionName,
          responseSlaHours: product.responseSlaHours,
          ddSlaDays: product.ddSlaDays,
          ...(product.responseSlaWorkingDays !== undefined ? { responseSlaWorkingDays: product.responseSlaWorkingDays } : {}),
          ...(product.ddSlaWorkingDays !== undefined ? { ddSlaWorkingDays: product.ddSlaWorkingDays } : {}),
        };
      });
      const missed = nearMisses({ application, products, index, today: input.today, limit: NEAR_MISSES_EXPLAINED });
      const explained: ExplainedCandidate[] = [
        ...candidates.map(({ productId, productName, institutionId, institutionName, score, reasons }) => (
          { productId, productName, institutionId, institutionName, score, reasons, outcome: 'waiting' as const, exclusions: [] })),
        ...missed.map((candidate) => {
          const { product, institutionName } = named(candidate);
          const onlyFull = candidate.exclusions.every((exclusion) => exclusion.code === 'no_capacity');
          return { ...candidate, productName: product.name, institutionName, outcome: onlyFull ? 'no_capacity' as const : 'excluded' as const };
        }),
      ];
      await storeExplanation(models, input.applicationId, {
        rulesVersion: RULES_VERSION,
        rankedAt: new Date().toISOString(),
        maxOpenDealsPerInstitution: input.maxOpenDealsPerInstitution ?? PIPELINE_DEFAULTS.maxOpenDealsPerInstitution,
        candidates: explained,
      });
      return candidates;
    },

    /** Takes one unit of the product's capacity for the deal; false when the product is full or gone. */
    async reserveCapacity({ productId, dealId, applicationId }: CapacityRequest): Promise<boolean> {
      const product = await collectionOf(models.products).findOne({ _id: productId }, { projection: { capacity: 1, active: 1 } });
      const reserved = product !== null && product.active === true
        && await reserveCapacity(models, productId, dealId, product.capacity as number, new Date());
      logger.info({ productId, dealId, reserved }, reserved ? 'capacity reserved' : 'product at capacity');
      // The explanation says why this ranked product got no deal.
      if (!reserved && applicationId !== undefined) await noteRefusedReservation(models, applicationId, productId);
      return reserved;
    },

    async releaseCapacity({ productId, dealId }: CapacityRequest): Promise<void> {
      await releaseCapacity(models, dealId);
      logger.info({ productId, dealId }, 'capacity released');
    },
  };
}
