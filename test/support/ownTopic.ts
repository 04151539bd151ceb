import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../../adapters/config';
import { createKafka, createProducer, ensureTopic, type EventProducer } from '../../adapters/kafka';
import type { Logger } from '../../adapters/logger';
import { connectMongo } from '../../adapters/mongo';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { startedLater } from './startedLater';
import { mongoUrlWithDatabase, testConfig, testLogger, uniqueSuffix } from './stack';

export interface OwnTopic {
  config: Config;
  logger: Logger;
  suffix: string;
  models: Models;
  kafka: Kafka;
  admin: Admin;
  producer: EventProducer;
}

/**
 * For an integration test file: a topic (three partitions) and a database of its own on the local
 * stack, named after `name`, with an admin and a producer, opened before its tests. After them
 * `beforeClose` stops what the file built on them, then the topic and the database are deleted.
 */
export function useOwnTopicAndDatabase(name: string, options: { prepare: boolean; beforeClose?: () => Promise<void> }): OwnTopic {
  const suffix = uniqueSuffix();
  const config = testConfig({
    DEALFLOW_TOPIC: `it.${name}.${suffix}`,
    MONGO_URL: mongoUrlWithDatabase(`${name.replaceAll('.', '_')}_it_${suffix}`),
  });
  const logger = testLogger();
  let mongo: Awaited<ReturnType<typeof connectMongo>> | undefined;
  let models: Models | undefined;
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let producer: EventProducer | undefined;

  beforeAll(async () => {
    mongo = await connectMongo(config, logger);
    models = defineModels(mongo.connection);
    if (options.prepare) await prepareStore(models, logger);
    kafka = createKafka(config, logger);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopic(admin, config.kafka.topic, 3);
    producer = await createProducer(kafka);
  });

  afterAll(async () => {
    await options.beforeClose?.();
    await producer?.close();
    await admin?.deleteTopics({ topics: [config.kafka.topic] }).catch(() => {});
    await admin?.disconnect();
    await mongo?.connection.dropDatabase().catch(() => {});
    await mongo?.close();
  });

  return {
    config,
    logger,
    suffix,
    models: startedLater(() => models, 'test database'),
    kafka: startedLater(() => kafka, 'Kafka client'),
    admin: startedLater(() => admin, 'Kafka admin'),
    producer: startedLater(() => producer, 'producer'),
  };
}
