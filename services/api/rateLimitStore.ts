import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Models } from '../../store/models';
import { countRequest } from '../../store/rateLimits';

/** @fastify/rate-limit's store on MongoDB (store/rateLimits.ts): one count for all the API's replicas. */
export function mongoRateLimitStore(models: Models): FastifyRateLimitStoreCtor {
  return class MongoRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      countRequest(models, key, timeWindow).then((count) => callback(null, count), (error: Error) => callback(error));
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
