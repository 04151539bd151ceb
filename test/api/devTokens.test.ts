import { institution, newInstitutionId, newUscc, profile, startAppWith, tokenFor, useApiStack } from './support';

// `GET /dev/tokens` signs tokens for the web pages' principal picker: only with NODE_ENV=development
// or test and the API on loopback (test/api/auth.test.ts checks the rule).

jest.setTimeout(60_000);

const { stack, api } = useApiStack({ worker: false });


test('outside production it answers an ops token and tokens of stored parties, which the API accepts', async () => {
  const uscc = newUscc();
  const bank = newInstitutionId();
  const ops = tokenFor(stack.config, { sub: 'dev-tokens-test', role: 'ops' });
  expect((await api.call('PUT', `/v1/institutions/${bank}`, { token: ops, body: institution() })).status).toBe(200);
  const own = tokenFor(stack.config, { sub: 'cfo', role: 'enterprise', org: uscc });
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token: own, body: profile() })).status).toBe(200);

  const answer = await api.call('GET', '/dev/tokens');
  expect(answer.status).toBe(200);
  expect(Date.parse(answer.body.expiresAt)).toBeGreaterThan(Date.now());
  const byRole = (role: string) => answer.body.principals.filter((p: { role: string }) => p.role === role);
  expect(byRole('ops')).toHaveLength(1);
  expect(byRole('enterprise').length).toBeGreaterThan(0);
  expect(byRole('institution').length).toBeGreaterThan(0);

  const opsToken = byRole('ops')[0].token;
  expect((await api.call('GET', '/v1/applications?limit=1', { token: opsToken })).status).toBe(200);
  const enterprise = byRole('enterprise')[0];
  expect((await api.call('GET', '/v1/applications?limit=1', { token: enterprise.token })).status).toBe(200);
  expect((await api.call('GET', '/v1/deals?limit=1', { token: enterprise.token })).status).toBe(403);
});

test('in production the route does not exist and OpenAPI does not list it', async () => {
  // None of the routes below reaches Temporal or Kafka.
  const production = await startAppWith(stack, { config: { ...stack.config, env: 'production', devTokens: false } });
  try {
    const answer = await production.call('GET', '/dev/tokens');
    expect(answer).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const docs = await production.call('GET', '/docs/json');
    expect(Object.keys(docs.body.paths)).not.toContain('/dev/tokens');
    const page = await fetch(`${production.baseUrl}/enterprise.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  } finally {
    await production.close();
  }
});
