import type { Admin } from 'kafkajs';
import { loadConfig, type Config } from '../../adapters/config';
import { createLogger, type Logger } from '../../adapters/logger';
import { createKafka, ensureTopic } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { defineModels } from '../../store/models';
import { prepareStore } from '../../store/prepare';

// Every benchmark runs against the local stack (`npm run services:up`) with a task queue, topic
// and MongoDB database of its own, removed afterwards, so it never sees or leaves other data.

export const benchSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function benchEnv(suffix: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT || 27017}/dealflow_bench_${suffix}`,
    DEALFLOW_TOPIC: `bench.${suffix}`,
    TEMPORAL_TASK_QUEUE: `bench-${suffix}`,
    ...overrides,
  };
}

export function benchConfig(suffix: string, overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig(benchEnv(suffix, overrides));
}

export function benchLogger(): Logger {
  return createLogger({ env: 'test', logLevel: 'warn' }, 'bench');
}

export async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
}

/** The bench's private database, its store prepared, and its private topic, with a connected admin. */
export async function openBenchStoreAndTopic(config: Config, logger: Logger, kafkaClientId: string) {
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  const kafka = createKafka(config, logger, kafkaClientId);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  return { mongo, models, kafka, admin };
}
