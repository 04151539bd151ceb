import { performance } from 'node:perf_hooks';
import { buildEventId, DealflowEvent, EVENT_VERSION, usccCheckCharacter, type DealflowEvent as Event } from '../../schemas';
import { createEventPublisher } from '../../adapters/events/publisher';
import { createKafka, createProducer, ensureTopic } from '../../adapters/kafka';
import { Partitioners } from 'kafkajs';
import { log, result, sleep, type BenchmarkResult } from '../lib/report';
import { createPlatformaticProducer, platformaticRuns } from './platformatic';
import { benchConfig, benchLogger, benchSuffix, deleteTopic } from '../lib/stack';

// 4. Event publishing: the project's publisher (schema check, serialisation, the idempotent
// producer) against a bare kafkajs producer with the same settings sending the same bytes,
// pre-serialised, to the same broker and topic. Batches have the shape recordEvents sends. The
// same bytes through @platformatic/kafka with the same guarantees measure a successor to kafkajs.

const ROUNDS = 5;
const BATCHES_PER_ROUND = 300;
/** Concurrent publish calls, like concurrent recordEvents activities in one worker. */
const CONCURRENCY = 16;

function batchFor(applicationId: string): Event[] {
  const base = { version: EVENT_VERSION, applicationId, enterpriseUscc: `91310115MA1K4A2B9${usccCheckCharacter('91310115MA1K4A2B9')}`, occurredAt: '2025-06-30T08:00:00.000Z' };
  const candidates = Array.from({ length: 10 }, (_, i) => ({
    productId: `p-${i}`,
    institutionId: `bank-${i % 3}`,
    score: 90 - i,
    reasons: [
      { code: 'industry_fit', message: 'Industry C3911 is within the product\'s focus C39 (GB/T 4754)', weight: 24 },
      { code: 'ticket_fit', message: 'CNY 8,000,000 sits at 52% of the product\'s range CNY 1,000,000-CNY 50,000,000', weight: 25 },
      { code: 'region_fit', message: 'The institution focuses on the enterprise\'s province CN-SH', weight: 15 },
    ],
  }));
  const raw = [
    { type: 'application.submitted', data: { request: { instrument: 'credit_loan', amountCny: 8_000_000, termMonths: 12, purpose: 'New SMT line for automotive sensors' } } },
    { type: 'application.screened', data: { eligible: true, reasons: [{ code: 'screening_passed', message: 'passed' }], verifiedQualifications: [], unverifiedQualifications: [], screenedAt: base.occurredAt } },
    { type: 'application.matched', data: { candidates } },
    { type: 'application.no_match', data: { reason: 'no_eligible_product', message: 'No active product fits this application' } },
  ];
  return raw.map((event, i) => DealflowEvent.parse({ ...base, ...event, seq: i + 1, eventId: buildEventId(applicationId, i + 1) }));
}

async function pump(batches: number, send: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < batches) await send(next++);
  }));
  return (performance.now() - start) / 1000;
}

export async function runPublisher(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  const config = benchConfig(suffix);
  const logger = benchLogger();
  const kafka = createKafka(config, logger, 'dealflow-bench');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  const producer = await createProducer(kafka);
  const publisher = createEventPublisher(producer, config.kafka.topic);
  // The bare producer: the same settings createProducer uses, nothing around it.
  const bare = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await bare.connect();
  const platformatic = platformaticRuns() ? createPlatformaticProducer(config) : undefined;
  if (!platformatic) log(`publisher: @platformatic/kafka needs Node 22.22 or 24.6, this is ${process.version}: measuring kafkajs only`);
  try {
    const batches = Array.from({ length: 64 }, (_, i) => batchFor(`app-bench-${suffix}-${i}`));
    const eventsPerBatch = (batches[0] as Event[]).length;
    const bytes = batches.map((batch) => batch.map((event) => ({
      key: event.applicationId,
      value: JSON.stringify(event),
      headers: { eventId: event.eventId, type: event.type },
    })));
    const viaPublisher = (i: number) => publisher.publish(batches[i % batches.length] as Event[]);
    const viaBare = async (i: number) => void (await bare.send({ topic: config.kafka.topic, acks: -1, messages: bytes[i % bytes.length] as never }));

    const viaPlatformatic = platformatic && ((i: number) => platformatic.send(bytes[i % bytes.length] as never));

    await pump(60, viaPublisher);
    await pump(60, viaBare);
    if (viaPlatformatic) await pump(60, viaPlatformatic);
    const ours: number[] = [];
    const theirs: number[] = [];
    const successor: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      theirs.push((BATCHES_PER_ROUND * eventsPerBatch) / (await pump(BATCHES_PER_ROUND, viaBare)));
      ours.push((BATCHES_PER_ROUND * eventsPerBatch) / (await pump(BATCHES_PER_ROUND, viaPublisher)));
      if (viaPlatformatic) successor.push((BATCHES_PER_ROUND * eventsPerBatch) / (await pump(BATCHES_PER_ROUND, viaPlatformatic)));
      await sleep(200);
    }
    const line = result('publisher.events_per_second', 'events/s', ours, theirs);
    log(`publisher: ${line.value} events/s vs bare kafkajs ${line.baseline} -> x${line.ratio}`);
    if (successor.length === 0) return [line];
    const candidate = result('publisher.platformatic_bare_events_per_second', 'events/s', successor, theirs);
    log(`publisher: bare @platformatic/kafka ${candidate.value} events/s vs bare kafkajs ${candidate.baseline} -> x${candidate.ratio}`);
    return [line, candidate];
  } finally {
    await platformatic?.close();
    await bare.disconnect();
    await producer.close();
    await deleteTopic(admin, config.kafka.topic);
    await admin.disconnect();
  }
}
