import fc from 'fast-check';
import type { DealflowEvent } from '../../schemas';
import {
  aggregatesFromStored, aggregatesToStored, bucketOf, bucketValue, emptyAggregates, formatDuration,
  histogramMedian, mergeAggregates, metricsOf, type OpsAggregates,
} from '../../domain/opsAggregates';
import { applyEvent, initialState, projectEvent, type OpsApplicationState } from '../../domain/opsProjection';
import { createFeedBuffer } from '../../services/api/liveFeed';
import { CheckpointSuperseded, createProjector, type RawMessage } from '../../services/ops/projector';
import { createLogger } from '../../adapters/logger';
import { memoryOpsStore, naiveOpsMetrics } from '../support/memoryOpsStore';
import { eventStream, HOUR, proposal, screened, T0, termSheet, usccOf } from '../support/opsEvents';

const logger = createLogger({ env: 'test', logLevel: 'silent' });
const e = eventStream('app-u1', usccOf('91310115MA1K4A2B9'));
const submitted = e(1, 'application.submitted', T0, { request: { instrument: 'equity', amountCny: 9_000_000, termMonths: 36, purpose: 'Series A' } });

test('stage times add up per stage, and offers_ready falls back when the last term sheet lapses', () => {
  const deal = { dealId: 'd1', institutionId: 'vc-1' };
  let s = initialState(submitted);
  for (const event of [
    submitted,
    e(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
    e(3, 'application.matched', T0 + 2 * HOUR, { candidates: [{ productId: 'p1', institutionId: 'vc-1', score: 70, reasons: [] }] }),
    e(4, 'deal.term_sheet_issued', T0 + 4 * HOUR, termSheet(T0), deal),
    e(5, 'deal.expired', T0 + 5 * HOUR, { reason: 'term_sheet_expired' }, deal),
    e(6, 'application.withdrawn', T0 + 8 * HOUR, { reason: 'done' }),
    e(7, 'application.matched', T0 + 9 * HOUR, { candidates: [] }),
  ]) s = applyEvent(s, event);
  expect(s.status).toBe('withdrawn'); // final stays final
  expect(s.stageMs).toEqual({ screening: HOUR, matching: HOUR, in_due_diligence: 2 * HOUR + 3 * HOUR, offers_ready: HOUR });
  expect(s.reached).toEqual(['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'withdrawn']);
  expect(s.deals).toEqual([{ dealId: 'd1', institutionId: 'vc-1', outcome: 'responded' }]); // the term sheet answered first
});

test('an event is applied once by seq: copies are dropped, a jump is a gap, a skipped seq arriving later is late', () => {
  const deal = { dealId: 'd1', institutionId: 'bank-1' };
  const first = projectEvent(null, submitted);
  expect(first).toMatchObject({ outcome: 'applied', gap: null, state: { lastSeq: 1, status: 'screening' } });
  expect(projectEvent(first.state, submitted)).toMatchObject({ outcome: 'duplicate', state: first.state });

  const jumped = projectEvent(first.state, e(4, 'application.withdrawn', T0 + HOUR, { reason: 'x' }));
  expect(jumped).toMatchObject({ outcome: 'applied', gap: { from: 2, to: 3 }, state: { lastSeq: 4, status: 'withdrawn', missing: [2, 3] } });

  const late = projectEvent(jumped.state, e(3, 'deal.interest_expressed', T0 + HOUR / 2, {}, deal));
  expect(late).toMatchObject({ outcome: 'late', state: { lastSeq: 4, status: 'withdrawn', missing: [2], deals: [{ dealId: 'd1', outcome: 'responded' }] } });
  expect(projectEvent(late.state, e(3, 'deal.interest_expressed', T0, {}, deal)).outcome).toBe('duplicate');
});

test('histogram medians stay within 2.2 % of the exact median', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 * 24 * HOUR }), { minLength: 1, maxLength: 60 }), (values) => {
    const histogram = new Map<string, number>();
    for (const v of values) histogram.set(String(bucketOf(v)), (histogram.get(String(bucketOf(v))) ?? 0) + 1);
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const exact = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    expect(Math.abs(histogramMedian(histogram)! - exact)).toBeLessThanOrEqual(exact * 0.022 + 1);
  }));
  expect(bucketValue(bucketOf(0))).toBe(0);
  expect(histogramMedian(new Map())).toBeNull();
});

test('durations read as the two largest units', () => {
  expect(formatDuration(250)).toBe('250ms');
  expect(formatDuration(45 * 60_000)).toBe('45m');
  expect(formatDuration(54 * HOUR)).toBe('2d 6h');
  expect(formatDuration(HOUR + 30_000)).toBe('1h');
});

// --- The projector against an in-memory store: crashes, redelivery, rebalances -------------------

const TOPIC = 'unit.ops';
const PARTITIONS = 2;
const usccs = [usccOf('91310115MA1K4A2B9'), usccOf('91320594MA1MXQ7T1')];
const profiles = { [usccs[1]!]: { region: 'CN-JS', qualifications: [{ type: 'little_giant' }] } };

/** One application's events; `variant` picks its course. */
function history(index: number, variant: number): DealflowEvent[] {
  const s = eventStream(`app-${index}`, usccs[index % 2]!);
  const at = (h: number) => T0 + index * 7 * 60_000 + h * HOUR;
  const d1 = { dealId: `deal-${index}-1`, institutionId: `bank-${index % 3}` };
  const d2 = { dealId: `deal-${index}-2`, institutionId: `fund.${(index + 1) % 3}` };
  const request = { request: { instrument: (['credit_loan', 'equity', 'working_capital_loan'] as const)[variant % 3]!, amountCny: 5_000_000, termMonths: 12, purpose: 'Line' } };
  const events: DealflowEvent[] = [
    s(1, 'application.submitted', at(0), index % 2 === 0 ? { ...request, region: 'CN-SH', qualificationTypes: [] } : request),
    s(2, 'application.screened', at(1 + variant), screened(variant !== 3, at(1 + variant))),
  ];
  if (variant === 3) return events;
  events.push(
    s(3, 'application.matched', at(2 + variant), { candidates: [{ productId: 'p1', institutionId: d1.institutionId, score: 80, reasons: [] }] }),
    s(4, 'deal.proposed', at(2 + variant), proposal('p1'), d1),
    s(5, 'deal.proposed', at(2 + variant), proposal('p2'), d2),
    s(6, variant === 1 ? 'deal.expired' : 'deal.interest_expressed', at(5 + variant), variant === 1 ? { reason: 'response_sla_elapsed' } : {}, d1),
  );
  if (variant === 1) return [...events, s(7, 'application.withdrawn', at(30), { reason: 'Elsewhere' })];
  return [
    ...events,
    s(7, 'deal.term_sheet_issued', at(20 + variant), termSheet(at(20)), d1),
    s(8, 'deal.expired', at(40), { reason: 'response_sla_elapsed' }, d2),
    s(9, 'deal.selected', at(50 + variant), {}, d1),
    s(10, 'application.closed', at(60 + 3 * variant), { dealId: d1.dealId }),
  ];
}

function mergedMetrics(partitions: Iterable<{ aggregates: OpsAggregates }>) {
  const total = emptyAggregates();
  // Through the stored form, as the read side sees them.
  for (const { aggregates } of partitions) mergeAggregates(total, aggregatesFromStored(aggregatesToStored(aggregates)));
  return metricsOf(total);
}

const deliveryPlan = fc.record({
  variants: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
  /** Per application: an event to drop (a gap), one to deliver last (late), copies to deliver again. */
  drop: fc.array(fc.nat(12), { maxLength: 6 }),
  late: fc.array(fc.nat(12), { maxLength: 6 }),
  copies: fc.array(fc.nat(12), { maxLength: 8 }),
  malformed: fc.nat(3),
  /** Merge order of the applications' streams, batch sizes, and the batches whose state writes crash. */
  order: fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }),
  crashes: fc.array(fc.nat(30), { maxLength: 4 }),
});

test('projected by batches, through crashes between checkpoint and state writes, the metrics equal a naive recomputation', async () => {
  await fc.assert(fc.asyncProperty(deliveryPlan, async (plan) => {
    // Each application's deliveries, in its own order.
    const streams = plan.variants.map((variant, i) => {
      let events = history(i, variant);
      const late = plan.late[i];
      if (late !== undefined && late < events.length) events = [...events.filter((_, k) => k !== late), events[late]!];
      const drop = plan.drop[i];
      if (drop !== undefined && drop > 0 && drop < events.length - 1) events = events.filter((_, k) => k !== drop);
      for (const c of plan.copies.filter((_, k) => k % plan.variants.length === i)) if (c < events.length) events.push(events[c]!);
      return events as (DealflowEvent | string)[];
    });
    for (let m = 0; m < plan.malformed; m += 1) streams[m % streams.length]!.push(`{"not":"an event ${m}"}`);
    // Interleaved, each stream keeping its order, as Kafka keeps a key's order within its partition.
    const merged: { partition: number; delivery: DealflowEvent | string }[] = [];
    const cursors = streams.map(() => 0);
    for (let step = 0; merged.length < streams.reduce((n, s) => n + s.length, 0); step += 1) {
      const open = streams.map((s, i) => i).filter((i) => cursors[i]! < streams[i]!.length);
      const i = open[(plan.order[step % plan.order.length] ?? 0) % open.length]!;
      merged.push({ partition: i % PARTITIONS, delivery: streams[i]![cursors[i]!]! });
      cursors[i]! += 1;
    }

    const { store, partitions } = memoryOpsStore(profiles);
    let writes = 0;
    const crashAt = new Set(plan.crashes);
    const crashing = { ...store, async writeApplicationStates(states: readonly OpsApplicationState[]) {
      writes += 1;
      if (crashAt.has(writes)) throw new Error('crash before the states were written');
      await store.writeApplicationStates(states);
    } };
    for (let partition = 0; partition < PARTITIONS; partition += 1) {
      const messages: RawMessage[] = merged.filter((m) => m.partition === partition)
        .map((m, offset) => ({ offset: String(offset), value: typeof m.delivery === 'string' ? m.delivery : JSON.stringify(m.delivery) }));
      // Kafka redelivers from the last committed offset: a failed batch comes again, whole.
      let committed = 0;
      for (let b = 0; committed < messages.length; b += 1) {
        const batch = messages.slice(committed, committed + plan.batchSizes[b % plan.batchSizes.length]!);
        // A fresh projector after a crash, as after a restart.
        const projector = createProjector({ store: crashing, logger, topic: TOPIC });
        try {
          await projector.projectBatch(partition, batch);
          committed += batch.length;
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith('crash')) throw error;
        }
      }
      // A projector starting after the last crash writes the redo list of the partition.
      await createProjector({ store, logger, topic: TOPIC }).projectBatch(partition, []);
    }
    const deliveries = merged.map((m) => m.delivery);
    expect(mergedMetrics(partitions.values())).toEqual(naiveOpsMetrics(deliveries, profiles));
  }), { numRuns: 60 });
});

test('a consumer that lost its partition cannot overwrite the newer checkpoint, and recovers by reloading', async () => {
  const { store, partitions, states } = memoryOpsStore(profiles);
  const events = history(0, 0).map((event, offset) => ({ offset: String(offset), value: JSON.stringify(event) }));
  const zombie = createProjector({ store, logger, topic: TOPIC });
  const owner = createProjector({ store, logger, topic: TOPIC });
  expect(await zombie.projectBatch(0, events.slice(0, 3))).toBe('3');
  expect(await owner.projectBatch(0, events.slice(3, 6))).toBe('6'); // after a rebalance, from the checkpoint
  await expect(zombie.projectBatch(0, events.slice(3, 8))).rejects.toBeInstanceOf(CheckpointSuperseded);
  expect(partitions.get(`${TOPIC}#0`)).toMatchObject({ version: 2, nextOffset: '6' });
  expect(states.get('app-0')?.lastSeq).toBe(6);
  // Redelivered, it reloads the checkpoint and skips what is below it.
  expect(await zombie.projectBatch(0, events.slice(3, 8))).toBe('8');
  expect(mergedMetrics(partitions.values()).counters).toMatchObject({ eventsSeen: 8, eventsApplied: 8, duplicatesDropped: 0 });
});

test('the feed buffer replays after a known id, and says when an id is unknown or too old', () => {
  const feed = createFeedBuffer({ size: 3, logger });
  const ids = [1, 2, 3, 4, 5].map((seq) => feed.ingest(JSON.stringify(e(seq, 'application.withdrawn', T0, { reason: 'x' })))?.id);
  expect(feed.ingest('{"not":"an event"}')).toBeNull();
  expect(feed.ingest(JSON.stringify(e(5, 'application.withdrawn', T0, { reason: 'x' })))).toBeNull(); // a redelivered copy
  const replay = (id?: string) => feed.subscribe({ onEvent: () => {}, onClose: () => {} }, id).replay;
  expect(replay(ids[2]).entries.map((x) => x.event.seq)).toEqual([4, 5]);
  expect(replay(ids[1])).toMatchObject({ resumed: true, entries: [{ event: { seq: 3 } }, { event: { seq: 4 } }, { event: { seq: 5 } }] });
  expect(replay(ids[0])).toEqual({ entries: [], resumed: false }); // seq 2 left the buffer
  expect(replay(ids[4])).toEqual({ entries: [], resumed: true });
  expect(replay('0123abcd.2').resumed).toBe(false);
  expect(replay(undefined)).toEqual({ entries: [], resumed: true });
});
