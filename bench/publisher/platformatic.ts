import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import type { Config } from '../../adapters/config';

// @platformatic/kafka (pure JavaScript, Kafka 4 protocols, KIP-848 groups) as a candidate
// successor of kafkajs (no release since February 2023), measured with the guarantees the
// project's producer has: idempotent (which needs acks from all in-sync replicas) and ordering
// per key (the default murmur2 partitioner puts one key on one partition, like kafkajs's).

/** It uses Promise.withResolvers (Node 22 and later); the project still runs on Node 20. */
export function platformaticRuns(): boolean {
  return typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function';
}

export interface BareMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function createPlatformaticProducer(config: Config): {
  send: (messages: readonly BareMessage[]) => Promise<void>;
  close: () => Promise<void>;
} {
  const producer = new Producer({
    clientId: 'dealflow-bench-platformatic',
    bootstrapBrokers: config.kafka.brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  return {
    send: async (messages) => {
      await producer.send({
        messages: messages.map((message) => ({
          topic: config.kafka.topic,
          key: message.key,
          value: message.value,
          headers: new Map(Object.entries(message.headers)),
        })),
      });
    },
    close: () => producer.close(),
  };
}
