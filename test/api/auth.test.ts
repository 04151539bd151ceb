import { createHmac } from 'node:crypto';
import { signToken } from '../../services/api/auth';
import { startAppWith, useApiStack, type Api } from './support';
import { testConfig } from '../support/stack';

// Authentication fails closed: in production a token must carry exp (and iat), our issuer and
// audience, and live no longer than DEALFLOW_JWT_MAX_LIFETIME_SECONDS; in development and test the
// contract's tokens (sub, role, org) get in, and those claims are checked when present. The
// development token route exists only with NODE_ENV=development or test and the API on loopback.

jest.setTimeout(60_000);

const { stack, api } = useApiStack({ worker: false });

const PRODUCTION_SECRET = 'a-production-secret-of-at-least-32-characters';
let production: Api;
beforeAll(async () => {
  const config = testConfig({ NODE_ENV: 'production', DEALFLOW_JWT_SECRET: PRODUCTION_SECRET, DEALFLOW_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, DEALFLOW_FILE_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') });
  production = await startAppWith(stack, { config });
});
afterAll(async () => {
  await production?.close();
});

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(claims: object, secret = PRODUCTION_SECRET): string {
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
const now = (): number => Math.floor(Date.now() / 1000);
const claims = () => ({ sub: 'ops-auth-test', role: 'ops', iss: stack.config.jwt.issuer, aud: stack.config.jwt.audience, iat: now(), exp: now() + 600 });
const read = (token: string, app: Api = production) => app.call('GET', '/v1/applications?limit=1', { token });

test('in production, a token with exp, iat, our issuer and audience, within the lifetime cap, gets in', async () => {
  expect((await read(hs256(claims()))).status).toBe(200);
  expect((await read(signToken({ sub: 'ops-auth-test', role: 'ops' }, { ...stack.config.jwt, secret: PRODUCTION_SECRET }, 60))).status).toBe(200);
});

test.each([
  ['no exp', () => { const { exp: _exp, ...rest } = claims(); return rest; }, /exp/],
  ['no iat', () => { const { iat: _iat, ...rest } = claims(); return rest; }, /iat/],
  ['another issuer', () => ({ ...claims(), iss: 'someone-else' }), /iss/],
  ['no issuer', () => { const { iss: _iss, ...rest } = claims(); return rest; }, /iss/],
  ['another audience', () => ({ ...claims(), aud: 'another-api' }), /aud/],
  ['a lifetime over the cap', () => ({ ...claims(), exp: now() + stack.config.jwt.maxLifetimeSeconds + 60 }), /lifetime/],
  ['an iat in the future', () => ({ ...claims(), iat: now() + 3_600, exp: now() + 3_700 }), /future|iat/],
])('in production, a token with %s answers 401', async (_label, make, reason) => {
  const answer = await read(hs256(make()));
  expect(answer.status).toBe(401);
  expect(answer.body.message).toMatch(reason);
});

test('in development and test, a token with only the contract\'s claims gets in; the others are checked when present', async () => {
  const local = (payload: object) => read(hs256(payload, stack.config.jwt.secret), api);
  expect((await local({ sub: 'ops-auth-test', role: 'ops' })).status).toBe(200);
  expect((await local({ sub: 'ops-auth-test', role: 'ops', iss: 'someone-else' })).status).toBe(401);
  expect((await local({ sub: 'ops-auth-test', role: 'ops', aud: 'another-api' })).status).toBe(401);
  expect((await local({ sub: 'ops-auth-test', role: 'ops', iat: now(), exp: now() + stack.config.jwt.maxLifetimeSeconds + 60 })).status).toBe(401);
  expect((await local({ sub: 'ops-auth-test', role: 'ops', exp: now() - 60 })).status).toBe(401);
});

test('the signer refuses a lifetime over the cap, as the API would', () => {
  expect(() => signToken({ sub: 'x', role: 'ops' }, stack.config.jwt, stack.config.jwt.maxLifetimeSeconds + 1)).toThrow(/DEALFLOW_JWT_MAX_LIFETIME_SECONDS/);
});

test('without NODE_ENV=development or test on loopback, the development token route does not exist', async () => {
  // The same secret as the stack's, but the API would listen on every interface.
  const exposed = testConfig({ HOST: '0.0.0.0', DEALFLOW_JWT_SECRET: 'a-real-secret-of-at-least-32-characters!' });
  expect(exposed.devTokens).toBe(false);
  const app = await startAppWith(stack, { config: exposed });
  try {
    expect((await app.call('GET', '/dev/tokens')).status).toBe(404);
    // The development secret no longer signs anything this app accepts.
    expect((await app.call('GET', '/v1/applications?limit=1', { token: hs256(claims(), stack.config.jwt.secret) })).status).toBe(401);
  } finally {
    await app.close();
  }
});
