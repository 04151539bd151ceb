import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DishonestDebtor, DishonestDebtorInput, RecognitionList } from '../../../schemas';
import { RecognitionsOnRecord, UsccParams } from '../../../schemas/http';
import { allow } from '../auth';
import type { RouteContext } from '../context';
import { errorResponses } from '../errors';

export const registryRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  const { models } = deps;

  app.put('/registries/recognitions/:uscc', {
    onRequest: allow('ops'),
    schema: {
      tags: ['registries'],
      summary: 'Replace the recognitions on record for an enterprise',
      description: 'The body is the full list; an empty list clears the record.',
      params: UsccParams,
      body: RecognitionList,
      response: { 200: RecognitionsOnRecord, ...errorResponses() },
    },
  }, async (request) => {
    const record: RecognitionsOnRecord = { uscc: request.params.uscc, recognitions: request.body };
    await models.recognitions.replaceOne({ _id: record.uscc }, { _id: record.uscc, ...record }, { upsert: true });
    return record;
  });

  app.put('/registries/dishonest-debtors/:uscc', {
    onRequest: allow('ops'),
    schema: {
      tags: ['registries'],
      summary: 'Put an enterprise on the dishonest-debtor list (失信被执行人)',
      description: 'The body is optional. Putting a listed enterprise again updates the case details and keeps `listedAt`.',
      params: UsccParams,
      body: DishonestDebtorInput.nullish(),
      response: { 200: DishonestDebtor, ...errorResponses() },
    },
  }, async (request) => {
    const { uscc } = request.params;
    const existing = await models.dishonestDebtors.findById(uscc, { listedAt: 1 }).lean();
    const listing: DishonestDebtor = {
      uscc,
      listedAt: typeof existing?.listedAt === 'string' ? existing.listedAt : new Date().toISOString(),
      ...request.body,
    };
    await models.dishonestDebtors.replaceOne({ _id: uscc }, { _id: uscc, ...listing }, { upsert: true });
    return listing;
  });

  app.delete('/registries/dishonest-debtors/:uscc', {
    onRequest: allow('ops'),
    schema: {
      tags: ['registries'],
      summary: 'Take an enterprise off the dishonest-debtor list',
      description: 'Idempotent: answers 204 whether or not the enterprise was listed.',
      params: UsccParams,
      response: { 204: z.null().describe('Not listed (any more)'), ...errorResponses() },
    },
  }, async (request, reply) => {
    await models.dishonestDebtors.deleteOne({ _id: request.params.uscc });
    return reply.code(204).send(null);
  });
};
