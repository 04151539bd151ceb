import { startOwnObjectStore, type OwnObjectStore } from '../support/ownObjectStore';
import { pdf } from '../support/sampleFiles';
import { newInstitutionId, newUscc, product, profile, registerInstitutions, request, untilApplication, useApiStack } from '../api/support';
import { recordFault } from './support/results';

// The object store goes down (its own SeaweedFS, not the shared one): uploads and downloads answer
// 503 with Retry-After at once and leave no record behind; the rest of the API serves on; when the
// store is back, every file accepted before the outage reads back byte for byte, and uploads work.
// The refused 6 MiB upload is answered before its body is read; the reads after the restart reuse
// the client's keep-alive connections, its own among them (a stalled one hung them for 60 s, issue 15).

jest.setTimeout(240_000);

let store: OwnObjectStore;
// Before useApiStack's own hook: the stack's config points at this store.
beforeAll(async () => {
  store = await startOwnObjectStore();
  Object.assign(process.env, store.env);
});
afterAll(async () => {
  await store?.close();
  for (const key of Object.keys(store?.env ?? {})) delete process.env[key];
});
const { stack, api } = useApiStack({ worker: true });

async function upload(applicationId: string, token: string, body: Buffer) {
  const response = await fetch(`${api.baseUrl}/v1/applications/${applicationId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'x-document-kind': 'audit_report', 'x-file-name': 'audit.pdf' },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { fileId: string; error?: string } };
}

async function read(applicationId: string, fileId: string, token: string) {
  const response = await fetch(`${api.baseUrl}/v1/applications/${applicationId}/files/${fileId}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), bytes: Buffer.from(await response.arrayBuffer()) };
}

test('with the object store down, file requests answer 503 with Retry-After, nothing half-stored; after it returns, nothing accepted is lost', async () => {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  // A bank whose product matches, so the application stays open (in due diligence) and takes files.
  const bank = newInstitutionId();
  await registerInstitutions(stack, api, [bank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
  const { applicationId } = (await api.call('POST', '/v1/applications', { token, body: request })).body;
  await untilApplication(api, token, applicationId, (view) => (view.status === 'in_due_diligence' ? view : undefined));

  const before = Array.from({ length: 5 }, (_, i) => pdf(100_000 + i * 250_000));
  const accepted: { fileId: string; bytes: Buffer }[] = [];
  for (const bytes of before) {
    const answer = await upload(applicationId, token, bytes);
    expect(answer.status).toBe(201);
    accepted.push({ fileId: answer.body.fileId, bytes });
  }

  await store.stop();
  const records = await stack.models.files.countDocuments({ applicationId });
  let refused = 0;
  for (const bytes of [pdf(50_000), pdf(6 * 1024 * 1024)]) {
    const started = Date.now();
    const answer = await upload(applicationId, token, bytes);
    expect(answer.status).toBe(503);
    expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    expect(answer.body.error).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(20_000);
    refused += 1;
  }
  const down = await read(applicationId, accepted[0]!.fileId, token);
  expect(down.status).toBe(503);
  expect(Number(down.retryAfter)).toBeGreaterThan(0);
  refused += 1;
  // No record of a refused upload stays, and the rest of the API answers as before.
  expect(await stack.models.files.countDocuments({ applicationId })).toBe(records);
  expect((await api.call('GET', `/v1/applications/${applicationId}`, { token })).status).toBe(200);

  await store.start();
  // A store that has just started may answer 503 a little longer (its volume server registers with
  // its master); every accepted file must read back once it answers.
  let readBack = 0;
  for (const file of accepted) {
    let answer = await read(applicationId, file.fileId, token);
    for (let i = 0; i < 30 && answer.status === 503; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      answer = await read(applicationId, file.fileId, token);
    }
    expect(answer.status).toBe(200);
    if (answer.bytes.equals(file.bytes)) readBack += 1;
  }
  expect(readBack).toBe(accepted.length);
  expect((await upload(applicationId, token, pdf())).status).toBe(201);

  recordFault({ fault: 'object-store-stop', load: accepted.length + refused + 1, accepted: accepted.length, completed: readBack, lost: accepted.length - readBack, duplicated: 0 });
});
