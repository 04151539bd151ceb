import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import type { Config } from './config';
import type { Logger } from './logger';
import { kafkaSsl } from './tls';

// Adapters for Kafka: an idempotent producer, a consumer helper and the topic the events go to.

export function createKafka(config: Config, logger: Logger, clientId = config.kafka.clientId): Kafka {
  const log = logger.child({ component: 'kafka' });
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
  };
  return new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    ...(config.kafka.tls ? { ssl: kafkaSsl(config) } : {}),
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log: { message, ...extra } }) => {
      log[levels[level] ?? 'info']({ namespace, ...extra }, message);
    },
  });
}

export const TOPIC_PARTITIONS = 6;

// Idempotent: a topic that already exists is fine.
export async function ensureTopic(admin: Admin, topic: string, numPartitions = TOPIC_PARTITIONS): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
}

/** `ensureTopic` through an admin client of its own, for a process at start. */
export async function ensureTopicExists(kafka: Kafka, topic: string, numPartitions = TOPIC_PARTITIONS): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, topic, numPartitions);
  } finally {
    await admin.disconnect();
  }
}

/** Each partition's high watermark: the offset the next message written to it will get. */
export async function fetchHighWatermarks(admin: Admin, topic: string): Promise<{ partition: number; offset: string }[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map(({ partition, high }) => ({ partition, offset: high }));
}

export interface EventProducer {
  send(topic: string, messages: { key: string; value: string; headers?: Record<string, string> }[]): Promise<void>;
  close(): Promise<void>;
}

// `idempotent` makes the broker drop a retried batch it already has; with one request in flight,
// the messages of one key keep their order even across retries.
export async function createProducer(kafka: Kafka): Promise<EventProducer> {
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Give up within seconds: the caller (a Temporal activity) retries with its own backoff.
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
  });
  await producer.connect();
  return {
    async send(topic, messages) {
      await producer.send({ topic, acks: -1, messages });
    },
    close: () => producer.disconnect(),
  };
}

export interface ConsumerHandle {
  consumer: Consumer;
  close(): Promise<void>;
}

export async function startConsumer(
  kafka: Kafka,
  options: { groupId: string; topic: string; fromBeginning?: boolean; eachMessage: (payload: EachMessagePayload) => Promise<void> },
): Promise<ConsumerHandle> {
  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? false });
  await consumer.run({ eachMessage: options.eachMessage });
  return { consumer, close: () => consumer.disconnect() };
}
