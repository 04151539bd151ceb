import { beijingDateOf, screenApplication } from '../domain';
import type { ApplicationRequest, QualificationType } from '../schemas';
import { isDishonestDebtor, loadProfile, loadRecognitions } from '../store/catalogue';
import { collectionOf } from '../store/collection';
import type { ActivityDeps } from './deps';

/** Why an enterprise may no longer receive a term sheet or close (empty: it may). */
export interface EligibilityCheck {
  eligible: boolean;
  reasons: string[];
}

export function createEligibilityActivities({ models, logger }: ActivityDeps) {
  return {
    /**
     * Eligibility again, before a term sheet and before the close: the dishonest-debtor list and
     * the product's required qualifications, verified in the registry on the Beijing date of `now`.
     */
    async checkEligibility(input: { applicationId: string; enterpriseUscc: string; productId: string; request: ApplicationRequest; now: string }): Promise<EligibilityCheck> {
      const log = logger.child({ applicationId: input.applicationId });
      const [profile, recognitions, dishonest, product] = await Promise.all([
        loadProfile(models, input.enterpriseUscc, log),
        loadRecognitions(models, input.enterpriseUscc),
        isDishonestDebtor(models, input.enterpriseUscc),
        collectionOf(models.products).findOne({ _id: input.productId }, { projection: { requiredQualifications: 1 } }),
      ]);
      const reasons: string[] = [];
      if (dishonest) reasons.push('the enterprise is on the dishonest-debtor list');
      const required = (Array.isArray(product?.requiredQualifications) ? product.requiredQualifications : []) as QualificationType[];
      if (required.length > 0) {
        const screening = screenApplication({ profile, request: input.request, isDishonestDebtor: dishonest, recognitions, today: beijingDateOf(input.now), now: input.now });
        const verified = new Set(screening.verifiedQualifications.map((q) => q.type));
        const lapsed = required.filter((type) => !verified.has(type));
        if (lapsed.length > 0) reasons.push(`the product requires ${lapsed.join(', ')}, which the recognition registry does not hold as valid today`);
      }
      log.info({ eligible: reasons.length === 0, reasons }, 'eligibility re-checked');
      return { eligible: reasons.length === 0, reasons };
    },
  };
}
