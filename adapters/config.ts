import { z } from 'zod';

// Every setting dealflow reads from its environment, validated once at start. Nothing else in the
// code reads process.env: the resulting Config is passed explicitly.

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

const localPort = (name: string, fallback: number) =>
  z.coerce.number().int().min(1).max(65535).default(fallback).describe(name);

const booleanFlag = (name: string) => z.enum(['true', 'false'], `must be true or false`).transform((v) => v === 'true').optional().describe(name);

/** A payload encryption key: AES-256, so 32 bytes. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

function parsePayloadKeys(text: string, context: z.RefinementCtx): PayloadKey[] {
  const keys: PayloadKey[] = [];
  for (const [index, entry] of text.split(',').map((e) => e.trim()).entries()) {
    // Never the key itself in a message: only its position and id.
    const match = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/]+={0,2})$/.exec(entry);
    const key = match ? Buffer.from(match[2] as string, 'base64') : undefined;
    if (!match || key?.length !== 32) {
      context.addIssue({ code: 'custom', message: `entry ${index + 1} must be id:base64 of 32 random bytes (e.g. k2:$(openssl rand -base64 32))` });
      return [];
    }
    if (keys.some((k) => k.id === match[1])) {
      context.addIssue({ code: 'custom', message: `key id ${match[1]} appears twice` });
      return [];
    }
    keys.push({ id: match[1] as string, key });
  }
  return keys;
}

/** Settings whose values never appear in an error or a log line. */
const SECRET_VARIABLES = new Set(['DEALFLOW_JWT_SECRET', 'DEALFLOW_PAYLOAD_KEYS', 'KAFKA_SASL_PASSWORD', 'TEMPORAL_API_KEY', 'MONGO_URL']);

const EnvSchema = z.object({
  // Unset counts as production: development conveniences (the development JWT secret and payload
  // key, GET /dev/tokens) need NODE_ENV=development or test said explicitly.
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
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
  TEMPORAL_TLS: booleanFlag('TEMPORAL_TLS'),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  KAFKA_TLS: booleanFlag('KAFKA_TLS'),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  KAFKA_TLS_CERT_FILE: z.string().min(1).optional(),
  KAFKA_TLS_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  // The topics' replication; `KAFKA_CREATE_TOPICS=false`: the platform team creates them, the
  // processes only check they exist.
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(32).optional(),
  KAFKA_CREATE_TOPICS: booleanFlag('KAFKA_CREATE_TOPICS'),
  DEALFLOW_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default('dealflow.events.v1'),
  DEALFLOW_FORUM_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default('dealflow.forums.v1'),
  DEALFLOW_FORUM_MEETINGS_PER_ENTERPRISE: z.coerce.number().int().min(1).max(20).default(3),
  DEALFLOW_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEALFLOW_JWT_ISSUER: z.string().min(1).default('dealflow'),
  DEALFLOW_JWT_AUDIENCE: z.string().min(1).default('dealflow-api'),
  DEALFLOW_JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(86_400),
  // Temporal payload encryption keys, `id:base64-of-32-bytes` separated by commas; the first one
  // encrypts, every one decrypts (a rotation puts the new key first and keeps the old ones).
  DEALFLOW_PAYLOAD_KEYS: z
    .string()
    .transform((s, context) => parsePayloadKeys(s, context))
    .optional(),
  // Origins (the Temporal UI's) allowed to call the payload codec endpoint from a browser.
  DEALFLOW_CODEC_CORS_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must be scheme://host[:port], e.g. http://127.0.0.1:8233')))
    .optional(),
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
  // Tracing (adapters/tracing.ts), off unless an OTLP/HTTP endpoint is set: the standard variables.
  // The SDK reads the other standard ones itself (OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, ...).
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
});

/** Every variable the config reads: deployment files may set these and no others. */
export const configVariables: readonly string[] = Object.keys(EnvSchema.shape);

/** Unset, these mean the local stack on loopback, which a container or a pod never has. */
export const deployedRequiredVariables = ['TEMPORAL_ADDRESS', 'MONGO_URL', 'KAFKA_BROKERS', 'DEALFLOW_JWT_SECRET', 'DEALFLOW_PAYLOAD_KEYS', 'DEALFLOW_S3_ENDPOINT', 'DEALFLOW_FILE_ENCRYPTION_KEY'] as const;

// Only for a developer's machine or a test run (NODE_ENV=development or test, said explicitly):
// anywhere else the process refuses to start without DEALFLOW_JWT_SECRET and DEALFLOW_PAYLOAD_KEYS.
const LOCAL_JWT_SECRET = 'dealflow-local-development-secret-not-for-production';
const LOCAL_PAYLOAD_KEY: PayloadKey = { id: 'local-development', key: Buffer.from('dealflow-local-payload-key-32by!', 'utf8') };
// The same for the files' key and the local object store's identity (scripts/services.mjs sets it).
const LOCAL_FILE_KEY = Buffer.from('dealflow-local-files-key-not-for-production!').subarray(0, 32);
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'dealflow-local', secretAccessKey: 'dealflow-local-secret-not-for-production' } as const;

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  http: { host: string; port: number };
  temporal: { address: string; namespace: string; taskQueue: string; tls?: TemporalTls; apiKey?: string };
  mongo: { url: string };
  /** `forumTopic`: the forums' events (the contract's "Forums"), apart from the applications'. */
  kafka: { brokers: string[]; topic: string; forumTopic: string; clientId: string; tls?: KafkaTls; sasl?: KafkaSasl; topics: TopicPolicy };
  /** HS256 tokens: the secret, and what a token must say (`iss`, `aud`) and may last. */
  jwt: JwtSettings;
  /** GET /dev/tokens and the development secret: explicit development or test, API on loopback. */
  devTokens: boolean;
  /** Temporal payload encryption: the first key encrypts, every key decrypts. */
  payloadKeys: PayloadKey[];
  /** Browser origins (the Temporal UI) allowed to call the payload codec endpoint. */
  codecCorsOrigins: string[];
  /** `trustProxy` as Fastify takes it (DEALFLOW_TRUST_PROXY); `rateLimitStore` where the rate limit counts. */
  api: { trustProxy: boolean | string[]; rateLimitStore: 'memory' | 'mongo' };
  /** `port` undefined: the process's default (API 9464, worker 9465, ops projector 9466). */
  metrics: { host: string; port?: number; temporalRuntimePort: number };
  /** Only what is set; the workflow's defaults fill the rest. */
  pipeline: { topK?: number; slaScale?: number; documentsDeadlineDays?: number; offerWindowDays?: number; maxOpenDealsPerInstitution?: number };
  forums: { meetingsPerEnterprise: number };
  /** `otlpTracesUrl` undefined: tracing is off. `serviceName` undefined: the process's name. */
  tracing: { otlpTracesUrl?: string; serviceName?: string };
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

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** The longest a token may be valid (`exp` - `iat`); longer ones are refused. */
  maxLifetimeSeconds: number;
  /**
   * `exp`, `iat`, `iss` and `aud` must be present (production). In development and test they are
   * checked when present: the contract's tokens carry `sub`, `role` and `org`, and a scenario may
   * sign just those.
   */
  requireStandardClaims: boolean;
}

/** TLS to Temporal: PEM file paths, read when connecting (adapters/tls.ts); no CA file means the system's roots. */
export interface TemporalTls {
  caFile?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  serverName?: string;
}

/** TLS to the brokers: no CA file means the system's roots; a certificate and key make it mutual. */
export interface KafkaTls {
  caFile?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
}

export interface KafkaSasl {
  mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  username: string;
  password: string;
}

/** How the processes get their topics: created with this replication, or (`create: false`) only checked. */
export interface TopicPolicy {
  create: boolean;
  replicationFactor: number;
  minInsyncReplicas: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      const value = env[variable] ?? '';
      const shown = SECRET_VARIABLES.has(variable) ? `<${value.length} characters, not shown>` : JSON.stringify(value);
      return `${variable}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const explicitlyLocal = e.NODE_ENV === 'development' || e.NODE_ENV === 'test';
  const devTokens = explicitlyLocal && isLoopback(e.HOST);
  if (!e.DEALFLOW_JWT_SECRET && !devTokens) {
    problems.push(`DEALFLOW_JWT_SECRET: required unless NODE_ENV is development or test and HOST is a loopback address (NODE_ENV=${e.NODE_ENV ?? 'unset'}, HOST=${e.HOST})`);
  }
  if (!e.DEALFLOW_PAYLOAD_KEYS && !explicitlyLocal) {
    problems.push(`DEALFLOW_PAYLOAD_KEYS: required unless NODE_ENV is development or test (NODE_ENV=${e.NODE_ENV ?? 'unset'}); e.g. k1:$(openssl rand -base64 32)`);
  }
  if (!e.DEALFLOW_FILE_ENCRYPTION_KEY && !explicitlyLocal) {
    problems.push(`DEALFLOW_FILE_ENCRYPTION_KEY: required unless NODE_ENV is development or test (NODE_ENV=${e.NODE_ENV ?? 'unset'}); e.g. $(openssl rand -base64 32)`);
  }
  if (Boolean(e.DEALFLOW_S3_ACCESS_KEY_ID) !== Boolean(e.DEALFLOW_S3_SECRET_ACCESS_KEY)) {
    problems.push('DEALFLOW_S3_ACCESS_KEY_ID and DEALFLOW_S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE)) {
    problems.push('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE: set both (mutual TLS) or neither');
  }
  const temporalTlsAsked = e.TEMPORAL_TLS_CA_FILE ?? e.TEMPORAL_TLS_CERT_FILE ?? e.TEMPORAL_TLS_SERVER_NAME;
  if (e.TEMPORAL_TLS === false && (temporalTlsAsked || e.TEMPORAL_API_KEY)) {
    problems.push('TEMPORAL_TLS=false: contradicts the TEMPORAL_TLS_* files or TEMPORAL_API_KEY that are set (an API key is only sent over TLS)');
  }
  if (Boolean(e.KAFKA_TLS_CERT_FILE) !== Boolean(e.KAFKA_TLS_KEY_FILE)) {
    problems.push('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE: set both (mutual TLS) or neither');
  }
  const kafkaTlsAsked = e.KAFKA_TLS_CA_FILE ?? e.KAFKA_TLS_CERT_FILE;
  if (e.KAFKA_TLS === false && kafkaTlsAsked) problems.push('KAFKA_TLS=false: contradicts the KAFKA_TLS_* files that are set');
  if (Boolean(e.KAFKA_SASL_USERNAME) !== Boolean(e.KAFKA_SASL_PASSWORD)) {
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: set both or neither');
  }
  if (e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_MECHANISM === 'plain' && !(e.KAFKA_TLS === true || kafkaTlsAsked)) {
    problems.push('KAFKA_SASL_MECHANISM=plain: sends the password as it is, so only over TLS (set KAFKA_TLS=true or KAFKA_TLS_CA_FILE)');
  }
  const minInsyncReplicas = e.KAFKA_MIN_INSYNC_REPLICAS ?? Math.max(1, e.KAFKA_REPLICATION_FACTOR - 1);
  if (minInsyncReplicas > e.KAFKA_REPLICATION_FACTOR) {
    problems.push(`KAFKA_MIN_INSYNC_REPLICAS=${minInsyncReplicas}: at most KAFKA_REPLICATION_FACTOR=${e.KAFKA_REPLICATION_FACTOR}, or no write is ever acknowledged`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);

  const temporalTls = e.TEMPORAL_TLS === true || Boolean(temporalTlsAsked) || Boolean(e.TEMPORAL_API_KEY);
  const kafkaTls = e.KAFKA_TLS === true || Boolean(kafkaTlsAsked);
  return {
    env: e.NODE_ENV ?? 'production',
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.DEALFLOW_TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(temporalTls
        ? {
            tls: {
              ...(e.TEMPORAL_TLS_CA_FILE ? { caFile: e.TEMPORAL_TLS_CA_FILE } : {}),
              ...(e.TEMPORAL_TLS_CERT_FILE && e.TEMPORAL_TLS_KEY_FILE ? { clientCertFile: e.TEMPORAL_TLS_CERT_FILE, clientKeyFile: e.TEMPORAL_TLS_KEY_FILE } : {}),
              ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            },
          }
        : {}),
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
    },
    mongo: { url: e.MONGO_URL ?? `mongodb://127.0.0.1:${e.DEALFLOW_MONGO_PORT}/dealflow` },
    kafka: {
      brokers: e.KAFKA_BROKERS ?? [`127.0.0.1:${e.DEALFLOW_KAFKA_PORT}`],
      topic: e.DEALFLOW_TOPIC,
      forumTopic: e.DEALFLOW_FORUM_TOPIC,
      clientId: 'dealflow',
      ...(kafkaTls
        ? {
            tls: {
              ...(e.KAFKA_TLS_CA_FILE ? { caFile: e.KAFKA_TLS_CA_FILE } : {}),
              ...(e.KAFKA_TLS_CERT_FILE && e.KAFKA_TLS_KEY_FILE ? { clientCertFile: e.KAFKA_TLS_CERT_FILE, clientKeyFile: e.KAFKA_TLS_KEY_FILE } : {}),
            },
          }
        : {}),
      ...(e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD
        ? { sasl: { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD } }
        : {}),
      topics: { create: e.KAFKA_CREATE_TOPICS ?? true, replicationFactor: e.KAFKA_REPLICATION_FACTOR, minInsyncReplicas },
    },
    jwt: {
      secret: e.DEALFLOW_JWT_SECRET ?? LOCAL_JWT_SECRET,
      issuer: e.DEALFLOW_JWT_ISSUER,
      audience: e.DEALFLOW_JWT_AUDIENCE,
      maxLifetimeSeconds: e.DEALFLOW_JWT_MAX_LIFETIME_SECONDS,
      requireStandardClaims: !explicitlyLocal,
    },
    devTokens,
    payloadKeys: e.DEALFLOW_PAYLOAD_KEYS ?? [LOCAL_PAYLOAD_KEY],
    codecCorsOrigins: e.DEALFLOW_CODEC_CORS_ORIGINS ?? [],
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
    tracing: {
      ...(e.OTEL_SDK_DISABLED === 'false' ? otlpTracesUrl(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_EXPORTER_OTLP_ENDPOINT) : {}),
      ...(e.OTEL_SERVICE_NAME !== undefined ? { serviceName: e.OTEL_SERVICE_NAME } : {}),
    },
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

// As the OTLP specification says: the traces endpoint is used as it is, the general one gets `v1/traces` appended.
function otlpTracesUrl(tracesEndpoint: string | undefined, endpoint: string | undefined): { otlpTracesUrl?: string } {
  if (tracesEndpoint !== undefined) return { otlpTracesUrl: tracesEndpoint };
  if (endpoint !== undefined) return { otlpTracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces` };
  return {};
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts the development conveniences may listen on. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
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
