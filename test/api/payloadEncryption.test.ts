import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, payloadToJson } from '../../adapters/payloadCodec';
import { applicationWorkflowId } from '../../workflows/messages';
import { eventually, newInstitutionId, newUscc, product, profile, registerInstitutions, request, sha256, startAppWith, useApiStack } from './support';
import { uniqueSuffix } from '../support/stack';

// Payloads are encrypted on the way into Temporal: the history read without the codec shows no
// purpose or profile, with the codec it opens; the ops-only codec endpoint opens it for the
// Temporal UI and CLI.

jest.setTimeout(120_000);

const { stack, api } = useApiStack();
const UI_ORIGIN = 'http://127.0.0.1:8233';

let raw: { client: Client; connection: Connection };
let bank: string;
beforeAll(async () => {
  // The catalogue goes in before any application, so the worker's cached catalogue has it.
  bank = newInstitutionId();
  await registerInstitutions(stack, api, [bank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
  const connection = await Connection.connect({ address: stack.config.temporal.address });
  // No data converter: what Temporal itself stores.
  raw = { connection, client: new Client({ connection, namespace: stack.config.temporal.namespace }) };
});
afterAll(async () => {
  await raw?.connection.close();
});

/** Every payload (`metadata` and `data`) anywhere in a history. */
function payloadsIn(node: unknown, found: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return found;
  const candidate = node as { metadata?: unknown; data?: unknown };
  if (candidate.metadata && typeof candidate.metadata === 'object' && ArrayBuffer.isView(candidate.data)) {
    found.push(candidate as Payload);
    return found;
  }
  for (const value of Object.values(node)) payloadsIn(value, found);
  return found;
}

/** Submits an application with a purpose and a company name no other run uses; resolves its raw history once the worker loaded the profile. */
async function submitted(): Promise<{ purpose: string; name: string; history: temporal.api.history.v1.IHistory; input: Payload[] }> {
  const uscc = newUscc();
  const name = `Sealed Sensors ${uniqueSuffix()}`;
  const purpose = `Confidential expansion plan ${uniqueSuffix()}`;
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile({ name }) })).status).toBe(200);
  const answer = await api.call('POST', '/v1/applications', { token, body: { ...request, purpose } });
  expect(answer.status).toBe(202);
  const handle = raw.client.workflow.getHandle(applicationWorkflowId(answer.body.applicationId));
  // Past the first activity results, which carry the profile.
  const history = await eventually(async () => {
    const h = await handle.fetchHistory();
    return (h.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length >= 1 ? h : undefined;
  }, 60_000, 'the first completed activity');
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads as Payload[];
  return { purpose, name, history, input };
}

test('the history holds no purpose or profile in clear; the codec opens it', async () => {
  const { purpose, name, history, input } = await submitted();
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
  expect(bytes).not.toContain(purpose);
  expect(bytes).not.toContain(name);
  expect(bytes).toContain(ENCRYPTED_ENCODING);

  const [opened] = await new AesGcmPayloadCodec(stack.config.payloadKeys).decode(input) as [Payload];
  expect(defaultPayloadConverter.fromPayload(opened)).toMatchObject({ request: { purpose } });
});

test('a term sheet sent to the workflow is sealed in the history and opens with the codec', async () => {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  const bankToken = stack.institutionToken(bank);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  const { applicationId } = (await api.call('POST', '/v1/applications', { token, body: request })).body;
  const deal = await eventually(async () => {
    const answer = await api.call('GET', `/v1/applications/${applicationId}`, { token });
    return answer.body?.deals?.find((d: { institutionId: string }) => d.institutionId === bank);
  }, 30_000, 'the deal with the bank');
  const decide = (body: object) => api.call('POST', `/v1/deals/${deal.dealId}/decision`, { token: bankToken, body });
  expect((await decide({ action: 'express_interest' })).status).toBe(200);
  expect((await decide({ action: 'request_documents', documents: ['financial_statements'] })).status).toBe(200);
  const documents = { dealId: deal.dealId, documents: [{ kind: 'financial_statements', name: 'statements.pdf', sha256: sha256('b') }] };
  expect((await api.call('POST', `/v1/applications/${applicationId}/documents`, { token, body: documents })).status).toBe(200);
  const covenant = `Covenant kept secret ${uniqueSuffix()}`;
  const termSheet = { amountCny: 4_000_000, rateBps: 415, termMonths: 24, conditions: [covenant], expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() };
  expect((await decide({ action: 'issue_term_sheet', termSheet })).status).toBe(200);

  const history = await raw.client.workflow.getHandle(applicationWorkflowId(applicationId)).fetchHistory();
  expect(Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1')).not.toContain(covenant);
  const opened = await new AesGcmPayloadCodec(stack.config.payloadKeys).decode(payloadsIn(history));
  expect(opened.some((payload) => Buffer.from(payload.data ?? []).toString('utf8').includes(covenant))).toBe(true);
});

test('the codec endpoint decodes and encodes for ops only, with CORS for the Temporal UI\'s origin', async () => {
  const { purpose, input } = await submitted();
  const body = { payloads: input.map(payloadToJson) };

  expect((await api.call('POST', '/v1/ops/codec/decode', { body })).status).toBe(401);
  expect((await api.call('POST', '/v1/ops/codec/decode', { body, token: stack.enterpriseToken(newUscc()) })).status).toBe(403);
  const decoded = await api.call('POST', '/v1/ops/codec/decode', { body, token: stack.opsToken() });
  expect(decoded.status).toBe(200);
  expect(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8')).toContain(purpose);

  const encoded = await api.call('POST', '/v1/ops/codec/encode', { body: decoded.body, token: stack.opsToken() });
  expect(encoded.status).toBe(200);
  expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('latin1')).not.toContain(purpose);

  const forged = { payloads: [{ ...body.payloads[0], metadata: { ...body.payloads[0]?.metadata, 'encryption-key-id': Buffer.from('retired-long-ago').toString('base64') } }] };
  const refused = await api.call('POST', '/v1/ops/codec/decode', { body: forged, token: stack.opsToken() });
  expect(refused).toMatchObject({ status: 400, body: { error: 'undecodable_payload' } });

  const withUi = await startAppWith(stack, { config: { ...stack.config, codecCorsOrigins: [UI_ORIGIN] } });
  try {
    const preflight = (origin: string, path = '/v1/ops/codec/decode') => fetch(`${withUi.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Only the codec answers other origins: the rest of the API stays same-origin.
    expect((await preflight(UI_ORIGIN, '/v1/applications')).headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await withUi.close();
  }
});
