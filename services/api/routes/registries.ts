import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DishonestDebtor, DishonestDebtorInput, RECOGNITION_IMPORT_COLUMNS, RecognitionImportReport, RecognitionList,
} from '../../../schemas';
import { RecognitionsOnRecord, UsccParams } from '../../../schemas/http';
import { allow } from '../auth';
import type { RouteContext } from '../context';
import { importRecognitions } from '../../../store/recognitionImport';
import { errorResponses } from '../errors';
import { signalListing } from '../dishonestDebtors';
import { readRecognitionList } from '../recognitionList';

/** Room for a list of some thousands of rows; every other route keeps the API's smaller limit. */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

export const registryRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
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

  // A published list is uploaded as it is downloaded; the rows are read by readRecognitionList.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, text, done) => done(null, text));

  app.post('/registries/recognitions/import', {
    onRequest: allow('ops'),
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags: ['registries'],
      summary: 'Import a published recognition list (e.g. a municipal single-item champion list)',
      description: `CSV (\`text/csv\`, header \`${RECOGNITION_IMPORT_COLUMNS.join(',')}\`) or a JSON array of objects with `
        + 'those fields. Rows are keyed by (uscc, type, certificateNo): a new certificate is added to the enterprise\'s '
        + 'record, one on record with other dates is updated, one on record as it is is unchanged, so the same list '
        + 'twice changes nothing. Each row is checked on its own; `rejected[].row` counts data rows from 1 (the row '
        + 'after the CSV header, or the first array element). A list that cannot be read as rows answers 400.',
      body: z.union([z.string(), z.array(z.unknown())]).describe('text/csv or application/json'),
      response: { 200: RecognitionImportReport, ...errorResponses() },
    },
  }, async (request) => {
    const list = readRecognitionList(request.body);
    const report = await importRecognitions(models, list.rows);
    return { ...report, rejected: [...list.rejected, ...report.rejected].sort((a, b) => a.row - b.row) };
  });

  app.put('/registries/dishonest-debtors/:uscc', {
    onRequest: allow('ops'),
    schema: {
      tags: ['registries'],
      summary: 'Put an enterprise on the dishonest-debtor list (失信被执行人)',
      description: 'The body is optional. Putting a listed enterprise again updates the case details and keeps `listedAt`. '
        + 'Each open application of the enterprise ends `rejected` (reason `dishonest_debtor`), its open deals `not_selected` '
        + '(reason `enterprise_listed_dishonest`). Taking the enterprise off the list lets it apply again.',
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
    const signalled = await signalListing(deps, uscc, listing.listedAt, limits.commandTimeoutMs);
    if (signalled.length > 0) request.log.info({ uscc, applications: signalled }, 'open applications of a listed enterprise told to end');
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
