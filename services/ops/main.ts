import { createKafka, ensureTopicExists } from '../../adapters/kafka';
import { createMetricsRegistry, startOperationsServer } from '../metrics';
import { pingMongo } from '../../adapters/mongo';
import { Closers, openStore, runProcess, stopOnSignals } from '../process';
import { opsGroupId, startProjector } from './projector';
import { createProjectorMetrics } from './projectorMetrics';

// The ops projector process. Stops on SIGINT or SIGTERM after the message in hand is projected
// (the consumer's disconnect waits for it), then closes MongoDB.
runProcess('dealflow-ops', async (config, logger) => {
  const closers = new Closers(logger);
  const registry = createMetricsRegistry('ops');
  const store = await openStore(config, logger, { prepare: false, checkVersion: true, metrics: registry });
  closers.add('mongo', store.close);

  const kafka = createKafka(config, logger, `${config.kafka.clientId}-ops`);
  await ensureTopicExists(kafka, config.kafka.topic, config.kafka.topics);
  const consumer = await startProjector({ kafka, models: store.models, logger, topic: config.kafka.topic, metrics: createProjectorMetrics(registry) });
  closers.add('kafka-consumer', () => consumer.close());
  // Ready when its consumer is in the group and MongoDB answers: it can project.
  await startOperationsServer({
    process: 'ops',
    config,
    logger,
    registry,
    closers,
    readiness: {
      checks: {
        consumer: async () => {
          if (!consumer.inGroup()) throw new Error('the consumer is not a member of its group');
        },
        mongo: () => pingMongo(store.models.applications.db),
      },
    },
  });
  logger.info({ topic: config.kafka.topic, groupId: opsGroupId(config.kafka.topic) }, 'ops projector started');

  stopOnSignals(logger, () => closers.closeAll());
});
