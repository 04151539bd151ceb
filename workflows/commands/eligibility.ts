import { nowIso, type ApplicationState } from '../applicationState';
import { checkDecision } from './decide';
import { CommandRejection, type InstitutionDecision } from '../messages';
import { reject } from '../rejection';
import { commandSteps } from '../steps';

// Eligibility again before a term sheet and before the close (CONTRACT: a required qualification
// that lapsed, or a listing, answers 409 `enterprise_not_eligible`). The registries are data the
// validator cannot read, so the update handler asks an activity before it applies the decision;
// the decision's own checks run again afterwards against the state as it is then.

export async function checkStillEligible(state: ApplicationState, command: InstitutionDecision): Promise<void> {
  const action = command.decision.action;
  if (!state.workingDaySlas || (action !== 'issue_term_sheet' && action !== 'confirm_close')) return;
  const { deal } = checkDecision(state, command);
  const check = await commandSteps(state).checkEligibility({
    applicationId: state.applicationId,
    enterpriseUscc: state.enterpriseUscc,
    productId: deal.record.productId,
    request: state.record.request,
    now: nowIso(),
  });
  if (!check.eligible) reject(CommandRejection.notEligible, `enterprise_not_eligible: ${check.reasons.join('; ')}`);
}
