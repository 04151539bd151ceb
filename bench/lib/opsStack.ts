import type { Config } from '../../adapters/config';
import { createKafka, ensureTopic } from '../../adapters/kafka';
import type { Logger } from '../../adapters/logger';
import { connectMongo } from '../../adapters/mongo';
import { opsGroupId, startProjector } from '../../services/ops/projector';
import { defineModels } from '../../store/models';
import { prepareStore } from '../../store/prepare';

// The ops projector as services/ops/main.ts runs it, on the bench's private database and topic.
// Its only tie to the projector's internals is `startProjector`, its public entry point.

export async function startOpsProjector(config: Config, logger: Logger): Promise<{ close(): Promise<void> }> {
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  const kafka = createKafka(config, logger, `${config.kafka.clientId}-ops`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  await admin.disconnect();
  const consumer = await startProjector({ kafka, models, logger, topic: config.kafka.topic });
  return {
    async close() {
      await consumer.close();
      await mongo.close();
    },
  };
}

/** The consumer group whose committed offsets say how far the ops projection has got. */
export const opsProjectionGroup = (config: Config): string => opsGroupId(config.kafka.topic);
