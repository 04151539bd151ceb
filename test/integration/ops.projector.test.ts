import type { DealflowEvent, OpsMetrics } from '../../schemas';
import { createEventPublisher } from '../../adapters/events/publisher';
import { fetchHighWatermarks, type ConsumerHandle } from '../../adapters/kafka';
import { CheckpointSuperseded, createProjector, startProjector, type RawMessage } from '../../services/ops/projector';
import { loadResponseRates } from '../../store/catalogue';
import { opsProjectionStore, readOpsMetrics } from '../../store/opsProjection';
import { naiveOpsMetrics } from '../support/memoryOpsStore';
import { eventStream, HOUR, proposal, screened, T0, termSheet, usccOf } from '../support/opsEvents';
import { useOwnTopicAndDatabase } from '../support/ownTopic';

jest.setTimeout(120_000);

const { config, logger, suffix, models, kafka, admin, producer } = useOwnTopicAndDatabase('ops', { prepare: true });

const metricsNow = async (): Promise<OpsMetrics> =>
  readOpsMetrics(models, { topic: config.kafka.topic, highWatermarks: await fetchHighWatermarks(admin, config.kafka.topic) });

/** Projector and metrics of a topic that exists only in the store, for tests that hand batches in directly. */
const offline = (name: string) => ({
  topic: `${config.kafka.topic}.${name}`,
  metrics: (partition: number, highWatermark: string) =>
    readOpsMetrics(models, { topic: `${config.kafka.topic}.${name}`, highWatermarks: [{ partition, offset: highWatermark }] }),
});
const messagesOf = (events: readonly DealflowEvent[], firstOffset = 0): RawMessage[] =>
  events.map((event, i) => ({ offset: String(firstOffset + i), value: JSON.stringify(event) }));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Three applications: A runs to closed through an offer, B is rejected at screening (its event
// carries no region, which comes from its stored profile), C loses seqs 3-4 and is withdrawn.
const usccA = usccOf('91310115MA1K4A2B9');
const usccB = usccOf('91320594MA1MXQ7T1');
const usccC = usccOf('91330106MA2H3K5P3');
const a = eventStream(`app-a-${suffix}`, usccA);
const b = eventStream(`app-b-${suffix}`, usccB);
const c = eventStream(`app-c-${suffix}`, usccC);
const d1 = { dealId: `deal-a1-${suffix}`, institutionId: `bank-a-${suffix}` };
const d2 = { dealId: `deal-a2-${suffix}`, institutionId: `fund-b-${suffix}` };
const request = (instrument: 'credit_loan' | 'working_capital_loan' | 'equity') => ({
  request: { instrument, amountCny: 5_000_000, termMonths: 12, purpose: 'New production line' },
});

const appA: DealflowEvent[] = [
  a(1, 'application.submitted', T0, { ...request('credit_loan'), region: 'CN-SH', qualificationTypes: ['little_giant'] }),
  a(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
  a(3, 'application.matched', T0 + 2 * HOUR, { candidates: [
    { productId: 'p-a1', institutionId: d1.institutionId, score: 80, reasons: [] },
    { productId: 'p-a2', institutionId: d2.institutionId, score: 70, reasons: [] },
  ] }),
  a(4, 'deal.proposed', T0 + 2 * HOUR, proposal('p-a1'), d1),
  a(5, 'deal.proposed', T0 + 2 * HOUR, proposal('p-a2'), d2),
  a(6, 'deal.interest_expressed', T0 + 5 * HOUR, {}, d1),
  a(7, 'deal.term_sheet_issued', T0 + 26 * HOUR, termSheet(T0 + 26 * HOUR), d1),
  a(8, 'deal.expired', T0 + 74 * HOUR, { reason: 'response_sla_elapsed' }, d2),
  a(9, 'deal.selected', T0 + 80 * HOUR, {}, d1),
  a(10, 'application.closed', T0 + 90 * HOUR, { dealId: d1.dealId }),
];
const appB: DealflowEvent[] = [
  b(1, 'application.submitted', T0, request('working_capital_loan')),
  b(2, 'application.screened', T0 + 3 * HOUR, screened(false, T0 + 3 * HOUR)),
];
const appC: DealflowEvent[] = [
  c(1, 'application.submitted', T0, { ...request('equity'), region: 'CN-ZJ', qualificationTypes: [] }),
  c(2, 'application.screened', T0 + HOUR / 2, screened(true, T0 + HOUR / 2)),
  c(5, 'application.withdrawn', T0 + HOUR, { reason: 'Raised the money elsewhere' }),
];
const lateC = c(3, 'application.matched', T0 + 3 * HOUR / 4, { candidates: [] });

test('the projector keeps funnel, stage times and response rates, dropping copies, noting gaps and skipping malformed messages', async () => {
  const profileB = {
    _id: usccB, uscc: usccB, name: '苏州工业园区微纳传感有限公司', region: 'CN-JS', city: 'Suzhou', industry: 'C3974',
    founded: '2016-04-01', employees: 90, revenueCny: 60_000_000, rdRatioBps: 900,
    qualifications: [{ type: 'single_champion_municipal', issuer: '苏州市工业和信息化局', certificateNo: 'SZ-2024-017', validFrom: '2024-01-01', validTo: '2026-12-31' }],
  };
  await models.enterprises.create(profileB);
  const publisher = createEventPublisher(producer, config.kafka.topic);
  const malformed = ['not json at all', JSON.stringify({ hello: 'a foreign system' }), JSON.stringify({ ...appB[0], eventId: 'wrong-id' })];
  await publisher.publish(appA);
  await publisher.publish([appA[3]!]); // the same eventId again
  await publisher.publish(appA.slice(0, 3)); // a redelivered batch
  await producer.send(config.kafka.topic, [
    { key: 'x', value: malformed[0]! },
    { key: 'x', value: malformed[1]! },
    { key: appB[0]!.applicationId, value: malformed[2]! },
  ]);
  await publisher.publish(appB); // after the malformed ones, on their partition
  await publisher.publish(appC);
  await publisher.publish([lateC]);
  const published = appA.length + 1 + 3 + malformed.length + appB.length + appC.length + 1;

  // Nothing projected yet: the whole topic is the lag, and no time is complete.
  expect(await metricsNow()).toMatchObject({ applications: 0, projectionLagEvents: published, asOf: null });

  const consumer: ConsumerHandle = await startProjector({ kafka, models, logger, topic: config.kafka.topic, groupId: `it-ops-${suffix}` });
  let metrics: OpsMetrics;
  try {
    metrics = await until(metricsNow, (m) => m.projectionLagEvents === 0);
  } finally {
    await consumer.close();
  }
  expect(metrics.asOf).toBe(metrics.generatedAt);
  const valid = published - malformed.length;
  expect(metrics.counters).toEqual({
    eventsSeen: valid,
    eventsApplied: appA.length + appB.length + appC.length + 1,
    duplicatesDropped: 4,
    gaps: 1,
    missingEvents: 2,
    lateEvents: 1,
    malformedSkipped: 3,
  });
  expect(metrics.applications).toBe(3);
  expect(metrics.funnel.all.total).toBe(3);
  expect(metrics.funnel.all.byStatus).toMatchObject({ closed: 1, rejected: 1, withdrawn: 1, submitted: 0, matching: 0 });
  expect(metrics.funnel.reached).toMatchObject({ submitted: 3, screening: 3, matching: 2, in_due_diligence: 1, offers_ready: 1, accepted: 1, closed: 1 });
  expect(metrics.funnel.byRegion['CN-SH']?.byStatus.closed).toBe(1);
  expect(metrics.funnel.byRegion['CN-JS']?.byStatus.rejected).toBe(1); // from the stored profile
  expect(metrics.funnel.byRegion['CN-ZJ']?.byStatus.withdrawn).toBe(1);
  expect(metrics.funnel.byInstrument.credit_loan?.total).toBe(1);
  expect(metrics.funnel.byInstrument.working_capital_loan?.byStatus.rejected).toBe(1);
  expect(metrics.funnel.byInstrument.equity?.byStatus.withdrawn).toBe(1);
  expect(metrics.funnel.byQualification.little_giant?.byStatus.closed).toBe(1);
  expect(metrics.funnel.byQualification.single_champion_municipal?.byStatus.rejected).toBe(1);
  expect(metrics.funnel.byQualification.none?.byStatus.withdrawn).toBe(1);

  // Medians come from log-scale histograms: within 2.2 % of the exact ones.
  const stage = (name: string) => metrics.stageTimes.find((s) => s.stage === name);
  // screening: A 1h, B 3h, C 30m; matching: A 1h, C 30m (the late event does not move C back).
  for (const [name, samples, medianMs] of [['screening', 3, HOUR], ['matching', 2, 45 * 60_000], ['in_due_diligence', 1, 24 * HOUR], ['offers_ready', 1, 54 * HOUR]] as const) {
    expect(stage(name)?.samples).toBe(samples);
    expect(Math.abs((stage(name)?.medianMs ?? 0) - medianMs)).toBeLessThanOrEqual(medianMs * 0.022 + 1);
  }

  expect(metrics.institutions).toEqual(expect.arrayContaining([
    { institutionId: d1.institutionId, proposed: 1, responded: 1, expired: 0, responseRate: 1 },
    { institutionId: d2.institutionId, proposed: 1, responded: 0, expired: 1, responseRate: 0 },
  ]));
  const rates = await loadResponseRates(models);
  expect(rates.get(d1.institutionId)).toBe(1);
  expect(rates.get(d2.institutionId)).toBe(0);

  // And all of it is what folding each application's deliveries on its own gives.
  const deliveries = [...appA, appA[3]!, ...appA.slice(0, 3), ...malformed, ...appB, ...appC, lateC];
  const { generatedAt, asOf, projectionLagEvents, ...projected } = metrics;
  void generatedAt; void asOf; void projectionLagEvents;
  expect(projected).toEqual(naiveOpsMetrics(deliveries, { [usccB]: profileB }));
});

test('a batch redelivered after a crash between its checkpoint and its state writes counts once', async () => {
  const { topic, metrics } = offline('crash');
  const s = eventStream(`app-crash-${suffix}`, usccA);
  const deal = { dealId: `deal-crash-${suffix}`, institutionId: `bank-crash-${suffix}` };
  const events = [
    s(1, 'application.submitted', T0, { ...request('credit_loan'), region: 'CN-SH', qualificationTypes: [] }),
    s(2, 'deal.proposed', T0, proposal('p-x'), deal),
    s(3, 'deal.declined', T0 + HOUR, { reason: 'Outside our sector focus' }, deal),
  ];
  const store = opsProjectionStore(models);
  const lastSeq = async () => (await store.readApplicationStates([`app-crash-${suffix}`])).get(`app-crash-${suffix}`)?.lastSeq;
  await createProjector({ store, logger, topic }).projectBatch(0, messagesOf(events.slice(0, 2)));

  // The crash: the checkpoint of the second batch is written, its state writes are not.
  const crashing = { ...store, writeApplicationStates: async () => { throw new Error('crashed'); } };
  await expect(createProjector({ store: crashing, logger, topic }).projectBatch(0, messagesOf(events.slice(2), 2))).rejects.toThrow('crashed');
  expect(await lastSeq()).toBe(2);

  // Kafka had not committed the batch: it comes again, to a fresh projector, whole.
  await createProjector({ store, logger, topic }).projectBatch(0, messagesOf(events.slice(2), 2));
  expect(await lastSeq()).toBe(3);
  const after = await metrics(0, '3');
  expect(after.counters).toMatchObject({ eventsSeen: 3, eventsApplied: 3, duplicatesDropped: 0 });
  expect(after.institutions).toEqual([{ institutionId: deal.institutionId, proposed: 1, responded: 1, expired: 0, responseRate: 1 }]);
  expect(after).toMatchObject({ projectionLagEvents: 0, applications: 1 });
});

test('a consumer that lost its partition is refused at its checkpoint and changes nothing', async () => {
  const { topic, metrics } = offline('zombie');
  const s = eventStream(`app-zombie-${suffix}`, usccA);
  const events = [
    s(1, 'application.submitted', T0, { ...request('equity'), region: 'CN-ZJ', qualificationTypes: [] }),
    s(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
    s(3, 'application.withdrawn', T0 + 2 * HOUR, { reason: 'Raised the money elsewhere' }),
  ];
  const store = opsProjectionStore(models);
  const zombie = createProjector({ store, logger, topic });
  const owner = createProjector({ store, logger, topic });
  await zombie.projectBatch(0, messagesOf(events.slice(0, 1)));
  await owner.projectBatch(0, messagesOf(events.slice(1), 1)); // the partition moved to `owner`
  await expect(zombie.projectBatch(0, messagesOf(events.slice(1, 2), 1))).rejects.toBeInstanceOf(CheckpointSuperseded);
  const after = await metrics(0, '3');
  expect(after.counters).toMatchObject({ eventsSeen: 3, eventsApplied: 3 });
  expect(after.funnel.all.byStatus.withdrawn).toBe(1);
  expect(after.asOf).toBe(after.generatedAt);
  // Behind by one message: complete up to the newest event projected.
  expect(await metrics(0, '4')).toMatchObject({ projectionLagEvents: 1, asOf: events[2]!.occurredAt });
});
