import { createKafka, ensureTopicExists } from '../kafka';
import { Closers, openStore, runProcess, stopOnSignals } from '../process';
import { opsGroupId, startProjector } from './projector';

// The ops projector process. Stops on SIGINT or SIGTERM after the message in hand is projected
// (the consumer's disconnect waits for it), then closes MongoDB.
runProcess('dealflow-ops', async (config, logger) => {
  const closers = new Closers(logger);
  const store = await openStore(config, logger, { prepare: true });
  closers.add('mongo', store.close);

  const kafka = createKafka(config, logger, `${config.kafka.clientId}-ops`);
  await ensureTopicExists(kafka, config.kafka.topic);
  const consumer = await startProjector({ kafka, models: store.models, logger, topic: config.kafka.topic });
  closers.add('kafka-consumer', () => consumer.close());
  logger.info({ topic: config.kafka.topic, groupId: opsGroupId(config.kafka.topic) }, 'ops projector started');

  stopOnSignals(logger, () => closers.closeAll());
});
