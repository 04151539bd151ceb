import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEPENDENCIES, Liveness, Readiness } from '../../../schemas/http';
import { RETRY_AFTER_SECONDS } from '../../../adapters/dependencies';
import { checkReadiness } from '../../metrics';
import { pingMongo } from '../../../adapters/mongo';
import type { RouteContext } from '../context';

// The contract's readiness: ready only when Temporal, Kafka and MongoDB all answer, each reported.
// Load balancers and Kubernetes probe the operations port instead (services/metrics.ts), whose
// readiness means "this process can serve" and keeps a replica in rotation through a Kafka outage.

export const healthRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps, limits }) => {
  const checks = {
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
      summary: 'Ready when Temporal, Kafka and MongoDB answer; each dependency reported',
      security: [],
      response: { 200: Readiness, 503: Readiness },
    },
  }, async (request, reply) => {
    const report = await checkReadiness(checks, { required: DEPENDENCIES, timeoutMs: limits.healthTimeoutMs });
    const failed = Object.entries(report.checks).filter(([, check]) => !check.ok);
    for (const [dependency, check] of failed) request.log.warn({ dependency, error: check.error }, 'readiness check failed');
    if (!report.ready) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(report.ready ? 200 : 503).send({
      status: !report.ready ? 'unavailable' : failed.length > 0 ? 'degraded' : 'ready',
      checks: report.checks as Readiness['checks'],
      checkedAt: new Date().toISOString(),
    });
  });
};
