import { ConfigError, loadConfig } from '../adapters/config';
import { createLogger } from '../adapters/logger';
import { connectMongo } from '../adapters/mongo';
import { demoPrincipals } from '../tools/seed/generate';
import { seedDatabase } from '../tools/seed/seed';
import { defineModels } from '../store/models';
import { prepareStore } from '../store/prepare';

// `npm run seed` (tsx scripts/seed.ts): seeds the configured MongoDB with the demo catalogue.
// `--if-empty` seeds only when no institution exists, for start-up scripts.
async function main(): Promise<void> {
  const onlyIfEmpty = process.argv.includes('--if-empty');
  const config = loadConfig();
  const logger = createLogger(config, 'dealflow-seed');
  const mongo = await connectMongo(config, logger);
  try {
    const models = defineModels(mongo.connection);
    await prepareStore(models, logger);
    const { seeded, counts } = await seedDatabase(models, { onlyIfEmpty });
    const demo = demoPrincipals();
    console.log(seeded ? `seeded ${mongo.connection.name}:` : `${mongo.connection.name} already has institutions; not seeded (--if-empty):`);
    for (const [collection, n] of Object.entries(counts)) console.log(`  ${collection.padEnd(17)} ${n}`);
    console.log(`demo enterprise  ${demo.enterprise.uscc}  ${demo.enterprise.name}`);
    console.log(`demo institution ${demo.institution.institutionId}  ${demo.institution.name}`);
  } finally {
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dealflow-seed: ${error.message}`);
  else console.error('dealflow-seed: failed', error);
  process.exit(1);
});
