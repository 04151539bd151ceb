import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEPENDENCIES, Liveness, Readiness } from '../../../schemas/http';
import { pingMongo } from '../../mongo';
import { RETRY_AFTER_SECONDS, withTimeout } from '../../dependencies';
import type { RouteContext } from '../context';

type Dependency = (typeof DEPENDENCIES)[number];

export const healthRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const checks: Record<Dependency, () => Promise<unknown>> = {
    temporal: () => deps.temporal.workflowService.getSystemInfo({}),
    kafka: () => deps.kafkaHealth(),
    mongo: () => pingMongo(deps.models.applications.db),
  };

  app.get('/health/live', {
    config: { rateLimit: false },
    schema: { tags: ['health'], summary: 'The process answers', security: [], response: { 200: Liveness } },
  }, async () => ({ status: 'live' as const }));

  app.get('/health/ready', {
    config: { rateLimit: false },
    schema: {
      tags: ['health'],
      summary: 'Ready only when Temporal, Kafka and MongoDB answer',
      security: [],
      response: { 200: Readiness, 503: Readiness },
    },
  }, async (request, reply) => {
    const results = await Promise.all(DEPENDENCIES.map(async (name) => {
      try {
        await withTimeout(checks[name](), limits.healthTimeoutMs, name, `${name} health check`);
        return [name, { ok: true }] as const;
      } catch (error) {
        request.log.warn({ dependency: name, err: error }, 'readiness check failed');
        return [name, { ok: false, error: (error as Error).message }] as const;
      }
    }));
    const ready = results.every(([, result]) => result.ok);
    if (!ready) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results) as Readiness['checks'],
      checkedAt: new Date().toISOString(),
    });
  });
};
