import fc from 'fast-check';
import { connectMongo } from '../../services/mongo';
import { openDealsByProduct, releaseCapacity, reserveCapacity } from '../../services/store/capacity';
import { defineModels, prepareStore, type Models } from '../../services/store/models';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

// Capacity on the real FerretDB: however many deals race for a product at once, it never has more
// open reservations than its capacity, and retries and releases keep the count exact.

jest.setTimeout(180_000);

let models: Models;
let close: () => Promise<void>;

beforeAll(async () => {
  const logger = testLogger();
  const mongo = await connectMongo(testConfig(), logger);
  models = defineModels(mongo.connection);
  close = mongo.close;
  await prepareStore(models, logger);
});
afterAll(() => close());

test('N deals reserving one product concurrently never exceed its capacity', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 16 }), async (capacity, contenders) => {
      const productId = `cap-${uniqueSuffix()}`;
      const results = await Promise.all(
        Array.from({ length: contenders }, (_, i) => reserveCapacity(models, productId, `${productId}-deal-${i}`, capacity, new Date())),
      );
      const granted = results.filter(Boolean).length;
      const held = await models.capacitySlots.countDocuments({ productId });
      expect(granted).toBe(Math.min(capacity, contenders));
      expect(held).toBe(granted);
      await models.capacitySlots.deleteMany({ productId });
    }),
    { numRuns: 15 },
  );
});

test('a retried reservation holds one slot, and a release frees it for the next deal', async () => {
  const productId = `cap-${uniqueSuffix()}`;
  expect(await reserveCapacity(models, productId, 'deal-a', 1, new Date())).toBe(true);
  expect(await reserveCapacity(models, productId, 'deal-a', 1, new Date())).toBe(true); // the retry
  expect(await reserveCapacity(models, productId, 'deal-b', 1, new Date())).toBe(false);
  expect((await openDealsByProduct(models)).get(productId)).toBe(1);

  await releaseCapacity(models, 'deal-a');
  await releaseCapacity(models, 'deal-a'); // a retried release changes nothing
  expect(await reserveCapacity(models, productId, 'deal-b', 1, new Date())).toBe(true);
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(1);
  await models.capacitySlots.deleteMany({ productId });
});
