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
