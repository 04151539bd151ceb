import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { EnterpriseProfile, EnterpriseProfileInput, usccRegionProblem } from '../../../schemas';
import { UsccParams } from '../../../schemas/http';
import { allow, orgAs, principalOf } from '../auth';
import type { RouteContext } from '../context';
import { errorResponses, InvalidInput, notFound } from '../errors';
import { noReadCache, tag } from '../readCache';

export const enterpriseRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  app.put('/enterprises/:uscc', {
    onRequest: allow('enterprise'),
    schema: {
      tags: ['enterprises'],
      summary: 'Create or update the calling enterprise\'s profile',
      description: 'An enterprise may only write its own profile (the token\'s `org`); another uscc answers 404. '
        + '`region` must be the province the USCC\'s division code (characters 3-8) names.',
      params: UsccParams,
      body: EnterpriseProfileInput,
      response: { 200: EnterpriseProfile, ...errorResponses(404) },
    },
  }, async (request) => {
    const { uscc } = request.params;
    if (orgAs(principalOf(request), 'enterprise') !== uscc) throw notFound();
    const regionProblem = usccRegionProblem(uscc, request.body.region);
    if (regionProblem !== null) throw new InvalidInput([{ path: 'region', message: regionProblem }]);
    const profile: EnterpriseProfile = { uscc, ...request.body };
    await deps.models.enterprises.replaceOne({ _id: uscc }, { _id: uscc, ...profile, updatedAt: new Date().toISOString() }, { upsert: true });
    // Deals show the current profile; no event reports a profile change.
    (deps.readCache ?? noReadCache).invalidate([tag.profiles]);
    return profile;
  });
};
