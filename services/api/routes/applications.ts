import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ApplicationAccepted,
  ApplicationExplanation,
  ApplicationSubmission,
  ApplicationView,
  DealView,
  DocumentSubmissionBody,
  listOf,
  type SubmittedDocument,
  WithdrawRequest,
} from '../../../schemas';
import {
  ApplicationListQuery,
  ApplicationParams,
  ApplicationSummary,
  CommandPending,
  ConsistencyHeaders,
  IdempotencyHeaders,
  OfferParams,
  type Principal,
} from '../../../schemas/http';
import { acceptOfferUpdate, submitDocumentsUpdate, withdrawUpdate } from '../../../workflows/messages';
import { submitApplication, type SourceMeeting } from '../../pipeline';
import { loadExplanation } from '../../../store/explanations';
import { findStoredFile } from '../../../store/files';
import { meetingFollowUpFor } from '../../../store/forumMeetings';
import type { Models } from '../../../store/models';
import type { ApplicationDoc } from '../../../store/readModels';
import { listKey } from '../../../store/lists';
import { allow, orgAs, principalOf } from '../auth';
import { runCommand } from '../commands';
import type { RouteContext } from '../context';
import { errorResponses, InvalidInput, notFound } from '../errors';
import { answerSeq, anyCached, atLeast } from '../consistency';
import { noReadCache, tag, tagsOfChange } from '../readCache';
import { findApplication, listJson, listPage, sendJson } from '../views';

const STILL_APPLYING = 'The command was taken and is still being applied; read the application again shortly.';

/** The meeting an application says it follows up, checked: the enterprise's own, with the outcome `followUp: "apply"`. */
async function checkedSource(models: Models, uscc: string, source: ApplicationSubmission['source']): Promise<SourceMeeting | undefined> {
  if (source === undefined) return undefined;
  const meeting = await meetingFollowUpFor(models, uscc, source);
  if (meeting === null) {
    throw new InvalidInput([{ path: 'source.meetingId', message: `meeting ${source.meetingId} of forum ${source.forumId} is not one of your meetings` }]);
  }
  if (meeting.followUp !== 'apply') {
    throw new InvalidInput([{ path: 'source.meetingId', message: `meeting ${source.meetingId} has no outcome with followUp "apply"` }]);
  }
  return { ...source, institutionId: meeting.institutionId };
}

/** Each `{ kind, fileId }` as the stored file's name and hash; a file of another application is bad input. */
async function resolveFiles(models: Models, applicationId: string, documents: DocumentSubmissionBody['documents']): Promise<SubmittedDocument[]> {
  const issues: { path: string; message: string }[] = [];
  const resolved = await Promise.all(documents.map(async (document, i): Promise<SubmittedDocument> => {
    if (!('fileId' in document)) return document;
    const file = await findStoredFile(models, document.fileId);
    if (!file || file.applicationId !== applicationId) {
      issues.push({ path: `documents.${i}.fileId`, message: `file ${document.fileId} was not uploaded to application ${applicationId}` });
      return { kind: document.kind, name: '-', sha256: '0'.repeat(64) };
    }
    return { kind: document.kind, name: file.name, sha256: file.sha256, fileId: file._id };
  }));
  if (issues.length > 0) throw new InvalidInput(issues);
  return resolved;
}

export const applicationRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const { models, temporal, config } = deps;
  const cache = deps.readCache ?? noReadCache;

  /** The application if the caller may see it; another party's answers 404 like a missing one. */
  async function visibleApplication(principal: Principal, applicationId: string, minSeq?: number): Promise<ApplicationDoc> {
    const stored = await cache.read(`application:${applicationId}`, [tag.application(applicationId)], () => findApplication(models, applicationId), (doc) => doc.view.length, atLeast(minSeq));
    if (!stored) throw notFound(`application ${applicationId} not found`);
    if (principal.role !== 'ops' && orgAs(principal, 'enterprise') !== stored.enterpriseUscc) {
      throw notFound(`application ${applicationId} not found`);
    }
    return stored;
  }

  app.post('/applications', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['applications'],
      summary: 'Apply for financing',
      description: 'With an `Idempotency-Key` header, repeating the request with the same body answers 200 with the same '
        + 'application (also after an API restart); the same key with another body answers 409. Keys are per enterprise. '
        + '`source` names the forum meeting (the enterprise\'s own, with the outcome `followUp: "apply"`) the application '
        + 'follows up: the best eligible product of that meeting\'s institution is proposed first.',
      headers: IdempotencyHeaders,
      body: ApplicationSubmission,
      response: {
        200: ApplicationAccepted.describe('The application this Idempotency-Key already created, with its current status'),
        202: ApplicationAccepted.describe('Taken; screening and matching run in the background'),
        ...errorResponses(409),
      },
    },
  }, async (request, reply) => {
    const enterpriseUscc = orgAs(principalOf(request), 'enterprise') as string;
    const { source: named, ...financing } = request.body;
    const source = await checkedSource(models, enterpriseUscc, named);
    const submitted = await submitApplication(
      { temporal, models, taskQueue: config.temporal.taskQueue, startTimeoutMs: limits.commandTimeoutMs, ...(deps.settings ? { settings: deps.settings } : {}) },
      { enterpriseUscc, idempotencyKey: request.headers['idempotency-key'], request: financing, ...(source ? { source } : {}), now: new Date() },
    );
    const { applicationId, status, repeat } = submitted;
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc }));
    request.log.info({ applicationId, enterpriseUscc, repeat }, repeat ? 'application submission repeated' : 'application submitted');
    return reply.code(repeat ? 200 : 202).send({ applicationId, status });
  });

  app.get('/applications', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['applications'],
      summary: 'List applications: an enterprise its own, ops all',
      querystring: ApplicationListQuery,
      headers: ConsistencyHeaders,
      response: { 200: listOf(ApplicationView), ...errorResponses() },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { status, limit, cursor } = request.query;
    const list = principal.role === 'enterprise' ? listKey.applicationsOf(principal.org) : listKey.allApplications;
    const scope = principal.role === 'enterprise' ? tag.enterpriseApplications(principal.org) : tag.allApplications;
    const json = await cache.read(`${scope}|${status ?? ''}|${limit}|${cursor ?? ''}`, [scope], async () => {
      const { docs, nextCursor } = await listPage<ApplicationDoc>(models, list, models.applications, { limit, cursor, status });
      return listJson(docs.map((doc) => doc.view), nextCursor);
    }, (text) => text.length, anyCached(request.headers['x-dealflow-min-seq']));
    return sendJson(reply, json);
  });

  app.get('/applications/:id', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['applications'],
      summary: 'An application with its timeline and deals',
      params: ApplicationParams,
      headers: ConsistencyHeaders,
      response: { 200: ApplicationView, ...errorResponses(404) },
    },
  }, async (request, reply) => sendJson(reply, (await visibleApplication(principalOf(request), request.params.id, request.headers['x-dealflow-min-seq'])).view));

  app.get('/applications/:id/explanation', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['applications'],
      summary: 'Why these institutions, why not others: each ranked and each closely excluded product with its score, reasons and outcome',
      description: 'Answered from what was pinned when the application was ranked (`rulesVersion`, `rankedAt`); the outcomes '
        + 'follow the application\'s deals. 404 before the application is ranked (screening rejected it, or it is still screened).',
      params: ApplicationParams,
      headers: ConsistencyHeaders,
      response: { 200: ApplicationExplanation, ...errorResponses(404) },
    },
  }, async (request) => {
    const stored = await visibleApplication(principalOf(request), request.params.id, request.headers['x-dealflow-min-seq']);
    const explanation = await loadExplanation(models, JSON.parse(stored.view) as ApplicationView);
    if (!explanation) throw notFound(`application ${request.params.id} has not been ranked`);
    return explanation;
  });

  app.post('/applications/:id/documents', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['applications'],
      summary: 'Submit the documents a deal\'s institution requested',
      params: ApplicationParams,
      description: 'Each document is `{ kind, name, sha256 }` or `{ kind, fileId }`, a file this application uploaded '
        + '(POST /v1/applications/:id/files): its name and SHA-256 are taken from the stored file.',
      body: DocumentSubmissionBody,
      response: { 200: DealView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { _id: applicationId, enterpriseUscc } = await visibleApplication(principalOf(request), request.params.id);
    const documents = await resolveFiles(models, applicationId, request.body.documents);
    const outcome = await runCommand(temporal, applicationId, submitDocumentsUpdate, [{ dealId: request.body.dealId, documents }], limits.commandTimeoutMs);
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc, dealId: request.body.dealId }));
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    if (!outcome.result.deal) throw new Error('submitDocuments answered without its deal');
    return answerSeq(reply.code(200), outcome.result.seq).send(outcome.result.deal);
  });

  app.post('/applications/:id/offers/:dealId/accept', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['applications'],
      summary: 'Accept one term sheet; the application\'s other open deals become not_selected',
      params: OfferParams,
      response: { 200: DealView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { _id: applicationId, enterpriseUscc } = await visibleApplication(principalOf(request), request.params.id);
    const outcome = await runCommand(temporal, applicationId, acceptOfferUpdate, [{ dealId: request.params.dealId }], limits.commandTimeoutMs);
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc, dealId: request.params.dealId }));
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    if (!outcome.result.deal) throw new Error('acceptOffer answered without its deal');
    return answerSeq(reply.code(200), outcome.result.seq).send(outcome.result.deal);
  });

  app.post('/applications/:id/withdraw', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['applications'],
      summary: 'Withdraw an open application; its open deals are released',
      params: ApplicationParams,
      body: WithdrawRequest,
      response: { 200: ApplicationSummary, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { _id: applicationId, enterpriseUscc } = await visibleApplication(principalOf(request), request.params.id);
    const outcome = await runCommand(temporal, applicationId, withdrawUpdate, [request.body], limits.commandTimeoutMs);
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc }));
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    return answerSeq(reply.code(200), outcome.result.seq).send(outcome.result.application);
  });
};
