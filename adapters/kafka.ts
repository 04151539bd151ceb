import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import type { Config, TopicPolicy } from './config';
import type { Logger } from './logger';
import { serialProducer, type ProducerSession, type SerialProducer } from './serialProducer';
import { kafkaSasl, kafkaSsl } from './tls';

// Adapters for Kafka: an idempotent producer, a consumer helper and the topic the events go to.

export function createKafka(config: Config, logger: Logger, clientId = config.kafka.clientId): Kafka {
  const log = logger.child({ component: 'kafka' });
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
  };
  const ssl = kafkaSsl(config);
  const sasl = kafkaSasl(config);
  return new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log: { message, ...extra } }) => {
      log[levels[level] ?? 'info']({ namespace, ...extra }, message);
    },
  });
}

export const TOPIC_PARTITIONS = 6;

/** The local stack's single broker: created here, one replica. */
export const LOCAL_TOPIC_POLICY: TopicPolicy = { create: true, replicationFactor: 1, minInsyncReplicas: 1 };

/** Kafka refused us for a reason a setting explains (credentials, TLS, a missing topic): the message names the setting. */
export class KafkaSetupError extends Error {
  override name = 'KafkaSetupError';
}

/**
 * Creates the topic with the policy's replication and `min.insync.replicas`, or, when the platform
 * team creates topics (`create: false`), fails clearly if it is missing. A topic that exists is
 * left as it is.
 */
export async function ensureTopic(admin: Admin, topic: string, numPartitions = TOPIC_PARTITIONS, policy: TopicPolicy = LOCAL_TOPIC_POLICY): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  if (!policy.create) {
    throw new KafkaSetupError(
      `Kafka topic ${topic} does not exist; with KAFKA_CREATE_TOPICS=false it must be created beforehand `
      + `(${numPartitions} partitions, replication factor ${policy.replicationFactor}, min.insync.replicas=${policy.minInsyncReplicas})`,
    );
  }
  await admin.createTopics({
    topics: [{
      topic,
      numPartitions,
      replicationFactor: policy.replicationFactor,
      configEntries: [{ name: 'min.insync.replicas', value: String(policy.minInsyncReplicas) }],
    }],
    waitForLeaders: true,
  });
}

/** `ensureTopic` for each topic through an admin client of its own, for a process at start; a refusal names the setting. */
export async function ensureTopicExists(kafka: Kafka, topic: string | string[], policy: TopicPolicy = LOCAL_TOPIC_POLICY, numPartitions = TOPIC_PARTITIONS): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (const name of Array.isArray(topic) ? topic : [topic]) await ensureTopic(admin, name, numPartitions, policy);
  } catch (error) {
    throw explainKafkaFailure(error);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A failure to reach or use Kafka, said in terms of the settings that decide it. Secrets are named,
 * never shown; the original error stays as the cause.
 */
export function explainKafkaFailure(error: unknown): Error {
  if (!(error instanceof Error) || error instanceof KafkaSetupError) return error instanceof Error ? error : new Error(String(error));
  const chain: Error[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < 5; current = current.cause) chain.push(current);
  const text = chain.map((e) => `${e.name}: ${e.message}`).join(' <- ');
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    return new KafkaSetupError(`Kafka refused the credentials: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM (${text})`, { cause: error });
  }
  if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(text)) {
    return new KafkaSetupError(`TLS to Kafka failed: check KAFKA_TLS, KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE (${text})`, { cause: error });
  }
  if (/TOPIC_AUTHORIZATION_FAILED|CLUSTER_AUTHORIZATION_FAILED|not authorized/i.test(text)) {
    return new KafkaSetupError(`Kafka denied an operation to KAFKA_SASL_USERNAME's principal: grant it the topics, or set KAFKA_CREATE_TOPICS=false if the platform team creates them (${text})`, { cause: error });
  }
  return error;
}

/** Each partition's high watermark: the offset the next message written to it will get. */
export async function fetchHighWatermarks(admin: Admin, topic: string): Promise<{ partition: number; offset: string }[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map(({ partition, high }) => ({ partition, offset: high }));
}

export type EventProducer = SerialProducer;

// `idempotent` makes the broker drop a retried batch it already has; with one request in flight,
// the messages of one key keep their order even across retries. Requests go one at a time through
// `serialProducer`, which opens a new producer (a new producer id) after a failed one.
export async function createProducer(kafka: Kafka): Promise<EventProducer> {
  const open = async (): Promise<ProducerSession> => {
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
      async sendBatch(topicMessages) {
        await producer.sendBatch({ topicMessages, acks: -1 });
      },
      close: () => producer.disconnect(),
    };
  };
  // The first session opens now, so that a process fails at start on a broker it cannot use.
  return serialProducer(open, { first: await open() });
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
