import { createKafka } from '../../adapters/kafka';
import { createObjectStore } from '../../adapters/objectStore';
import { createMetricsRegistry, startOperationsServer } from '../metrics';
import { pingMongo } from '../../adapters/mongo';
import { Closers, openStore, runProcess, stopOnSignals } from '../process';
import { createTemporalClient } from '../../adapters/temporalClient';
import { buildApp } from './app';
import { apiDependencies } from './dependencies';
import { createLiveFeed } from './liveFeed';
import { createReadCache, READ_CACHE_DEFAULTS } from './readCache';

// The API process: opens the clients, builds the app, listens, and on SIGINT or SIGTERM stops
// taking requests, lets the ones in flight finish, then closes the clients.
runProcess('dealflow-api', async (config, logger) => {
  const closers = new Closers(logger);

  // Lazy: the API starts (and answers 503 and "not ready") while Temporal is still coming up.
  const temporal = await createTemporalClient(config, { lazy: true });
  closers.add('temporal', temporal.close);

  // The migration command prepares the store; the API checks it ran.
  const metrics = createMetricsRegistry('api');
  const store = await openStore(config, logger, { prepare: false, checkVersion: true, metrics });
  closers.add('mongo', store.close);

  const kafka = createKafka(config, logger, 'dealflow-api');
  const admin = kafka.admin();
  let adminConnected: Promise<void> | null = null;
  closers.add('kafka', () => admin.disconnect());
  const connectedAdmin = async () => {
    adminConnected ??= admin.connect().catch((error: unknown) => {
      adminConnected = null;
      throw error;
    });
    await adminConnected;
    return admin;
  };
  // Each API process reads the event stream for its own SSE clients (its own consumer group).
  const feed = createLiveFeed({ kafka, topic: config.kafka.topic, logger });
  closers.add('ops-feed', () => feed.close());
  // The same feed tells the read cache what changed.
  const readCache = createReadCache({ feed, ...READ_CACHE_DEFAULTS });

  // The documents' store: down, the file routes answer 503 and the rest of the API serves on.
  const objectStore = createObjectStore(config.files);
  closers.add('object-store', async () => objectStore.close());
  await objectStore.ensureBucket().catch((error: unknown) => logger.warn({ err: error, bucket: objectStore.bucket }, 'object store not answering at start; file routes answer 503 until it does'));

  const { models } = store;
  const deps = apiDependencies({ config, logger, temporal: temporal.client, models, objectStore, connectedAdmin, feed, readCache });
  const app = await buildApp({ ...deps, metrics });
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ url, docs: `${url}/docs`, taskQueue: config.temporal.taskQueue }, 'dealflow API listening');
  // What probes read: Kafka is reported, but its outage alone keeps the process in rotation (every
  // replica sees the same brokers; reads and submissions still work, the workflows publish later).
  const operations = await startOperationsServer({
    process: 'api',
    config,
    logger,
    registry: metrics,
    readiness: {
      checks: {
        temporal: () => temporal.client.workflowService.getSystemInfo({}),
        mongo: () => pingMongo(models.applications.db),
        kafka: deps.kafkaHealth,
        objectStore: () => objectStore.ping(),
      },
      // The API cannot serve without these; Kafka or the object store down makes it `degraded`, still in rotation.
      required: ['temporal', 'mongo'],
    },
  });

  stopOnSignals(logger, async () => {
    // The server first: requests in flight finish with the clients still open.
    await app.close().catch((error: unknown) => logger.error({ err: error }, 'closing the HTTP server failed'));
    await operations.close();
    await closers.closeAll();
  });
});
