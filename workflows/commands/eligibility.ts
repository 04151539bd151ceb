import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { localActivity } from '../activityOptions';
import { nowIso, type ApplicationState } from '../applicationState';
import { checkDecision } from './decide';
import { CommandRejection, type InstitutionDecision } from '../messages';
import { reject } from '../rejection';

// Eligibility again before a term sheet and before the close (CONTRACT: a required qualification
// that lapsed, or a listing, answers 409 `enterprise_not_eligible`). The registries are data the
// validator cannot read, so the update handler asks an activity before it applies the decision;
// the decision's own checks run again afterwards against the state as it is then.

const registrySteps = proxyLocalActivities<Pick<Activities, 'checkEligibility'>>(localActivity);

export async function checkStillEligible(state: ApplicationState, command: InstitutionDecision): Promise<void> {
  const action = command.decision.action;
  if (!state.workingDaySlas || (action !== 'issue_term_sheet' && action !== 'confirm_close')) return;
  const { deal } = checkDecision(state, command);
  const check = await registrySteps.checkEligibility({
    applicationId: state.applicationId,
    enterpriseUscc: state.enterpriseUscc,
    productId: deal.record.productId,
    request: state.record.request,
    now: nowIso(),
  });
  if (!check.eligible) reject(CommandRejection.notEligible, `enterprise_not_eligible: ${check.reasons.join('; ')}`);
}
