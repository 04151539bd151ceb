import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiDeps } from '../../services/api/app';
import { signToken } from '../../services/api/auth';
import { loadConfig } from '../../adapters/config';
import { createLogger } from '../../adapters/logger';
import { apiOn, type Api } from './support';

// Log lines an operator can follow and share: each request's id is the caller's x-request-id (or a
// fresh UUID), echoed in the answer and on every line of the request; credentials never appear.
// No dependency is called: the routes used answer before they would be.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: FastifyInstance;
let api: Api;
let lines: Record<string, unknown>[] = [];
let raw = '';
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' });

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
      done();
    },
  });
  const logger = createLogger(config, 'logs-test', sink);
  app = await buildApp({ config, logger, temporal: undefined as never, models: undefined as never, kafkaHealth: async () => undefined } satisfies ApiDeps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  api = apiOn(app);
});
beforeEach(() => {
  lines = [];
  raw = '';
});
afterAll(async () => api?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.baseUrl}${path}`, { headers });

test('a caller\'s x-request-id is the request id: echoed in the answer and on the request\'s log lines', async () => {
  const answer = await get('/health/live', { 'x-request-id': 'lb-7f3a.42:1' });
  expect(answer.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
  const ofRequest = lines.filter((line) => line.reqId === 'lb-7f3a.42:1');
  expect(ofRequest.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
});

test('without one, or with one that is not a short plain token, the id is a fresh UUID, also on errors', async () => {
  const none = await get('/health/live');
  const other = await get('/health/live');
  expect(none.headers.get('x-request-id')).toMatch(UUID);
  expect(other.headers.get('x-request-id')).not.toBe(none.headers.get('x-request-id'));
  const forged = await get('/no-such-page', { 'x-request-id': 'x {"level":60}' });
  expect(forged.status).toBe(404);
  expect(forged.headers.get('x-request-id')).toMatch(UUID);
  expect((await get('/health/live', { 'x-request-id': 'a'.repeat(129) })).headers.get('x-request-id')).toMatch(UUID);
});

test('authorization headers and secrets are redacted from log lines', async () => {
  const token = signToken({ sub: 'ops-1', role: 'ops' }, config.jwt, 60);
  await get('/v1/no-such-route', { authorization: `Bearer ${token}` });
  app.log.warn({ upstream: { headers: { authorization: `Bearer ${token}`, cookie: 'session=s3cr3t' } }, config: { jwtSecret: config.jwt.secret } }, 'what a careless log call could write');
  expect(raw).toContain('what a careless log call could write');
  expect(raw).not.toContain(token);
  expect(raw).not.toContain('s3cr3t');
  expect(raw).not.toContain(config.jwt.secret);
  expect(lines.at(-1)).toMatchObject({ upstream: { headers: { authorization: '[redacted]', cookie: '[redacted]' } }, config: { jwtSecret: '[redacted]' } });
});
