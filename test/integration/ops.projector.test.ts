import type { Admin, Kafka } from 'kafkajs';
import type { DealflowEvent } from '../../schemas';
import { createEventPublisher } from '../../services/events/publisher';
import { createKafka, createProducer, ensureTopic, type ConsumerHandle, type EventProducer } from '../../services/kafka';
import { connectMongo } from '../../services/mongo';
import { readOpsMetrics } from '../../services/ops/metrics';
import { createProjector, startProjector } from '../../services/ops/projector';
import { loadResponseRates } from '../../services/store/catalogue';
import { defineModels, type Models } from '../../services/store/models';
import { prepareStore } from '../../services/store/prepare';
import { eventStream, HOUR, proposal, screened, T0, termSheet, usccOf } from '../support/opsEvents';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

jest.setTimeout(120_000);

const suffix = uniqueSuffix();
const config = testConfig({
  DEALFLOW_TOPIC: `it.ops.${suffix}`,
  MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT ?? 27017}/ops_it_${suffix}`,
});
const logger = testLogger();

let mongo: Awaited<ReturnType<typeof connectMongo>>;
let models: Models;
let kafka: Kafka;
let admin: Admin;
let producer: EventProducer;

beforeAll(async () => {
  mongo = await connectMongo(config, logger);
  models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  kafka = createKafka(config, logger);
  admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic, 3);
  producer = await createProducer(kafka);
});

afterAll(async () => {
  await producer?.close();
  await admin?.deleteTopics({ topics: [config.kafka.topic] }).catch(() => {});
  await admin?.disconnect();
  await mongo?.connection.dropDatabase().catch(() => {});
  await mongo?.close();
});

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
  await models.enterprises.create({
    _id: usccB, uscc: usccB, name: '苏州工业园区微纳传感有限公司', region: 'CN-JS', city: 'Suzhou', industry: 'C3974',
    founded: '2016-04-01', employees: 90, revenueCny: 60_000_000, rdRatioBps: 900,
    qualifications: [{ type: 'single_champion_municipal', issuer: '苏州市工业和信息化局', certificateNo: 'SZ-2024-017', validFrom: '2024-01-01', validTo: '2026-12-31' }],
  });
  const publisher = createEventPublisher(producer, config.kafka.topic);
  const consumer: ConsumerHandle = await startProjector({ kafka, models, logger, topic: config.kafka.topic, groupId: `it-ops-${suffix}` });
  try {
    await publisher.publish(appA);
    await publisher.publish([appA[3]!]); // the same eventId again
    await publisher.publish(appA.slice(0, 3)); // a redelivered batch
    await producer.send(config.kafka.topic, [
      { key: 'x', value: 'not json at all' },
      { key: 'x', value: JSON.stringify({ hello: 'a foreign system' }) },
      { key: appB[0]!.applicationId, value: JSON.stringify({ ...appB[0], eventId: 'wrong-id' }) },
    ]);
    await publisher.publish(appB); // after the malformed ones, on their partition
    await publisher.publish(appC);
    await publisher.publish([lateC]);

    const valid = appA.length + 1 + 3 + appB.length + appC.length + 1;
    const metrics = await until(() => readOpsMetrics(models), (m) => m.counters.eventsSeen + m.counters.malformedSkipped >= valid + 3);

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

    const stage = (name: string) => metrics.stageTimes.find((s) => s.stage === name);
    // screening: A 1h, B 3h, C 30m; matching: A 1h, C 30m (the late event does not move C back).
    expect(stage('screening')).toEqual({ stage: 'screening', samples: 3, medianMs: HOUR, median: '1h' });
    expect(stage('matching')).toMatchObject({ samples: 2, medianMs: 45 * 60_000, median: '45m' });
    expect(stage('in_due_diligence')).toMatchObject({ samples: 1, medianMs: 24 * HOUR, median: '1d' });
    expect(stage('offers_ready')).toMatchObject({ samples: 1, medianMs: 54 * HOUR, median: '2d 6h' });

    expect(metrics.institutions).toEqual(expect.arrayContaining([
      { institutionId: d1.institutionId, proposed: 1, responded: 1, expired: 0, responseRate: 1 },
      { institutionId: d2.institutionId, proposed: 1, responded: 0, expired: 1, responseRate: 0 },
    ]));
    const rates = await loadResponseRates(models);
    expect(rates.get(d1.institutionId)).toBe(1);
    expect(rates.get(d2.institutionId)).toBe(0);
  } finally {
    await consumer.close();
  }
});

test('an event redelivered after a crash between its effects and its commit counts once', async () => {
  const projector = createProjector({ models, logger });
  const s = eventStream(`app-crash-${suffix}`, usccA);
  const deal = { dealId: `deal-crash-${suffix}`, institutionId: `bank-crash-${suffix}` };
  await projector.handle(JSON.stringify(s(1, 'application.submitted', T0, { ...request('credit_loan'), region: 'CN-SH', qualificationTypes: [] })));
  await projector.handle(JSON.stringify(s(2, 'deal.proposed', T0, proposal('p-x'), deal)));
  const answer = JSON.stringify(s(3, 'deal.declined', T0 + HOUR, { reason: 'Outside our sector focus' }, deal));
  expect(await projector.handle(answer)).toBe('applied');

  // The crash: effects written, the commit (lastSeq 2 -> 3) lost.
  await models.opsApplications.updateOne({ _id: `app-crash-${suffix}` }, { $set: { lastSeq: 2 } });
  expect(await projector.handle(answer)).toBe('applied');
  expect(await projector.handle(answer)).toBe('duplicate');

  const stats = await models.institutionStats.findById(deal.institutionId).lean();
  expect(stats).toMatchObject({ proposed: 1, responded: 1, expired: 0, responseRate: 1 });
});
