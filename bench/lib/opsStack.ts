import type { Config } from '../../adapters/config';
import { createKafka, ensureTopicExists } from '../../adapters/kafka';
import type { Logger } from '../../adapters/logger';
import { openStore } from '../../services/process';
import { opsGroupId, startProjector } from '../../services/ops/projector';

// The ops projector as services/ops/main.ts runs it, on the bench's private database and topic.
// Its only tie to the projector's internals is `startProjector`, its public entry point.

export async function startOpsProjector(config: Config, logger: Logger): Promise<{ close(): Promise<void> }> {
  const store = await openStore(config, logger, { prepare: true });
  const kafka = createKafka(config, logger, `${config.kafka.clientId}-ops`);
  await ensureTopicExists(kafka, config.kafka.topic, config.kafka.topics);
  const consumer = await startProjector({ kafka, models: store.models, logger, topic: config.kafka.topic });
  return {
    async close() {
      await consumer.close();
      await store.close();
    },
  };
}

/** The consumer group whose committed offsets say how far the ops projection has got. */
export const opsProjectionGroup = (config: Config): string => opsGroupId(config.kafka.topic);
