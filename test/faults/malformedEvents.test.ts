import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../adapters/config';
import { createKafka, createProducer, ensureTopic, TOPIC_PARTITIONS, type ConsumerHandle, type EventProducer } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { createProjector, startProjector } from '../../services/ops/projector';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { opsProjectionStore, readOpsMetrics } from '../../store/opsProjection';
import { eventStream, HOUR, screened, T0, usccOf } from '../support/opsEvents';
import { mongoUrlWithDatabase, testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { waitFor } from './support/processes';
import { recordFault } from './support/results';

// Malformed and foreign messages on the events topic: the ops projector skips and counts each one
// and goes on projecting the real events around them; it never crashes.

jest.setTimeout(120_000);

const suffix = uniqueSuffix();
let config: Config;
let models: Models;
let kafka: Kafka;
let producer: EventProducer;
let closeMongo: () => Promise<void>;
const counted = { messages: 0, skipped: 0 };

beforeAll(async () => {
  // A database of its own, removed afterwards.
  config = testConfig({ DEALFLOW_TOPIC: `faults.events.${suffix}`, MONGO_URL: mongoUrlWithDatabase(`dealflow_faults_${suffix}`) });
  const logger = testLogger();
  const mongo = await connectMongo(config, logger);
  closeMongo = async () => {
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
  };
  models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  kafka = createKafka(config, logger, 'faults-events');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  await admin.disconnect();
  producer = await createProducer(kafka);
});
afterAll(async () => {
  await producer?.close();
  await closeMongo?.();
  if (counted.messages > 0) {
    recordFault({ fault: 'malformed-events', load: counted.messages, accepted: counted.skipped + valid.length, completed: counted.messages, lost: counted.messages - counted.skipped - valid.length, duplicated: 0 });
  }
});

const applicationId = `app-${'f'.repeat(8)}${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
const uscc = usccOf('91650000MA0000007');
const event = eventStream(applicationId, uscc);
const valid = [
  event(1, 'application.submitted', T0, { request: { instrument: 'credit_loan', amountCny: 3_000_000, termMonths: 12, purpose: 'Working capital' } }),
  event(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
  event(3, 'application.no_match', T0 + 2 * HOUR, { reason: 'no_eligible_product', message: 'No active product fits this application' }),
];

/** Messages that are not dealflow events: bytes, other JSON, and events that break the contract in one field. */
const foreign: fc.Arbitrary<Buffer | string> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
  fc.record({ orderId: fc.uuid(), total: fc.double(), currency: fc.constantFrom('EUR', 'USD') }).map((value) => JSON.stringify(value)),
  fc.record({
    key: fc.constantFrom('eventId', 'type', 'version', 'seq', 'occurredAt', 'applicationId', 'enterpriseUscc', 'data'),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0, -1, 2, 1.5, 'application.launched', '', null)),
  }).map(({ key, value }) => JSON.stringify({ ...valid[1], [key]: value })),
).filter((message) => {
  // The few generated values that happen to be a valid event are not what this test is about.
  try {
    const parsed = JSON.parse(String(message)) as { eventId?: unknown };
    return typeof parsed?.eventId !== 'string' || parsed.eventId !== valid[1]?.eventId || JSON.stringify(parsed) !== JSON.stringify(valid[1]);
  } catch {
    return true;
  }
});

// The counters of a topic's projection, whatever its partitions' lag.
const countersOf = async (topic: string) => (await readOpsMetrics(models, {
  topic,
  highWatermarks: Array.from({ length: TOPIC_PARTITIONS }, (_, partition) => ({ partition, offset: '0' })),
})).counters;

test('the projector skips and counts any generated foreign value, without throwing', async () => {
  // A topic name of its own: these checkpoints must not be the next test's.
  const topic = `faults.property.${suffix}`;
  const projector = createProjector({ store: opsProjectionStore(models), logger: testLogger(), topic });
  let offset = 0;
  await fc.assert(fc.asyncProperty(fc.oneof(foreign, fc.constant(null)), async (value) => {
    await projector.projectBatch(0, [{ offset: String(offset++), value }]);
  }), { numRuns: 150 });
  expect(await countersOf(topic)).toMatchObject({ malformedSkipped: offset, eventsSeen: 0 });
});

test('malformed and foreign messages on the topic are skipped and counted, and the events around them are projected', async () => {
  const before = (await countersOf(config.kafka.topic)).malformedSkipped;
  const states = opsProjectionStore(models);
  const junk = fc.sample(foreign, 60).map((value) => String(value));
  const messages = [
    ...junk.slice(0, 20).map((value) => ({ key: applicationId, value })),
    { key: applicationId, value: JSON.stringify(valid[0]) },
    ...junk.slice(20, 40).map((value) => ({ key: `foreign-${suffix}`, value })),
    { key: applicationId, value: JSON.stringify(valid[1]) },
    ...junk.slice(40).map((value) => ({ key: applicationId, value })),
    { key: applicationId, value: JSON.stringify(valid[2]) },
  ];
  await producer.send(config.kafka.topic, messages);
  // kafkajs will not send a null value through EventProducer's typed send; a tombstone is the one more foreign message.
  const raw = kafka.producer();
  await raw.connect();
  await raw.send({ topic: config.kafka.topic, messages: [{ key: applicationId, value: null }] });
  await raw.disconnect();

  let consumer: ConsumerHandle | null = null;
  try {
    consumer = await startProjector({ kafka, models, logger: testLogger(), topic: config.kafka.topic, groupId: `faults-ops-${suffix}` });
    const expectedSkipped = junk.length + 1;
    const done = await waitFor(async () => {
      const counters = await countersOf(config.kafka.topic);
      const state = (await states.readApplicationStates([applicationId])).get(applicationId);
      return counters.malformedSkipped - before >= expectedSkipped && state?.lastSeq === 3;
    }, 60_000, 500);
    const counters = await countersOf(config.kafka.topic);
    const state = (await states.readApplicationStates([applicationId])).get(applicationId);
    counted.messages = expectedSkipped + valid.length;
    counted.skipped = counters.malformedSkipped - before;
    expect(done).toBe(true);
    expect(counted.skipped).toBe(expectedSkipped);
    expect(state).toMatchObject({ lastSeq: 3, status: 'no_match', missing: [] });
    expect(counters.eventsApplied).toBe(3);
    expect(counters.gaps).toBe(0);
  } finally {
    await consumer?.close();
  }
});
