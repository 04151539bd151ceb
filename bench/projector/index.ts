import { performance } from 'node:perf_hooks';
import { buildEventId, DealflowEvent, EVENT_VERSION, type DealflowEvent as Event } from '../../schemas';
import { composeUscc } from '../../schemas/uscc';
import { contribute } from '../../domain/opsAggregates';
import { projectEvent, type OpsApplicationState } from '../../domain/opsProjection';
import { connectMongo } from '../../adapters/mongo';
import { createProjector, type RawMessage } from '../../services/ops/projector';
import { collectionOf } from '../../store/collection';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { opsProjectionStore, type OpsProjectionStore } from '../../store/opsProjection';
import { log, result, type BenchmarkResult } from '../lib/report';
import { benchConfig, benchLogger, benchSuffix } from '../lib/stack';

// 5. The ops projector's cost per event against the size of the history it projects into: new
// applications' events (10 each, interleaved as a loaded pipeline publishes them) projected in
// batches on one partition, into a store already holding 1,000 and then 10,000 applications
// (written straight into the store with the partition's aggregates, not through the pipeline).
// The same-run baseline is one bare `_id` read plus one `_id` replace of an application state on
// the same collection at the same size: the floor an event's projection stands on. Kafka is left
// out: the projector's batches are handed in as Kafka would hand them. The store operations the
// projector asks for per event are counted too (baseline 1): that number is what the design bounds;
// the milliseconds also carry how FerretDB's own `_id` operations scale (see BENCHMARKS.md).

const TOPIC = 'bench.ops';
const PARTITION = 0;
const ROUNDS = 3;
/** New applications per round; 10 events each. */
const APPLICATIONS_PER_ROUND = 40;
/** Messages per batch, as kafkajs fetches them on a busy partition. */
const BATCH = 100;
const BASELINE_PAIRS = 50;

/** A valid Shanghai code per index: the organisation code's 8 digits are the index. */
const uscc = (i: number): string => composeUscc('91', '310115', String(i % 100_000_000).padStart(8, '0'));

/** One application's 10 events, from submission to close. */
function history(applicationId: string, i: number): Event[] {
  const at = (hours: number) => new Date(Date.UTC(2025, 5, 2) + i * 60_000 + hours * 3_600_000).toISOString();
  const d1 = { dealId: `${applicationId}-d1`, institutionId: `bank-${i % 25}` };
  const d2 = { dealId: `${applicationId}-d2`, institutionId: `fund-${i % 15}` };
  const raw: [string, number, Record<string, unknown>, object?][] = [
    ['application.submitted', 0, { request: { instrument: 'credit_loan', amountCny: 5_000_000, termMonths: 12, purpose: 'Line' }, region: i % 2 ? 'CN-SH' : 'CN-JS', qualificationTypes: ['little_giant'] }],
    ['application.screened', 1, { eligible: true, reasons: [{ code: 'screening_passed', message: 'passed' }], verifiedQualifications: [], unverifiedQualifications: [], screenedAt: at(1) }],
    ['application.matched', 2, { candidates: [{ productId: 'p1', institutionId: d1.institutionId, score: 80, reasons: [] }] }],
    ['deal.proposed', 2, { productId: 'p1', score: 80, reasons: [] }, d1],
    ['deal.proposed', 2, { productId: 'p2', score: 70, reasons: [] }, d2],
    ['deal.interest_expressed', 5, {}, d1],
    ['deal.term_sheet_issued', 26, { termSheet: { amountCny: 5_000_000, rateBps: 385, termMonths: 12, conditions: [], expiresAt: at(400) } }, d1],
    ['deal.expired', 74, { reason: 'response_sla_elapsed' }, d2],
    ['deal.selected', 80, {}, d1],
    ['application.closed', 90, { dealId: d1.dealId }],
  ];
  return raw.map(([type, hours, data, deal], k) => DealflowEvent.parse({
    eventId: buildEventId(applicationId, k + 1), type, version: EVENT_VERSION, seq: k + 1, occurredAt: at(hours),
    applicationId, enterpriseUscc: uscc(i), ...(deal ?? {}), data,
  }));
}

/** Stores applications [from, to) as the projector would have left them, and their aggregates on the partition. */
async function seed(models: Models, from: number, to: number): Promise<void> {
  const template = history('seed-template', 0).reduce<OpsApplicationState | null>((state, event) => projectEvent(state, event).state, null) as OpsApplicationState;
  const store = opsProjectionStore(models);
  const checkpoint = await store.loadPartition(TOPIC, PARTITION);
  const states = collectionOf(models.opsApplicationStates);
  for (let start = from; start < to; start += 1_000) {
    const chunk = Array.from({ length: Math.min(1_000, to - start) }, (_, k) => {
      const i = start + k;
      const state: OpsApplicationState = {
        ...template,
        applicationId: `seed-${i}`,
        enterpriseUscc: uscc(i),
        region: i % 3 ? 'CN-SH' : 'CN-ZJ',
        deals: template.deals.map((d, n) => ({ ...d, dealId: `seed-${i}-d${n}`, institutionId: `bank-${i % 40}` })),
      };
      contribute(checkpoint.aggregates, state, 1);
      return { _id: state.applicationId, ...state };
    });
    await states.insertMany(chunk);
  }
  const committed = await store.commitPartition({ ...checkpoint, version: checkpoint.version + 1, redo: [] });
  if (!committed) throw new Error('bench seed: the partition checkpoint moved under the seed');
}

/** Store operations (an application read, claim or write counts one each) and their milliseconds, per store method. */
type StoreTally = Map<string, { operations: number; ms: number }>;

/** The MongoDB store, counting what the projector asks of it. */
function countingStore(models: Models, tally: StoreTally): OpsProjectionStore {
  const store = opsProjectionStore(models);
  const counted = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>, size: (...args: A) => number) =>
    async (...args: A): Promise<R> => {
      const start = performance.now();
      try {
        return await call(...args);
      } finally {
        const entry = tally.get(name) ?? { operations: 0, ms: 0 };
        entry.operations += size(...args);
        entry.ms += performance.now() - start;
        tally.set(name, entry);
      }
    };
  return {
    loadPartition: counted('loadPartition', store.loadPartition, () => 1),
    commitPartition: counted('commitPartition', store.commitPartition, () => 1),
    readApplicationStates: counted('readApplicationStates', store.readApplicationStates, (ids) => ids.length),
    writeApplicationStates: counted('writeApplicationStates', store.writeApplicationStates, (states) => states.length),
    readEnterpriseDimensions: counted('readEnterpriseDimensions', store.readEnterpriseDimensions, () => 1),
  };
}

/** Milliseconds per event projecting `applications` new applications' events, interleaved, in batches. */
async function projectRound(models: Models, round: string, applications: number, tally: StoreTally = new Map()): Promise<number> {
  const histories = Array.from({ length: applications }, (_, i) => history(`bench-${round}-${i}`, i));
  const interleaved = Array.from({ length: 10 }, (_, k) => histories.map((h) => h[k] as Event)).flat();
  const store = countingStore(models, tally);
  const first = BigInt((await store.loadPartition(TOPIC, PARTITION)).nextOffset);
  const messages: RawMessage[] = interleaved.map((event, k) => ({ offset: String(first + BigInt(k)), value: JSON.stringify(event) }));
  const projector = createProjector({ store, logger: benchLogger(), topic: TOPIC });
  const start = performance.now();
  for (let b = 0; b < messages.length; b += BATCH) await projector.projectBatch(PARTITION, messages.slice(b, b + BATCH));
  return (performance.now() - start) / messages.length;
}

/** Milliseconds per bare `_id` read plus `_id` replace of a stored application state. */
async function bareReadWrite(models: Models, stored: number): Promise<number> {
  const states = collectionOf(models.opsApplicationStates);
  const start = performance.now();
  for (let k = 0; k < BASELINE_PAIRS; k += 1) {
    const _id = `seed-${(k * 7_919) % stored}`;
    const doc = await states.findOne({ _id });
    if (!doc) throw new Error(`bench: ${_id} is not stored`);
    await states.replaceOne({ _id }, { ...doc, updatedAt: new Date().toISOString() });
  }
  return (performance.now() - start) / BASELINE_PAIRS;
}

export async function runProjector(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  const config = benchConfig(suffix);
  const logger = benchLogger();
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  try {
    await prepareStore(models, logger);
    const lines: BenchmarkResult[] = [];
    const perSize = new Map<number, number[]>();
    let stored = 0;
    for (const size of [1_000, 10_000]) {
      const seeding = performance.now();
      await seed(models, stored, size);
      log(`projector: ${size} applications stored in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      stored = size;
      await projectRound(models, `warm-${size}`, 10);
      const ours: number[] = [];
      const bare: number[] = [];
      const tally: StoreTally = new Map();
      for (let round = 0; round < ROUNDS; round += 1) {
        // Interleaved, so machine noise hits both alike.
        bare.push(await bareReadWrite(models, size));
        ours.push(await projectRound(models, `${size}-${round}`, APPLICATIONS_PER_ROUND, tally));
      }
      const events = ROUNDS * APPLICATIONS_PER_ROUND * 10;
      log(`projector: with ${size} applications stored, per event: ${[...tally].map(([name, t]) => `${name} ${(t.operations / events).toFixed(3)} ops ${(t.ms / events).toFixed(2)} ms`).join(', ')}`);
      const operations = [...tally.values()].reduce((n, t) => n + t.operations, 0) / events;
      lines.push(result(`projector.store_operations_per_event.${size / 1_000}k_applications`, 'operations/event', [operations], [1]));
      perSize.set(size, ours);
      const line = result(`projector.ms_per_event.${size / 1_000}k_applications`, 'ms/event', ours, bare);
      log(`projector: ${line.value} ms/event with ${size} applications stored vs a bare _id read+write ${line.baseline} ms -> x${line.ratio}`);
      lines.push(line);
    }
    const flat = result('projector.ms_per_event.10k_over_1k', 'ms/event', perSize.get(10_000) ?? [], perSize.get(1_000) ?? []);
    log(`projector: ${flat.value} ms/event at 10k applications vs ${flat.baseline} at 1k -> x${flat.ratio}`);
    return [...lines, flat];
  } finally {
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}
