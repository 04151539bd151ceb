import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Institution, InstitutionInput, Product, ProductInput } from '../../../schemas';
import { InstitutionParams, ProductParams } from '../../../schemas/http';
import { allow, principalOf } from '../auth';
import type { RouteContext } from '../context';
import { conflict, errorResponses, notFound } from '../errors';

export const institutionRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  const { models } = deps;

  app.put('/institutions/:id', {
    onRequest: allow('ops'),
    schema: {
      tags: ['institutions'],
      summary: 'Create or update an institution',
      params: InstitutionParams,
      body: InstitutionInput,
      response: { 200: Institution, ...errorResponses() },
    },
  }, async (request) => {
    const institution: Institution = { institutionId: request.params.id, ...request.body };
    await models.institutions.replaceOne({ _id: institution.institutionId }, { _id: institution.institutionId, ...institution }, { upsert: true });
    return institution;
  });

  app.put('/institutions/:id/products/:productId', {
    onRequest: allow('institution', 'ops'),
    schema: {
      tags: ['institutions'],
      summary: 'Create or update one of an institution\'s products',
      description: 'An institution may write only its own products. 404 when the institution does not exist; '
        + '409 (ops) when the product id belongs to another institution.',
      params: ProductParams,
      body: ProductInput,
      response: { 200: Product, ...errorResponses(404, 409) },
    },
  }, async (request) => {
    const { id: institutionId, productId } = request.params;
    const principal = principalOf(request);
    if (principal.role === 'institution' && principal.org !== institutionId) throw notFound();
    if (!(await models.institutions.exists({ _id: institutionId }))) throw notFound(`institution ${institutionId} not found`);
    const existing = await models.products.findById(productId, { institutionId: 1 }).lean();
    if (existing && existing.institutionId !== institutionId) {
      // An institution must not learn that another one uses this product id.
      if (principal.role === 'institution') throw notFound();
      throw conflict(`product ${productId} belongs to institution ${String(existing.institutionId)}`);
    }
    const product: Product = { productId, institutionId, ...request.body };
    await models.products.replaceOne({ _id: productId }, { _id: productId, ...product }, { upsert: true });
    return product;
  });
};
