import type { mongo } from 'mongoose';
import { collectionOf, isDuplicateKey, type StoredDoc } from './collection';
import type { Models } from './models';

// The API's rate-limit counters shared by every replica (DEALFLOW_RATE_LIMIT_STORE=mongo): without
// it each replica counts on its own and a client gets the limit once per replica.
//
// One document per client key (`_id`), one counter per fixed window (`w<window number>`): a request
// increments its window's counter and drops the previous window's, in one update by `_id`.
// `expiresAt` says when the document is of no more use: FerretDB has no TTL index, so documents of
// clients that stopped calling stay (one small document each); on MongoDB a DBA may add a TTL
// index on `expiresAt` (migrations never drop an index they do not own).

export interface WindowCount {
  /** Requests in the current window, this one included. */
  current: number;
  /** Milliseconds until the window ends. */
  ttl: number;
}

export async function countRequest(models: Models, key: string, windowMs: number, now = Date.now()): Promise<WindowCount> {
  const window = Math.floor(now / windowMs);
  const windowEnd = (window + 1) * windowMs;
  const field = `w${window}`;
  const update: mongo.UpdateFilter<StoredDoc> = { $inc: { [field]: 1 } as never, $unset: { [`w${window - 1}`]: '' }, $set: { expiresAt: new Date(windowEnd) } };
  const collection = collectionOf(models.rateLimits);
  let doc;
  try {
    doc = await collection.findOneAndUpdate({ _id: key }, update, { upsert: true, returnDocument: 'after' });
  } catch (error) {
    // Two replicas created the client's document at once: it exists now.
    if (!isDuplicateKey(error)) throw error;
    doc = await collection.findOneAndUpdate({ _id: key }, update, { returnDocument: 'after' });
  }
  return { current: Number(doc?.[field] ?? 1), ttl: windowEnd - now };
}
