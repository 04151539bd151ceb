import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DealDecision, DealListQuery, DealView, listOf } from '../../../schemas';
import { CommandPending, ConsistencyHeaders, DealParams, type Principal } from '../../../schemas/http';
import { decideUpdate } from '../../../workflows/messages';
import { allow, orgAs, principalOf } from '../auth';
import { runCommand } from '../commands';
import type { RouteContext } from '../context';
import { errorResponses, notFound } from '../errors';
import { answerSeq, anyCached, atLeast } from '../consistency';
import { noReadCache, tag, tagsOfChange } from '../readCache';
import { listKey } from '../../../store/lists';
import type { DealDoc } from '../../../store/readModels';
import { dealsWithProfiles, decidedDealJson, findDeal, listJson, listPage, requestOf, sendJson } from '../views';

export const dealRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const { models, temporal, logger } = deps;
  const cache = deps.readCache ?? noReadCache;

  /** The deal if the caller may see it; another institution's answers 404 like a missing one. */
  async function visibleDeal(principal: Principal, dealId: string, minSeq?: number): Promise<DealDoc> {
    const deal = await cache.read(`deal:${dealId}`, [tag.deal(dealId)], () => findDeal(models, dealId), (doc) => doc.view.length, atLeast(minSeq));
    if (!deal || (principal.role !== 'ops' && orgAs(principal, 'institution') !== deal.institutionId)) {
      throw notFound(`deal ${dealId} not found`);
    }
    return deal;
  }

  app.get('/deals', {
    onRequest: allow('institution', 'ops'),
    schema: {
      tags: ['deals'],
      summary: 'The inbox: an institution\'s deals (ops: all), with the enterprise\'s profile and request',
      querystring: DealListQuery,
      headers: ConsistencyHeaders,
      response: { 200: listOf(DealView), ...errorResponses() },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { status, limit, cursor } = request.query;
    const list = principal.role === 'institution' ? listKey.inbox(principal.org) : listKey.allDeals;
    const scope = principal.role === 'institution' ? tag.inbox(principal.org) : tag.allDeals;
    const json = await cache.read(`${scope}|${status ?? ''}|${limit}|${cursor ?? ''}`, [scope, tag.profiles], async () => {
      const { docs, nextCursor } = await listPage<DealDoc>(models, list, models.deals, { limit, cursor, status });
      return listJson(await dealsWithProfiles(models, docs, logger), nextCursor);
    }, (text) => text.length, anyCached(request.headers['x-dealflow-min-seq']));
    return sendJson(reply, json);
  });

  app.get('/deals/:dealId', {
    onRequest: allow('institution', 'ops'),
    schema: {
      tags: ['deals'],
      summary: 'One deal, with the enterprise\'s profile and request, its match score and reasons',
      params: DealParams,
      headers: ConsistencyHeaders,
      response: { 200: DealView, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const minSeq = request.headers['x-dealflow-min-seq'];
    const deal = await visibleDeal(principalOf(request), request.params.dealId, minSeq);
    const json = await cache.read(`deal-with-profile:${deal._id}`, [tag.deal(deal._id), tag.profiles], async () => {
      const [withProfile] = await dealsWithProfiles(models, [deal], logger);
      return withProfile as string;
    }, (text) => text.length, anyCached(minSeq));
    return sendJson(reply, json);
  });

  app.post('/deals/:dealId/decision', {
    onRequest: allow('institution'),
    schema: {
      tags: ['deals'],
      summary: 'Decide on a deal: express interest, decline, request documents, issue a term sheet, confirm the close',
      description: 'An action the deal\'s status does not allow answers 409. Answers 202 when the decision was taken but is '
        + 'still being applied.',
      params: DealParams,
      body: DealDecision,
      response: { 200: DealView, 202: CommandPending, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const deal = await visibleDeal(principal, request.params.dealId);
    const outcome = await runCommand(temporal, deal.applicationId, decideUpdate, [{
      dealId: deal._id,
      institutionId: deal.institutionId,
      decision: request.body,
    }], limits.commandTimeoutMs);
    cache.invalidate(tagsOfChange({ applicationId: deal.applicationId, enterpriseUscc: deal.enterpriseUscc, dealId: deal._id, institutionId: deal.institutionId }));
    if (!outcome.applied) {
      return reply.code(202).send({ status: 'accepted', applied: false, message: 'The decision was taken and is still being applied; read the deal again shortly.' });
    }
    if (!outcome.result.deal) throw new Error('decide answered without its deal');
    return sendJson(answerSeq(reply.code(200), outcome.result.seq), await decidedDealJson(models, outcome.result.deal, requestOf(deal), logger));
  });
};
