import { z } from 'zod';

// Every setting dealflow reads from its environment, validated once at start. Nothing else in the
// code reads process.env: the resulting Config is passed explicitly.

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const localPort = (name: string, fallback: number) =>
  z.coerce.number().int().min(1).max(65535).default(fallback).describe(name);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'must be host:port, e.g. 127.0.0.1:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('dealflow'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// URL, e.g. mongodb://127.0.0.1:27017/dealflow')
    .optional(),
  KAFKA_BROKERS: z
    .string()
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(hostPort, 'each broker must be host:port, e.g. 127.0.0.1:9092')).min(1))
    .optional(),
  // TLS to an external Temporal (mutual when a certificate and key are given) and Kafka: PEM files,
  // e.g. mounted from a Kubernetes Secret. MongoDB takes its TLS options in MONGO_URL.
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  DEALFLOW_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default('dealflow.events.v1'),
  DEALFLOW_FORUM_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default('dealflow.forums.v1'),
  DEALFLOW_FORUM_MEETINGS_PER_ENTERPRISE: z.coerce.number().int().min(1).max(20).default(3),
  DEALFLOW_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // Behind a load balancer or ingress: which hops' X-Forwarded-For to believe (client addresses for the per-address rate limit).
  DEALFLOW_TRUST_PROXY: z.string().regex(/^(true|false|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/, 'must be false, true (every hop), or a comma-separated list of the proxies\' addresses or CIDRs').default('false'),
  // Where the rate limit counts: `memory` (each replica on its own) or `mongo` (shared by every replica).
  DEALFLOW_RATE_LIMIT_STORE: z.enum(['memory', 'mongo']).default('memory'),
  // Pipeline tuning passed to every application the API starts (see schemas/workflow.ts).
  DEALFLOW_TOP_K: z.coerce.number().int().min(1).max(20).optional(),
  DEALFLOW_SLA_SCALE: z.coerce.number().positive().max(1).optional(),
  DEALFLOW_DOCUMENTS_DEADLINE_DAYS: z.coerce.number().positive().optional(),
  DEALFLOW_OFFER_WINDOW_DAYS: z.coerce.number().positive().optional(),
  DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION: z.coerce.number().int().min(1).max(20).optional(),
  // Ports of the local stack that `npm run services:up` starts; used when an address is unset.
  DEALFLOW_TEMPORAL_PORT: localPort('DEALFLOW_TEMPORAL_PORT', 7233),
  DEALFLOW_MONGO_PORT: localPort('DEALFLOW_MONGO_PORT', 27017),
  DEALFLOW_KAFKA_PORT: localPort('DEALFLOW_KAFKA_PORT', 9092),
  // The operations server (/metrics, /health/live|ready) of this process; unset, each process uses
  // its own default (services/metrics.ts). 0 picks a free port (tests).
  DEALFLOW_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DEALFLOW_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  // The worker's Temporal runtime exporter, merged into the worker's /metrics; bound to 127.0.0.1 only.
  DEALFLOW_TEMPORAL_METRICS_PORT: localPort('DEALFLOW_TEMPORAL_METRICS_PORT', 9468),
});

/** Every variable the config reads: deployment files may set these and no others. */
export const configVariables: readonly string[] = Object.keys(EnvSchema.shape);

/** Unset, these mean the local stack on loopback, which a container or a pod never has. */
export const deployedRequiredVariables = ['TEMPORAL_ADDRESS', 'MONGO_URL', 'KAFKA_BROKERS', 'DEALFLOW_JWT_SECRET'] as const;

// Only for a developer's machine: production refuses to start without DEALFLOW_JWT_SECRET.
const LOCAL_JWT_SECRET = 'dealflow-local-development-secret-not-for-production';

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  http: { host: string; port: number };
  temporal: { address: string; namespace: string; taskQueue: string; tls?: TemporalTls };
  mongo: { url: string };
  /** `forumTopic`: the forums' events (the contract's "Forums"), apart from the applications'. */
  kafka: { brokers: string[]; topic: string; forumTopic: string; clientId: string; tls?: { caFile: string } };
  jwtSecret: string;
  /** `trustProxy` as Fastify takes it (DEALFLOW_TRUST_PROXY); `rateLimitStore` where the rate limit counts. */
  api: { trustProxy: boolean | string[]; rateLimitStore: 'memory' | 'mongo' };
  /** `port` undefined: the process's default (API 9464, worker 9465, ops projector 9466). */
  metrics: { host: string; port?: number; temporalRuntimePort: number };
  /** Only what is set; the workflow's defaults fill the rest. */
  pipeline: { topK?: number; slaScale?: number; documentsDeadlineDays?: number; offerWindowDays?: number; maxOpenDealsPerInstitution?: number };
  forums: { meetingsPerEnterprise: number };
}

/** PEM file paths; read when connecting (adapters/tls.ts). */
export interface TemporalTls {
  caFile: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  serverName?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      return `${variable}=${JSON.stringify(env[variable] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.DEALFLOW_JWT_SECRET) {
    throw new ConfigError('invalid configuration:\n  DEALFLOW_JWT_SECRET: required in production');
  }
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE)) {
    throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE: set both (mutual TLS) or neither');
  }
  if (e.TEMPORAL_TLS_CERT_FILE && !e.TEMPORAL_TLS_CA_FILE) {
    throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CA_FILE: required with TEMPORAL_TLS_CERT_FILE');
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.DEALFLOW_TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.TEMPORAL_TLS_CA_FILE
        ? {
            tls: {
              caFile: e.TEMPORAL_TLS_CA_FILE,
              ...(e.TEMPORAL_TLS_CERT_FILE && e.TEMPORAL_TLS_KEY_FILE ? { clientCertFile: e.TEMPORAL_TLS_CERT_FILE, clientKeyFile: e.TEMPORAL_TLS_KEY_FILE } : {}),
              ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            },
          }
        : {}),
    },
    mongo: { url: e.MONGO_URL ?? `mongodb://127.0.0.1:${e.DEALFLOW_MONGO_PORT}/dealflow` },
    kafka: {
      brokers: e.KAFKA_BROKERS ?? [`127.0.0.1:${e.DEALFLOW_KAFKA_PORT}`],
      topic: e.DEALFLOW_TOPIC,
      forumTopic: e.DEALFLOW_FORUM_TOPIC,
      clientId: 'dealflow',
      ...(e.KAFKA_TLS_CA_FILE ? { tls: { caFile: e.KAFKA_TLS_CA_FILE } } : {}),
    },
    jwtSecret: e.DEALFLOW_JWT_SECRET ?? LOCAL_JWT_SECRET,
    api: { trustProxy: trustProxyOf(e.DEALFLOW_TRUST_PROXY), rateLimitStore: e.DEALFLOW_RATE_LIMIT_STORE },
    metrics: {
      host: e.DEALFLOW_METRICS_HOST,
      ...(e.DEALFLOW_METRICS_PORT !== undefined ? { port: e.DEALFLOW_METRICS_PORT } : {}),
      temporalRuntimePort: e.DEALFLOW_TEMPORAL_METRICS_PORT,
    },
    pipeline: {
      ...(e.DEALFLOW_TOP_K !== undefined ? { topK: e.DEALFLOW_TOP_K } : {}),
      ...(e.DEALFLOW_SLA_SCALE !== undefined ? { slaScale: e.DEALFLOW_SLA_SCALE } : {}),
      ...(e.DEALFLOW_DOCUMENTS_DEADLINE_DAYS !== undefined ? { documentsDeadlineDays: e.DEALFLOW_DOCUMENTS_DEADLINE_DAYS } : {}),
      ...(e.DEALFLOW_OFFER_WINDOW_DAYS !== undefined ? { offerWindowDays: e.DEALFLOW_OFFER_WINDOW_DAYS } : {}),
      ...(e.DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION !== undefined ? { maxOpenDealsPerInstitution: e.DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION } : {}),
    },
    forums: { meetingsPerEnterprise: e.DEALFLOW_FORUM_MEETINGS_PER_ENTERPRISE },
  };
}

/** `false`, `true`, or the proxies' addresses and CIDRs. */
function trustProxyOf(value: string): boolean | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  return value.split(',').map((address) => address.trim());
}

// An empty variable means "unset": `KAFKA_BROKERS= npm start` should use the local broker.
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
