import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isApplicationOpen } from '../../../domain/applicationLifecycle';
import { ApplicationFileParams, ApplicationView, DealDocuments, DealFileParams, FileUploadHeaders, StoredFile, type DealDocument } from '../../../schemas';
import { ApplicationParams, DealParams, type Principal } from '../../../schemas/http';
import type { ObjectStore } from '../../../adapters/objectStore';
import { findStoredFile, type StoredFileRecord } from '../../../store/files';
import { recordDownloadUpdate } from '../../../workflows/messages';
import { allow, orgAs, principalOf } from '../auth';
import { runCommand } from '../commands';
import type { RouteContext } from '../context';
import { ApiError, conflict, errorResponses, notFound } from '../errors';
import { attachmentHeader, openStoredFile, storeUpload, tooLarge } from '../fileTransfer';
import { noReadCache, tag, tagsOfChange } from '../readCache';
import { findApplication, findDeal } from '../views';

// Documents are files (contract): the enterprise uploads a file to its application, submits it to
// a deal (POST /v1/applications/:id/documents with { kind, fileId }), and the deal's institution
// lists and downloads it. Every download through a deal is first recorded on the application's
// stream as `deal.document_downloaded`, through the workflow, so `seq` stays gap-free.

const FileBody = z.any().describe('The file itself (PDF, PNG, JPEG, DOCX or XLSX, at most 20 MiB), sent as the body');
const fileResponse = z.any().describe('The file: Content-Type, Content-Length and Content-Disposition set');

/** The file store is optional in ApiDeps (tests of other routes need none); its routes need it. */
function storeOf(objectStore: ObjectStore | undefined): ObjectStore {
  if (!objectStore) throw new ApiError(503, 'unavailable', 'the object store is not configured', { 'retry-after': '5' });
  return objectStore;
}

export const fileRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const { models, temporal, config } = deps;
  const cache = deps.readCache ?? noReadCache;
  const files = config.files;

  // The body of an upload is the file, whatever its Content-Type says: it reaches the handler as
  // the request stream, unparsed and unbuffered (this plugin's parsers only; the API's others stay).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  async function ownApplication(principal: Principal, applicationId: string) {
    const stored = await findApplication(models, applicationId);
    if (!stored || (principal.role !== 'ops' && orgAs(principal, 'enterprise') !== stored.enterpriseUscc)) {
      throw notFound(`application ${applicationId} not found`);
    }
    return stored;
  }

  async function visibleDeal(principal: Principal, dealId: string) {
    const deal = await cache.read(`deal:${dealId}`, [tag.deal(dealId)], () => findDeal(models, dealId), (doc) => doc.view.length);
    if (!deal || (principal.role !== 'ops' && orgAs(principal, 'institution') !== deal.institutionId)) throw notFound(`deal ${dealId} not found`);
    return deal;
  }

  /** The deal's submitted files, from the application's timeline (the record of what was submitted, and when). */
  async function submittedFiles(applicationId: string, dealId: string): Promise<DealDocument[]> {
    const application = await findApplication(models, applicationId);
    if (!application) return [];
    const view = JSON.parse(application.view) as ApplicationView;
    const submitted = new Map<string, { kind: DealDocument['kind']; submittedAt: string }>();
    for (const event of view.timeline) {
      if (event.type !== 'deal.documents_submitted' || event.dealId !== dealId) continue;
      for (const document of event.data.documents) {
        if (document.fileId !== undefined && !submitted.has(document.fileId)) submitted.set(document.fileId, { kind: document.kind, submittedAt: event.occurredAt });
      }
    }
    const records = await Promise.all([...submitted.keys()].map((fileId) => findStoredFile(models, fileId)));
    return records.filter((record): record is StoredFileRecord => record !== null).map((record) => ({
      fileId: record._id,
      kind: submitted.get(record._id)?.kind ?? record.kind,
      name: record.name,
      contentType: record.contentType,
      size: record.size,
      sha256: record.sha256,
      submittedAt: submitted.get(record._id)?.submittedAt ?? record.uploadedAt,
    }));
  }

  /**
   * The record's file, read from the store for this answer. The store's stream is destroyed when
   * the answer closes, however it ends (sent, failed before sending, the client gone): an unread
   * stream would hold one of the store client's connections for ever.
   */
  async function openFor(reply: FastifyReply, record: StoredFileRecord): Promise<{ stream: Readable; abort: () => void }> {
    const opened = await openStoredFile({ objectStore: storeOf(deps.objectStore), files }, record);
    if (reply.raw.destroyed) opened.abort();
    else reply.raw.once('close', opened.abort);
    return opened;
  }

  async function sendFile(reply: FastifyReply, record: StoredFileRecord, opened: { stream: Readable }): Promise<FastifyReply> {
    return reply
      .header('content-type', record.contentType)
      .header('content-length', String(record.size))
      .header('content-disposition', attachmentHeader(record.name))
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(opened.stream);
  }

  app.post('/applications/:id/files', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['documents'],
      summary: 'Upload a file for the application\'s due diligence',
      description: 'The body is the file (send its own Content-Type), with headers `X-Document-Kind` and `X-File-Name` '
        + '(URL-encoded). At most 20 MiB (413 beyond); PDF, PNG, JPEG, DOCX or XLSX, recognised by content, not by name '
        + 'or Content-Type (400 otherwise). The SHA-256 is computed while the file streams in; it is encrypted at rest. '
        + 'A file not submitted to a deal (POST /v1/applications/:id/documents with `{ kind, fileId }`) within 24 hours is removed.',
      params: ApplicationParams,
      headers: FileUploadHeaders,
      body: FileBody,
      response: { 201: StoredFile, 413: z.object({ error: z.string(), message: z.string() }).describe('The file is larger than 20 MiB'), ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const declared = request.headers['content-length'];
    if (declared !== undefined && declared > files.maxBytes) throw tooLarge(files.maxBytes);
    const application = await ownApplication(principal, request.params.id);
    if (!isApplicationOpen(application.status)) throw conflict(`application ${application._id} is ${application.status} and takes no more files`);
    const stored = await storeUpload({ models, objectStore: storeOf(deps.objectStore), files }, {
      applicationId: application._id,
      enterpriseUscc: application.enterpriseUscc,
      uploadedBy: principal.sub,
      kind: request.headers['x-document-kind'],
      name: request.headers['x-file-name'],
      body: request.body as Readable,
      ...(declared !== undefined ? { contentLength: declared } : {}),
    });
    request.log.info({ applicationId: application._id, fileId: stored.fileId, size: stored.size, contentType: stored.contentType }, 'file uploaded');
    return reply.code(201).send(stored);
  });

  app.get('/applications/:id/files/:fileId', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['documents'],
      summary: 'The enterprise\'s own file (ops: any)',
      params: ApplicationFileParams,
      response: { 200: fileResponse, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const application = await ownApplication(principalOf(request), request.params.id);
    const record = await findStoredFile(models, request.params.fileId);
    if (!record || record.applicationId !== application._id) throw notFound(`file ${request.params.fileId} not found`);
    return sendFile(reply, record, await openFor(reply, record));
  });

  app.get('/deals/:dealId/documents', {
    onRequest: allow('institution', 'ops'),
    schema: {
      tags: ['documents'],
      summary: 'The files submitted to this deal, with their sizes',
      params: DealParams,
      response: { 200: DealDocuments, ...errorResponses(404) },
    },
  }, async (request) => {
    const deal = await visibleDeal(principalOf(request), request.params.dealId);
    return { items: await submittedFiles(deal.applicationId, deal._id) };
  });

  app.get('/deals/:dealId/documents/:fileId', {
    onRequest: allow('institution', 'ops'),
    schema: {
      tags: ['documents'],
      summary: 'Download a file submitted to this deal; the download is recorded as deal.document_downloaded',
      description: 'Only files submitted to this deal (404 otherwise). The download is recorded on the application\'s '
        + 'stream before the first byte is sent; after the application has ended nothing can be recorded, so the '
        + 'download answers 409 (ops still read the file at GET /v1/applications/:id/files/:fileId).',
      params: DealFileParams,
      response: { 200: fileResponse, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const deal = await visibleDeal(principal, request.params.dealId);
    const record = await findStoredFile(models, request.params.fileId);
    if (!record || record.applicationId !== deal.applicationId) throw notFound(`file ${request.params.fileId} not found in deal ${deal._id}`);
    // The store answers first: a download that cannot be served is not recorded.
    const opened = await openFor(reply, record);
    try {
      await runCommand(temporal, deal.applicationId, recordDownloadUpdate, [{
        dealId: deal._id,
        fileId: record._id,
        by: { role: principal.role === 'ops' ? 'ops' : 'institution', sub: principal.sub, ...(principal.role === 'institution' ? { org: principal.org } : {}) },
      }], limits.commandTimeoutMs);
    } catch (error) {
      opened.abort();
      throw error;
    }
    cache.invalidate(tagsOfChange({ applicationId: deal.applicationId, enterpriseUscc: deal.enterpriseUscc, dealId: deal._id, institutionId: deal.institutionId }));
    request.log.info({ dealId: deal._id, fileId: record._id, by: principal.sub }, 'file downloaded');
    return sendFile(reply, record, opened);
  });
};
