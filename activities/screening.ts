import { beijingDateOf, screenApplication as screen } from '../domain';
import type { ApplicationRequest, ScreeningOutcome } from '../schemas';
import { isDishonestDebtor, loadProfile, loadRecognitions } from '../store/catalogue';
import type { ActivityDeps } from './deps';

export function createScreeningActivities({ models, logger }: ActivityDeps) {
  return {
    /** Eligibility of one application; an ineligible one is a result with reasons, not a failure. */
    async screenApplication(input: { applicationId: string; enterpriseUscc: string; request: ApplicationRequest; today: string; now: string }): Promise<ScreeningOutcome> {
      const log = logger.child({ applicationId: input.applicationId });
      const [profile, recognitions, dishonest] = await Promise.all([
        loadProfile(models, input.enterpriseUscc, log),
        loadRecognitions(models, input.enterpriseUscc),
        isDishonestDebtor(models, input.enterpriseUscc),
      ]);
      // Validity is judged on the Beijing date of the screening moment; `input.today` is the workflow's UTC date.
      const today = beijingDateOf(input.now);
      const result = screen({ profile, request: input.request, isDishonestDebtor: dishonest, recognitions, today, now: input.now });
      log.info({ eligible: result.eligible, codes: result.reasons.map((r) => r.code) }, 'application screened');
      return {
        result,
        profile: profile && { region: profile.region, industry: profile.industry, revenueCny: profile.revenueCny, founded: profile.founded },
      };
    },
  };
}
