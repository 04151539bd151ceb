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
  // Documents are files (contract): an S3-compatible object store. Unset endpoint: the local store
  // `npm run services:up` starts on DEALFLOW_S3_PORT with the development credentials below.
  DEALFLOW_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://s3.example.com' }).optional(),
  DEALFLOW_S3_PORT: localPort('DEALFLOW_S3_PORT', 8333),
  DEALFLOW_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)').default('dealflow-files'),
  DEALFLOW_S3_REGION: z.string().min(1).default('us-east-1'),
  DEALFLOW_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  DEALFLOW_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  // Path-style URLs (http://host/bucket/key): what SeaweedFS, MinIO and most S3-compatible stores want.
  DEALFLOW_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  // 32 bytes, base64: the files are encrypted with AES-256-GCM before they leave the API.
  DEALFLOW_FILE_ENCRYPTION_KEY: z.base64({ error: 'must be 32 bytes in base64, e.g. `openssl rand -base64 32`' })
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes in base64, e.g. `openssl rand -base64 32`')
    .optional(),
  DEALFLOW_FILE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  DEALFLOW_FILE_MAX_BYTES: z.coerce.number().int().min(1).max(20 * 1024 * 1024, 'the contract allows at most 20 MiB (20971520)').default(20 * 1024 * 1024),
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
export const deployedRequiredVariables = ['TEMPORAL_ADDRESS', 'MONGO_URL', 'KAFKA_BROKERS', 'DEALFLOW_JWT_SECRET', 'DEALFLOW_S3_ENDPOINT', 'DEALFLOW_FILE_ENCRYPTION_KEY'] as const;

// Only for a developer's machine: production refuses to start without DEALFLOW_JWT_SECRET.
const LOCAL_JWT_SECRET = 'dealflow-local-development-secret-not-for-production';
// The same for the files' key and the local object store's identity (scripts/services.mjs sets it).
const LOCAL_FILE_KEY = Buffer.from('dealflow-local-files-key-not-for-production!').subarray(0, 32);
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'dealflow-local', secretAccessKey: 'dealflow-local-secret-not-for-production' } as const;

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  http: { host: string; port: number };
  temporal: { address: string; namespace: string; taskQueue: string; tls?: TemporalTls };
  mongo: { url: string };
  /** `forumTopic`: the forums' events (the contract's "Forums"), apart from the applications'. */
  kafka: { brokers: string[]; topic: string; forumTopic: string; clientId: string; tls?: { caFile: string } };
  jwtSecret: string;
  /** `port` undefined: the process's default (API 9464, worker 9465, ops projector 9466). */
  metrics: { host: string; port?: number; temporalRuntimePort: number };
  /** Only what is set; the workflow's defaults fill the rest. */
  pipeline: { topK?: number; slaScale?: number; documentsDeadlineDays?: number; offerWindowDays?: number; maxOpenDealsPerInstitution?: number };
  forums: { meetingsPerEnterprise: number };
  files: FilesConfig;
}

/** The object store and the files' rules (contract, "Documents are files"). */
export interface FilesConfig {
  endpoint: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Unset with an external endpoint: the SDK's default chain (environment, web identity, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** AES-256-GCM key of the files at rest, 32 bytes. */
  encryptionKey: Buffer;
  retentionDays: number;
  maxBytes: number;
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
  if (e.NODE_ENV === 'production' && !e.DEALFLOW_FILE_ENCRYPTION_KEY) {
    throw new ConfigError('invalid configuration:\n  DEALFLOW_FILE_ENCRYPTION_KEY: required in production');
  }
  if (Boolean(e.DEALFLOW_S3_ACCESS_KEY_ID) !== Boolean(e.DEALFLOW_S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('invalid configuration:\n  DEALFLOW_S3_ACCESS_KEY_ID and DEALFLOW_S3_SECRET_ACCESS_KEY: set both or neither');
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
    files: filesConfig(e),
  };
}

function filesConfig(e: z.infer<typeof EnvSchema>): FilesConfig {
  const credentials = e.DEALFLOW_S3_ACCESS_KEY_ID && e.DEALFLOW_S3_SECRET_ACCESS_KEY
    ? { accessKeyId: e.DEALFLOW_S3_ACCESS_KEY_ID, secretAccessKey: e.DEALFLOW_S3_SECRET_ACCESS_KEY }
    : e.DEALFLOW_S3_ENDPOINT ? undefined : { ...LOCAL_S3_CREDENTIALS };
  return {
    endpoint: e.DEALFLOW_S3_ENDPOINT ?? `http://127.0.0.1:${e.DEALFLOW_S3_PORT}`,
    bucket: e.DEALFLOW_S3_BUCKET,
    region: e.DEALFLOW_S3_REGION,
    forcePathStyle: e.DEALFLOW_S3_FORCE_PATH_STYLE === 'true',
    ...(credentials ? { credentials } : {}),
    encryptionKey: e.DEALFLOW_FILE_ENCRYPTION_KEY ? Buffer.from(e.DEALFLOW_FILE_ENCRYPTION_KEY, 'base64') : LOCAL_FILE_KEY,
    retentionDays: e.DEALFLOW_FILE_RETENTION_DAYS,
    maxBytes: e.DEALFLOW_FILE_MAX_BYTES,
  };
}

// An empty variable means "unset": `KAFKA_BROKERS= npm start` should use the local broker.
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
