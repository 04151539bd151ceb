import { newInstitutionId, newUscc, product, profile, registerInstitutions, request, tokenFor, untilApplication, useApiStack } from './support';

// The read cache in the API, with an age limit no test reaches: whatever a client sees change
// here, the event stream or the API's own commands made it visible, not an expiry.

jest.setTimeout(120_000);

const { stack, api } = useApiStack({ readCacheMaxAgeMs: 3_600_000 });
let bank: string;


beforeAll(async () => {
  bank = newInstitutionId();
  await registerInstitutions(stack, api, [bank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-cache`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
  await stack.cacheLive();
});

test('a polled application shows each step its workflow takes; the deal, the inbox and the profile show changes at once', async () => {
  const uscc = newUscc();
  const token = tokenFor(stack.config, { sub: `user@${uscc}`, role: 'enterprise', org: uscc });
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  const { applicationId } = (await api.call('POST', '/v1/applications', { token, body: request })).body;
  expect((await api.call('GET', `/v1/applications/${applicationId}`, { token })).body.status).toMatch(/^(submitted|screening|matching)$/);

  // Only events from the workflow can move the cached answer on.
  const deal = await untilApplication(api, token, applicationId,
    (view) => (view.status === 'in_due_diligence' ? view.deals.find((d: { institutionId: string }) => d.institutionId === bank) : undefined),
    30_000, 'the application in due diligence');
  expect(deal.status).toBe('proposed');

  // Nothing happens now until someone acts: repeated reads are answered from memory.
  const before = stack.cacheStats();
  for (let i = 0; i < 3; i += 1) expect((await api.call('GET', `/v1/applications/${applicationId}`, { token })).status).toBe(200);
  const inbox = await api.call('GET', '/v1/deals?status=proposed', { token: stack.institutionToken(bank) });
  await api.call('GET', '/v1/deals?status=proposed', { token: stack.institutionToken(bank) });
  expect(inbox.body.items.map((d: { dealId: string }) => d.dealId)).toContain(deal.dealId);
  expect(stack.cacheStats().hits - before.hits).toBeGreaterThanOrEqual(3);

  // A command through this API is visible to every reader right after it answers.
  const decided = await api.call('POST', `/v1/deals/${deal.dealId}/decision`, { token: stack.institutionToken(bank), body: { action: 'express_interest' } });
  expect(decided.status).toBe(200);
  expect((await api.call('GET', `/v1/deals/${deal.dealId}`, { token: stack.institutionToken(bank) })).body.status).toBe('interested');
  const application = await api.call('GET', `/v1/applications/${applicationId}`, { token });
  expect(application.body.deals.find((d: { dealId: string }) => d.dealId === deal.dealId).status).toBe('interested');
  const proposedInbox = await api.call('GET', '/v1/deals?status=proposed', { token: stack.institutionToken(bank) });
  expect(proposedInbox.body.items.map((d: { dealId: string }) => d.dealId)).not.toContain(deal.dealId);

  // So is a new profile, which no event reports.
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile({ name: '上海新名字精密制造有限公司' }) })).status).toBe(200);
  expect((await api.call('GET', `/v1/deals/${deal.dealId}`, { token: stack.institutionToken(bank) })).body.enterprise.name).toBe('上海新名字精密制造有限公司');
});
