import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type EnterpriseProfileInput, type InstitutionInput, type PipelineSettings, type ProductInput, type Region } from '../../schemas';
import type { Principal } from '../../schemas/http';
import { buildApp, type ApiDeps } from '../../services/api/app';
import { signToken } from '../../services/api/auth';
import { apiDependencies } from '../../services/api/dependencies';
import { createReadCache, READ_CACHE_DEFAULTS, type ReadCache } from '../../services/api/readCache';
import type { Config } from '../../adapters/config';
import { createKafka } from '../../adapters/kafka';
import { createObjectStore } from '../../adapters/objectStore';
import type { Logger } from '../../adapters/logger';
import { createLiveFeed } from '../../services/api/liveFeed';
import { openStore } from '../../services/process';
import type { Models } from '../../store/models';
import { createTemporalClient } from '../../adapters/temporal';
import { startInProcessWorker } from '../support/inProcessWorker';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { randomUscc } from '../support/catalogue';
import { startedLater } from '../support/startedLater';
import { callJson, type CallOptions } from '../support/http';

// The API over real HTTP against the local stack, with an in-process worker on a task queue of
// its own so test files never pick up each other's workflows. Built as the API process builds it
// (apiDependencies), each app answers repeated reads from its read cache, told of changes by a
// live feed of the topic: every test that reads after a change also checks that the cache lets it
// see the change.

export interface ApiStack {
  config: Config;
  logger: Logger;
  models: Models;
  /** Builds (another) app on the same clients, e.g. to prove a restart keeps state. */
  startApp(): Promise<Api>;
  /** Resolves once the apps' read caches can answer (their feed of the topic is live). */
  cacheLive(): Promise<void>;
  /** Hits and misses of the read caches of the apps started so far. */
  cacheStats(): { hits: number; misses: number };
  /** A token of an ops user, an enterprise's user, an institution's officer. */
  opsToken(): string;
  enterpriseToken(uscc: string): string;
  institutionToken(institutionId: string): string;
  close(): Promise<void>;
}

export interface Api {
  app: FastifyInstance;
  baseUrl: string;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // Tests read whatever the API answered; each assertion states the shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ApiStackOptions {
  settings?: Partial<PipelineSettings>;
  limits?: ApiDeps['limits'];
  worker?: boolean;
  readCacheMaxAgeMs?: number;
  metrics?: ApiDeps['metrics'];
}

export async function startApiStack(options: ApiStackOptions = {}): Promise<ApiStack> {
  const taskQueue = `api-test-${uniqueSuffix()}`;
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
  const logger = testLogger();
  const temporal = await createTemporalClient(config);
  // Prepared as the migration command does before a release starts (the worker below would as
  // well; an API-only stack would not), and with the process's MongoDB metrics when given a registry.
  const store = await openStore(config, logger, { prepare: true, ...(options.metrics ? { metrics: options.metrics } : {}) });
  const { models } = store;
  const kafka = createKafka(config, logger, 'dealflow-api-test');
  const admin = kafka.admin();
  await admin.connect();
  const feed = createLiveFeed({ kafka, topic: config.kafka.topic, logger, groupId: `api-test-feed-${uniqueSuffix()}` });
  const caches: ReadCache[] = [];
  const objectStore = createObjectStore(config.files);
  const worker = options.worker === false ? null : await startInProcessWorker(config, logger, { taskQueue });
  const apps: Api[] = [];

  async function startApp(): Promise<Api> {
    const readCache = createReadCache({ feed, ...READ_CACHE_DEFAULTS, ...(options.readCacheMaxAgeMs ? { maxAgeMs: options.readCacheMaxAgeMs } : {}) });
    caches.push(readCache);
    const app = await buildApp({
      ...apiDependencies({ config, logger, temporal: temporal.client, models, objectStore, connectedAdmin: async () => admin, feed, readCache }),
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const api = apiOn(app);
    apps.push(api);
    return api;
  }

  return {
    config,
    logger,
    models,
    startApp,
    cacheLive: () => feed.whenConnected(60_000),
    opsToken: () => tokenFor(config, { sub: 'ops-tester', role: 'ops' }),
    enterpriseToken: (uscc) => tokenFor(config, { sub: `user@${uscc}`, role: 'enterprise', org: uscc }),
    institutionToken: (id) => tokenFor(config, { sub: `officer@${id}`, role: 'institution', org: id }),
    cacheStats: () => caches.reduce((sum, cache) => ({ hits: sum.hits + cache.stats().hits, misses: sum.misses + cache.stats().misses }), { hits: 0, misses: 0 }),
    async close() {
      for (const api of apps) await api.close();
      for (const cache of caches) cache.close();
      await feed.close();
      await worker?.stop();
      objectStore.close();
      await admin.disconnect();
      await store.close();
      await temporal.close();
    },
  };
}

/**
 * A test file's stack and app: started before its tests, closed after them. `stack` and `api`
 * stand for the started ones, so read them inside tests and hooks (the file's own `beforeAll`
 * runs after this one's); `restartApp` replaces the app, as a restart of the API would.
 */
export function useApiStack(options: ApiStackOptions = {}): { stack: ApiStack; api: Api; restartApp(): Promise<void> } {
  let stack: ApiStack | undefined;
  let api: Api | undefined;
  beforeAll(async () => {
    stack = await startApiStack(options);
    api = await stack.startApp();
  });
  afterAll(async () => stack?.close());
  return {
    stack: startedLater(() => stack, 'API stack'),
    api: startedLater(() => api, 'API app'),
    async restartApp() {
      await api?.close();
      api = await startedLater(() => stack, 'API stack').startApp();
    },
  };
}

/**
 * An app on the stack's config and store with no Temporal (commands fail) and Kafka reported
 * healthy, for tests that swap in a dependency of their own; the caller closes it.
 */
export async function startAppWith(stack: ApiStack, overrides: Partial<ApiDeps>): Promise<Api> {
  const app = await buildApp({
    config: stack.config,
    logger: stack.logger,
    temporal: undefined as never,
    models: stack.models,
    kafkaHealth: async () => undefined,
    ...overrides,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return apiOn(app);
}

export function apiOn(app: FastifyInstance): Api {
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    app,
    baseUrl,
    async call(method, path, options = {}) {
      const answer = await callJson(baseUrl, method, path, options);
      return answer;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

// ---------- parties ----------

export function tokenFor(config: Config, claims: Principal, ttlSeconds = 600): string {
  return signToken(claims, config.jwt, ttlSeconds);
}

/** A valid USCC no other test uses, registered in `region` (the profile's region must match it). */
export const newUscc = (region: Region = TEST_REGION): string => randomUscc(region);

export const newInstitutionId = (): string => `it-bank-${uniqueSuffix()}`;

/**
 * Tibet (CN-XZ) and an industry class drawn per process keep these tests' products out of other
 * tests' (and earlier runs') matches, and theirs out of these.
 */
export const TEST_REGION = 'CN-XZ' as const;
export const TEST_INDUSTRY = `C${String(1000 + Math.floor(Math.random() * 9000))}`;

export function profile(overrides: Partial<EnterpriseProfileInput> = {}): EnterpriseProfileInput {
  return {
    name: '西藏某精密制造有限公司',
    region: TEST_REGION,
    city: '拉萨',
    industry: TEST_INDUSTRY,
    founded: '2015-03-01',
    employees: 120,
    revenueCny: 80_000_000,
    rdRatioBps: 600,
    qualifications: [],
    ...overrides,
  };
}

export function institution(overrides: Partial<InstitutionInput> = {}): InstitutionInput {
  return { name: '测试银行', kind: 'bank', regions: [TEST_REGION], ...overrides };
}

/** Registers institutions through the API as ops, each with `overrides`. */
export async function registerInstitutions(stack: ApiStack, api: Api, ids: readonly string[], overrides: Partial<InstitutionInput> = {}): Promise<void> {
  const token = stack.opsToken();
  for (const id of ids) {
    expect((await api.call('PUT', `/v1/institutions/${id}`, { token, body: institution(overrides) })).status).toBe(200);
  }
}

export function product(overrides: Partial<ProductInput> = {}): ProductInput {
  return {
    name: '知识产权质押贷',
    instruments: ['ip_pledge_loan'],
    minAmountCny: 1_000_000,
    maxAmountCny: 50_000_000,
    regions: [TEST_REGION],
    industries: { include: [TEST_INDUSTRY], exclude: [] },
    requiredQualifications: [],
    responseSlaHours: 72,
    ddSlaDays: 30,
    capacity: 50,
    active: true,
    ...overrides,
  };
}

export const request = {
  instrument: 'ip_pledge_loan',
  amountCny: 5_000_000,
  termMonths: 24,
  purpose: 'Pledge two invention patents to fund a new precision machining line',
} as const;

export const sha256 = (char: string): string => char.repeat(64);

/** Polls until `probe` returns a value (not undefined), for the work that happens in the background. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Reads the application as its enterprise until `accept` returns something, and returns that. */
export function untilApplication<T>(
  api: Api,
  token: string,
  applicationId: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the view as the API answered it, as Answer.body
  accept: (view: any) => T | undefined,
  timeoutMs = 30_000,
  what = `application ${applicationId}`,
): Promise<T> {
  return eventually(async () => accept((await api.call('GET', `/v1/applications/${applicationId}`, { token })).body), timeoutMs, what);
}

/**
 * One application through the API as parties make it: a bank with a product that fits, an
 * enterprise with its profile, the submission, then the wait until it is matched.
 */
export async function submitMatchedApplication(stack: ApiStack, api: Api): Promise<{ submitted: Answer; applicationId: string; token: string }> {
  const ops = tokenFor(stack.config, { sub: 'ops-tester', role: 'ops' });
  const bank = newInstitutionId();
  expect((await api.call('PUT', `/v1/institutions/${bank}`, { token: ops, body: institution() })).status).toBe(200);
  const bankToken = tokenFor(stack.config, { sub: `officer@${bank}`, role: 'institution', org: bank });
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: bankToken, body: product() })).status).toBe(200);
  const uscc = newUscc();
  const token = tokenFor(stack.config, { sub: `user@${uscc}`, role: 'enterprise', org: uscc });
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  const submitted = await api.call('POST', '/v1/applications', { token, body: request });
  expect(submitted.status).toBe(202);
  const { applicationId } = submitted.body as { applicationId: string };
  await untilApplication(api, token, applicationId, (view) => (view.deals.length > 0 ? view : undefined), 60_000, 'the application to be matched');
  return { submitted, applicationId, token };
}
