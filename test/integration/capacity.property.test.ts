import fc from 'fast-check';
import { connectMongo } from '../../adapters/mongo';
import { openDealsByProduct, releaseCapacity, reserveCapacity } from '../../store/capacity';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
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
      for (let i = 0; i < contenders; i += 1) await releaseCapacity(models, `${productId}-deal-${i}`);
      expect(await models.capacitySlots.countDocuments({ productId })).toBe(0);
    }),
    { numRuns: 15 },
  );
});

test('a retried reservation holds one slot, and a release frees it for the next deal', async () => {
  const productId = `cap-${uniqueSuffix()}`;
  const [dealA, dealB] = [`${productId}-a`, `${productId}-b`];
  expect(await reserveCapacity(models, productId, dealA, 1, new Date())).toBe(true);
  expect(await reserveCapacity(models, productId, dealA, 1, new Date())).toBe(true); // the retry
  expect(await reserveCapacity(models, productId, dealB, 1, new Date())).toBe(false);
  expect((await openDealsByProduct(models)).get(productId)).toBe(1);

  await releaseCapacity(models, dealA);
  await releaseCapacity(models, dealA); // a retried release changes nothing
  expect(await reserveCapacity(models, productId, dealB, 1, new Date())).toBe(true);
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(1);
  await releaseCapacity(models, dealB);
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(0);
});

test('overlapping attempts of one reservation take one slot; a late release leaves another deal\'s slot alone', async () => {
  const productId = `cap-${uniqueSuffix()}`;
  const [dealA, dealB] = [`${productId}-a`, `${productId}-b`];
  const attempts = await Promise.all(Array.from({ length: 4 }, () => reserveCapacity(models, productId, dealA, 3, new Date())));
  expect(attempts).toEqual([true, true, true, true]);
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(1);

  // A's slot is freed, B takes it, then a late retry of A's release runs: B keeps its slot.
  const hold = await models.capacityHolds.findById(dealA).lean();
  await releaseCapacity(models, dealA);
  await models.capacityHolds.create({ ...hold });
  await models.capacitySlots.create({ _id: `${productId}#${String(hold?.slot)}`, productId, slot: hold?.slot, dealId: dealB, reservedAt: new Date() });
  await models.capacityHolds.create({ _id: dealB, productId, slot: hold?.slot, reservedAt: new Date() });
  await releaseCapacity(models, dealA);
  expect((await models.capacitySlots.find({ productId }).lean()).map((slot) => slot.dealId)).toEqual([dealB]);
  await releaseCapacity(models, dealB);
});
