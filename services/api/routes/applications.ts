import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ApplicationAccepted,
  ApplicationRequest,
  ApplicationView,
  DealView,
  DocumentSubmission,
  listOf,
  WithdrawRequest,
} from '../../../schemas';
import {
  ApplicationListQuery,
  ApplicationParams,
  ApplicationSummary,
  CommandPending,
  IdempotencyHeaders,
  OfferParams,
  type Principal,
} from '../../../schemas/http';
import { acceptOfferUpdate, submitDocumentsUpdate, withdrawUpdate } from '../../../workflows/application';
import { startApplication } from '../../pipeline';
import { listKey } from '../../store/lists';
import { storeSubmittedApplication, type ApplicationDoc } from '../../store/readModels';
import { allow, orgAs, principalOf } from '../auth';
import { runCommand, withTimeout } from '../commands';
import type { RouteContext } from '../context';
import { errorResponses, notFound } from '../errors';
import { claimSubmission } from '../idempotency';
import { noReadCache, tag, tagsOfChange } from '../readCache';
import { findApplication, listJson, listPage, sendJson } from '../views';

const STILL_APPLYING = 'The command was taken and is still being applied; read the application again shortly.';

export const applicationRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const { models, temporal, config } = deps;
  const cache = deps.readCache ?? noReadCache;

  /** The application if the caller may see it; another party's answers 404 like a missing one. */
  async function visibleApplication(principal: Principal, applicationId: string): Promise<ApplicationDoc> {
    const stored = await cache.read(`application:${applicationId}`, [tag.application(applicationId)], () => findApplication(models, applicationId), (doc) => doc.view.length);
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
        + 'application (also after an API restart); the same key with another body answers 409. Keys are per enterprise.',
      headers: IdempotencyHeaders,
      body: ApplicationRequest,
      response: {
        200: ApplicationAccepted.describe('The application this Idempotency-Key already created, with its current status'),
        202: ApplicationAccepted.describe('Taken; screening and matching run in the background'),
        ...errorResponses(409),
      },
    },
  }, async (request, reply) => {
    const uscc = orgAs(principalOf(request), 'enterprise') as string;
    const submission = await claimSubmission(models, uscc, request.headers['idempotency-key'], request.body, new Date());
    const { applicationId, submittedAt } = submission;
    const log = request.log.child({ applicationId });
    try {
      // Started on every repeat too: the first attempt may have claimed the key and then failed to start.
      await withTimeout(startApplication(temporal, config.temporal.taskQueue, {
        applicationId,
        enterpriseUscc: uscc,
        request: request.body,
        submittedAt,
        ...(deps.settings ? { settings: deps.settings } : {}),
      }), limits.commandTimeoutMs, 'temporal', 'starting the application workflow');
    } catch (error) {
      // The workflow of this key ran and ended already: nothing to start.
      if (!(submission.repeat && error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    // After the start, so a failed start leaves no orphan; the workflow's own writes (seq >= 1) win over this one.
    await storeSubmittedApplication(models, {
      applicationId,
      enterpriseUscc: uscc,
      status: 'submitted',
      request: request.body,
      screening: null,
      region: null,
      offerDeadline: null,
      createdAt: submittedAt,
      updatedAt: submittedAt,
    });
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc: uscc }));
    if (!submission.repeat) {
      log.info({ enterpriseUscc: uscc }, 'application submitted');
      return reply.code(202).send({ applicationId, status: 'submitted' });
    }
    const current = await findApplication(models, applicationId);
    log.info({ enterpriseUscc: uscc }, 'application submission repeated');
    return reply.code(200).send({ applicationId, status: current?.status ?? 'submitted' });
  });

  app.get('/applications', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['applications'],
      summary: 'List applications: an enterprise its own, ops all',
      querystring: ApplicationListQuery,
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
    }, (text) => text.length);
    return sendJson(reply, json);
  });

  app.get('/applications/:id', {
    onRequest: allow('enterprise', 'ops'),
    schema: {
      tags: ['applications'],
      summary: 'An application with its timeline and deals',
      params: ApplicationParams,
      response: { 200: ApplicationView, ...errorResponses(404) },
    },
  }, async (request, reply) => sendJson(reply, (await visibleApplication(principalOf(request), request.params.id)).view));

  app.post('/applications/:id/documents', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['applications'],
      summary: 'Submit the documents a deal\'s institution requested',
      params: ApplicationParams,
      body: DocumentSubmission,
      response: { 200: DealView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const { _id: applicationId, enterpriseUscc } = await visibleApplication(principalOf(request), request.params.id);
    const outcome = await runCommand(temporal, applicationId, submitDocumentsUpdate, [request.body], limits.commandTimeoutMs);
    cache.invalidate(tagsOfChange({ applicationId, enterpriseUscc, dealId: request.body.dealId }));
    if (!outcome.applied) return reply.code(202).send({ status: 'accepted', applied: false, message: STILL_APPLYING });
    if (!outcome.result.deal) throw new Error('submitDocuments answered without its deal');
    return reply.code(200).send(outcome.result.deal);
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
    return reply.code(200).send(outcome.result.deal);
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
    return reply.code(200).send(outcome.result.application);
  });
};
