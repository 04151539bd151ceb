import type { Models } from '../../store/models';
import { demoPrincipals, generateSeed, type SeedData } from './generate';

// Writes the generated catalogue into MongoDB. Every document is upserted by its natural id with
// $set, so seeding twice leaves the same documents, and fields others added (e.g. lastSeq) stay.

export const DEMO_PRINCIPALS_ID = 'seed';

export interface SeedCounts {
  institutions: number;
  products: number;
  enterprises: number;
  recognitions: number;
  dishonestDebtors: number;
}

export interface SeedResult {
  /** False when `onlyIfEmpty` found institutions already there. */
  seeded: boolean;
  /** Documents in each collection after the run. */
  counts: SeedCounts;
}

export async function seedDatabase(models: Models, options: { onlyIfEmpty?: boolean; data?: SeedData } = {}): Promise<SeedResult> {
  if (options.onlyIfEmpty && (await models.institutions.exists({})) !== null) {
    return { seeded: false, counts: await countSeeded(models) };
  }
  const data = options.data ?? generateSeed();
  await upsertAll(models.institutions, data.institutions.map((i) => [i.institutionId, i]));
  await upsertAll(models.products, data.products.map((p) => [p.productId, p]));
  await upsertAll(models.enterprises, data.enterprises.map((e) => [e.uscc, e]));
  await upsertAll(models.recognitions, data.recognitions.map((r) => [r.uscc, r]));
  await upsertAll(models.dishonestDebtors, data.dishonestDebtors.map((d) => [d.uscc, d]));
  // The API's development token route reads these instead of importing the generator.
  await upsertAll(models.demoPrincipals, [[DEMO_PRINCIPALS_ID, { ...demoPrincipals(data) }]]);
  return { seeded: true, counts: await countSeeded(models) };
}

export async function countSeeded(models: Models): Promise<SeedCounts> {
  const [institutions, products, enterprises, recognitions, dishonestDebtors] = await Promise.all([
    models.institutions.countDocuments({}),
    models.products.countDocuments({}),
    models.enterprises.countDocuments({}),
    models.recognitions.countDocuments({}),
    models.dishonestDebtors.countDocuments({}),
  ]);
  return { institutions, products, enterprises, recognitions, dishonestDebtors };
}

const BATCH = 100;

async function upsertAll(model: Models['institutions'], docs: [string, Record<string, unknown>][]): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    await model.bulkWrite(
      docs.slice(i, i + BATCH).map(([id, doc]) => ({ updateOne: { filter: { _id: id }, update: { $set: doc }, upsert: true } })),
      { ordered: false },
    );
  }
}
