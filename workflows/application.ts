import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
// Only zod-free modules, imported file by file: Temporal evaluates every module the workflow
// imports again for each workflow (see schemas/vocabulary.ts).
import { isApplicationTerminal } from '../domain/applicationLifecycle';
import { isDealOpen, nextDealStatus, type DealAction } from '../domain/dealLifecycle';
import type {
  ApplicationStatus,
  ApplicationWorkflowInput,
  Candidate,
  DealDecision,
  DealRecord,
  DocumentSubmission,
  ValidationIssue,
  WithdrawRequest,
} from '../schemas';
import { parseDecision, parseSubmission, parseWithdrawal, parseWorkflowInput, type Checked } from './commandChecks';
import {
  emit,
  newApplicationState,
  nextDeadline,
  nowIso,
  setDeadline,
  setDealStatus,
  setOfferDeadline,
  setScreening,
  setStatus,
  snapshot,
  takeUnrecorded,
  type ApplicationSnapshot,
  type ApplicationState,
  type DealState,
} from './applicationState';

// One workflow per financing application, from submission to its end. Deals are state machines
// inside it rather than child workflows: the contract wants one gap-free `seq` per application,
// published in order, and one owner of the counter and the outbox makes that trivially true.

/** The only place a workflow id is built. */
export const applicationWorkflowId = (applicationId: string): string => `application-${applicationId}`;

// ---------- messages: the API and the tests import these, never the names ----------

export interface InstitutionDecision {
  dealId: string;
  institutionId: string;
  decision: DealDecision;
}
export interface OfferAcceptance {
  dealId: string;
}
export interface CommandResult {
  application: ApplicationSnapshot['application'];
  deal: DealRecord | null;
}

export const getApplicationQuery = defineQuery<ApplicationSnapshot>('getApplication');
export const decideUpdate = defineUpdate<CommandResult, [InstitutionDecision]>('decide');
export const submitDocumentsUpdate = defineUpdate<CommandResult, [DocumentSubmission]>('submitDocuments');
export const acceptOfferUpdate = defineUpdate<CommandResult, [OfferAcceptance]>('acceptOffer');
export const withdrawUpdate = defineUpdate<CommandResult, [WithdrawRequest]>('withdraw');

/** `ApplicationFailure.type` of a rejected command; the API maps them to 400, 404 and 409. */
export const CommandRejection = {
  invalid: 'ValidationFailed',
  notFound: 'NotFound',
  notAllowed: 'NotAllowed',
} as const;

export const searchAttributes = {
  status: defineSearchAttributeKey('DealflowStatus', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('DealflowRegion', SearchAttributeType.KEYWORD),
  instrument: defineSearchAttributeKey('DealflowInstrument', SearchAttributeType.KEYWORD),
  institutionIds: defineSearchAttributeKey('DealflowInstitutionIds', SearchAttributeType.KEYWORD_LIST),
  enterpriseUscc: defineSearchAttributeKey('DealflowEnterpriseUscc', SearchAttributeType.KEYWORD),
};

// ---------- activities ----------

/** Database and catalogue calls: quick, retried until the dependency is back. */
export const defaultActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
/**
 * Recording events waits out a Kafka or MongoDB outage through retries (the events queue in the
 * workflow meanwhile). A short attempt means an attempt lost with a killed worker is retried soon.
 */
export const publishActivity: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

const { recordEvents } = proxyActivities<Activities>(publishActivity);

/**
 * Screening, ranking and capacity are quick calls whose answers the workflow needs at once: they
 * run as local activities, inside the workflow task, which spares the Temporal server (what bounds
 * the pipeline's throughput) an activity task, a workflow task and three history events per call.
 * The first workflow task then runs from submission to the first proposals, and its events are
 * recorded as one batch when it ends (see `recording`). Workflows started before this change
 * replay with the activity tasks and batches they recorded.
 */
const LOCAL_STEPS_PATCH = 'local-steps';
const localActivity: LocalActivityOptions = { startToCloseTimeout: defaultActivity.startToCloseTimeout, retry: defaultActivity.retry };
const remoteSteps = proxyActivities<Activities>(defaultActivity);
const localSteps = proxyLocalActivities<Activities>(localActivity);
const steps = (state: ApplicationState) => (state.localSteps ? localSteps : remoteSteps);

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ApplicationOutcome {
  applicationId: string;
  status: ApplicationStatus;
}

export async function applicationWorkflow(rawInput: ApplicationWorkflowInput): Promise<ApplicationOutcome> {
  const input = acceptOrReject(parseWorkflowInput(rawInput), 'workflow input');
  const state = newApplicationState(input);
  state.localSteps = patched(LOCAL_STEPS_PATCH);
  state.recording = !state.localSteps;
  registerHandlers(state);
  void recordLoop(state);
  setSearchAttributes(state, [
    { key: searchAttributes.enterpriseUscc, value: input.enterpriseUscc },
    { key: searchAttributes.instrument, value: input.request.instrument },
  ]);

  emit(state, 'application.submitted', { request: input.request });
  changeStatus(state, 'screening');
  const eligible = await screen(state);
  if (eligible && isOpen(state)) await match(state);
  state.recording = true;
  while (isOpen(state)) {
    await waitForChangeOrDeadline(state);
    expireLapsedDeadlines(state);
    await reconcile(state);
  }
  await finish(state);
  return { applicationId: state.applicationId, status: state.record.status };
}

// ---------- steps ----------

async function screen(state: ApplicationState): Promise<boolean> {
  const now = nowIso();
  const outcome = await steps(state).screenApplication({
    applicationId: state.applicationId,
    enterpriseUscc: state.enterpriseUscc,
    request: state.record.request,
    today: now.slice(0, 10),
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

async function match(state: ApplicationState): Promise<void> {
  const { profile } = state;
  const screening = state.record.screening;
  if (!profile || !screening) throw ApplicationFailure.nonRetryable('matching needs a screened profile');
  const candidates = await steps(state).rankCandidates({
    applicationId: state.applicationId,
    request: state.record.request,
    profile,
    verifiedQualifications: screening.verifiedQualifications,
    today: nowIso().slice(0, 10),
    limit: state.settings.candidateLimit,
  });
  if (!isOpen(state)) return;
  emit(state, 'application.matched', {
    candidates: candidates.map(({ productId, institutionId, score, reasons }) => ({ productId, institutionId, score, reasons })),
  });
  state.remaining = [...candidates];
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

/** Proposes the next ranked products until topK deals are open or no candidate remains. */
async function backfill(state: ApplicationState): Promise<void> {
  while (acceptsNewDeals(state) && openDeals(state).length < state.settings.topK && state.remaining.length > 0) {
    const candidate = state.remaining.shift() as Candidate;
    const dealId = `${state.applicationId}-d${state.deals.size + 1}`;
    const reserved = await steps(state).reserveCapacity({ productId: candidate.productId, dealId });
    if (!reserved) {
      log.info('product at capacity, trying the next', { applicationId: state.applicationId, productId: candidate.productId });
      continue;
    }
    state.compensations.push({ dealId, undo: () => steps(state).releaseCapacity({ productId: candidate.productId, dealId }) });
    if (!acceptsNewDeals(state)) break; // withdrawn meanwhile: finish() releases the reservation
    propose(state, candidate, dealId);
  }
}

function propose(state: ApplicationState, candidate: Candidate, dealId: string): void {
  const now = nowIso();
  const deal: DealState = {
    record: {
      dealId,
      applicationId: state.applicationId,
      enterpriseUscc: state.enterpriseUscc,
      institutionId: candidate.institutionId,
      productId: candidate.productId,
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
  setDeadline(state, deal, 'response', Date.now() + candidate.responseSlaHours * HOUR_MS * state.settings.slaScale);
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
  const wake = () => state.needsReconcile || !isOpen(state);
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
    emit(state, 'application.expired', { reason: `No offer was accepted within ${state.settings.offerWindowDays} days of the first term sheet` });
    releaseOpenDeals(state, 'application_expired');
  }
}

function endNoMatch(state: ApplicationState, reason: 'no_eligible_product' | 'all_deals_declined_or_expired', message: string): void {
  changeStatus(state, 'no_match');
  emit(state, 'application.no_match', { reason, message });
}

function releaseOpenDeals(state: ApplicationState, reason: 'other_offer_accepted' | 'application_withdrawn' | 'application_expired', except?: string): void {
  for (const deal of openDeals(state)) {
    // Checked first so a lifecycle change can never fail a withdrawal half-way through.
    if (deal.record.dealId === except || !nextDealStatus(deal.record.status, 'release').ok) continue;
    transitionDeal(state, deal, 'release');
    setDeadline(state, deal, null, null);
    emit(state, 'deal.not_selected', { reason }, deal);
  }
}

// ---------- commands ----------

function registerHandlers(state: ApplicationState): void {
  setHandler(getApplicationQuery, () => snapshot(state));

  setHandler(decideUpdate, (command) => applied(state, decide(state, command)), {
    validator: (command) => void checkDecision(state, command),
  });
  setHandler(submitDocumentsUpdate, (submission) => applied(state, submitDocuments(state, submission)), {
    validator: (submission) => void checkSubmission(state, submission),
  });
  setHandler(acceptOfferUpdate, (acceptance) => applied(state, acceptOffer(state, acceptance)), {
    validator: (acceptance) => void checkAcceptance(state, acceptance),
  });
  setHandler(withdrawUpdate, (request) => applied(state, withdraw(state, request)), {
    validator: (request) => void checkWithdrawal(state, request),
  });
}

/** A command answers once its events are in the read models, so a read right after shows it. */
async function applied(state: ApplicationState, deal: DealState | null): Promise<CommandResult> {
  const seq = state.seq;
  state.needsReconcile = true;
  state.recording = true;
  await condition(() => state.persistedSeq >= seq);
  return { application: { ...state.record }, deal: deal ? { ...deal.record } : null };
}

function checkDecision(state: ApplicationState, command: InstitutionDecision): { deal: DealState; decision: DealDecision } {
  const decision = acceptOrReject(parseDecision(command?.decision), 'decision');
  const deal = findDeal(state, command.dealId);
  if (deal.record.institutionId !== command.institutionId) reject(CommandRejection.notFound, `deal ${command.dealId} not found`);
  checkApplicationOpen(state);
  checkTransition(deal, decision.action);
  if (decision.action === 'issue_term_sheet' && Date.parse(decision.termSheet.expiresAt) <= Date.now()) {
    reject(CommandRejection.invalid, 'termSheet.expiresAt must be in the future');
  }
  return { deal, decision };
}

function decide(state: ApplicationState, command: InstitutionDecision): DealState {
  const { deal, decision } = checkDecision(state, command);
  const now = Date.now();
  transitionDeal(state, deal, decision.action);
  deal.record.note = decision.reason ?? deal.record.note;
  switch (decision.action) {
    case 'express_interest':
      deal.ddDeadlineMs = now + deal.candidate.ddSlaDays * DAY_MS * state.settings.slaScale;
      setDeadline(state, deal, 'due_diligence', deal.ddDeadlineMs);
      emit(state, 'deal.interest_expressed', decision.reason ? { reason: decision.reason } : {}, deal);
      break;
    case 'decline':
      setDeadline(state, deal, null, null);
      emit(state, 'deal.declined', { reason: decision.reason }, deal);
      break;
    case 'request_documents':
      deal.record.documentsRequested = [...new Set([...deal.record.documentsRequested, ...decision.documents])];
      deal.documentsRequestedAtMs ??= now;
      setDeadline(state, deal, 'documents', now + state.settings.documentsDeadlineDays * DAY_MS);
      emit(state, 'deal.documents_requested', { documents: decision.documents, ...(decision.reason ? { reason: decision.reason } : {}) }, deal);
      break;
    case 'issue_term_sheet':
      deal.record.termSheet = decision.termSheet;
      setDeadline(state, deal, 'term_sheet', Date.parse(decision.termSheet.expiresAt));
      emit(state, 'deal.term_sheet_issued', { termSheet: decision.termSheet }, deal);
      if (state.record.status === 'in_due_diligence') {
        changeStatus(state, 'offers_ready');
        setOfferDeadline(state, now + state.settings.offerWindowDays * DAY_MS);
      }
      break;
    case 'confirm_close':
      setDeadline(state, deal, null, null);
      emit(state, 'deal.closed', deal.record.termSheet ? { amountCny: deal.record.termSheet.amountCny } : {}, deal);
      changeStatus(state, 'closed');
      emit(state, 'application.closed', { dealId: deal.record.dealId, ...(deal.record.termSheet ? { amountCny: deal.record.termSheet.amountCny } : {}) });
      break;
  }
  return deal;
}

function checkSubmission(state: ApplicationState, raw: DocumentSubmission): { deal: DealState; submission: DocumentSubmission } {
  const submission = acceptOrReject(parseSubmission(raw), 'documents');
  const deal = findDeal(state, submission.dealId);
  checkApplicationOpen(state);
  checkTransition(deal, 'submit_documents');
  return { deal, submission };
}

function submitDocuments(state: ApplicationState, raw: DocumentSubmission): DealState {
  const { deal, submission } = checkSubmission(state, raw);
  const now = Date.now();
  transitionDeal(state, deal, 'submit_documents');
  deal.record.documentsSubmitted = [...deal.record.documentsSubmitted, ...submission.documents];
  // The due-diligence clock stood still while the institution waited on the enterprise.
  if (deal.ddDeadlineMs !== null && deal.documentsRequestedAtMs !== null) deal.ddDeadlineMs += now - deal.documentsRequestedAtMs;
  deal.documentsRequestedAtMs = null;
  setDeadline(state, deal, 'due_diligence', deal.ddDeadlineMs);
  emit(state, 'deal.documents_submitted', { documents: submission.documents }, deal);
  return deal;
}

function checkAcceptance(state: ApplicationState, acceptance: OfferAcceptance): DealState {
  const deal = findDeal(state, acceptance?.dealId);
  checkTransition(deal, 'accept_offer');
  if (state.record.status !== 'offers_ready') reject(CommandRejection.notAllowed, `cannot accept an offer while the application is ${state.record.status}`);
  return deal;
}

function acceptOffer(state: ApplicationState, acceptance: OfferAcceptance): DealState {
  const deal = checkAcceptance(state, acceptance);
  transitionDeal(state, deal, 'accept_offer');
  setDeadline(state, deal, null, null);
  setOfferDeadline(state, null);
  changeStatus(state, 'accepted');
  emit(state, 'deal.selected', {}, deal);
  releaseOpenDeals(state, 'other_offer_accepted', deal.record.dealId);
  return deal;
}

function checkWithdrawal(state: ApplicationState, raw: WithdrawRequest): WithdrawRequest {
  const request = acceptOrReject(parseWithdrawal(raw), 'withdrawal');
  if (!isOpen(state)) reject(CommandRejection.notAllowed, `cannot withdraw an application that is ${state.record.status}`);
  return request;
}

function withdraw(state: ApplicationState, raw: WithdrawRequest): null {
  const request = checkWithdrawal(state, raw);
  setOfferDeadline(state, null);
  changeStatus(state, 'withdrawn');
  emit(state, 'application.withdrawn', { reason: request.reason });
  releaseOpenDeals(state, 'application_withdrawn');
  return null;
}

// ---------- helpers ----------

function findDeal(state: ApplicationState, dealId: unknown): DealState {
  const deal = typeof dealId === 'string' ? state.deals.get(dealId) : undefined;
  if (!deal) reject(CommandRejection.notFound, `deal ${String(dealId)} not found in application ${state.applicationId}`);
  return deal;
}

/** An ended application is only draining its outbox; a late command must not reopen or re-close it. */
function checkApplicationOpen(state: ApplicationState): void {
  if (!isOpen(state)) reject(CommandRejection.notAllowed, `application ${state.applicationId} is ${state.record.status}`);
}

function checkTransition(deal: DealState, action: DealAction): void {
  const next = nextDealStatus(deal.record.status, action);
  if (!next.ok) reject(CommandRejection.notAllowed, next.reason);
}

function transitionDeal(state: ApplicationState, deal: DealState, action: DealAction): void {
  const next = nextDealStatus(deal.record.status, action);
  if (!next.ok) reject(CommandRejection.notAllowed, next.reason);
  setDealStatus(state, deal, next.status);
  state.needsReconcile = true;
}

function changeStatus(state: ApplicationState, status: ApplicationStatus): void {
  setStatus(state, status);
  setSearchAttributes(state, [{ key: searchAttributes.status, value: status }]);
  state.needsReconcile = true;
}

function openDeals(state: ApplicationState): DealState[] {
  return [...state.deals.values()].filter((deal) => isDealOpen(deal.record.status));
}

const isOpen = (state: ApplicationState): boolean => !isApplicationTerminal(state.record.status);
const acceptsNewDeals = (state: ApplicationState): boolean =>
  state.record.status === 'matching' || state.record.status === 'in_due_diligence' || state.record.status === 'offers_ready';

function reject(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function acceptOrReject<T>(checked: Checked<T>, what: string): T {
  if (checked.ok) return checked.value;
  const issues: ValidationIssue[] = checked.issues;
  throw ApplicationFailure.create({
    type: CommandRejection.invalid,
    message: `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    details: [issues],
    nonRetryable: true,
  });
}

/**
 * Search attributes follow the events: changed ones are sent in one upsert with each recorded
 * batch, not one upsert per change (each is a history event and a visibility write on the
 * server, about eight per application before its first proposals). Workflows started before
 * local steps upserted at every change and replay that way.
 */
function setSearchAttributes(state: ApplicationState, pairs: SearchAttributeUpdatePair[]): void {
  if (!state.localSteps) {
    upsertSearchAttributes(pairs);
    return;
  }
  for (const pair of pairs) state.pendingSearchAttributes.set(pair.key.name, pair);
}

function flushSearchAttributes(state: ApplicationState): void {
  if (state.pendingSearchAttributes.size === 0) return;
  upsertSearchAttributes([...state.pendingSearchAttributes.values()]);
  state.pendingSearchAttributes.clear();
}

/** Records the outbox in seq order, one batch at a time, for the workflow's whole life. */
async function recordLoop(state: ApplicationState): Promise<void> {
  for (;;) {
    await condition(() => state.recording && state.outbox.length > 0);
    const batch = takeUnrecorded(state);
    flushSearchAttributes(state);
    await recordEvents(batch);
    state.persistedSeq = batch.events[batch.events.length - 1]?.seq ?? state.persistedSeq;
  }
}
