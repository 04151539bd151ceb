import { connectMongo } from '../../adapters/mongo';
import { generateSeed } from '../../tools/seed/generate';
import { seedDatabase } from '../../tools/seed/seed';
import { loadProfile, loadRecognitions, isDishonestDebtor, createCatalogue } from '../../store/catalogue';
import { defineModels } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

jest.setTimeout(120_000);

test('seeding twice into MongoDB leaves the same documents, and --if-empty leaves a seeded database alone', async () => {
  const config = testConfig({ MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT ?? 27017}/seed_it_${uniqueSuffix()}` });
  const logger = testLogger();
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  try {
    await prepareStore(models, logger);
    const data = generateSeed();
    const first = await seedDatabase(models);
    const second = await seedDatabase(models);
    expect(first.seeded).toBe(true);
    expect(second.counts).toEqual(first.counts);
    expect(first.counts).toEqual({
      institutions: data.institutions.length,
      products: data.products.length,
      enterprises: data.enterprises.length,
      recognitions: data.recognitions.length,
      dishonestDebtors: data.dishonestDebtors.length,
    });
    expect(await seedDatabase(models, { onlyIfEmpty: true })).toEqual({ seeded: false, counts: first.counts });

    // What screening and matching read back fits the contract.
    const enterprise = data.enterprises[0]!;
    expect(await loadProfile(models, enterprise.uscc, logger)).toEqual(enterprise);
    const onRecord = data.recognitions.find((r) => r.uscc === enterprise.uscc)?.recognitions ?? [];
    expect(await loadRecognitions(models, enterprise.uscc)).toEqual(onRecord);
    expect(await isDishonestDebtor(models, data.dishonestDebtors[0]!.uscc)).toBe(true);
    const active = await createCatalogue(models, logger).activeProducts();
    expect(active).toHaveLength(data.products.length);
  } finally {
    await mongo.connection.dropDatabase().catch(() => {});
    await mongo.close();
  }
});
