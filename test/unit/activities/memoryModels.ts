import type { StoredDoc } from '../../../store/collection';
import type { Models } from '../../../store/models';

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

/** Numbers and strings by value, documents field by field in order: enough of MongoDB's order for `$max`. */
function compare(a: unknown, b: unknown): number {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const left = Object.values(a);
    const right = Object.values(b);
    for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
      const order = compare(left[i], right[i]);
      if (order !== 0) return order;
    }
    return left.length - right.length;
  }
  return a === b ? 0 : (a as number | string) < (b as number | string) ? -1 : 1;
}

export class MemoryCollection {
  readonly docs = new Map<string, StoredDoc>();

  /**
   * Only `find({})`: the one whole-collection read activities make, of the handful of ops
   * partition documents (response rates); any filter would be a scan on FerretDB.
   */
  find(filter: Record<string, unknown>): { toArray: () => Promise<StoredDoc[]> } {
    if (Object.keys(filter).length > 0) throw new Error(`find by ${Object.keys(filter).join(', ')} is not an _id operation`);
    return { toArray: async () => [...this.docs.values()].map((doc) => structuredClone(doc)) };
  }

  async findOne(filter: Record<string, unknown>): Promise<StoredDoc | null> {
    const doc = this.docs.get(idOf(filter));
    return doc ? structuredClone(doc) : null;
  }

  async insertOne(doc: StoredDoc): Promise<void> {
    if (this.docs.has(doc._id)) throw duplicateKey(doc._id);
    this.docs.set(doc._id, structuredClone(doc));
  }

  /** As the driver does: ordered stops at the first taken `_id`; each failure names its index in `writeErrors`. */
  async insertMany(docs: readonly StoredDoc[], options: { ordered?: boolean } = {}): Promise<void> {
    const writeErrors: { index: number; code: number }[] = [];
    for (const [index, doc] of docs.entries()) {
      if (this.docs.has(doc._id)) {
        writeErrors.push({ index, code: 11000 });
        if (options.ordered !== false) break;
      } else this.docs.set(doc._id, structuredClone(doc));
    }
    if (writeErrors.length > 0) throw Object.assign(duplicateKey(String((docs[writeErrors[0]?.index ?? 0] as StoredDoc)._id)), { writeErrors });
  }

  async replaceOne(filter: Record<string, unknown>, fields: Record<string, unknown>, options: { upsert?: boolean } = {}): Promise<void> {
    const _id = idOf(filter);
    if (this.docs.has(_id) || options.upsert) this.docs.set(_id, { ...structuredClone(fields), _id });
  }

  /**
   * `$addToSet` and `$pull` of one value on an array field (the open-applications list, the
   * explanation's refused reservations), `$set` and `$max` of a field (the lists' entries and heads;
   * a read model's `current`, compared field by field in order as MongoDB compares documents), and
   * `$setOnInsert`.
   */
  async updateOne(filter: Record<string, unknown>, update: Record<string, Record<string, unknown>>, options: { upsert?: boolean } = {}): Promise<void> {
    const _id = idOf(filter);
    const stored = this.docs.get(_id);
    const doc = stored ?? (options.upsert ? { _id } : undefined);
    if (!doc) return;
    for (const [operator, fields] of Object.entries(update)) {
      if (operator === '$setOnInsert') {
        if (!stored) Object.assign(doc, structuredClone(fields));
        continue;
      }
      for (const [field, value] of Object.entries(fields)) {
        const list = Array.isArray(doc[field]) ? (doc[field] as unknown[]) : [];
        if (operator === '$addToSet') doc[field] = list.includes(value) ? list : [...list, value];
        else if (operator === '$pull') doc[field] = list.filter((item) => item !== value);
        else if (operator === '$set') doc[field] = structuredClone(value);
        else if (operator === '$max') doc[field] = doc[field] !== undefined && compare(doc[field], value) >= 0 ? doc[field] : structuredClone(value);
        else throw new Error(`update operator ${operator} is not supported here`);
      }
    }
    this.docs.set(_id, doc);
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
    'enterprises', 'institutions', 'products', 'recognitions', 'calendars', 'dishonestDebtors', 'capacitySlots', 'capacityHolds',
    'applications', 'deals', 'openApplications', 'idempotencyKeys', 'opsPartitions', 'opsApplicationStates', 'listEntries', 'migrations', 'explanations',
  ] as const satisfies readonly (keyof Models)[];
  return Object.fromEntries(names.map((name) => [name, memoryModel()])) as MemoryModels;
}

/** The fake where the activities expect mongoose models: they reach only the members above. */
export const asModels = (models: MemoryModels): Models => models as unknown as Models;
