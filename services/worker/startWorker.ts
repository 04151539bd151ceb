import type { Registry } from 'prom-client';
import { createActivities } from '../../activities';
import { createFileActivities } from '../../activities/files';
import { createForumActivities } from '../../activities/forums';
import type { Config } from '../../adapters/config';
import { createForumEventPublisher } from '../../adapters/events/forumPublisher';
import { createEventPublisher } from '../../adapters/events/publisher';
import { createKafka, createProducer, ensureTopicExists } from '../../adapters/kafka';
import { createObjectStore } from '../../adapters/objectStore';
import type { Logger } from '../../adapters/logger';
import { Closers, openStore } from '../process';
import { createCatalogue } from '../../store/catalogue';
import { createTemporalWorker, type WorkerFactoryOptions } from '../../adapters/temporal';
import { instrumentRecordEvents } from './workerMetrics';

// The worker's composition root: the only place that builds the clients the activities use.
// Used by the worker process and by the tests that run a worker in-process.

export const WORKER_TUNING: NonNullable<WorkerFactoryOptions['tuning']> = {
  // Activities are short database and Kafka calls; workflows are small. Two cores are the target.
  maxConcurrentActivityTaskExecutions: 64,
  maxConcurrentWorkflowTaskExecutions: 40,
  // A cached workflow costs ~0.8 MB of the workflow thread's heap (BENCHMARKS.md, Memory; ~2 MB
  // while the workflow bundle held zod): 500 keep it near 400 MB. An evicted workflow replays its
  // history on its next task.
  maxCachedWorkflows: 500,
  // In-flight activities get this long to finish on shutdown; the rest are retried by another worker.
  shutdownGraceTime: '20 seconds',
};

/**
 * `metrics`: the registry the worker's own series go to (the worker process serves it on /metrics).
 * `migrateStore`: migrate the store first (tests and benchmarks, on databases of their own); the
 * worker process only checks that the migration ran (services/worker/main.ts).
 */
export async function startWorker(config: Config, logger: Logger, overrides: Partial<WorkerFactoryOptions> = {}, options: { metrics?: Registry; migrateStore?: boolean } = {}) {
  const closers = new Closers(logger);
  const close = () => closers.closeAll();
  try {
    const migrate = options.migrateStore ?? true;
    const { models, close: closeStore } = await openStore(config, logger, { prepare: migrate, checkVersion: !migrate, ...(options.metrics ? { metrics: options.metrics } : {}) });
    closers.add('mongo', closeStore);

    const kafka = createKafka(config, logger, 'dealflow-worker');
    await ensureTopicExists(kafka, [config.kafka.topic, config.kafka.forumTopic], config.kafka.topics);
    const producer = await createProducer(kafka);
    closers.add('kafka-producer', producer.close);

    // The files' retention deletes from the object store; a store that is down only delays it.
    const objectStore = createObjectStore(config.files);
    closers.add('object-store', async () => objectStore.close());

    const activityLogger = logger.child({ component: 'activities' });
    const created = createActivities({
      models,
      catalogue: createCatalogue(models, logger),
      publisher: createEventPublisher(producer, config.kafka.topic),
      logger: activityLogger,
    });
    const activities = {
      ...(options.metrics ? instrumentRecordEvents(created, options.metrics) : created),
      ...createForumActivities({ models, logger: activityLogger, forumPublisher: createForumEventPublisher(producer, config.kafka.forumTopic) }),
      ...createFileActivities({ models, objectStore, retentionDays: config.files.retentionDays, logger: activityLogger }),
    };
    const { worker, close: closeConnection } = await createTemporalWorker(config, logger, {
      workflowsPath: require.resolve('../../workflows'),
      activities,
      tuning: WORKER_TUNING,
      ...overrides,
    });
    closers.add('temporal', closeConnection);
    return { worker, models, close };
  } catch (error) {
    await close();
    throw error;
  }
}
