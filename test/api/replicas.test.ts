import { WorkflowNotFoundError } from '@temporalio/client';
import { createTemporalClient } from '../../adapters/temporal';
import { createReadCache, READ_CACHE_DEFAULTS } from '../../services/api/readCache';
import { claimSubmission } from '../../store/idempotency';
import { storeSubmittedApplication } from '../../store/readModels';
import { applicationWorkflowId } from '../../workflows/messages';
import { newInstitutionId, newUscc, product, profile, registerInstitutions, request, startAppWith, untilApplication, useApiStack, type Api } from './support';

// More than one API replica on one store: read-your-writes for the party that acted, whichever
// replica answers, and an Idempotency-Key that outlives the workflow it started.

jest.setTimeout(120_000);

const { stack, api } = useApiStack({ readCacheMaxAgeMs: 3_600_000 });
let bank: string;
/** A second replica whose feed is live but slow: nothing it cached is dropped by an event. */
let laggingReplica: Api;

beforeAll(async () => {
  bank = newInstitutionId();
  await registerInstitutions(stack, api, [bank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-replicas`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
  const silentFeed = { subscribe: () => ({ replay: { entries: [], resumed: false }, unsubscribe: () => undefined }), connectionId: () => 1 };
  laggingReplica = await startAppWith(stack, { readCache: createReadCache({ feed: silentFeed, ...READ_CACHE_DEFAULTS, maxAgeMs: 3_600_000 }) });
});
afterAll(async () => laggingReplica?.close());

async function newEnterprise(): Promise<{ uscc: string; token: string }> {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  return { uscc, token };
}

test('a command on one replica is seen by a read on another that sends back its X-Dealflow-Seq', async () => {
  const { token } = await newEnterprise();
  const { applicationId } = (await api.call('POST', '/v1/applications', { token, body: request })).body;
  const deal = await untilApplication(api, token, applicationId,
    (view) => (view.status === 'in_due_diligence' ? view.deals.find((d: { institutionId: string }) => d.institutionId === bank) : undefined),
    30_000, 'the application in due diligence');
  const officer = stack.institutionToken(bank);
  // The other replica has the application and the deal cached from before the commands.
  expect((await laggingReplica.call('GET', `/v1/applications/${applicationId}`, { token })).body.status).toBe('in_due_diligence');
  expect((await laggingReplica.call('GET', `/v1/deals/${deal.dealId}`, { token: officer })).body.status).toBe('proposed');

  const decided = await api.call('POST', `/v1/deals/${deal.dealId}/decision`, { token: officer, body: { action: 'express_interest' } });
  expect(decided.status).toBe(200);
  const decidedSeq = decided.headers.get('x-dealflow-seq') as string;
  expect(Number(decidedSeq)).toBeGreaterThan(0);
  const withdrawn = await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'Financed elsewhere' } });
  expect(withdrawn.status).toBe(200);
  const withdrawnSeq = withdrawn.headers.get('x-dealflow-seq') as string;
  expect(Number(withdrawnSeq)).toBeGreaterThan(Number(decidedSeq));

  // Without the token the lagging replica may answer what it cached; with it, each party sees what it did.
  const dealRead = await laggingReplica.call('GET', `/v1/deals/${deal.dealId}`, { token: officer, headers: { 'x-dealflow-min-seq': decidedSeq } });
  expect(dealRead.body.status).not.toBe('proposed');
  const applicationRead = await laggingReplica.call('GET', `/v1/applications/${applicationId}`, { token, headers: { 'x-dealflow-min-seq': withdrawnSeq } });
  expect(applicationRead.body.status).toBe('withdrawn');
  const listed = await laggingReplica.call('GET', '/v1/applications', { token, headers: { 'x-dealflow-min-seq': withdrawnSeq } });
  expect(listed.body.items.map((a: { applicationId: string; status: string }) => [a.applicationId, a.status])).toEqual([[applicationId, 'withdrawn']]);
  expect((await laggingReplica.call('GET', `/v1/applications/${applicationId}`, { token, headers: { 'x-dealflow-min-seq': 'soon' } })).status).toBe(400);
});

test('the OpenAPI document describes the consistency token', async () => {
  const openapi = (await api.call('GET', '/docs/json')).body;
  expect(openapi.info.description).toContain('X-Dealflow-Seq');
  const parameters = openapi.paths['/v1/applications/{id}'].get.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`);
  expect(parameters).toContain('header:x-dealflow-min-seq');
});

test('a repeated Idempotency-Key answers its application after Temporal dropped the workflow, and starts nothing', async () => {
  const { uscc, token } = await newEnterprise();
  // As a submission of long ago left it: the key and the read model, and no workflow (past the namespace's retention).
  const claimed = await claimSubmission(stack.models, uscc, 'order-old', request, new Date('2026-01-05T00:00:00Z'));
  await storeSubmittedApplication(stack.models, {
    applicationId: claimed.applicationId, enterpriseUscc: uscc, status: 'closed', request,
    screening: null, region: null, offerDeadline: null, createdAt: claimed.submittedAt, updatedAt: claimed.submittedAt,
  });

  const again = await api.call('POST', '/v1/applications', { token, body: request, headers: { 'idempotency-key': 'order-old' } });
  expect(again).toMatchObject({ status: 200, body: { applicationId: claimed.applicationId, status: 'closed' } });

  const temporal = await createTemporalClient(stack.config);
  try {
    await expect(temporal.client.workflow.getHandle(applicationWorkflowId(claimed.applicationId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  } finally {
    await temporal.close();
  }
});
