import type { StoredDoc } from '../../../services/store/collection';
import type { Models } from '../../../services/store/models';

// The collections of models.ts in memory, for activity tests without a database. Only what the
// activities call is here: the driver's `_id` operations on `model.collection`, and `find().lean()`
// with an equality filter for the catalogue's reads. A driver call with any other filter throws,
// so a test also catches a hot path that would scan the collection on FerretDB.

const duplicateKey = (id: string) => Object.assign(new Error(`E11000 duplicate key error: _id ${id}`), { code: 11000 });

function idOf(filter: Record<string, unknown>): string {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id' || typeof filter._id !== 'string') {
    throw new Error(`not an _id operation: ${JSON.stringify(filter)}`);
  }
  return filter._id;
}

export class MemoryCollection {
  readonly docs = new Map<string, StoredDoc>();

  async findOne(filter: Record<string, unknown>): Promise<StoredDoc | null> {
    const doc = this.docs.get(idOf(filter));
    return doc ? structuredClone(doc) : null;
  }

  async insertOne(doc: StoredDoc): Promise<void> {
    if (this.docs.has(doc._id)) throw duplicateKey(doc._id);
    this.docs.set(doc._id, structuredClone(doc));
  }

  async replaceOne(filter: Record<string, unknown>, fields: Record<string, unknown>, options: { upsert?: boolean } = {}): Promise<void> {
    const _id = idOf(filter);
    if (this.docs.has(_id) || options.upsert) this.docs.set(_id, { ...structuredClone(fields), _id });
  }

  /** Only `$addToSet`, what the explanation's refused reservations use. */
  async updateOne(filter: Record<string, unknown>, update: { $addToSet: Record<string, unknown> }): Promise<void> {
    const doc = this.docs.get(idOf(filter));
    if (!doc) return;
    for (const [field, value] of Object.entries(update.$addToSet)) {
      const list = Array.isArray(doc[field]) ? (doc[field] as unknown[]) : [];
      if (!list.includes(value)) doc[field] = [...list, value];
    }
  }

  async deleteOne(filter: Record<string, unknown>): Promise<void> {
    this.docs.delete(idOf(filter));
  }
}

function memoryModel() {
  const collection = new MemoryCollection();
  return {
    collection,
    find: (filter: Record<string, unknown> = {}) => ({
      lean: async () => [...collection.docs.values()]
        .filter((doc) => Object.entries(filter).every(([field, value]) => doc[field] === value))
        .map((doc) => structuredClone(doc)),
    }),
  };
}

export type MemoryModels = { [K in keyof Models]: ReturnType<typeof memoryModel> };

export function memoryModels(): MemoryModels {
  const names = [
    'enterprises', 'institutions', 'products', 'recognitions', 'dishonestDebtors', 'capacitySlots', 'capacityHolds',
    'applications', 'deals', 'institutionStats', 'idempotencyKeys', 'opsApplications', 'opsDeals', 'opsCounters', 'migrations', 'explanations',
  ] as const satisfies readonly (keyof Models)[];
  return Object.fromEntries(names.map((name) => [name, memoryModel()])) as MemoryModels;
}

/** The fake where the activities expect mongoose models: they reach only the members above. */
export const asModels = (models: MemoryModels): Models => models as unknown as Models;
