import { eventually, institution, newInstitutionId, newUscc, product, profile, registerInstitutions, request, sha256, useApiStack } from './support';

// Applications and deals over HTTP with a real worker: submission and its Idempotency-Key, who
// sees what, and a whole deal from proposal to close, each command read back right after.

jest.setTimeout(120_000);

const { stack, api, restartApp } = useApiStack({ settings: { topK: 5 } });
let ops: string;
let bank: string;
let otherBank: string;


/** An enterprise with a complete profile in the tests' region, and its token. */
async function newEnterprise(): Promise<{ uscc: string; token: string }> {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  return { uscc, token };
}

async function submit(token: string, body: object = request, key?: string) {
  return api.call('POST', '/v1/applications', { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
}

/** Waits until the application's deal with `institutionId` is in the read model. */
async function dealOf(applicationId: string, institutionId: string, token: string) {
  return eventually(async () => {
    const answer = await api.call('GET', `/v1/applications/${applicationId}`, { token });
    return answer.body?.deals?.find((d: { institutionId: string }) => d.institutionId === institutionId);
  }, 30_000, `a deal of ${applicationId} with ${institutionId}`);
}

beforeAll(async () => {
  ops = stack.opsToken();
  // The catalogue is seeded through the API before any application, so the worker's cached catalogue has it.
  bank = newInstitutionId();
  otherBank = newInstitutionId();
  await registerInstitutions(stack, api, [bank, otherBank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
});

describe('POST /v1/applications', () => {
  test('an enterprise applies, answers 202, and the application reads back at once', async () => {
    const { uscc, token } = await newEnterprise();
    const answer = await submit(token);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ applicationId: expect.stringMatching(/^app-[0-9a-f]{20}$/), status: 'submitted' });
    const read = await api.call('GET', `/v1/applications/${answer.body.applicationId}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ applicationId: answer.body.applicationId, enterpriseUscc: uscc, request });
    expect(read.body).not.toHaveProperty('lastSeq');
    expect(read.body).not.toHaveProperty('_id');
  });

  test('a bad request answers 400 with its issues and stores nothing', async () => {
    const { uscc, token } = await newEnterprise();
    const answer = await submit(token, { instrument: 'magic_beans', amountCny: -5, termMonths: 1.5, purpose: '', surprise: true });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation_failed');
    expect(answer.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['amountCny', 'instrument', 'purpose', 'surprise', 'termMonths']);
    const badKey = await submit(token, request, 'x'.repeat(201));
    expect(badKey.status).toBe(400);
    expect(badKey.body.issues[0].path).toBe('headers.idempotency-key');
    expect(await stack.models.applications.countDocuments({ enterpriseUscc: uscc })).toBe(0);
    expect(await stack.models.idempotencyKeys.countDocuments({ enterpriseUscc: uscc })).toBe(0);
  });

  test('an institution or ops may not apply (403)', async () => {
    expect((await submit(stack.institutionToken(bank))).status).toBe(403);
    expect((await submit(ops)).status).toBe(403);
  });

  test('the same Idempotency-Key and body answer the same application with 200; another body answers 409', async () => {
    const { uscc, token } = await newEnterprise();
    const first = await submit(token, request, 'order-1');
    expect(first.status).toBe(202);
    const again = await submit(token, { ...request }, 'order-1');
    expect(again.status).toBe(200);
    expect(again.body.applicationId).toBe(first.body.applicationId);
    const other = await submit(token, { ...request, amountCny: 6_000_000 }, 'order-1');
    expect(other).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(await stack.models.applications.countDocuments({ enterpriseUscc: uscc })).toBe(1);
  });

  test('concurrent submissions with one key create one application', async () => {
    const { uscc, token } = await newEnterprise();
    const answers = await Promise.all([1, 2, 3, 4].map(() => submit(token, request, 'burst')));
    expect(new Set(answers.map((a) => a.body.applicationId)).size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(await stack.models.applications.countDocuments({ enterpriseUscc: uscc })).toBe(1);
  });

  test('an Idempotency-Key holds across an API restart', async () => {
    const { token } = await newEnterprise();
    const first = await submit(token, request, 'restart-key');
    await restartApp();
    const again = await submit(token, request, 'restart-key');
    expect(again.status).toBe(200);
    expect(again.body.applicationId).toBe(first.body.applicationId);
  });

  test('keys are per enterprise: another enterprise\'s same key is a new application', async () => {
    const a = await newEnterprise();
    const b = await newEnterprise();
    const first = await submit(a.token, request, 'shared-key');
    const second = await submit(b.token, request, 'shared-key');
    expect(second.status).toBe(202);
    expect(second.body.applicationId).not.toBe(first.body.applicationId);
  });
});

describe('GET /v1/applications', () => {
  test('an enterprise lists its own applications page by page; ops sees them too', async () => {
    const { uscc, token } = await newEnterprise();
    const other = await newEnterprise();
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await submit(token)).body.applicationId as string);
    await submit(other.token);

    const page1 = await api.call('GET', '/v1/applications?limit=2', { token });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api.call('GET', `/v1/applications?limit=2&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const seen = [...page1.body.items, ...page2.body.items];
    expect(seen.map((a: { applicationId: string }) => a.applicationId).sort()).toEqual(ids.sort());
    expect(seen.every((a: { enterpriseUscc: string }) => a.enterpriseUscc === uscc)).toBe(true);
    expect(seen[0]).toHaveProperty('timeline');
    expect(seen[0]).toHaveProperty('deals');

    const byOps = await api.call('GET', `/v1/applications/${ids[0]}`, { token: ops });
    expect(byOps.status).toBe(200);
    const opsList = await api.call('GET', '/v1/applications?limit=100', { token: ops });
    expect(opsList.body.items.length).toBeGreaterThan(0);
  });

  test('status filters the list; a bad limit, status or cursor answers 400', async () => {
    const { token } = await newEnterprise();
    const { applicationId } = (await submit(token)).body;
    await dealOf(applicationId, bank, token);
    const inDd = await api.call('GET', '/v1/applications?status=in_due_diligence', { token });
    expect(inDd.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([applicationId]);
    expect((await api.call('GET', '/v1/applications?status=closed', { token })).body.items).toEqual([]);
    for (const query of ['limit=0', 'limit=101', 'status=done', 'cursor=bm9wZQ', 'unknown=1']) {
      const answer = await api.call('GET', `/v1/applications?${query}`, { token });
      expect(answer.status).toBe(400);
      expect(answer.body.issues[0].path).toMatch(/^query\./);
    }
  });

  test('another enterprise\'s application answers 404; an institution answers 403', async () => {
    const owner = await newEnterprise();
    const stranger = await newEnterprise();
    const { applicationId } = (await submit(owner.token)).body;
    const answer = await api.call('GET', `/v1/applications/${applicationId}`, { token: stranger.token });
    expect(answer).toEqual(expect.objectContaining({ status: 404, body: { error: 'not_found', message: expect.any(String) } }));
    expect(JSON.stringify(answer.body)).not.toContain(owner.uscc);
    expect((await api.call('GET', `/v1/applications/${applicationId}`, { token: stack.institutionToken(bank) })).status).toBe(403);
    expect((await api.call('GET', '/v1/applications', { token: stack.institutionToken(bank) })).status).toBe(403);
    expect((await api.call('GET', '/v1/applications/app-does-not-exist', { token: owner.token })).status).toBe(404);
  });
});

describe('a deal from proposal to close', () => {
  test('institution and enterprise take a deal to close, and each read right after shows the change', async () => {
    const { uscc, token } = await newEnterprise();
    const bankToken = stack.institutionToken(bank);
    const { applicationId } = (await submit(token, request, 'lifecycle')).body;

    // The institution sees the proposed deal in its inbox, with score, reasons, the profile and the request.
    const proposed = await dealOf(applicationId, bank, token);
    const { dealId } = proposed;
    const inbox = await eventually(async () => {
      const answer = await api.call('GET', '/v1/deals?status=proposed&limit=100', { token: bankToken });
      return answer.body.items.find((d: { dealId: string }) => d.dealId === dealId);
    });
    expect(inbox).toMatchObject({
      applicationId, institutionId: bank, productId: `${bank}-ip`, status: 'proposed',
      score: expect.any(Number), reasons: expect.arrayContaining([expect.objectContaining({ code: expect.any(String), message: expect.any(String) })]),
      enterprise: { uscc, name: profile().name, region: 'CN-XZ' }, request,
    });
    expect(inbox).not.toHaveProperty('enterpriseUscc');
    expect(inbox).not.toHaveProperty('lastSeq');

    // Other parties: another institution 404, an enterprise 403.
    expect((await api.call('GET', `/v1/deals/${dealId}`, { token: stack.institutionToken(otherBank) })).status).toBe(404);
    expect((await api.call('POST', `/v1/deals/${dealId}/decision`, { token: stack.institutionToken(otherBank), body: { action: 'express_interest' } })).status).toBe(404);
    expect((await api.call('GET', `/v1/deals/${dealId}`, { token })).status).toBe(403);
    expect((await api.call('POST', `/v1/deals/${dealId}/decision`, { token, body: { action: 'express_interest' } })).status).toBe(403);
    expect((await api.call('GET', `/v1/deals/${dealId}`, { token: ops })).body.status).toBe('proposed');

    const decide = (body: object) => api.call('POST', `/v1/deals/${dealId}/decision`, { token: bankToken, body });
    const readDeal = async () => (await api.call('GET', `/v1/deals/${dealId}`, { token: bankToken })).body;
    const readApplication = async () => (await api.call('GET', `/v1/applications/${applicationId}`, { token })).body;

    // An action the status does not allow, and a bad decision, change nothing.
    expect((await decide({ action: 'confirm_close' })).status).toBe(409);
    const bad = await decide({ action: 'issue_term_sheet', termSheet: { amountCny: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['termSheet.amountCny', 'termSheet.termMonths']));
    expect((await readDeal()).status).toBe('proposed');

    const interested = await decide({ action: 'express_interest', reason: 'fits our IP book' });
    expect(interested).toMatchObject({ status: 200, body: { dealId, status: 'interested' } });
    expect((await readDeal()).status).toBe('interested');

    const requested = await decide({ action: 'request_documents', documents: ['financial_statements', 'ip_certificates'] });
    expect(requested.body).toMatchObject({ status: 'documents_requested', documentsRequested: ['financial_statements', 'ip_certificates'] });
    expect((await readApplication()).deals.find((d: { dealId: string }) => d.dealId === dealId).status).toBe('documents_requested');

    // The enterprise answers with documents; another enterprise cannot, and a bad submission stores nothing.
    const documents = { dealId, documents: [{ kind: 'financial_statements', name: '2024 audited statements.pdf', sha256: sha256('a') }] };
    const stranger = await newEnterprise();
    expect((await api.call('POST', `/v1/applications/${applicationId}/documents`, { token: stranger.token, body: documents })).status).toBe(404);
    expect((await api.call('POST', `/v1/applications/${applicationId}/documents`, { token: bankToken, body: documents })).status).toBe(403);
    const badDocs = await api.call('POST', `/v1/applications/${applicationId}/documents`, { token, body: { dealId, documents: [{ kind: 'x', name: '', sha256: 'nope' }] } });
    expect(badDocs.status).toBe(400);
    expect((await readDeal()).status).toBe('documents_requested');
    const unknownDeal = await api.call('POST', `/v1/applications/${applicationId}/documents`, { token, body: { ...documents, dealId: `${applicationId}-d99` } });
    expect(unknownDeal.status).toBe(404);
    const submitted = await api.call('POST', `/v1/applications/${applicationId}/documents`, { token, body: documents });
    expect(submitted).toMatchObject({ status: 200, body: { dealId, status: 'under_review' } });
    expect((await readDeal()).status).toBe('under_review');

    const termSheet = {
      amountCny: 5_000_000, rateBps: 385, termMonths: 24, conditions: ['Pledge of patents ZL2020...'],
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    };
    const issued = await decide({ action: 'issue_term_sheet', termSheet });
    expect(issued).toMatchObject({ status: 200, body: { status: 'term_sheet_issued', termSheet } });
    const offered = await readApplication();
    expect(offered.status).toBe('offers_ready');
    expect(offered.deals.find((d: { dealId: string }) => d.dealId === dealId).termSheet).toEqual(termSheet);

    const accepted = await api.call('POST', `/v1/applications/${applicationId}/offers/${dealId}/accept`, { token });
    expect(accepted).toMatchObject({ status: 200, body: { dealId, status: 'selected' } });
    expect((await readApplication()).status).toBe('accepted');
    expect((await api.call('POST', `/v1/applications/${applicationId}/offers/${dealId}/accept`, { token })).status).toBe(409);

    const closed = await decide({ action: 'confirm_close' });
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
    const final = await readApplication();
    expect(final.status).toBe('closed');
    const types = final.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining([
      'application.submitted', 'application.screened', 'application.matched', 'deal.proposed', 'deal.interest_expressed',
      'deal.documents_requested', 'deal.documents_submitted', 'deal.term_sheet_issued', 'deal.selected', 'deal.closed', 'application.closed',
    ]));
    expect(final.timeline.map((e: { seq: number }) => e.seq)).toEqual(types.map((_: unknown, i: number) => i + 1));

    // The application has ended: further commands answer 409, not 500.
    await eventually(async () => {
      const answer = await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'too late' } });
      return answer.status === 409 ? answer : undefined;
    }, 15_000, 'a withdrawal of a closed application to answer 409');
    expect((await decide({ action: 'confirm_close' })).status).toBe(409);
  });

  test('an enterprise withdraws; its open deals are released; a second withdrawal answers 409', async () => {
    const { token } = await newEnterprise();
    const { applicationId } = (await submit(token)).body;
    const deal = await dealOf(applicationId, bank, token);
    const stranger = await newEnterprise();
    expect((await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token: stranger.token, body: { reason: 'x' } })).status).toBe(404);
    expect((await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: '' } })).status).toBe(400);
    const withdrawn = await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'Financed by a shareholder loan' } });
    expect(withdrawn).toMatchObject({ status: 200, body: { applicationId, status: 'withdrawn' } });
    expect(withdrawn.body).not.toHaveProperty('timeline');
    const read = (await api.call('GET', `/v1/applications/${applicationId}`, { token })).body;
    expect(read.status).toBe('withdrawn');
    expect(read.deals.find((d: { dealId: string }) => d.dealId === deal.dealId).status).toBe('not_selected');
    const again = await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'again' } });
    expect(again).toMatchObject({ status: 409, body: { error: 'conflict' } });
  });

  test('an institution\'s inbox pages and filters by status, and holds only its own deals', async () => {
    const pageBank = newInstitutionId();
    await api.call('PUT', `/v1/institutions/${pageBank}`, { token: ops, body: institution() });
    await api.call('PUT', `/v1/institutions/${pageBank}/products/${pageBank}-p`, { token: ops, body: product() });
    // Wait out the worker's catalogue cache so the new product is ranked.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const apps = [];
    for (let i = 0; i < 3; i += 1) {
      const { token } = await newEnterprise();
      apps.push({ token, applicationId: (await submit(token)).body.applicationId as string });
    }
    for (const { token, applicationId } of apps) await dealOf(applicationId, pageBank, token);
    const pageToken = stack.institutionToken(pageBank);
    const first = await api.call('GET', '/v1/deals?limit=2', { token: pageToken });
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', `/v1/deals?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: pageToken });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(all.every((d: { institutionId: string }) => d.institutionId === pageBank)).toBe(true);
    expect(new Set(all.map((d: { applicationId: string }) => d.applicationId))).toEqual(new Set(apps.map((a) => a.applicationId)));
    expect((await api.call('GET', '/v1/deals?status=closed', { token: pageToken })).body.items).toEqual([]);
    expect((await api.call('GET', '/v1/deals?status=nope', { token: pageToken })).status).toBe(400);
    expect((await api.call('GET', '/v1/deals', { token: apps[0]?.token })).status).toBe(403);
  });
});
