import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CalendarYearParams, CnCalendarYear, CnCalendarYearInput } from '../../../schemas';
import { resolveCalendarYear, saveCalendarYear } from '../../../store/calendars';
import { allow } from '../auth';
import type { RouteContext } from '../context';
import { errorResponses, InvalidInput } from '../errors';

export const calendarRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  const { models } = deps;

  app.get('/calendars/cn/:year', {
    onRequest: allow('enterprise', 'institution', 'ops'),
    schema: {
      tags: ['calendars'],
      summary: 'The China business calendar of a year',
      description: 'Holidays and the weekend days worked (调休上班) by the State Council notice. A year whose notice '
        + 'is neither shipped nor loaded is `provisional`: Monday to Friday less the statutory holidays of the national '
        + 'holiday regulations (as amended in 2024), without the notice\'s swaps.',
      params: CalendarYearParams,
      response: { 200: CnCalendarYear, ...errorResponses() },
    },
  }, async (request) => resolveCalendarYear(models, request.params.year));

  app.put('/calendars/cn/:year', {
    onRequest: allow('ops'),
    schema: {
      tags: ['calendars'],
      summary: 'Load a year\'s State Council holiday notice',
      description: 'Replaces the year\'s calendar (shipped or provisional). `holidays` are the days off, weekend days '
        + 'within a holiday period included; `workdays` are only the weekend days worked. Deadlines whose clock starts '
        + 'after the load count by it.',
      params: CalendarYearParams,
      body: CnCalendarYearInput,
      response: { 200: CnCalendarYear, ...errorResponses() },
    },
  }, async (request) => {
    if (request.body.year !== request.params.year) {
      throw new InvalidInput([{ path: 'year', message: `year ${request.body.year} does not match the path's ${request.params.year}` }]);
    }
    return saveCalendarYear(models, request.body, new Date().toISOString());
  });
};
