import { institution, newInstitutionId, newUscc, product, profile, startAppWith, tokenFor, useApiStack } from './support';
import { allow, signToken } from '../../services/api/auth';

// Profiles, institutions, products and registries over HTTP: who may write what, what a bad
// request answers, and that a refused request stores nothing.

jest.setTimeout(60_000);

const { stack, api } = useApiStack({ worker: false });
let ops: string;

beforeAll(() => {
  ops = stack.opsToken();
});


describe('health and docs', () => {
  test('liveness answers without a token', async () => {
    const answer = await api.call('GET', '/health/live');
    expect(answer).toMatchObject({ status: 200, body: { status: 'live' } });
  });

  test('readiness reports Temporal, Kafka and MongoDB as answering', async () => {
    const answer = await api.call('GET', '/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.body.checks).toEqual({ temporal: { ok: true }, kafka: { ok: true }, mongo: { ok: true } });
  });

  test('the OpenAPI document lists every route and the bearer auth', async () => {
    const answer = await api.call('GET', '/docs/json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    expect(answer.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(answer.body.paths).sort()).toEqual([
      '/dev/tokens', // outside production only: test/api/devTokens.test.ts
      '/health/live', '/health/ready',
      '/v1/applications', '/v1/applications/{id}', '/v1/applications/{id}/documents',
      '/v1/applications/{id}/explanation', '/v1/applications/{id}/offers/{dealId}/accept', '/v1/applications/{id}/withdraw',
      '/v1/applications/{id}/files', '/v1/applications/{id}/files/{fileId}',
      '/v1/calendars/cn/{year}',
      '/v1/forums', '/v1/forums/{forumId}', '/v1/forums/{forumId}/agenda', '/v1/forums/{forumId}/cancel',
      '/v1/forums/{forumId}/meetings/{meetingId}/confirm', '/v1/forums/{forumId}/meetings/{meetingId}/decline',
      '/v1/forums/{forumId}/meetings/{meetingId}/outcome', '/v1/forums/{forumId}/registrations', '/v1/forums/{forumId}/schedule',
      '/v1/ops/codec/decode', '/v1/ops/codec/encode', '/v1/ops/events', '/v1/ops/metrics',
      '/v1/deals', '/v1/deals/{dealId}', '/v1/deals/{dealId}/decision', '/v1/deals/{dealId}/documents', '/v1/deals/{dealId}/documents/{fileId}',
      '/v1/enterprises/{uscc}', '/v1/institutions/{id}', '/v1/institutions/{id}/products/{productId}',
      '/v1/registries/dishonest-debtors/{uscc}', '/v1/registries/recognitions/import', '/v1/registries/recognitions/{uscc}',
    ].sort());
    const post = answer.body.paths['/v1/applications'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '401', '403', '409', '503']));
    expect(answer.body.paths['/health/ready'].get.security).toEqual([]);
  });
});

describe('authentication', () => {
  const routes: [string, string][] = [
    ['PUT', `/v1/enterprises/${newUscc()}`],
    ['POST', '/v1/applications'],
    ['GET', '/v1/applications'],
    ['GET', '/v1/applications/app-x'],
    ['POST', '/v1/applications/app-x/documents'],
    ['POST', '/v1/applications/app-x/offers/d-1/accept'],
    ['POST', '/v1/applications/app-x/withdraw'],
    ['GET', '/v1/deals'],
    ['GET', '/v1/deals/d-1'],
    ['POST', '/v1/deals/d-1/decision'],
    ['POST', '/v1/applications/app-x/files'],
    ['GET', `/v1/applications/app-x/files/file_${'0'.repeat(32)}`],
    ['GET', '/v1/deals/d-1/documents'],
    ['GET', `/v1/deals/d-1/documents/file_${'0'.repeat(32)}`],
    ['PUT', '/v1/institutions/bank-x'],
    ['PUT', '/v1/institutions/bank-x/products/p-1'],
    ['PUT', `/v1/registries/recognitions/${newUscc()}`],
    ['PUT', `/v1/registries/dishonest-debtors/${newUscc()}`],
    ['DELETE', `/v1/registries/dishonest-debtors/${newUscc()}`],
  ];

  test.each(routes)('%s %s without a token answers 401', async (method, path) => {
    const answer = await api.call(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'unauthorized' });
  });

  test('a token signed with another secret, an expired token and a token with bad claims answer 401', async () => {
    const uscc = newUscc();
    const claims = { sub: 'x', role: 'enterprise', org: uscc } as const;
    const forged = signToken(claims, { ...stack.config.jwt, secret: 'another-secret-that-is-at-least-32-characters' }, 600);
    const expired = signToken(claims, stack.config.jwt, 600, Date.now() - 3_600_000);
    for (const token of [forged, expired, 'not-a-jwt']) {
      const answer = await api.call('GET', '/v1/applications', { token });
      expect(answer.status).toBe(401);
    }
    // A well-signed token whose org is not a valid USCC is refused too.
    const { createHmac } = await import('node:crypto');
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'x', role: 'enterprise', org: 'NOT-A-USCC', iss: stack.config.jwt.issuer, aud: stack.config.jwt.audience, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}`;
    const badClaims = `${body}.${createHmac('sha256', stack.config.jwt.secret).update(body).digest('base64url')}`;
    const refused = await api.call('GET', '/v1/applications', { token: badClaims });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/org/);
  });
});

describe('PUT /v1/enterprises/:uscc', () => {
  test('an enterprise creates and then updates its own profile', async () => {
    const uscc = newUscc();
    const created = await api.call('PUT', `/v1/enterprises/${uscc}`, { token: stack.enterpriseToken(uscc), body: profile() });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ uscc, ...profile() });
    const updated = await api.call('PUT', `/v1/enterprises/${uscc}`, { token: stack.enterpriseToken(uscc), body: profile({ employees: 150 }) });
    expect(updated.body.employees).toBe(150);
    expect(await stack.models.enterprises.findById(uscc).lean()).toMatchObject({ uscc, employees: 150, region: 'CN-XZ' });
  });

  test('another enterprise\'s profile answers 404 and is not written', async () => {
    const mine = newUscc();
    const theirs = newUscc();
    const answer = await api.call('PUT', `/v1/enterprises/${theirs}`, { token: stack.enterpriseToken(mine), body: profile() });
    expect(answer).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await stack.models.enterprises.exists({ _id: theirs })).toBeNull();
  });

  test('an institution or ops writing a profile answers 403', async () => {
    const uscc = newUscc();
    for (const token of [stack.institutionToken('bank-x'), ops]) {
      const answer = await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() });
      expect(answer).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    }
    expect(await stack.models.enterprises.exists({ _id: uscc })).toBeNull();
  });

  test('a wrong USCC check character answers 400 and stores nothing', async () => {
    const uscc = newUscc();
    const wrong = uscc.slice(0, 17) + (uscc.endsWith('0') ? '1' : '0');
    const answer = await api.call('PUT', `/v1/enterprises/${wrong}`, { token: stack.enterpriseToken(uscc), body: profile() });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation_failed');
    expect(answer.body.issues).toEqual([{ path: 'params.uscc', message: expect.stringMatching(/check character/) }]);
    expect(await stack.models.enterprises.exists({ _id: wrong })).toBeNull();
  });

  test('a region other than the province of the code\'s division answers 400 and stores nothing', async () => {
    const uscc = newUscc('CN-SH');
    const answer = await api.call('PUT', `/v1/enterprises/${uscc}`, { token: stack.enterpriseToken(uscc), body: profile({ region: 'CN-HL' }) });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: 'validation_failed',
      issues: [{ path: 'region', message: `region must be CN-SH, the province of the USCC's division code ${uscc.slice(2, 8)}, not CN-HL` }],
    });
    expect(await stack.models.enterprises.exists({ _id: uscc })).toBeNull();
    const right = await api.call('PUT', `/v1/enterprises/${uscc}`, { token: stack.enterpriseToken(uscc), body: profile({ region: 'CN-SH' }) });
    expect(right.status).toBe(200);
  });

  test('a code whose embedded organisation code has a wrong check digit answers 400', async () => {
    // The check character fits the first 17 characters; the GB 11714 digit in position 17 does not.
    const uscc = newUscc();
    const answer = await api.call('PUT', '/v1/enterprises/91310000MA1FL8TQ0W', { token: stack.enterpriseToken(uscc), body: profile() });
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: 'params.uscc', message: expect.stringMatching(/organisation code MA1FL8TQ0.*GB 11714/) }]);
  });

  test('a bad profile answers 400 with every issue and stores nothing', async () => {
    const uscc = newUscc();
    const answer = await api.call('PUT', `/v1/enterprises/${uscc}`, {
      token: stack.enterpriseToken(uscc),
      body: { ...profile({ region: 'CN-XX' as never, rdRatioBps: 20_000 }), name: undefined, extra: 1 },
    });
    expect(answer.status).toBe(400);
    const paths = answer.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'region', 'rdRatioBps']));
    expect(answer.body.issues.every((i: { message: string }) => i.message.length > 0)).toBe(true);
    expect(await stack.models.enterprises.exists({ _id: uscc })).toBeNull();
  });

  test('a body that is not JSON answers 400, a body over the limit 413', async () => {
    const uscc = newUscc();
    const response = await fetch(`${api.baseUrl}/v1/enterprises/${uscc}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.enterpriseToken(uscc)}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'validation_failed' });
    const big = await api.call('PUT', `/v1/enterprises/${uscc}`, { token: stack.enterpriseToken(uscc), body: { ...profile(), name: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    expect(await stack.models.enterprises.exists({ _id: uscc })).toBeNull();
  });
});

describe('PUT /v1/institutions/:id and its products', () => {
  test('ops creates an institution; an institution or enterprise may not (403)', async () => {
    const id = newInstitutionId();
    expect((await api.call('PUT', `/v1/institutions/${id}`, { token: stack.institutionToken(id), body: institution() })).status).toBe(403);
    expect((await api.call('PUT', `/v1/institutions/${id}`, { token: stack.enterpriseToken(newUscc()), body: institution() })).status).toBe(403);
    expect(await stack.models.institutions.exists({ _id: id })).toBeNull();
    const created = await api.call('PUT', `/v1/institutions/${id}`, { token: ops, body: institution() });
    expect(created).toMatchObject({ status: 200, body: { institutionId: id, kind: 'bank', regions: ['CN-XZ'] } });
  });

  test('a bad institution answers 400 and stores nothing', async () => {
    const id = newInstitutionId();
    const answer = await api.call('PUT', `/v1/institutions/${id}`, { token: ops, body: institution({ kind: 'hedge_fund' as never, regions: [] }) });
    expect(answer.status).toBe(400);
    expect(answer.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['kind', 'regions']);
    expect(await stack.models.institutions.exists({ _id: id })).toBeNull();
  });

  test('an institution writes its own products; another institution\'s answer 404; ops writes any', async () => {
    const mine = newInstitutionId();
    const other = newInstitutionId();
    await api.call('PUT', `/v1/institutions/${mine}`, { token: ops, body: institution() });
    await api.call('PUT', `/v1/institutions/${other}`, { token: ops, body: institution() });

    const own = await api.call('PUT', `/v1/institutions/${mine}/products/${mine}-p1`, { token: stack.institutionToken(mine), body: product() });
    expect(own).toMatchObject({ status: 200, body: { productId: `${mine}-p1`, institutionId: mine, capacity: 50, active: true } });
    expect(await stack.models.products.findById(`${mine}-p1`).lean()).toMatchObject({ institutionId: mine, instruments: ['ip_pledge_loan'] });

    const foreign = await api.call('PUT', `/v1/institutions/${other}/products/${other}-p1`, { token: stack.institutionToken(mine), body: product() });
    expect(foreign).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await stack.models.products.exists({ _id: `${other}-p1` })).toBeNull();

    // A product id another institution owns: not found for an institution, a conflict for ops.
    const hijack = await api.call('PUT', `/v1/institutions/${other}/products/${mine}-p1`, { token: stack.institutionToken(other), body: product() });
    expect(hijack.status).toBe(404);
    const opsHijack = await api.call('PUT', `/v1/institutions/${other}/products/${mine}-p1`, { token: ops, body: product() });
    expect(opsHijack.status).toBe(409);
    expect(await stack.models.products.findById(`${mine}-p1`).lean()).toMatchObject({ institutionId: mine });

    const byOps = await api.call('PUT', `/v1/institutions/${other}/products/${other}-p2`, { token: ops, body: product({ capacity: 2 }) });
    expect(byOps).toMatchObject({ status: 200, body: { institutionId: other, capacity: 2 } });
  });

  test('a product of an institution that does not exist answers 404; an enterprise answers 403', async () => {
    const ghost = newInstitutionId();
    expect((await api.call('PUT', `/v1/institutions/${ghost}/products/${ghost}-p`, { token: ops, body: product() })).status).toBe(404);
    expect((await api.call('PUT', `/v1/institutions/${ghost}/products/${ghost}-p`, { token: stack.enterpriseToken(newUscc()), body: product() })).status).toBe(403);
    expect(await stack.models.products.exists({ _id: `${ghost}-p` })).toBeNull();
  });

  test('a product whose ticket range is upside down answers 400 and stores nothing', async () => {
    const id = newInstitutionId();
    await api.call('PUT', `/v1/institutions/${id}`, { token: ops, body: institution() });
    const answer = await api.call('PUT', `/v1/institutions/${id}/products/${id}-p`, {
      token: stack.institutionToken(id),
      body: product({ minAmountCny: 10_000_000, maxAmountCny: 1_000_000 }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: 'maxAmountCny', message: 'maxAmountCny must be at least minAmountCny' }]);
    expect(await stack.models.products.exists({ _id: `${id}-p` })).toBeNull();
  });
});

describe('registries', () => {
  const recognition = { type: 'little_giant', certificateNo: 'MIIT-2024-001', validFrom: '2024-01-01', validTo: '2027-01-01' };

  test('ops replaces the recognitions on record; other roles answer 403', async () => {
    const uscc = newUscc();
    const put = await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [recognition] });
    expect(put).toMatchObject({ status: 200, body: { uscc, recognitions: [recognition] } });
    expect(await stack.models.recognitions.findById(uscc).lean()).toMatchObject({ recognitions: [recognition] });
    const cleared = await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [] });
    expect(cleared.body.recognitions).toEqual([]);
    expect((await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: stack.enterpriseToken(uscc), body: [recognition] })).status).toBe(403);
    expect((await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: stack.institutionToken('bank-x'), body: [recognition] })).status).toBe(403);
  });

  test('a bad recognition answers 400 and stores nothing', async () => {
    const uscc = newUscc();
    const answer = await api.call('PUT', `/v1/registries/recognitions/${uscc}`, {
      token: ops,
      body: [{ ...recognition, validTo: '2020-01-01' }, { ...recognition, type: 'famous' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['0.validTo', '1.type']);
    expect(await stack.models.recognitions.exists({ _id: uscc })).toBeNull();
  });

  test('ops lists and delists a dishonest debtor; listing again keeps listedAt; other roles answer 403', async () => {
    const uscc = newUscc();
    const listed = await api.call('PUT', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops, body: { caseNo: '(2024)沪01执123号', court: '上海市第一中级人民法院' } });
    expect(listed).toMatchObject({ status: 200, body: { uscc, caseNo: '(2024)沪01执123号', listedAt: expect.any(String) } });
    const again = await api.call('PUT', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops });
    expect(again.body).toEqual({ uscc, listedAt: listed.body.listedAt });
    expect(await stack.models.dishonestDebtors.exists({ _id: uscc })).not.toBeNull();

    expect((await api.call('DELETE', `/v1/registries/dishonest-debtors/${uscc}`, { token: stack.enterpriseToken(uscc) })).status).toBe(403);
    const removed = await api.call('DELETE', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops });
    expect(removed.status).toBe(204);
    expect(await stack.models.dishonestDebtors.exists({ _id: uscc })).toBeNull();
    expect((await api.call('DELETE', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops })).status).toBe(204);
  });

  test('a dishonest-debtor listing with unknown fields answers 400 and stores nothing', async () => {
    const uscc = newUscc();
    const answer = await api.call('PUT', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops, body: { caseNo: '', amount: 5 } });
    expect(answer.status).toBe(400);
    expect(await stack.models.dishonestDebtors.exists({ _id: uscc })).toBeNull();
  });
});

describe('rate limit', () => {
  test('each principal has its own budget; the one over it answers 429', async () => {
    // Only registry routes are called: the app needs no Temporal.
    const limited = await startAppWith(stack, { limits: { rateMax: 3, rateWindowMs: 60_000 } });
    try {
      const uscc = newUscc();
      const first = tokenFor(stack.config, { sub: 'ops-a', role: 'ops' });
      const second = tokenFor(stack.config, { sub: 'ops-b', role: 'ops' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await limited.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: first, body: [] })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const over = await limited.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: first, body: [] });
      expect(over.body).toMatchObject({ error: 'rate_limited' });
      expect((await limited.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: second, body: [] })).status).toBe(200);
      expect((await limited.call('GET', '/health/live')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('the ops routes hook', () => {
  test('a plugin passed as opsRoutes is served under /v1/ops with the API\'s auth and errors', async () => {
    const withOps = await startAppWith(stack, {
      opsRoutes: async (ops) => {
        ops.get('/ping', { preHandler: allow('ops') }, async (request) => ({ sub: request.principal?.sub }));
      },
    });
    try {
      expect(await withOps.call('GET', '/v1/ops/ping', { token: ops })).toMatchObject({ status: 200, body: { sub: 'ops-tester' } });
      expect((await withOps.call('GET', '/v1/ops/ping', { token: stack.enterpriseToken(newUscc()) })).status).toBe(403);
      expect((await withOps.call('GET', '/v1/ops/ping')).status).toBe(401);
    } finally {
      await withOps.close();
    }
  });
});
