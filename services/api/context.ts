import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { PipelineSettings } from '../../schemas';
import type { Config } from '../../adapters/config';
import type { Logger } from '../../adapters/logger';
import type { ObjectStore } from '../../adapters/objectStore';
import type { Models } from '../../store/models';
import type { ReadCache } from './readCache';

/** What the API needs; `server.ts` (or a test) opens these and closes them after the app. */
export interface ApiDeps {
  config: Config;
  logger: Logger;
  temporal: Client;
  models: Models;
  /** The documents' object store; without it the file routes answer 503. */
  objectStore?: ObjectStore;
  /** Resolves when Kafka answers, throws when it does not. */
  kafkaHealth: () => Promise<void>;
  /** Answers repeated reads from memory while the event feed is live; without it every read loads. */
  readCache?: ReadCache;
  /** The ops routes (`/v1/ops/metrics`, `/v1/ops/events`), registered under `/v1/ops` when given. */
  opsRoutes?: FastifyPluginAsync;
  /** Passed to every workflow started; tests shorten SLAs with it. */
  settings?: Partial<PipelineSettings>;
  limits?: Partial<ApiLimits>;
  /** Where the HTTP and read-cache series go (served by the operations server); none without it. */
  metrics?: Registry;
}

export interface ApiLimits {
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** How long a command waits for its workflow before answering 202 (or 503 when not even taken). */
  commandTimeoutMs: number;
  /** How long each readiness check may take. */
  healthTimeoutMs: number;
  /** Requests per principal (or per IP without a token) per `rateWindowMs`. */
  rateMax: number;
  rateWindowMs: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  bodyLimit: 256 * 1024,
  commandTimeoutMs: 10_000,
  healthTimeoutMs: 2_000,
  rateMax: 1_200,
  rateWindowMs: 60_000,
};

/** What route plugins receive as their options. */
export interface RouteContext {
  deps: ApiDeps;
  limits: ApiLimits;
}
