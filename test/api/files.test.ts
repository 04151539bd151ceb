import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createObjectStore, type ObjectStore } from '../../adapters/objectStore';
import { createKafka } from '../../adapters/kafka';
import { readApplicationEvents } from '../support/events';
import { docx, exe, jpeg, pdf, png, sha256Of, xlsx } from '../support/sampleFiles';
import { eventually, newInstitutionId, newUscc, product, profile, registerInstitutions, request, untilApplication, useApiStack } from './support';

// Documents are files (contract): upload, submission, listing and download over HTTP against the
// local object store, per role; the type and size refusals leave nothing behind; every download
// through a deal is a `deal.document_downloaded` event on the application's stream, read back
// from Kafka with the stream's seq gap-free.

jest.setTimeout(120_000);

const { stack, api } = useApiStack();
let objectStore: ObjectStore;
let bank: string;
let otherBank: string;

interface Party { uscc: string; token: string }
interface DealContext { enterprise: Party; applicationId: string; dealId: string }

async function newEnterprise(): Promise<Party> {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  return { uscc, token };
}

/** An application whose deal with `bank` asks for an audit report and financial statements. */
async function dealWithDocumentsRequested(): Promise<DealContext> {
  const enterprise = await newEnterprise();
  const submitted = await api.call('POST', '/v1/applications', { token: enterprise.token, body: request });
  expect(submitted.status).toBe(202);
  const { applicationId } = submitted.body;
  const deal = await untilApplication(api, enterprise.token, applicationId, (view) => view.deals?.find((d: { institutionId: string }) => d.institutionId === bank));
  const officer = stack.institutionToken(bank);
  expect((await api.call('POST', `/v1/deals/${deal.dealId}/decision`, { token: officer, body: { action: 'express_interest' } })).status).toBe(200);
  const asked = await api.call('POST', `/v1/deals/${deal.dealId}/decision`, { token: officer, body: { action: 'request_documents', documents: ['audit_report', 'financial_statements'] } });
  expect(asked.body.status).toBe('documents_requested');
  return { enterprise, applicationId, dealId: deal.dealId };
}

/** POST /v1/applications/:id/files with a body (a Buffer, or a stream sent chunked). */
async function upload(applicationId: string, token: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.baseUrl}/v1/applications/${applicationId}/files`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/pdf',
      'x-document-kind': 'audit_report',
      'x-file-name': encodeURIComponent('2025 审计报告.pdf'),
      ...headers,
    },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function download(path: string, token: string) {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

/** The objects stored for an application, and its file records. */
async function storedFor(applicationId: string): Promise<{ objects: number; records: number }> {
  const listed = await objectStore.client.send(new ListObjectsV2Command({ Bucket: objectStore.bucket, Prefix: `applications/${applicationId}/` }));
  return { objects: listed.KeyCount ?? 0, records: await stack.models.files.countDocuments({ applicationId }) };
}

beforeAll(async () => {
  objectStore = createObjectStore(stack.config.files);
  await objectStore.ensureBucket();
  bank = newInstitutionId();
  otherBank = newInstitutionId();
  await registerInstitutions(stack, api, [bank, otherBank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: stack.institutionToken(bank), body: product() })).status).toBe(200);
  // A second institution's deal keeps an application open when the first declines.
  expect((await api.call('PUT', `/v1/institutions/${otherBank}/products/${otherBank}-ip`, { token: stack.institutionToken(otherBank), body: product() })).status).toBe(200);
});

afterAll(() => objectStore?.close());

describe('uploading a file', () => {
  let context: DealContext;
  beforeAll(async () => {
    context = await dealWithDocumentsRequested();
  });

  test('the enterprise uploads a PDF: 201 with its id, type from content, size and SHA-256; the store holds only ciphertext', async () => {
    const file = pdf(300_000);
    const answer = await upload(context.applicationId, context.enterprise.token, file, { 'content-type': 'application/octet-stream' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      fileId: expect.stringMatching(/^file_[0-9a-f]{32}$/),
      kind: 'audit_report',
      name: '2025 审计报告.pdf',
      contentType: 'application/pdf',
      size: file.length,
      sha256: sha256Of(file),
    });
    const object = await objectStore.client.send(new GetObjectCommand({ Bucket: objectStore.bucket, Key: `applications/${context.applicationId}/${answer.body.fileId}` }));
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(stored.length).toBe(file.length);
    expect(stored.subarray(0, 5).toString('latin1')).not.toBe('%PDF-');
    expect(stored.equals(file)).toBe(false);
  });

  test.each([
    ['a PNG', png(), 'image/png'],
    ['a JPEG', jpeg(), 'image/jpeg'],
    ['a DOCX', docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['an XLSX', xlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ])('%s is recognised by its content', async (_name, file, contentType) => {
    const answer = await upload(context.applicationId, context.enterprise.token, file, { 'x-file-name': 'statement' });
    expect(answer.status).toBe(201);
    expect(answer.body.contentType).toBe(contentType);
  });

  test('a renamed .exe is refused with a clear 400, and nothing is stored', async () => {
    const before = await storedFor(context.applicationId);
    const answer = await upload(context.applicationId, context.enterprise.token, exe(), { 'x-file-name': 'audit.pdf' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('validation_failed');
    expect(answer.body.issues[0].message).toMatch(/application\/x-msdownload.*PDF, PNG, JPEG, DOCX and XLSX/);
    expect(await storedFor(context.applicationId)).toEqual(before);
  });

  test('an empty body and a file name or kind that is not valid are refused with 400', async () => {
    const before = await storedFor(context.applicationId);
    expect((await upload(context.applicationId, context.enterprise.token, Buffer.alloc(0))).status).toBe(400);
    const badKind = await upload(context.applicationId, context.enterprise.token, pdf(), { 'x-document-kind': 'selfie' });
    expect(badKind.status).toBe(400);
    expect(badKind.body.issues[0].path).toBe('headers.x-document-kind');
    expect((await upload(context.applicationId, context.enterprise.token, pdf(), { 'x-file-name': '%E0%A4%A' })).status).toBe(400);
    expect((await upload(context.applicationId, context.enterprise.token, pdf(), { 'x-file-name': encodeURIComponent('../etc/passwd') })).status).toBe(400);
    expect(await storedFor(context.applicationId)).toEqual(before);
  });

  test('a file over 20 MiB is refused with 413: at once when Content-Length says so, halfway when it is sent chunked; nothing stays', async () => {
    const before = await storedFor(context.applicationId);
    const declared = await upload(context.applicationId, context.enterprise.token, pdf(20 * 1024 * 1024 + 1));
    expect(declared.status).toBe(413);
    expect(declared.body.error).toBe('payload_too_large');
    // The same without Content-Length: 6 MiB parts have been sent to the store when the cap is crossed.
    const chunk = pdf(1024 * 1024);
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 21) controller.close();
        else controller.enqueue(new Uint8Array(chunk));
        sent += 1;
      },
    });
    const halfway = await upload(context.applicationId, context.enterprise.token, chunked);
    expect(halfway.status).toBe(413);
    expect(await storedFor(context.applicationId)).toEqual(before);
    // Exactly 20 MiB is accepted.
    expect((await upload(context.applicationId, context.enterprise.token, pdf(20 * 1024 * 1024))).status).toBe(201);
  });

  test('only the enterprise uploads to its own application: another enterprise 404, an institution and ops 403', async () => {
    const other = await newEnterprise();
    expect((await upload(context.applicationId, other.token, pdf())).status).toBe(404);
    expect((await upload(context.applicationId, stack.institutionToken(bank), pdf())).status).toBe(403);
    expect((await upload(context.applicationId, stack.opsToken(), pdf())).status).toBe(403);
    expect((await upload(context.applicationId, '', pdf())).status).toBe(401);
  });
});

describe('submitting, listing and downloading', () => {
  let context: DealContext;
  const audit = pdf(150_000);
  const statements = xlsx();
  let auditId: string;
  let statementsId: string;

  beforeAll(async () => {
    context = await dealWithDocumentsRequested();
    auditId = (await upload(context.applicationId, context.enterprise.token, audit)).body.fileId;
    statementsId = (await upload(context.applicationId, context.enterprise.token, statements, { 'x-document-kind': 'financial_statements', 'x-file-name': 'fs-2025.xlsx' })).body.fileId;
  });

  test('a file of another application cannot be submitted (400); the deal\'s own files can, by fileId', async () => {
    const other = await dealWithDocumentsRequested();
    const foreign = (await upload(other.applicationId, other.enterprise.token, pdf())).body.fileId;
    const refused = await api.call('POST', `/v1/applications/${context.applicationId}/documents`, {
      token: context.enterprise.token,
      body: { dealId: context.dealId, documents: [{ kind: 'audit_report', fileId: foreign }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.issues[0].path).toBe('documents.0.fileId');

    const submitted = await api.call('POST', `/v1/applications/${context.applicationId}/documents`, {
      token: context.enterprise.token,
      body: { dealId: context.dealId, documents: [{ kind: 'audit_report', fileId: auditId }, { kind: 'financial_statements', fileId: statementsId }] },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('under_review');
  });

  test('the institution lists the deal\'s files with their sizes; another institution 404, the enterprise 403', async () => {
    const listed = await api.call('GET', `/v1/deals/${context.dealId}/documents`, { token: stack.institutionToken(bank) });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(expect.arrayContaining([
      { fileId: auditId, kind: 'audit_report', name: '2025 审计报告.pdf', contentType: 'application/pdf', size: audit.length, sha256: sha256Of(audit), submittedAt: expect.any(String) },
      { fileId: statementsId, kind: 'financial_statements', name: 'fs-2025.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', size: statements.length, sha256: sha256Of(statements), submittedAt: expect.any(String) },
    ]));
    expect(listed.body.items).toHaveLength(2);
    expect((await api.call('GET', `/v1/deals/${context.dealId}/documents`, { token: stack.opsToken() })).body.items).toHaveLength(2);
    expect((await api.call('GET', `/v1/deals/${context.dealId}/documents`, { token: stack.institutionToken(otherBank) })).status).toBe(404);
    expect((await api.call('GET', `/v1/deals/${context.dealId}/documents`, { token: context.enterprise.token })).status).toBe(403);
  });

  test('the institution downloads a file: the bytes as uploaded, as an attachment; others get 404 or 403', async () => {
    const path = `/v1/deals/${context.dealId}/documents/${auditId}`;
    const got = await download(path, stack.institutionToken(bank));
    expect(got.status).toBe(200);
    expect(got.bytes.equals(audit)).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="2025 ____.pdf"; filename*=UTF-8''${encodeURIComponent('2025 审计报告.pdf')}`);
    expect(got.headers.get('cache-control')).toBe('private, no-store');
    expect((await download(path, stack.institutionToken(otherBank))).status).toBe(404);
    expect((await download(path, context.enterprise.token)).status).toBe(403);
    // A file that exists but was not submitted to this deal.
    const unsubmitted = (await upload(context.applicationId, context.enterprise.token, png())).body.fileId;
    expect((await download(`/v1/deals/${context.dealId}/documents/${unsubmitted}`, stack.institutionToken(bank))).status).toBe(404);
    expect((await download(`/v1/deals/${context.dealId}/documents/file_${'0'.repeat(32)}`, stack.institutionToken(bank))).status).toBe(404);
    expect((await download(`/v1/deals/${context.dealId}/documents/not-a-file`, stack.institutionToken(bank))).status).toBe(400);
  });

  test('the enterprise reads its own file; ops any; another enterprise 404, an institution 403', async () => {
    const path = `/v1/applications/${context.applicationId}/files/${statementsId}`;
    const own = await download(path, context.enterprise.token);
    expect(own.status).toBe(200);
    expect(own.bytes.equals(statements)).toBe(true);
    expect((await download(path, stack.opsToken())).bytes.equals(statements)).toBe(true);
    expect((await download(path, (await newEnterprise()).token)).status).toBe(404);
    expect((await download(path, stack.institutionToken(bank))).status).toBe(403);
  });

  test('each download through the deal is a deal.document_downloaded event in the enterprise\'s timeline, naming the institution or ops', async () => {
    expect((await download(`/v1/deals/${context.dealId}/documents/${statementsId}`, stack.opsToken())).status).toBe(200);
    const view = (await api.call('GET', `/v1/applications/${context.applicationId}`, { token: context.enterprise.token })).body;
    const downloads = view.timeline.filter((e: { type: string }) => e.type === 'deal.document_downloaded');
    expect(downloads.map((e: { data: unknown }) => e.data)).toEqual([
      { fileId: auditId, kind: 'audit_report', name: '2025 审计报告.pdf', by: { role: 'institution', sub: `officer@${bank}`, org: bank } },
      { fileId: statementsId, kind: 'financial_statements', name: 'fs-2025.xlsx', by: { role: 'ops', sub: 'ops-tester' } },
    ]);
  });

  test('a deal its institution declined gives it no further download (409)', async () => {
    const declined = await dealWithDocumentsRequested();
    const fileId = (await upload(declined.applicationId, declined.enterprise.token, pdf())).body.fileId;
    expect((await api.call('POST', `/v1/applications/${declined.applicationId}/documents`, {
      token: declined.enterprise.token, body: { dealId: declined.dealId, documents: [{ kind: 'audit_report', fileId }] },
    })).status).toBe(200);
    const officer = stack.institutionToken(bank);
    expect((await download(`/v1/deals/${declined.dealId}/documents/${fileId}`, officer)).status).toBe(200);
    expect((await api.call('POST', `/v1/deals/${declined.dealId}/decision`, { token: officer, body: { action: 'decline', reason: 'outside appetite' } })).status).toBe(200);
    const refused = await download(`/v1/deals/${declined.dealId}/documents/${fileId}`, officer);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.bytes.toString()).message).toMatch(/declined/);
  });

  test('after the application has ended, a download through the deal answers 409 (it could not be recorded)', async () => {
    expect((await api.call('POST', `/v1/applications/${context.applicationId}/withdraw`, { token: context.enterprise.token, body: { reason: 'financed elsewhere' } })).status).toBe(200);
    await untilApplication(api, context.enterprise.token, context.applicationId, (view) => (view.status === 'withdrawn' ? view : undefined));
    const late = await eventually(async () => {
      const answer = await download(`/v1/deals/${context.dealId}/documents/${auditId}`, stack.institutionToken(bank));
      return answer.status === 409 ? answer : undefined;
    }, 30_000, 'the download refused after withdrawal');
    expect(late.status).toBe(409);
    expect((await upload(context.applicationId, context.enterprise.token, pdf())).status).toBe(409);
  });

  test('the downloads are on Kafka with who and what, and the application\'s seq stays gap-free', async () => {
    const kafka = createKafka(stack.config, stack.logger, 'files-test-reader');
    const { events } = await readApplicationEvents(kafka, stack.config.kafka.topic, context.applicationId, 'application.withdrawn');
    const downloads = events.filter((e) => e.type === 'deal.document_downloaded');
    expect(downloads.map((e) => e.data)).toEqual([
      { fileId: auditId, kind: 'audit_report', name: '2025 审计报告.pdf', by: { role: 'institution', sub: `officer@${bank}`, org: bank } },
      { fileId: statementsId, kind: 'financial_statements', name: 'fs-2025.xlsx', by: { role: 'ops', sub: 'ops-tester' } },
    ]);
    for (const event of downloads) expect(event).toMatchObject({ dealId: context.dealId, institutionId: bank });
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_seq, i) => i + 1));
    expect(events.at(-1)?.type).toBe('application.withdrawn');
  });
});
