import type { Model, mongo } from 'mongoose';

// The driver's collection behind a model, for the worker's hot paths: mongoose's document and
// query layers cost about a millisecond of the main thread per call (see models.ts).

/** A stored document: every collection of models.ts is keyed by a string `_id`. */
export type StoredDoc = { _id: string } & Record<string, unknown>;

export const collectionOf = (model: Model<Record<string, unknown>>): mongo.Collection<StoredDoc> =>
  model.collection as unknown as mongo.Collection<StoredDoc>;

/** MongoDB's (and FerretDB's) answer to a write whose unique key is taken. */
export const isDuplicateKey = (error: unknown): boolean => (error as { code?: number }).code === 11000;

/**
 * Replaces the document, creating it when missing. Two concurrent upserts of a new `_id` can both
 * try the insert, and the loser fails with a duplicate key (FerretDB does not retry it as MongoDB
 * does): the document exists by then, so replacing it again settles it.
 */
export async function upsertById(collection: mongo.Collection<StoredDoc>, _id: string, fields: Record<string, unknown>, options: mongo.ReplaceOptions = {}): Promise<void> {
  try {
    await collection.replaceOne({ _id }, fields, { ...options, upsert: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await collection.replaceOne({ _id }, fields, options);
  }
}

/**
 * Writes a read model's `current` state if it is newer than the stored one, creating the document
 * when missing. `current`'s first field is its `lastSeq`: `$max` compares embedded documents field
 * by field in order, so the newer state wins atomically, by `_id` alone (see readModels.ts). Two
 * concurrent upserts of a new `_id` can both try the insert; the loser's duplicate key means the
 * document exists, so the `$max` alone settles it.
 */
export async function writeForward<Current extends { lastSeq: number }>(collection: mongo.Collection<StoredDoc>, { _id, current, ...fixed }: { _id: string; current: Current; [fixed: string]: unknown }): Promise<void> {
  try {
    await collection.updateOne({ _id }, { $max: { current }, $setOnInsert: fixed }, { upsert: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await collection.updateOne({ _id }, { $max: { current } });
  }
}

/**
 * A read model as readers use it: the fixed fields with its `current` state spread over them. A
 * document of the earlier, flat layout reads as it is; its next batch adds `current`, which then
 * wins over the flat fields left beside it.
 */
export function withCurrent<T>(raw: StoredDoc | null | undefined): T | null {
  if (!raw) return null;
  const { current, ...fixed } = raw as StoredDoc & { current?: Record<string, unknown> };
  return (current ? { ...fixed, ...current } : fixed) as unknown as T;
}
