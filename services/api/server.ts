import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config';
import { createKafka, fetchHighWatermarks } from '../kafka';
import { createLiveFeed } from '../ops/liveFeed';
import { opsRoutes } from '../ops/routes';
import { createLogger } from '../logger';
import { connectMongo } from '../mongo';
import { defineModels } from '../store/models';
import { buildApp } from './app';
import { allow } from './auth';
import { withTimeout } from './commands';
import { createReadCache, READ_CACHE_DEFAULTS } from './readCache';

// The API process: opens the clients, builds the app, listens, and on SIGINT or SIGTERM stops
// taking requests, lets the ones in flight finish, then closes the clients.

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'dealflow-api');
  const closers: { name: string; close: () => Promise<unknown> }[] = [];

  // Lazy: the API starts (and answers 503 and "not ready") while Temporal is still coming up.
  const connection = Connection.lazy({ address: config.temporal.address });
  closers.push({ name: 'temporal', close: () => connection.close() });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });

  const mongo = await connectMongo(config, logger);
  closers.push({ name: 'mongo', close: mongo.close });

  const kafka = createKafka(config, logger, 'dealflow-api');
  const admin = kafka.admin();
  let adminConnected: Promise<void> | null = null;
  closers.push({ name: 'kafka', close: () => admin.disconnect() });
  const kafkaHealth = async (): Promise<void> => {
    adminConnected ??= admin.connect().catch((error: unknown) => {
      adminConnected = null;
      throw error;
    });
    await adminConnected;
    await withTimeout(admin.describeCluster(), 2_000, 'kafka', 'describing the Kafka cluster');
  };

  // Each API process reads the event stream for its own SSE clients (its own consumer group).
  const feed = createLiveFeed({ kafka, topic: config.kafka.topic, logger });
  closers.push({ name: 'ops-feed', close: () => feed.close() });
  // The same feed tells the read cache what changed.
  const readCache = createReadCache({ feed, ...READ_CACHE_DEFAULTS });

  const models = defineModels(mongo.connection);
  const app = await buildApp({
    config,
    logger,
    temporal,
    models,
    kafkaHealth,
    settings: config.pipeline,
    readCache,
    opsRoutes: opsRoutes({
      models, feed, preHandler: allow('ops'),
      watermarks: async () => ({ topic: config.kafka.topic, highWatermarks: await fetchHighWatermarks(admin, config.kafka.topic) }),
    }),
  });
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ url, docs: `${url}/docs`, taskQueue: config.temporal.taskQueue }, 'dealflow API listening');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'closing the HTTP server failed');
    }
    for (const { name, close } of closers.reverse()) {
      await close().catch((error: unknown) => logger.warn({ err: error, dependency: name }, 'close failed'));
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dealflow-api: ${error.message}`);
  else console.error('dealflow-api: failed to start', error);
  process.exit(1);
});
