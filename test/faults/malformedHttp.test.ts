import { createHmac } from 'node:crypto';
import { validateHeaderValue } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../services/api/app';
import { allow } from '../../services/api/auth';
import type { Config } from '../../adapters/config';
import { createKafka } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { createLiveFeed, type LiveFeed } from '../../services/api/liveFeed';
import { opsRoutes } from '../../services/api/routes/ops';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { createTemporalClient } from '../../adapters/temporal';
import { institution, newUscc, product, profile, request, sha256, tokenFor } from '../api/support';
import { mongoUrlWithDatabase, testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { recordFault } from './support/results';

// Generated bodies, headers and tokens against every route of the API: none answers 500, and a
// request answered 4xx stores nothing. Each request targets objects of its own (a fresh uscc,
// institution or product id), so "nothing stored" is checked per request.

jest.setTimeout(180_000);

const RUNS_PER_ROUTE = 25;
const suffix = uniqueSuffix();
let config: Config;
let models: Models;
let app: FastifyInstance;
let feed: LiveFeed;
let baseUrl: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  // No worker listens on this task queue: a generated body that happens to be valid starts nothing that runs.
  // A database of its own, dropped at the end: the per-request "nothing stored" counts scan only this test's documents.
  config = testConfig({ TEMPORAL_TASK_QUEUE: `faults-fuzz-${suffix}`, DEALFLOW_TOPIC: `faults.fuzz.${suffix}`, MONGO_URL: mongoUrlWithDatabase(`faults_fuzz_${suffix}`) });
  const logger = testLogger();
  const mongo = await connectMongo(config, logger);
  closers.push(async () => {
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  const temporal = await createTemporalClient(config);
  closers.push(temporal.close);
  feed = createLiveFeed({ kafka: createKafka(config, logger), topic: config.kafka.topic, logger });
  closers.push(() => feed.close());
  app = await buildApp({
    config,
    logger,
    temporal: temporal.client,
    models,
    kafkaHealth: async () => undefined,
    limits: { rateMax: 1_000_000, commandTimeoutMs: 2_000 },
    // No topic behind these routes: the projection counts as caught up.
    opsRoutes: opsRoutes({ models, feed, preHandler: allow('ops'), watermarks: async () => ({ topic: config.kafka.topic, highWatermarks: [] }) }),
  });
  closers.unshift(() => app.close());
  // Over real HTTP: what a client's bytes really look like on the wire.
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
});

// ---------- tokens ----------

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
function jwt(header: unknown, claims: unknown, secret: string): string {
  const signed = `${b64(header)}.${b64(claims)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);

/** A token that must not get anyone in: garbage, a forged signature, alg none, expired, or claims that are not a principal. */
const badToken = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.base64String({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 2 }).map((claims) => jwt({ alg: 'HS256', typ: 'JWT' }, claims, config.jwt.secret)),
  fc.record({ sub: fc.string(), role: fc.string(), org: fc.option(fc.string()) }).map((claims) => jwt({ alg: 'HS256' }, { ...claims, iat: now(), exp: now() + 600 }, config.jwt.secret)),
  fc.constantFrom('ops', 'enterprise', 'institution').map((role) => jwt({ alg: 'HS256' }, { sub: 'x', role, iat: now(), exp: now() + 600 }, 'another-secret-of-at-least-thirty-two-chars')),
  fc.constant(null).map(() => `${b64({ alg: 'none' })}.${b64({ sub: 'x', role: 'ops', iat: now(), exp: now() + 600 })}.`),
  fc.constant(null).map(() => jwt({ alg: 'HS256' }, { sub: 'x', role: 'ops', iat: now() - 7_200, exp: now() - 3_600 }, config.jwt.secret)),
  fc.constant(null).map(() => jwt({ alg: 'HS512' }, { sub: 'x', role: 'ops', iat: now(), exp: now() + 600 }, config.jwt.secret)),
);

// ---------- bodies ----------

/** A valid body with one field replaced, one removed, or a stray one added; or any JSON at all. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ key: fc.constantFrom(...keys), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ key, value }) => ({ ...valid, [key]: value })),
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
    fc.record({ key: fc.string({ minLength: 1, maxLength: 20 }), value: fc.jsonValue({ maxDepth: 1 }) })
      .filter(({ key }) => !keys.includes(key))
      .map(({ key, value }) => ({ ...valid, [key]: value })),
  );
}

/** What goes on the wire: JSON of the body, or bytes that are not JSON, under some content type. */
const wire = (body: fc.Arbitrary<unknown>) => fc.oneof(
  { weight: 6, arbitrary: body.map((value) => ({ payload: JSON.stringify(value) ?? 'null', contentType: 'application/json' })) },
  { weight: 1, arbitrary: fc.record({ payload: fc.string({ maxLength: 200 }), contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x') }) },
);

const headerValue = fc.string({ maxLength: 250 }).filter((value) => {
  try {
    validateHeaderValue('x', value);
    return true;
  } catch {
    return false;
  }
});
const idParam = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('app-0123456789abcdef0123', 'app-0123456789abcdef0123-d1', '..', '%00', '🙂'));

// ---------- routes ----------

type Role = 'enterprise' | 'institution' | 'ops';
interface Target {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  role: Role;
  org?: string;
  /** Whatever a 4xx answer must have left absent. */
  stored?: () => Promise<number>;
}
interface RouteCase {
  name: string;
  target: fc.Arbitrary<Target>;
  body?: fc.Arbitrary<unknown>;
  query?: fc.Arbitrary<string>;
  idempotencyKey?: boolean;
}

const fresh = () => `fz-${uniqueSuffix()}`;
const freshUscc = fc.constant(null).map(() => newUscc());
const freshId = fc.constant(null).map(fresh);
const terms = { amountCny: 5_000_000, rateBps: 385, termMonths: 12, conditions: [], expiresAt: '2030-01-01T00:00:00Z' };

const routes: RouteCase[] = [
  {
    name: 'PUT /v1/enterprises/:uscc',
    target: freshUscc.map((uscc) => ({ method: 'PUT', path: `/v1/enterprises/${uscc}`, role: 'enterprise', org: uscc, stored: () => models.enterprises.countDocuments({ _id: uscc }) })),
    body: mutated({ ...profile() }),
  },
  {
    name: 'POST /v1/applications',
    target: freshUscc.map((uscc) => ({
      method: 'POST', path: '/v1/applications', role: 'enterprise', org: uscc,
      stored: async () => (await models.applications.countDocuments({ enterpriseUscc: uscc })) + (await models.idempotencyKeys.countDocuments({ enterpriseUscc: uscc })),
    })),
    body: mutated({ ...request }),
    idempotencyKey: true,
  },
  { name: 'GET /v1/applications', target: fc.constant({ method: 'GET', path: '/v1/applications', role: 'ops' }), query: fc.string({ maxLength: 80 }) },
  { name: 'GET /v1/applications/:id', target: idParam.map((id) => ({ method: 'GET', path: `/v1/applications/${encodeURIComponent(id)}`, role: 'ops' })) },
  {
    name: 'POST /v1/applications/:id/documents',
    target: idParam.map((id) => ({ method: 'POST', path: `/v1/applications/${encodeURIComponent(id)}/documents`, role: 'enterprise', org: newUscc() })),
    body: mutated({ dealId: 'app-0123456789abcdef0123-d1', documents: [{ kind: 'bank_statements', name: 'a.pdf', sha256: sha256('a') }] }),
  },
  {
    name: 'POST /v1/applications/:id/offers/:dealId/accept',
    target: fc.tuple(idParam, idParam).map(([id, dealId]) => ({ method: 'POST', path: `/v1/applications/${encodeURIComponent(id)}/offers/${encodeURIComponent(dealId)}/accept`, role: 'enterprise', org: newUscc() })),
    body: fc.jsonValue({ maxDepth: 2 }),
  },
  {
    name: 'POST /v1/applications/:id/withdraw',
    target: idParam.map((id) => ({ method: 'POST', path: `/v1/applications/${encodeURIComponent(id)}/withdraw`, role: 'enterprise', org: newUscc() })),
    body: mutated({ reason: 'Financed elsewhere' }),
  },
  { name: 'GET /v1/deals', target: fc.constant({ method: 'GET', path: '/v1/deals', role: 'ops' }), query: fc.string({ maxLength: 80 }) },
  { name: 'GET /v1/deals/:dealId', target: idParam.map((id) => ({ method: 'GET', path: `/v1/deals/${encodeURIComponent(id)}`, role: 'institution', org: 'fz-bank' })) },
  {
    name: 'POST /v1/deals/:dealId/decision',
    target: idParam.map((id) => ({ method: 'POST', path: `/v1/deals/${encodeURIComponent(id)}/decision`, role: 'institution', org: 'fz-bank' })),
    body: fc.oneof(
      mutated({ action: 'issue_term_sheet', termSheet: terms }),
      mutated({ action: 'decline', reason: 'No' }),
      mutated({ action: 'request_documents', documents: ['bank_statements'] }),
    ),
  },
  {
    name: 'PUT /v1/institutions/:id',
    target: freshId.map((id) => ({ method: 'PUT', path: `/v1/institutions/${id}`, role: 'ops', stored: () => models.institutions.countDocuments({ _id: id }) })),
    body: mutated({ ...institution() }),
  },
  {
    name: 'PUT /v1/institutions/:id/products/:productId',
    target: fc.tuple(freshId, freshId).map(([id, productId]) => ({
      method: 'PUT', path: `/v1/institutions/${id}/products/${productId}`, role: 'institution', org: id,
      stored: () => models.products.countDocuments({ _id: productId }),
    })),
    body: mutated({ ...product() }),
  },
  {
    name: 'PUT /v1/registries/recognitions/:uscc',
    target: freshUscc.map((uscc) => ({ method: 'PUT', path: `/v1/registries/recognitions/${uscc}`, role: 'ops', stored: () => models.recognitions.countDocuments({ _id: uscc }) })),
    body: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(mutated({ type: 'high_tech', certificateNo: 'GR202331000123', validFrom: '2023-01-01', validTo: '2026-01-01' }), { maxLength: 3 })),
  },
  {
    name: 'PUT /v1/registries/dishonest-debtors/:uscc',
    target: freshUscc.map((uscc) => ({ method: 'PUT', path: `/v1/registries/dishonest-debtors/${uscc}`, role: 'ops', stored: () => models.dishonestDebtors.countDocuments({ _id: uscc }) })),
    body: fc.jsonValue({ maxDepth: 3 }),
  },
  { name: 'DELETE /v1/registries/dishonest-debtors/:uscc', target: idParam.map((id) => ({ method: 'DELETE', path: `/v1/registries/dishonest-debtors/${encodeURIComponent(id)}`, role: 'ops' })) },
  { name: 'GET /v1/ops/metrics', target: fc.constant({ method: 'GET', path: '/v1/ops/metrics', role: 'ops' }), query: fc.string({ maxLength: 80 }) },
  { name: 'GET /health/ready', target: fc.constant({ method: 'GET', path: '/health/ready', role: 'ops' }), query: fc.string({ maxLength: 40 }) },
];

const tally = { requests: 0, answered: 0, serverErrors: 0, storedOnRejection: 0 };

test.each(routes.map((route) => [route.name, route] as const))('%s: generated bodies, headers and tokens never answer 500 and a rejection stores nothing', async (_name, route) => {
  const arbitrary = fc.record({
    target: route.target,
    wire: route.body ? wire(route.body) : fc.constant(null),
    query: route.query ?? fc.constant(''),
    // One in three requests carries a bad token; the rest get past authentication to the validation.
    token: fc.option(badToken, { freq: 2 }),
    key: route.idempotencyKey ? fc.option(headerValue) : fc.constant(null),
    extraHeader: fc.option(fc.tuple(fc.constantFrom('accept', 'accept-encoding', 'x-forwarded-for', 'if-none-match', 'last-event-id', 'content-encoding'), headerValue)),
  });
  await fc.assert(fc.asyncProperty(arbitrary, async ({ target, wire: sent, query, token, key, extraHeader }) => {
    const valid = tokenFor(config, target.role === 'ops' ? { sub: 'fz', role: 'ops' } : { sub: 'fz', role: target.role, org: target.org ?? '' } as never);
    const headers: Record<string, string> = { authorization: `Bearer ${token ?? valid}` };
    if (token !== null && token.length % 5 === 0) headers.authorization = token; // no "Bearer" at all
    if (sent) headers['content-type'] = sent.contentType;
    if (key !== null) headers['idempotency-key'] = key;
    if (extraHeader) headers[extraHeader[0]] = extraHeader[1];
    const url = query ? `${target.path}?${query}` : target.path;
    const response = await fetch(`${baseUrl}${url}`, { method: target.method, headers, ...(sent ? { body: sent.payload } : {}) });
    const text = await response.text();
    tally.requests += 1;
    if (response.status >= 500) {
      tally.serverErrors += 1;
      throw new Error(`${target.method} ${url} answered ${response.status}: ${text}`);
    }
    tally.answered += 1;
    if (response.status >= 400 && target.stored) {
      const stored = await target.stored();
      if (stored > 0) {
        tally.storedOnRejection += 1;
        throw new Error(`${target.method} ${url} answered ${response.status} but stored ${stored} document(s)`);
      }
    }
  }), { numRuns: RUNS_PER_ROUTE });
});

afterAll(() => {
  if (tally.requests === 0) return;
  recordFault({
    fault: 'malformed-http',
    load: tally.requests,
    accepted: tally.answered,
    completed: tally.answered,
    lost: tally.serverErrors + tally.storedOnRejection,
    duplicated: 0,
  });
});
