import type { Kafka } from 'kafkajs';
import { startConsumer } from '../../adapters/kafka';
import type { ApplicationStatus } from '../../schemas';
import { sleep } from './processes';

// The events topic as the truth the checks compare with.
// - `watchStream`: a consumer for the whole run that notes when each event arrived (timings
//   only: a consumer may see a message twice after a rebalance, the topic does not hold it twice).
// - `readTopic`: at the end, a fresh consumer reads every partition from the beginning up to its
//   high watermark: per application, each message with its seq, in the topic's order.

interface Envelope {
  type?: string;
  applicationId?: string;
  seq?: number;
  eventId?: string;
  data?: { eligible?: boolean };
}

export interface StreamWatch {
  /** When `application.matched` (or an early end: ineligible, no_match) first arrived, per application. */
  firstDecisiveAt: Map<string, number>;
  /** When an application's ending event first arrived. */
  endedAt: Map<string, number>;
  /** Arrival time of every message, in order. */
  arrivals: number[];
  close(): Promise<void>;
}

const ENDED_IN: Partial<Record<string, ApplicationStatus>> = {
  'application.no_match': 'no_match',
  'application.withdrawn': 'withdrawn',
  'application.expired': 'expired',
  'application.closed': 'closed',
  'application.rejected': 'rejected',
};

const parse = (value: Buffer | null): Envelope | null => {
  try {
    return JSON.parse(value?.toString('utf8') ?? 'null') as Envelope;
  } catch {
    return null;
  }
};

export async function watchStream(kafka: Kafka, topic: string, groupId: string): Promise<StreamWatch> {
  const firstDecisiveAt = new Map<string, number>();
  const endedAt = new Map<string, number>();
  const arrivals: number[] = [];
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  // Timings count from when it holds its partitions: the load starts after that.
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const now = Date.now();
      arrivals.push(now);
      const event = parse(message.value);
      if (!event?.applicationId) return;
      const id = event.applicationId;
      const decisive = event.type === 'application.matched' || event.type === 'application.no_match'
        || (event.type === 'application.screened' && event.data?.eligible === false);
      if (decisive && !firstDecisiveAt.has(id)) firstDecisiveAt.set(id, now);
      const ended = (event.type !== undefined && ENDED_IN[event.type] !== undefined) || (event.type === 'application.screened' && event.data?.eligible === false);
      if (ended && !endedAt.has(id)) endedAt.set(id, now);
    },
  });
  await Promise.race([joined, sleep(60_000)]);
  return { firstDecisiveAt, endedAt, arrivals, close: () => consumer.disconnect() };
}

export interface StoredEvent {
  seq: number;
  eventId: string;
  type: string;
  partition: number;
  offset: bigint;
  /** The message's timestamp (the producer's create time), ms. */
  writtenAt: number;
  eligible?: boolean;
}

export interface TopicContents {
  messages: number;
  /** Messages that are not JSON events with an applicationId and a seq. */
  foreign: number;
  byApplication: Map<string, StoredEvent[]>;
}

export async function readTopic(kafka: Kafka, topic: string, groupId: string, timeoutMs = 120_000): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  const watermarks = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(watermarks.filter((w) => BigInt(w.high) > BigInt(w.low)).map((w) => [w.partition, BigInt(w.high)]));
  const byApplication = new Map<string, StoredEvent[]>();
  let messages = 0;
  let foreign = 0;
  const seen = new Set<string>();
  const consumer = await startConsumer(kafka, {
    groupId,
    topic,
    fromBeginning: true,
    eachMessage: async ({ partition, message }) => {
      const offset = BigInt(message.offset);
      // A rebalance may hand a message over twice: the topic holds it once.
      const where = `${partition}@${offset}`;
      if (seen.has(where)) return;
      seen.add(where);
      messages += 1;
      if (offset + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
      const event = parse(message.value);
      if (!event?.applicationId || typeof event.seq !== 'number' || !event.type) {
        foreign += 1;
        return;
      }
      const list = byApplication.get(event.applicationId) ?? [];
      list.push({
        seq: event.seq,
        eventId: event.eventId ?? '',
        type: event.type,
        partition,
        offset,
        writtenAt: Number(message.timestamp),
        ...(event.type === 'application.screened' ? { eligible: event.data?.eligible === true } : {}),
      });
      byApplication.set(event.applicationId, list);
    },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (remaining.size > 0) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} from the beginning: partitions ${[...remaining.keys()].join(', ')} not read to their end within ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  } finally {
    await consumer.close();
  }
  for (const list of byApplication.values()) list.sort((a, b) => (a.partition - b.partition) || (a.offset < b.offset ? -1 : 1));
  return { messages, foreign, byApplication };
}

export interface ApplicationStream {
  /** Highest seq on the topic. */
  highest: number;
  distinct: number;
  /** Seqs between 1 and `highest` not on the topic. */
  gaps: number[];
  /** Seqs on the topic more than once (at-least-once publishing), and how many of those copies differ in eventId. */
  duplicateSeqs: number;
  /** When each extra copy was written. */
  duplicatesWrittenAt: number[];
  conflictingDuplicates: number;
  /** Seqs whose first copy came after a higher seq's first copy. */
  outOfOrder: number;
  /** On more than one partition (the key must pin an application to one). */
  partitions: number;
  /** The status its events leave it in when one ended it; null while none did. */
  endStatus: ApplicationStatus | null;
}

export function analyseStream(events: readonly StoredEvent[]): ApplicationStream {
  const firstOf = new Map<number, StoredEvent>();
  let duplicateSeqs = 0;
  const duplicatesWrittenAt: number[] = [];
  let conflictingDuplicates = 0;
  let outOfOrder = 0;
  let highestSoFar = 0;
  for (const event of events) {
    const first = firstOf.get(event.seq);
    if (first) {
      duplicateSeqs += 1;
      duplicatesWrittenAt.push(event.writtenAt);
      if (first.eventId !== event.eventId) conflictingDuplicates += 1;
      continue;
    }
    firstOf.set(event.seq, event);
    if (event.seq < highestSoFar) outOfOrder += 1;
    highestSoFar = Math.max(highestSoFar, event.seq);
  }
  const gaps: number[] = [];
  for (let seq = 1; seq <= highestSoFar; seq += 1) if (!firstOf.has(seq)) gaps.push(seq);
  let endStatus: ApplicationStatus | null = null;
  for (const event of [...firstOf.values()].sort((a, b) => a.seq - b.seq)) {
    const ended = ENDED_IN[event.type];
    if (ended) {
      endStatus = ended;
      break;
    }
    // Screening that finds the application ineligible ends it without another event.
    if (event.type === 'application.screened' && event.eligible === false) {
      endStatus = 'rejected';
      break;
    }
  }
  return {
    highest: highestSoFar,
    distinct: firstOf.size,
    gaps,
    duplicateSeqs,
    duplicatesWrittenAt,
    conflictingDuplicates,
    outOfOrder,
    partitions: new Set(events.map((e) => e.partition)).size,
    endStatus,
  };
}
