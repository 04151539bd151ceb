import { allHandlersFinished, ApplicationFailure, condition, log, patched } from '@temporalio/workflow';
// Only zod-free modules, imported file by file: Temporal evaluates every module the workflow
// imports again for each workflow (see schemas/vocabulary.ts).
import { isDealOpen } from '../domain/dealLifecycle';
import { nextProposable, preferInstitution } from '../domain/proposing';
import type { ApplicationWorkflowInput, Candidate } from '../schemas';
import { beijingDateOf } from '../schemas/beijingDate';
import { LOCAL_STEPS_FIRST_TASK_ONLY_PATCH, LOCAL_STEPS_PATCH, ONE_DEAL_PER_INSTITUTION_PATCH, WORKING_DAY_SLAS_PATCH } from './activityOptions';
import {
  emit,
  newApplicationState,
  nextDeadline,
  nowIso,
  setDeadline,
  setOfferDeadline,
  setScreening,
  type ApplicationState,
  type DealState,
} from './applicationState';
import { parseWorkflowInput } from './commandChecks';
import { registerHandlers } from './commands';
import type { ApplicationOutcome } from './messages';
import { flushSearchAttributes, recordLoop, searchAttributes, setSearchAttributes } from './outbox';
import { acceptOrReject } from './rejection';
import { offerWindowInWorkingDays, refreshCalendar, responseClock } from './deadlines';
import { endListedDishonest } from './dishonestDebtor';
import { orchestrationSteps } from './steps';
import { acceptsNewDeals, changeStatus, isOpen, openDeals, releaseOpenDeals, transitionDeal } from './transitions';

// One workflow per financing application, from submission to its end. Deals are state machines
// inside it rather than child workflows: the contract wants one gap-free `seq` per application,
// published in order, and one owner of the counter and the outbox makes that trivially true.
//
// This file is the orchestration; the messages it answers are in messages.ts, each command's
// check and effect in commands/, and the outbox with the search attributes in outbox.ts.

// Screening, ranking and capacity run as local activities at first, activity tasks later (see steps.ts).
const steps = orchestrationSteps;

export async function applicationWorkflow(rawInput: ApplicationWorkflowInput): Promise<ApplicationOutcome> {
  const input = acceptOrReject(parseWorkflowInput(rawInput), 'workflow input');
  const state = newApplicationState(input);
  state.localSteps = patched(LOCAL_STEPS_PATCH);
  state.onePerInstitution = patched(ONE_DEAL_PER_INSTITUTION_PATCH);
  if (input.source) state.record.source = { forumId: input.source.forumId, meetingId: input.source.meetingId };
  state.recording = !state.localSteps;
  state.workingDaySlas = patched(WORKING_DAY_SLAS_PATCH);
  state.localStepsFirstTaskOnly = state.localSteps && patched(LOCAL_STEPS_FIRST_TASK_ONLY_PATCH);
  registerHandlers(state);
  void recordLoop(state);
  setSearchAttributes(state, [
    { key: searchAttributes.enterpriseUscc, value: input.enterpriseUscc },
    { key: searchAttributes.instrument, value: input.request.instrument },
  ]);

  emit(state, 'application.submitted', { request: input.request });
  changeStatus(state, 'screening');
  const eligible = await screen(state);
  if (eligible && isOpen(state) && !state.listedDishonest) await match(state, input.source?.institutionId);
  state.recording = true;
  while (isOpen(state)) {
    if (state.listedDishonest) endListedDishonest(state);
    else {
      await waitForChangeOrDeadline(state);
      expireLapsedDeadlines(state);
    }
    await reconcile(state);
  }
  await finish(state);
  return { applicationId: state.applicationId, status: state.record.status };
}

// ---------- steps ----------

/** The date rules compare with: the Beijing date (the UTC date in workflows started before working-day SLAs). */
const today = (state: ApplicationState, now: string): string => (state.workingDaySlas ? beijingDateOf(now) : now.slice(0, 10));

async function screen(state: ApplicationState): Promise<boolean> {
  const now = nowIso();
  const outcome = await steps(state).screenApplication({
    applicationId: state.applicationId,
    enterpriseUscc: state.enterpriseUscc,
    request: state.record.request,
    today: today(state, now),
    now,
  });
  if (!isOpen(state)) return false; // withdrawn while screening
  setScreening(state, outcome.result, outcome.profile?.region ?? null);
  if (outcome.profile) setSearchAttributes(state, [{ key: searchAttributes.region, value: outcome.profile.region }]);
  emit(state, 'application.screened', outcome.result);
  if (!outcome.result.eligible || outcome.profile === null) {
    changeStatus(state, 'rejected');
    return false;
  }
  changeStatus(state, 'matching');
  state.profile = outcome.profile;
  return true;
}

async function match(state: ApplicationState, sourceInstitutionId: string | undefined): Promise<void> {
  const { profile } = state;
  const screening = state.record.screening;
  if (!profile || !screening) throw ApplicationFailure.nonRetryable('matching needs a screened profile');
  // The institution met at a forum (followUp "apply") gets its best eligible product proposed first.
  const preferred = state.onePerInstitution ? sourceInstitutionId : undefined;
  const candidates = await steps(state).rankCandidates({
    applicationId: state.applicationId,
    request: state.record.request,
    profile,
    verifiedQualifications: screening.verifiedQualifications,
    today: today(state, nowIso()),
    limit: state.settings.candidateLimit,
    maxOpenDealsPerInstitution: state.onePerInstitution ? state.settings.maxOpenDealsPerInstitution : Number.MAX_SAFE_INTEGER,
    ...(preferred !== undefined ? { preferredInstitutionId: preferred } : {}),
  });
  if (!isOpen(state)) return;
  emit(state, 'application.matched', {
    candidates: candidates.map(({ productId, institutionId, score, reasons }) => ({ productId, institutionId, score, reasons })),
  });
  state.remaining = preferred === undefined ? [...candidates] : preferInstitution(candidates, preferred);
  if (candidates.length === 0) {
    endNoMatch(state, 'no_eligible_product', 'No active product fits this application');
    return;
  }
  // Still `matching` while the first deals are proposed: in due diligence means a deal exists.
  await backfill(state);
  if (!isOpen(state)) return;
  if (openDeals(state).length === 0) endNoMatch(state, 'no_eligible_product', 'Every product that fits this application is at capacity');
  else changeStatus(state, 'in_due_diligence');
}

/**
 * Proposes the next ranked products until topK deals are open or no candidate may be proposed. A
 * candidate whose institution holds the allowed open deals waits in `remaining` for a later backfill.
 */
async function backfill(state: ApplicationState): Promise<void> {
  while (acceptsNewDeals(state) && openDeals(state).length < state.settings.topK && state.remaining.length > 0) {
    await refreshCalendar(state, steps(state));
    if (!acceptsNewDeals(state)) break;
    const position = state.onePerInstitution
      ? nextProposable(state.remaining, openDealsByInstitution(state), state.settings.maxOpenDealsPerInstitution)
      : 0;
    if (position < 0) break;
    const [candidate] = state.remaining.splice(position, 1) as [Candidate];
    const dealId = `${state.applicationId}-d${state.deals.size + 1}`;
    const reserved = await steps(state).reserveCapacity({ productId: candidate.productId, dealId, applicationId: state.applicationId });
    if (!reserved) {
      log.info('product at capacity, trying the next', { applicationId: state.applicationId, productId: candidate.productId });
      continue;
    }
    state.compensations.push({ dealId, undo: () => steps(state).releaseCapacity({ productId: candidate.productId, dealId }) });
    if (!acceptsNewDeals(state)) break; // withdrawn meanwhile: finish() releases the reservation
    propose(state, candidate, dealId);
  }
}

function openDealsByInstitution(state: ApplicationState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const deal of openDeals(state)) counts.set(deal.record.institutionId, (counts.get(deal.record.institutionId) ?? 0) + 1);
  return counts;
}

function propose(state: ApplicationState, candidate: Candidate, dealId: string): void {
  const now = nowIso();
  const deal: DealState = {
    record: {
      dealId,
      applicationId: state.applicationId,
      enterpriseUscc: state.enterpriseUscc,
      institutionId: candidate.institutionId,
      ...(candidate.institutionName !== undefined ? { institutionName: candidate.institutionName } : {}),
      productId: candidate.productId,
      ...(candidate.productName !== undefined ? { productName: candidate.productName } : {}),
      status: 'proposed',
      score: candidate.score,
      reasons: candidate.reasons,
      documentsRequested: [],
      documentsSubmitted: [],
      deadline: null,
      note: null,
      createdAt: now,
      updatedAt: now,
    },
    candidate,
    deadlineMs: null,
    deadlineKind: null,
    ddDeadlineMs: null,
    documentsRequestedAtMs: null,
    holdsCapacity: true,
  };
  state.deals.set(dealId, deal);
  state.institutionIds.add(candidate.institutionId);
  setSearchAttributes(state, [{ key: searchAttributes.institutionIds, value: [...state.institutionIds] }]);
  const response = responseClock(state, candidate, Date.now());
  setDeadline(state, deal, 'response', response.atMs, response.provisional);
  emit(state, 'deal.proposed', {
    productId: candidate.productId,
    score: candidate.score,
    reasons: candidate.reasons,
    rank: state.deals.size,
  }, deal);
}

/**
 * After any change: releases the capacity of deals that ended (their compensation), backfills, and
 * ends the application when nothing is left to wait for. Repeats while handlers change the state.
 */
async function reconcile(state: ApplicationState): Promise<void> {
  while (state.needsReconcile) {
    state.needsReconcile = false;
    await releaseEndedDeals(state);
    if (!isOpen(state)) return;
    await backfill(state);
    const open = openDeals(state);
    if (state.record.status === 'offers_ready' && !open.some((d) => d.record.status === 'term_sheet_issued')) {
      // Every term sheet lapsed or was withdrawn: back to waiting for one.
      setOfferDeadline(state, null);
      changeStatus(state, 'in_due_diligence');
    }
    if (open.length === 0 && state.remaining.length === 0 && acceptsNewDeals(state)) {
      endNoMatch(state, 'all_deals_declined_or_expired', 'Every proposed deal was declined or expired and no candidate remains');
    }
  }
}

async function releaseEndedDeals(state: ApplicationState): Promise<void> {
  for (const deal of state.deals.values()) {
    if (deal.holdsCapacity && !isDealOpen(deal.record.status)) {
      deal.holdsCapacity = false;
      await runCompensation(state, deal.record.dealId);
    }
  }
}

async function runCompensation(state: ApplicationState, dealId: string): Promise<void> {
  const index = state.compensations.findIndex((c) => c.dealId === dealId);
  if (index < 0) return;
  const [compensation] = state.compensations.splice(index, 1);
  await compensation?.undo();
}

/** Ends the saga: every reservation still held is released, newest first, then the outbox drains. */
async function finish(state: ApplicationState): Promise<void> {
  while (state.compensations.length > 0) {
    const compensation = state.compensations.pop();
    await compensation?.undo();
  }
  state.recording = true;
  await condition(() => state.outbox.length === 0 && state.persistedSeq === state.seq);
  await condition(allHandlersFinished);
  flushSearchAttributes(state);
}

async function waitForChangeOrDeadline(state: ApplicationState): Promise<void> {
  const deadline = nextDeadline(state);
  const wake = () => state.needsReconcile || !isOpen(state) || state.listedDishonest;
  if (deadline === null) await condition(wake);
  else await condition(wake, Math.max(1, deadline - Date.now()));
}

function expireLapsedDeadlines(state: ApplicationState): void {
  const now = Date.now();
  for (const deal of state.deals.values()) {
    if (deal.deadlineMs === null || deal.deadlineMs > now || !isDealOpen(deal.record.status)) continue;
    const reason = ({
      response: 'response_sla_elapsed',
      due_diligence: 'due_diligence_sla_elapsed',
      documents: 'documents_not_submitted',
      term_sheet: 'term_sheet_expired',
    } as const)[deal.deadlineKind ?? 'response'];
    transitionDeal(state, deal, 'expire');
    setDeadline(state, deal, null, null);
    emit(state, 'deal.expired', { reason }, deal);
  }
  if (state.offerDeadlineMs !== null && state.offerDeadlineMs <= now && state.record.status === 'offers_ready') {
    setOfferDeadline(state, null);
    changeStatus(state, 'expired');
    const window = `${state.settings.offerWindowDays}${offerWindowInWorkingDays(state) ? ' working' : ''} days`;
    emit(state, 'application.expired', { reason: `No offer was accepted within ${window} of the first term sheet` });
    releaseOpenDeals(state, 'application_expired');
  }
}

function endNoMatch(state: ApplicationState, reason: 'no_eligible_product' | 'all_deals_declined_or_expired', message: string): void {
  changeStatus(state, 'no_match');
  emit(state, 'application.no_match', { reason, message });
}
