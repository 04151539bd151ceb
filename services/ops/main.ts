import { ConfigError, loadConfig } from '../config';
import { createKafka, ensureTopic } from '../kafka';
import { createLogger } from '../logger';
import { connectMongo } from '../mongo';
import { defineModels } from '../store/models';
import { prepareStore } from '../store/prepare';
import { opsGroupId, startProjector } from './projector';

// The ops projector process: `npx tsx services/ops/main.ts`. Stops on SIGINT or SIGTERM after the
// message in hand is projected (the consumer's disconnect waits for it), then closes MongoDB.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'dealflow-ops');
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  await prepareStore(models, logger);

  const kafka = createKafka(config, logger, `${config.kafka.clientId}-ops`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  await admin.disconnect();

  const consumer = await startProjector({ kafka, models, logger, topic: config.kafka.topic });
  logger.info({ topic: config.kafka.topic, groupId: opsGroupId(config.kafka.topic) }, 'ops projector started');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'ops projector stopping');
    try {
      await consumer.close();
      await mongo.close();
      logger.info('ops projector stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ error }, 'ops projector did not stop cleanly');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dealflow-ops: ${error.message}`);
  else console.error('dealflow-ops: failed', error);
  process.exit(1);
});
