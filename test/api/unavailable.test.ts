import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createObjectStore } from '../../adapters/objectStore';
import mongoose from 'mongoose';
import { payloadDataConverter } from '../../adapters/payloadCodec';
import type { ApiDeps } from '../../services/api/app';
import { allow } from '../../services/api/auth';
import type { LiveFeed } from '../../services/api/liveFeed';
import { opsRoutes } from '../../services/api/routes/ops';
import { defineModels } from '../../store/models';
import { pdf } from '../support/sampleFiles';
import { newInstitutionId, newUscc, product, profile, registerInstitutions, request, startAppWith, tokenFor, untilApplication, useApiStack, type Api } from './support';

// A dependency that is down answers 503 with Retry-After, never 500; readiness names it; an
// unexpected failure answers a bare 500 without details.

jest.setTimeout(90_000);

const { stack, api: healthy } = useApiStack();
const opened: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of opened) await close().catch(() => undefined);
});

// A bank whose product matches keeps an application open (in due diligence, taking files).
// Registered before any application is matched: the worker caches the catalogue for 5 s.
const bank = newInstitutionId();
beforeAll(async () => {
  await registerInstitutions(stack, healthy, [bank]);
  expect((await healthy.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
});

async function appWith(overrides: Partial<ApiDeps>): Promise<Api> {
  const api = await startAppWith(stack, { limits: { commandTimeoutMs: 3_000, healthTimeoutMs: 1_000 }, ...overrides });
  opened.push(() => api.close());
  return api;
}

function deadTemporal(): Client {
  // Nothing listens on port 1: every call fails to connect. No retry interceptor, so no retry
  // outlives the test and fires on a closed channel.
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500, interceptors: [] });
  opened.push(() => connection.close());
  return new Client({ connection });
}

test('with Temporal down, applying answers 503 with Retry-After, and the same key later starts the application', async () => {
  const api = await appWith({ temporal: deadTemporal() });
  const uscc = newUscc();
  const token = tokenFor(stack.config, { sub: 'u', role: 'enterprise', org: uscc });
  await healthy.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() });

  const down = await api.call('POST', '/v1/applications', { token, body: request, headers: { 'idempotency-key': 'retry-me' } });
  expect(down.status).toBe(503);
  expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(down.body).toMatchObject({ error: 'unavailable', message: expect.stringContaining('temporal') });
  expect(JSON.stringify(down.body)).not.toMatch(/at .*\.ts|stack/i);
  expect(await stack.models.applications.countDocuments({ enterpriseUscc: uscc })).toBe(0);

  const retried = await healthy.call('POST', '/v1/applications', { token, body: request, headers: { 'idempotency-key': 'retry-me' } });
  expect(retried.status).toBe(200);
  const { applicationId } = retried.body;
  await untilApplication(healthy, token, applicationId, (view) => (view.timeline.length > 0 ? view : undefined), 30_000, 'the retried application to run');
});

test('with Temporal down, readiness answers 503 naming it, and a command answers 503', async () => {
  const api = await appWith({ temporal: deadTemporal() });
  const ready = await api.call('GET', '/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.status).toBe('unavailable');
  expect(ready.body.checks).toMatchObject({ temporal: { ok: false }, kafka: { ok: true }, mongo: { ok: true } });

  const uscc = newUscc();
  const token = tokenFor(stack.config, { sub: 'u', role: 'enterprise', org: uscc });
  await healthy.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() });
  const { applicationId } = (await healthy.call('POST', '/v1/applications', { token, body: request })).body;
  const withdraw = await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'test' } });
  expect(withdraw.status).toBe(503);
  expect(withdraw.headers.get('retry-after')).toBeTruthy();
});

test('with MongoDB down, reads answer 503 and readiness names it', async () => {
  const connection = mongoose.createConnection('mongodb://127.0.0.1:1/dealflow', { serverSelectionTimeoutMS: 500, bufferTimeoutMS: 500 } as mongoose.ConnectOptions);
  connection.on('error', () => undefined);
  opened.push(() => connection.close());
  const api = await appWith({ models: defineModels(connection), temporal: healthyTemporal() });
  const token = tokenFor(stack.config, { sub: 'o', role: 'ops' });
  const list = await api.call('GET', '/v1/applications', { token });
  expect(list.status).toBe(503);
  expect(list.headers.get('retry-after')).toBeTruthy();
  expect(list.body).toMatchObject({ error: 'unavailable', message: expect.stringContaining('mongo') });
  const ready = await api.call('GET', '/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.checks.mongo.ok).toBe(false);
});

test('with every pooled MongoDB connection busy, the ops metrics answer 503 like every other route', async () => {
  // The driver's wait-queue timeout, thrown by whatever the metrics read first (one partition's
  // checkpoint: with no partition at all the metrics would read nothing).
  const waited = Object.assign(new Error('Timed out while checking out a connection from connection pool'), { name: 'MongoWaitQueueTimeoutError' });
  const failing = (): unknown => new Proxy(() => undefined, { get: () => failing(), apply: () => { throw waited; } });
  const models = new Proxy({}, { get: () => failing() }) as ApiDeps['models'];
  const feed = { isConnected: () => true } as unknown as LiveFeed;
  const api = await appWith({ temporal: healthyTemporal(), opsRoutes: opsRoutes({ models, feed, preHandler: allow('ops'), watermarks: async () => ({ topic: 't', highWatermarks: [{ partition: 0, offset: '1' }] }) }) });
  const answer = await api.call('GET', '/v1/ops/metrics', { token: tokenFor(stack.config, { sub: 'o', role: 'ops' }) });
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(answer.body).toMatchObject({ error: 'unavailable', message: expect.stringContaining('mongo') });
});

test('with Kafka down, the contract\'s readiness answers 503 naming it (the operations port\'s stays in rotation: test/api/operations.test.ts)', async () => {
  const api = await appWith({ temporal: healthyTemporal(), kafkaHealth: async () => { throw new Error('broker unreachable'); } });
  const ready = await api.call('GET', '/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(ready.body.status).toBe('unavailable');
  expect(ready.body.checks).toMatchObject({ kafka: { ok: false, error: 'broker unreachable' }, temporal: { ok: true }, mongo: { ok: true } });
  expect((await api.call('GET', '/health/live')).status).toBe(200);
});

test('an unexpected failure answers 500 { error: "internal" } with no details', async () => {
  const broken = { ...stack.models, applications: { findById: () => { throw new Error('secret internals at line 42'); } } } as unknown as ApiDeps['models'];
  const api = await appWith({ models: broken });
  const answer = await api.call('GET', '/v1/applications/app-1', { token: tokenFor(stack.config, { sub: 'o', role: 'ops' }) });
  expect(answer).toMatchObject({ status: 500, body: { error: 'internal' } });
  expect(JSON.stringify(answer.body)).not.toContain('secret');
});

function healthyTemporal(): Client {
  const connection = Connection.lazy({ address: stack.config.temporal.address });
  opened.push(() => connection.close());
  return new Client({ connection, namespace: stack.config.temporal.namespace, dataConverter: payloadDataConverter(stack.config) });
}

/** One request on `agent`; the answer's status, or 'no answer' when none came within `withinMs`. */
function requestOn(agent: http.Agent, url: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer; withinMs: number }): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const sent = http.request(url, { agent, method: options.method ?? 'GET', headers: options.headers });
    // A timer of its own: a request still queued for the agent's one socket has no socket to time out.
    const timer = setTimeout(() => {
      sent.destroy();
      resolve('no answer');
    }, options.withinMs);
    sent.once('response', (response) => {
      response.resume();
      response.once('end', () => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
      });
    });
    sent.once('error', reject);
    sent.end(options.body);
  });
}

test('with the object store down, an upload answers 503 at once, and its connection carries the next request', async () => {
  // Nothing listens on port 1: every object store call fails to connect.
  const objectStore = createObjectStore({ ...stack.config.files, endpoint: 'http://127.0.0.1:1' });
  opened.push(async () => objectStore.close());
  const api = await appWith({ objectStore });
  const uscc = newUscc();
  const token = tokenFor(stack.config, { sub: 'u', role: 'enterprise', org: uscc });
  await healthy.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() });
  const { applicationId } = (await healthy.call('POST', '/v1/applications', { token, body: request })).body;
  await untilApplication(healthy, token, applicationId, (view) => (view.status === 'in_due_diligence' ? view : undefined));

  // One keep-alive connection, as a client's pool reuses it: the upload's answer comes before the
  // server has read its body; unless the API reads the rest (or closes), the next request on that
  // connection waits behind the unread bytes for ever.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  opened.push(async () => agent.destroy());
  const body = pdf(6 * 1024 * 1024);
  const uploaded = await requestOn(agent, `${api.baseUrl}/v1/applications/${applicationId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'content-length': body.length, 'x-document-kind': 'audit_report', 'x-file-name': 'audit.pdf' },
    body,
    withinMs: 10_000,
  });
  expect(uploaded).toBe(503);
  expect(await requestOn(agent, `${api.baseUrl}/v1/applications/${applicationId}`, { headers: { authorization: `Bearer ${token}` }, withinMs: 10_000 })).toBe(200);
});
