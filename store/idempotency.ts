import { createHash, randomBytes } from 'node:crypto';
import type { ApplicationSubmission } from '../schemas';
import { isDuplicateKey } from './collection';
import type { Models } from './models';

// `Idempotency-Key` for `POST /v1/applications`, stored in MongoDB so it holds across API restarts
// and replicas. The key document is written before the workflow starts: its unique `_id` lets
// only one of two concurrent submissions mint the application id.

/** The key was used before for another request body (the API answers 409). */
export class IdempotencyKeyReused extends Error {
  override name = 'IdempotencyKeyReused';
}

export interface Submission {
  applicationId: string;
  submittedAt: string;
  /** True when this key was seen before: the answer is the earlier application. */
  repeat: boolean;
}

/** `app-` and 20 hex characters: unique enough, and a valid ApplicationId in URLs and workflow ids. */
export const newApplicationId = (): string => `app-${randomBytes(10).toString('hex')}`;

/** Same request, same hash: keys sorted, so the order of fields in the JSON does not matter. */
export function requestHash(request: ApplicationSubmission): string {
  const canonical = JSON.stringify(request, Object.keys(request).sort());
  return createHash('sha256').update(canonical).digest('hex');
}

export async function claimSubmission(models: Models, uscc: string, key: string | undefined, request: ApplicationSubmission, now: Date): Promise<Submission> {
  const fresh = { applicationId: newApplicationId(), submittedAt: now.toISOString(), repeat: false };
  if (key === undefined) return fresh;
  const _id = `${uscc}:${key}`;
  const bodyHash = requestHash(request);
  try {
    await models.idempotencyKeys.create({ _id, enterpriseUscc: uscc, key, bodyHash, applicationId: fresh.applicationId, submittedAt: fresh.submittedAt });
    return fresh;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const existing = await models.idempotencyKeys.findById(_id).lean();
  if (!existing) throw new Error(`idempotency key ${_id} vanished after a duplicate-key error`);
  if (existing.bodyHash !== bodyHash) {
    throw new IdempotencyKeyReused('this Idempotency-Key was already used for a different request body');
  }
  return { applicationId: String(existing.applicationId), submittedAt: String(existing.submittedAt), repeat: true };
}
