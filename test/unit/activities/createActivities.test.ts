import type { Logger as SdkLogger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../../activities';
import type { EligibilityCheck } from '../../../activities/eligibility';
import type { CnCalendarYear } from '../../../domain/calendar';
import type { Candidate, DealflowEvent, ScreeningOutcome } from '../../../schemas';
import { RULES_VERSION } from '../../../domain/matching';
import { PIPELINE_DEFAULTS } from '../../../schemas/vocabulary';
import type { EventPublisher } from '../../../adapters/events/publisher';
import { createLogger } from '../../../adapters/logger';
import { createCatalogue } from '../../../store/catalogue';
import { readModelDoc, type ApplicationDoc, type DealDoc } from '../../../store/readModels';
import { emit, newApplicationState, takeUnrecorded, type ApplicationState } from '../../../workflows/applicationState';
import { TODAY, product, profile, qualification, recognitionFor, request, uscc } from '../fixtures';
import { asModels, memoryModels, type MemoryModels } from './memoryModels';

// The activities the worker registers, built by createActivities over in-memory collections and a
// publisher that keeps what it is given, and run in the SDK's mock activity context.

const logger = createLogger({ env: 'test', logLevel: 'silent' });
const NOW = `${TODAY}T08:00:00.000Z`;

interface Published {
  events: DealflowEvent[];
  fail: Error | null;
}

// The mock context logs every failed activity; the failures here are provoked on purpose.
const quiet: SdkLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function setup(): { activities: Activities; models: MemoryModels; published: Published; env: MockActivityEnvironment } {
  const models = memoryModels();
  const published: Published = { events: [], fail: null };
  const publisher: EventPublisher = {
    async publish(events) {
      if (published.fail) throw published.fail;
      published.events.push(...events);
    },
  };
  const activities = createActivities({ models: asModels(models), catalogue: createCatalogue(asModels(models), logger), publisher, logger });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'application-app-1', runId: 'run-1' } }, { logger: quiet });
  return { activities, models, published, env };
}

const screeningInput = (enterpriseUscc: string) => ({ applicationId: 'app-1', enterpriseUscc, request: request(), today: TODAY, now: NOW });

describe('screenApplication', () => {
  test('an enterprise on file passes, with its registry-confirmed qualification verified and the profile matching needs', async () => {
    const { activities, models, env } = setup();
    const littleGiant = qualification();
    const enterprise = profile({ qualifications: [littleGiant] });
    await models.enterprises.collection.insertOne({ _id: enterprise.uscc, ...enterprise });
    await models.recognitions.collection.insertOne({ _id: enterprise.uscc, recognitions: [recognitionFor(littleGiant)] });

    const outcome: ScreeningOutcome = await env.run(activities.screenApplication, screeningInput(enterprise.uscc));

    expect(outcome.result.eligible).toBe(true);
    expect(outcome.result.reasons[0]?.code).toBe('screening_passed');
    expect(outcome.result.verifiedQualifications).toEqual([littleGiant]);
    expect(outcome.profile).toEqual({ region: 'CN-SH', industry: 'C3911', revenueCny: 120_000_000, founded: '2015-03-12' });
  });

  test('an enterprise on the dishonest-debtor list is ineligible', async () => {
    const { activities, models, env } = setup();
    const enterprise = profile();
    await models.enterprises.collection.insertOne({ _id: enterprise.uscc, ...enterprise });
    await models.dishonestDebtors.collection.insertOne({ _id: enterprise.uscc });

    const outcome: ScreeningOutcome = await env.run(activities.screenApplication, screeningInput(enterprise.uscc));

    expect(outcome.result.eligible).toBe(false);
    expect(outcome.result.reasons.map((r) => r.code)).toContain('dishonest_debtor');
  });

  test('an enterprise with no profile on file is ineligible and has no profile to match with', async () => {
    const { activities, env } = setup();

    const outcome: ScreeningOutcome = await env.run(activities.screenApplication, screeningInput(uscc('91320100MA1N2B3C4')));

    expect(outcome.result.eligible).toBe(false);
    expect(outcome.result.reasons.map((r) => r.code)).toContain('profile_missing');
    expect(outcome.profile).toBeNull();
  });
});

describe('matching and capacity', () => {
  async function catalogueWith(models: MemoryModels, ...products: ReturnType<typeof product>[]): Promise<void> {
    for (const p of products) await models.products.collection.insertOne({ _id: p.productId, ...p });
  }

  test('rankCandidates returns the active products that fit, best first, with the SLAs the workflow times', async () => {
    const { activities, models, env } = setup();
    await catalogueWith(models,
      product({ productId: 'p-fast', institutionId: 'bank-1', responseSlaHours: 24, ddSlaDays: 10 }),
      product({ productId: 'p-other-region', institutionId: 'bank-2', regions: ['CN-GD'] }),
      product({ productId: 'p-retired', institutionId: 'bank-3', active: false }));
    const { region, industry, revenueCny, founded } = profile();

    const ranked: Candidate[] = await env.run(activities.rankCandidates, {
      applicationId: 'app-1', request: request(), profile: { region, industry, revenueCny, founded }, verifiedQualifications: [], today: TODAY, limit: 10,
    });

    expect(ranked.map((c) => c.productId)).toEqual(['p-fast']);
    expect(ranked[0]).toMatchObject({ institutionId: 'bank-1', responseSlaHours: 24, ddSlaDays: 10 });
    expect(ranked[0]?.reasons.length).toBeGreaterThan(0);
  });

  test('rankCandidates names each candidate, adds a forum meeting\'s institution below the limit, and pins the explanation', async () => {
    const { activities, models, env } = setup();
    await models.institutions.collection.insertOne({ _id: 'bank-1', institutionId: 'bank-1', name: 'Pudong Tech Bank', kind: 'bank', regions: ['CN-SH'] });
    await catalogueWith(models,
      product({ productId: 'p-best', institutionId: 'bank-1', name: 'Little Giant Loan', minAmountCny: 2_000_000, maxAmountCny: 12_000_000 }),
      product({ productId: 'p-met', institutionId: 'bank-9', name: 'Met at the forum', minAmountCny: 100_000, maxAmountCny: 500_000_000 }),
      product({ productId: 'p-big-only', institutionId: 'bank-2', minRevenueCny: 5_000_000_000 }),
      product({ productId: 'p-other-region', institutionId: 'bank-2', regions: ['CN-GD'] }),
      product({ productId: 'p-equity', institutionId: 'fund-1', instruments: ['equity'] }));
    const { region, industry, revenueCny, founded } = profile();
    const input = { applicationId: 'app-1', request: request(), profile: { region, industry, revenueCny, founded }, verifiedQualifications: [], today: TODAY, limit: 1 };

    const ranked: Candidate[] = await env.run(activities.rankCandidates, { ...input, preferredInstitutionId: 'bank-9', maxOpenDealsPerInstitution: 1 });
    expect(ranked.map((c) => [c.productId, c.productName, c.institutionName])).toEqual([
      ['p-best', 'Little Giant Loan', 'Pudong Tech Bank'],
      ['p-met', 'Met at the forum', 'bank-9'], // an institution not on record is named by its id
    ]);

    const stored = models.explanations.collection.docs.get('app-1');
    const pinned = JSON.parse(String(stored?.explanation)) as { rulesVersion: string; maxOpenDealsPerInstitution: number; candidates: { productId: string; outcome: string; exclusions: { code: string }[] }[] };
    expect(pinned.rulesVersion).toBe(RULES_VERSION);
    expect(pinned.maxOpenDealsPerInstitution).toBe(1);
    expect(pinned.candidates.map((c) => [c.productId, c.outcome, c.exclusions.map((e) => e.code)])).toEqual([
      ['p-best', 'waiting', []],
      ['p-met', 'waiting', []],
      ['p-big-only', 'excluded', ['revenue_below_minimum']],
    ]); // neither p-other-region nor p-equity offers the instrument in the region: not near misses

    expect(await env.run(activities.reserveCapacity, { productId: 'p-gone', dealId: 'app-1-d1', applicationId: 'app-1' })).toBe(false);
    expect(await env.run(activities.reserveCapacity, { productId: 'p-gone', dealId: 'app-1-d1', applicationId: 'app-1' })).toBe(false);
    expect(models.explanations.collection.docs.get('app-1')?.refusedProductIds).toEqual(['p-gone']);
  });

  test('reserveCapacity holds one slot per deal up to the capacity, a retry keeps the same slot, and releaseCapacity frees it', async () => {
    const { activities, models, env } = setup();
    await catalogueWith(models, product({ productId: 'p-1', capacity: 1 }), product({ productId: 'p-off', active: false }));

    expect(await env.run(activities.reserveCapacity, { productId: 'p-1', dealId: 'app-1-d1' })).toBe(true);
    expect(await env.run(activities.reserveCapacity, { productId: 'p-1', dealId: 'app-1-d1' })).toBe(true);
    expect(await env.run(activities.reserveCapacity, { productId: 'p-1', dealId: 'app-2-d1' })).toBe(false);
    expect([...models.capacitySlots.collection.docs.values()].map((slot) => slot.dealId)).toEqual(['app-1-d1']);

    await env.run(activities.releaseCapacity, { productId: 'p-1', dealId: 'app-1-d1' });
    await env.run(activities.releaseCapacity, { productId: 'p-1', dealId: 'app-1-d1' });
    expect(models.capacitySlots.collection.docs.size).toBe(0);
    expect(await env.run(activities.reserveCapacity, { productId: 'p-1', dealId: 'app-2-d1' })).toBe(true);

    expect(await env.run(activities.reserveCapacity, { productId: 'p-off', dealId: 'app-3-d1' })).toBe(false);
    expect(await env.run(activities.reserveCapacity, { productId: 'p-unknown', dealId: 'app-4-d1' })).toBe(false);
  });
});

describe('checkEligibility (before a term sheet and before the close)', () => {
  const input = (enterpriseUscc: string, now = NOW) => ({ applicationId: 'app-1', enterpriseUscc, productId: 'p-lg', request: request(), now });

  async function enterpriseWithLittleGiant(models: MemoryModels, onRecord: Partial<ReturnType<typeof recognitionFor>> = {}): Promise<string> {
    const littleGiant = qualification();
    const enterprise = profile({ qualifications: [littleGiant] });
    await models.enterprises.collection.insertOne({ _id: enterprise.uscc, ...enterprise });
    await models.recognitions.collection.insertOne({ _id: enterprise.uscc, recognitions: [recognitionFor(littleGiant, onRecord)] });
    const required = product({ productId: 'p-lg', requiredQualifications: ['little_giant'] });
    await models.products.collection.insertOne({ _id: required.productId, ...required });
    return enterprise.uscc;
  }

  test('eligible while the registry holds the required qualification valid on the Beijing date', async () => {
    const { activities, models, env } = setup();
    const enterpriseUscc = await enterpriseWithLittleGiant(models);
    expect(await env.run(activities.checkEligibility, input(enterpriseUscc))).toEqual({ eligible: true, reasons: [] });
  });

  test('not eligible once the required qualification lapsed: 16:00 UTC on its last day is already the next Beijing date', async () => {
    const { activities, models, env } = setup();
    const enterpriseUscc = await enterpriseWithLittleGiant(models, { validTo: TODAY });
    const lastDay: EligibilityCheck = await env.run(activities.checkEligibility, input(enterpriseUscc, `${TODAY}T15:59:00.000Z`));
    expect(lastDay.eligible).toBe(true);
    const lapsed: EligibilityCheck = await env.run(activities.checkEligibility, input(enterpriseUscc, `${TODAY}T16:00:00.000Z`));
    expect(lapsed.eligible).toBe(false);
    expect(lapsed.reasons.join()).toMatch(/little_giant/);
  });

  test('not eligible while on the dishonest-debtor list', async () => {
    const { activities, models, env } = setup();
    const enterpriseUscc = await enterpriseWithLittleGiant(models);
    await models.dishonestDebtors.collection.insertOne({ _id: enterpriseUscc });
    const listed = await env.run(activities.checkEligibility, input(enterpriseUscc));
    expect(listed).toEqual({ eligible: false, reasons: ['the enterprise is on the dishonest-debtor list'] });
  });
});

describe('loadCalendar', () => {
  test('each year as the API answers it: loaded by ops, else shipped, else provisional', async () => {
    const { activities, models, env } = setup();
    const loaded = { year: 2027, holidays: ['2027-01-01'], workdays: [], source: 'notice for 2027', provisional: false };
    await models.calendars.collection.insertOne({ _id: 'cn-2027', ...loaded, updatedAt: NOW });
    const years: CnCalendarYear[] = await env.run(activities.loadCalendar, { fromYear: 2026, toYear: 2028 });
    expect(years.map((y) => [y.year, y.provisional, y.source.slice(0, 8)])).toEqual([
      [2026, false, '国务院办公厅关于'], [2027, false, 'notice f'], [2028, true, expect.any(String)],
    ]);
    expect(years[1]).toEqual(loaded);
  });
});

describe('recordEvents', () => {
  /** A workflow's state, so each batch is what the workflow would send. */
  function application(): ApplicationState {
    return newApplicationState({ applicationId: 'app-1', enterpriseUscc: uscc(), request: request(), submittedAt: NOW, settings: PIPELINE_DEFAULTS });
  }

  const storedApplication = (models: MemoryModels) => readModelDoc<ApplicationDoc>(models.applications.collection.docs.get('app-1'));

  test('writes the read models, then publishes the batch in seq order; a retried batch rolls nothing back', async () => {
    const { activities, models, published, env } = setup();
    const state = application();
    emit(state, 'application.submitted', { request: request() });
    const first = takeUnrecorded(state);
    state.record.status = 'screening';
    emit(state, 'application.withdrawn', { reason: 'Financed elsewhere' });
    state.record.status = 'withdrawn';
    const second = takeUnrecorded(state);
    await models.openApplications.collection.insertOne({ _id: state.enterpriseUscc, applicationIds: ['app-0', 'app-1'] });

    await env.run(activities.recordEvents, first);
    expect(models.openApplications.collection.docs.get(state.enterpriseUscc)?.applicationIds).toEqual(['app-0', 'app-1']);
    await env.run(activities.recordEvents, second);
    await env.run(activities.recordEvents, first);
    // Ended: no longer among the enterprise's open applications a dishonest-debtor listing signals.
    expect(models.openApplications.collection.docs.get(state.enterpriseUscc)?.applicationIds).toEqual(['app-0']);

    const stored = storedApplication(models);
    expect(stored).toMatchObject({ status: 'withdrawn', lastSeq: 2 });
    expect((JSON.parse(stored?.view ?? '{}') as { timeline: DealflowEvent[] }).timeline.map((e) => e.type)).toEqual(['application.submitted', 'application.withdrawn']);
    // A retry may publish a copy with the same eventId, as the contract allows.
    expect(published.events.map((e) => e.eventId)).toEqual(['app-1:1', 'app-1:2', 'app-1:1']);
  });

  test('writes the deals of a batch to the deal read model', async () => {
    const { activities, models, env } = setup();
    const state = application();
    const deal = {
      record: {
        dealId: 'app-1-d1', applicationId: 'app-1', enterpriseUscc: state.enterpriseUscc, institutionId: 'bank-1', productId: 'p-1',
        status: 'proposed' as const, score: 80, reasons: [{ code: 'instrument_match' as const, message: 'Offers credit loans', weight: 30 }],
        documentsRequested: [], documentsSubmitted: [], deadline: null, note: null, createdAt: NOW, updatedAt: NOW,
      },
      candidate: { productId: 'p-1', institutionId: 'bank-1', score: 80, reasons: [], responseSlaHours: 72, ddSlaDays: 30 },
      deadlineMs: null, deadlineKind: null, ddDeadlineMs: null, documentsRequestedAtMs: null, holdsCapacity: true,
    };
    state.deals.set(deal.record.dealId, deal);
    emit(state, 'deal.proposed', { productId: 'p-1', score: 80, reasons: deal.record.reasons, rank: 1 }, deal);

    await env.run(activities.recordEvents, takeUnrecorded(state));

    const stored = readModelDoc<DealDoc>(models.deals.collection.docs.get('app-1-d1'));
    expect(stored).toMatchObject({ applicationId: 'app-1', institutionId: 'bank-1', status: 'proposed', lastSeq: 1 });
    expect(JSON.parse(stored?.view ?? '{}')).toMatchObject({ dealId: 'app-1-d1', request: request() });
  });

  test('a batch that breaks the contract is refused before anything is stored or published', async () => {
    const { activities, models, published, env } = setup();
    const state = application();
    emit(state, 'application.submitted', { request: request() });
    const batch = takeUnrecorded(state);
    const broken = { ...batch, events: batch.events.map((e) => ({ ...e, seq: 0 })) };

    await expect(env.run(activities.recordEvents, broken)).rejects.toThrow(/seq/);
    expect(models.applications.collection.docs.size).toBe(0);
    expect(published.events).toEqual([]);
  });

  test('a publish that fails fails the activity, for Temporal to retry, after the read models are written', async () => {
    const { activities, models, published, env } = setup();
    const state = application();
    emit(state, 'application.submitted', { request: request() });
    const batch = takeUnrecorded(state);
    published.fail = new Error('kafka is down');

    await expect(env.run(activities.recordEvents, batch)).rejects.toThrow('kafka is down');
    expect(storedApplication(models)?.lastSeq).toBe(1);

    published.fail = null;
    await env.run(activities.recordEvents, batch);
    expect(published.events.map((e) => e.eventId)).toEqual(['app-1:1']);
  });
});
