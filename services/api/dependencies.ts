import type { Client } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import type { Config } from '../../adapters/config';
import { withTimeout } from '../../adapters/dependencies';
import { fetchHighWatermarks } from '../../adapters/kafka';
import type { Logger } from '../../adapters/logger';
import type { ObjectStore } from '../../adapters/objectStore';
import type { Models } from '../../store/models';
import { allow } from './auth';
import type { ApiDeps } from './context';
import type { LiveFeed } from './liveFeed';
import type { ReadCache } from './readCache';
import { opsRoutes } from './routes/ops';

/** The clients the API is built on; its caller (the API process, the API tests, the benches) opens and closes them. */
export interface ApiClients {
  config: Config;
  logger: Logger;
  temporal: Client;
  models: Models;
  objectStore?: ObjectStore;
  /** The Kafka admin, connected: the process connects it on first use, so that it starts while Kafka is down. */
  connectedAdmin: () => Promise<Admin>;
  /** The event stream of this API: it tells the read cache what changed and feeds the ops routes' SSE. */
  feed: LiveFeed;
  readCache: ReadCache;
}

const KAFKA_DEADLINE_MS = 2_000;

/**
 * What `buildApp` needs, made from the clients as the API process makes it: Kafka's health and the
 * topic's offsets read within a deadline (Kafka not answering is a 503 with Retry-After, for
 * readiness and the ops metrics' lag alike), the ops routes for role `ops`, the pipeline settings
 * of the config.
 */
export function apiDependencies(clients: ApiClients): ApiDeps {
  const { config, connectedAdmin, feed, models } = clients;
  const kafkaHealth = async (): Promise<void> => {
    await withTimeout(connectedAdmin().then((admin) => admin.describeCluster()), KAFKA_DEADLINE_MS, 'kafka', 'describing the Kafka cluster');
  };
  const watermarks = async () => ({
    topic: config.kafka.topic,
    highWatermarks: await withTimeout(connectedAdmin().then((admin) => fetchHighWatermarks(admin, config.kafka.topic)), KAFKA_DEADLINE_MS, 'kafka', 'reading the topic\'s offsets'),
  });
  return {
    config,
    logger: clients.logger,
    temporal: clients.temporal,
    models,
    ...(clients.objectStore ? { objectStore: clients.objectStore } : {}),
    readCache: clients.readCache,
    kafkaHealth,
    settings: config.pipeline,
    opsRoutes: opsRoutes({ models, feed, watermarks, preHandler: allow('ops') }),
  };
}
