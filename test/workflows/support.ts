import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../activities';
import {
  usccCheckCharacter,
  type ApplicationRecord,
  type Candidate,
  type CapacityRequest,
  type DealDecision,
  type DealflowEvent,
  type DealRecord,
  type EventType,
  type PipelineSettings,
  type ScreeningOutcome,
  type TermSheet,
} from '../../schemas';
import { createBusinessCalendar, type CnCalendarYear } from '../../domain/calendar';
import { applicationWorkflow } from '../../workflows/application';
import {
  acceptOfferUpdate,
  applicationWorkflowId,
  decideUpdate,
  getApplicationQuery,
  submitDocumentsUpdate,
  withdrawUpdate,
  type CommandResult,
} from '../../workflows/messages';
import type { ApplicationSnapshot } from '../../workflows/applicationState';
import { createTimeSkippingEnv, ENV_SETUP_TIMEOUT_MS, testDataConverter } from './testEnv';

// Shared by the workflow test files and recordHistories.ts: the fake market the activities run
// against, one time-skipping environment with one worker, and small drivers for the commands.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Skipped time runs in seconds; this bounds a whole scenario in real time. */
export const TEST_TIMEOUT_MS = 60_000;

export const ENTERPRISE_USCC = '91310115MA1K4A2B9' + usccCheckCharacter('91310115MA1K4A2B9');

// ---------- the fake market ----------

/** What one application's activities see and what they did; tests set the first part and assert the second. */
export interface Market {
  eligible: boolean;
  candidates: Candidate[];
  /** Free slots per product; a product not listed has room. */
  capacity: Map<string, number>;
  /** Reservations held now, by dealId. */
  held: Map<string, string>;
  reserved: CapacityRequest[];
  released: CapacityRequest[];
  /** Every event recorded, in the order the workflow recorded them: the Kafka topic and the timeline. */
  events: DealflowEvent[];
  /** The read models: the latest application and deal records recorded. */
  application: ApplicationRecord | null;
  deals: Map<string, DealRecord>;
  calls: { screenApplication: number; rankCandidates: number; loadCalendar: number };
  /** Why the registries would refuse a term sheet or a close now; empty: eligible. */
  ineligibleBecause: string[];
  /** Calendar years the calendar activity answers instead of the shipped or provisional ones. */
  calendarYears: Map<number, CnCalendarYear>;
}

export interface MarketOptions {
  eligible?: boolean;
  candidates?: Candidate[];
  capacity?: Record<string, number>;
}

export function candidate(rank: number, overrides: Partial<Candidate> = {}): Candidate {
  return {
    productId: `p-${rank}`,
    institutionId: `inst-${rank}`,
    score: Math.max(0, 95 - rank * 5),
    reasons: [{ code: 'instrument_match', message: 'Offers credit loans', weight: 30 }],
    responseSlaHours: 72,
    ddSlaDays: 30,
    ...overrides,
  };
}

export const candidates = (count: number): Candidate[] => Array.from({ length: count }, (_, i) => candidate(i + 1));

function newMarket(options: MarketOptions): Market {
  return {
    eligible: options.eligible ?? true,
    candidates: options.candidates ?? candidates(5),
    capacity: new Map(Object.entries(options.capacity ?? {})),
    held: new Map(),
    reserved: [],
    released: [],
    events: [],
    application: null,
    deals: new Map(),
    calls: { screenApplication: 0, rankCandidates: 0, loadCalendar: 0 },
    ineligibleBecause: [],
    calendarYears: new Map(),
  };
}

/** Markets by workflow id, so one worker serves every test of a file. */
const markets = new Map<string, Market>();

function currentMarket(): Market {
  const workflowId = Context.current().info.workflowExecution?.workflowId ?? '(none)';
  const market = markets.get(workflowId);
  if (!market) throw ApplicationFailure.nonRetryable(`no fake market for ${workflowId}`);
  return market;
}

export const fakeActivities: Activities = {
  async screenApplication(input) {
    const market = currentMarket();
    market.calls.screenApplication += 1;
    const outcome: ScreeningOutcome = {
      result: {
        eligible: market.eligible,
        reasons: market.eligible
          ? [{ code: 'screening_passed', message: 'Eligible' }]
          : [{ code: 'dishonest_debtor', message: 'The enterprise is on the dishonest-debtor list' }],
        verifiedQualifications: [],
        unverifiedQualifications: [],
        screenedAt: input.now,
      },
      profile: { region: 'CN-SH', industry: 'C3911', revenueCny: 120_000_000, founded: '2015-03-12' },
    };
    return outcome;
  },
  async rankCandidates(input) {
    const market = currentMarket();
    market.calls.rankCandidates += 1;
    return market.candidates.slice(0, input.limit);
  },
  async reserveCapacity({ productId, dealId }) {
    const market = currentMarket();
    if (market.held.has(dealId)) return true;
    const free = market.capacity.get(productId) ?? Number.POSITIVE_INFINITY;
    if (free <= 0) return false;
    market.capacity.set(productId, free - 1);
    market.held.set(dealId, productId);
    market.reserved.push({ productId, dealId });
    return true;
  },
  async releaseCapacity({ productId, dealId }) {
    const market = currentMarket();
    if (!market.held.delete(dealId)) return;
    market.capacity.set(productId, (market.capacity.get(productId) ?? Number.POSITIVE_INFINITY) + 1);
    market.released.push({ productId, dealId });
  },
  async loadCalendar({ fromYear, toYear }) {
    const market = currentMarket();
    market.calls.loadCalendar += 1;
    const shipped = createBusinessCalendar();
    const years: CnCalendarYear[] = [];
    for (let year = fromYear; year <= toYear; year += 1) years.push(market.calendarYears.get(year) ?? shipped.year(year));
    return years;
  },
  async checkEligibility() {
    const reasons = currentMarket().ineligibleBecause;
    return { eligible: reasons.length === 0, reasons };
  },
  async recordEvents(input) {
    const market = currentMarket();
    market.events.push(...input.events);
    market.application = input.application;
    for (const deal of input.deals) market.deals.set(deal.dealId, deal);
  },
};

// ---------- environment ----------

export interface Harness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Starts an application against its own fresh market. */
  start(options?: StartOptions): Promise<Application>;
  teardown(): Promise<void>;
}

export interface StartOptions extends MarketOptions {
  settings?: Partial<PipelineSettings>;
  /** The forum meeting the application follows up, with the meeting's institution. */
  source?: { forumId: string; meetingId: string; institutionId: string };
}

export interface Application {
  applicationId: string;
  handle: WorkflowHandle<typeof applicationWorkflow>;
  market: Market;
}

export function bundleApplicationWorkflow(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
}

/**
 * One environment, one bundle and one running worker: for a test file's beforeAll. Time skips only
 * in `env.sleep` and while `handle.result()` waits; the test server gives every run a 10-year run
 * timeout and may skip to it once nothing else is due, so call `result()` on an ended application
 * only. Each application has its own market, so a timer of another test's run that fires meanwhile
 * touches nothing a test asserts on.
 */
export async function createHarness(options: { startAt?: string } = {}): Promise<Harness> {
  const [env, workflowBundle] = await Promise.all([createTimeSkippingEnv(undefined, options.startAt), bundleApplicationWorkflow()]);
  const taskQueue = `application-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: fakeActivities,
    dataConverter: testDataConverter,
  }).catch(async (err: unknown) => {
    await env.teardown();
    throw err;
  });
  const running = worker.run();
  const started: Application[] = [];

  return {
    env,
    taskQueue,
    workflowBundle,
    async start({ settings, source, ...marketOptions } = {}) {
      const applicationId = `app-${randomUUID().slice(0, 8)}`;
      const market = newMarket(marketOptions);
      markets.set(applicationWorkflowId(applicationId), market);
      const handle = await env.client.workflow.start(applicationWorkflow, {
        workflowId: applicationWorkflowId(applicationId),
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [{
          applicationId,
          enterpriseUscc: ENTERPRISE_USCC,
          request: { instrument: 'credit_loan', amountCny: 5_000_000, termMonths: 12, purpose: 'Expand sensor production line' },
          submittedAt: new Date(await env.currentTimeMs()).toISOString(),
          settings: { ...settings },
          ...(source ? { source } : {}),
        }],
      });
      const application = { applicationId, handle, market };
      started.push(application);
      return application;
    },
    async teardown() {
      // Scenarios left open are ended first, so the worker shuts down with no task in flight.
      await Promise.allSettled(started.map(({ handle }) => handle.terminate('test over')));
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** For a test file: one harness, created before its tests and torn down after them; call the getter inside a test. */
export function useHarness(options: { startAt?: string } = {}): () => Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await createHarness(options);
  }, ENV_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await harness?.teardown();
  });
  return () => {
    if (!harness) throw new Error('the workflow test harness did not start');
    return harness;
  };
}

// ---------- reading ----------

export const read = (app: Application): Promise<ApplicationSnapshot> => app.handle.query(getApplicationQuery);

/** Polls the query until `check` holds: a timer that fired in skipped time is handled a moment later. */
export async function waitFor(app: Application, check: (s: ApplicationSnapshot) => boolean, what: string): Promise<ApplicationSnapshot> {
  const giveUpAt = Date.now() + 15_000;
  for (;;) {
    const state = await read(app);
    if (check(state)) return state;
    if (Date.now() > giveUpAt) {
      throw new Error(`timed out waiting for ${what}; status ${state.application.status}, deals ${JSON.stringify(state.deals.map((d) => [d.dealId, d.status]))}, events ${state.timeline.map((e) => e.type).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the workflow has recorded everything it emitted, so the market's read model is current. */
export async function settled(app: Application, check: (s: ApplicationSnapshot) => boolean = () => true, what = 'a settled state'): Promise<ApplicationSnapshot> {
  const state = await waitFor(app, check, what);
  const giveUpAt = Date.now() + 15_000;
  while (app.market.events.length < state.timeline.length) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${state.timeline.length} events to be recorded`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return state;
}

export const dealOf = (state: ApplicationSnapshot, dealId: string): DealRecord => {
  const deal = state.deals.find((d) => d.dealId === dealId);
  if (!deal) throw new Error(`no deal ${dealId} in ${state.application.applicationId}`);
  return deal;
};

export const dealIdOf = (app: Application, n: number): string => `${app.applicationId}-d${n}`;

/** Waits until `count` deals are proposed and recorded, the application in due diligence. */
export const dealsProposed = (app: Application, count: number): Promise<ApplicationSnapshot> =>
  settled(app, (s) => s.deals.length === count && s.application.status === 'in_due_diligence', `${count} proposed deals`);

export const eventTypes = (events: readonly DealflowEvent[]): EventType[] => events.map((e) => e.type);

/** Starts an application and waits until `count` deals are proposed and recorded. */
export async function startProposed(harness: Pick<Harness, 'start'>, count: number, options: StartOptions = {}): Promise<Application> {
  const app = await harness.start(options);
  await dealsProposed(app, count);
  return app;
}

/** Starts an application matched to one product (its candidate with `overrides`) and waits for that one deal. */
export async function startWithOneDeal(
  harness: Harness, overrides: Partial<Candidate> = {}, settings: Partial<PipelineSettings> = {},
): Promise<{ app: Application; dealId: string }> {
  const app = await startProposed(harness, 1, { candidates: [candidate(1, overrides)], settings: { topK: 1, ...settings } });
  return { app, dealId: dealIdOf(app, 1) };
}

/** The application ended with its deals in `statuses`, each deal's reservation given back, and every event recorded. */
export function expectEndedAndReleased(app: Application, final: ApplicationSnapshot, statuses: readonly string[]): void {
  expect(final.deals.map((d) => d.status)).toEqual(statuses);
  expect(app.market.held.size).toBe(0);
  expect(app.market.released).toHaveLength(statuses.length);
  expect(app.market.events).toEqual(final.timeline);
}

/** Events of one deal, as `type`, or `type(reason)` where the reason is a code (a decline's is free text). */
export function dealEvents(events: readonly DealflowEvent[], dealId: string): string[] {
  return events.filter((e) => e.dealId === dealId).map((e) => {
    const reason = (e.data as { reason?: unknown }).reason;
    return typeof reason === 'string' && e.type !== 'deal.declined' ? `${e.type}(${reason})` : e.type;
  });
}

// ---------- commands ----------

export async function decide(app: Application, dealId: string, decision: DealDecision, institutionId?: string): Promise<CommandResult> {
  const state = await read(app);
  return app.handle.executeUpdate(decideUpdate, {
    args: [{ dealId, institutionId: institutionId ?? dealOf(state, dealId).institutionId, decision }],
  });
}

export const document = (kind: 'financial_statements' | 'tax_records' = 'financial_statements') => ({
  kind,
  name: `${kind}-2024.pdf`,
  sha256: 'a'.repeat(64),
});

export function submitDocuments(app: Application, dealId: string): Promise<CommandResult> {
  return app.handle.executeUpdate(submitDocumentsUpdate, { args: [{ dealId, documents: [document()] }] });
}

export function acceptOffer(app: Application, dealId: string): Promise<CommandResult> {
  return app.handle.executeUpdate(acceptOfferUpdate, { args: [{ dealId }] });
}

export function withdraw(app: Application, reason: string): Promise<CommandResult> {
  return app.handle.executeUpdate(withdrawUpdate, { args: [{ reason }] });
}

/** A term sheet that lapses `validForMs` after the server's current time. */
export async function termSheet(env: TestWorkflowEnvironment, validForMs = 30 * DAY_MS): Promise<TermSheet> {
  return {
    amountCny: 5_000_000,
    rateBps: 420,
    termMonths: 12,
    conditions: ['Pledge of patent ZL2021-0001'],
    expiresAt: new Date((await env.currentTimeMs()) + validForMs).toISOString(),
  };
}

/** The institution's interest and then its term sheet (valid for `validForMs`): the steps before an offer can be accepted. */
export async function issueTermSheet(env: TestWorkflowEnvironment, app: Application, dealId: string, validForMs?: number): Promise<CommandResult> {
  await decide(app, dealId, { action: 'express_interest' });
  return decide(app, dealId, { action: 'issue_term_sheet', termSheet: await termSheet(env, validForMs) });
}

/** An application of three proposed deals whose first the enterprise chose: its offer accepted. */
export async function startWithAcceptedOffer(harness: Harness): Promise<{ app: Application; dealId: string }> {
  const app = await startProposed(harness, 3, { candidates: candidates(3) });
  const dealId = dealIdOf(app, 1);
  await issueTermSheet(harness.env, app, dealId);
  await acceptOffer(app, dealId);
  return { app, dealId };
}

/** The `ApplicationFailure.type` a rejected update carries, or a thrown error when it was not rejected so. */
export async function rejectionOf(update: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      return { type: err.cause.type ?? undefined, message: err.cause.message };
    }
    throw err;
  }
  throw new Error('the update was accepted');
}
