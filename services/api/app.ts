import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fastifyJwt from '@fastify/jwt';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerIdentify, verifierOptions } from './auth';
import { mongoRateLimitStore } from './rateLimitStore';
import { DEFAULT_LIMITS, type ApiDeps, type RouteContext } from './context';
import { registerErrorHandler } from './errors';
import { registerHttpMetrics, registerReadCacheMetrics } from './httpMetrics';
import { applicationRoutes } from './routes/applications';
import { calendarRoutes } from './routes/calendars';
import { codecRoutes } from './routes/codec';
import { dealRoutes } from './routes/deals';
import { devRoutes } from './routes/dev';
import { enterpriseRoutes } from './routes/enterprises';
import { fileRoutes } from './routes/files';
import { forumRoutes } from './routes/forums';
import { healthRoutes } from './routes/health';
import { institutionRoutes } from './routes/institutions';
import { registryRoutes } from './routes/registries';
import { webRoutes } from './web';
import { httpTracingPlugin } from '../../adapters/tracing';

export type { ApiDeps } from './context';

/** The web pages (`web/` at the top level): plain HTML, CSS and ES modules, no build step (./web.ts). */
export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'web');

/**
 * The HTTP API as a Fastify instance that is ready but not listening: `server.ts` listens, tests
 * listen on port 0 or inject. The dependencies are opened and closed by the caller.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    bodyLimit: limits.bodyLimit,
    // Fastify's own 503 while closing has no Retry-After; answerUnavailableWhileClosing adds one.
    return503OnClosing: false,
    // X-Forwarded-For is trusted only from the proxies DEALFLOW_TRUST_PROXY names (default none): a
    // client could forge it to dodge the per-address rate limit; behind a proxy, without it, every
    // anonymous caller would share the proxy's address and one bucket.
    trustProxy: deps.config.api.trustProxy,
    // A caller's (or the proxy's) x-request-id ties our log lines to theirs; otherwise a fresh UUID.
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  const tracingPlugin = await httpTracingPlugin();
  if (tracingPlugin) await app.register(tracingPlugin);
  // onSend runs for every answer, errors and 404s included.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    return payload;
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  answerUnavailableWhileClosing(app);
  if (deps.metrics) {
    registerHttpMetrics(app, deps.metrics);
    if (deps.readCache) registerReadCacheMetrics(deps.readCache, deps.metrics);
  }

  await app.register(fastifyJwt, {
    secret: deps.config.jwt.secret,
    sign: { algorithm: 'HS256', iss: deps.config.jwt.issuer, aud: deps.config.jwt.audience },
    verify: verifierOptions(deps.config.jwt),
  });
  // Before the rate limiter, which keys on the caller this hook identifies.
  registerIdentify(app, deps.config.jwt);
  await app.register(fastifyRateLimit, {
    // Applied below as a hook of the whole app, not per route (`global`): a route's own onRequest
    // (`allow`) would run first, and a request it refuses (401, 403) would never be counted.
    global: false,
    max: limits.rateMax,
    timeWindow: limits.rateWindowMs,
    // Shared by the replicas with DEALFLOW_RATE_LIMIT_STORE=mongo; otherwise each counts on its own.
    ...(deps.config.api.rateLimitStore === 'mongo' ? { store: mongoRateLimitStore(deps.models) } : {}),
    keyGenerator: (request) => (request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`),
    allowList: (request) => request.url.startsWith('/health') || request.url.startsWith('/docs'),
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      error: 'rate_limited',
      message: `rate limit of ${context.max} requests per ${context.after} exceeded; retry in ${context.after}`,
    }),
  });
  app.addHook('onRequest', app.rateLimit());

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'dealflow API',
        version: '1.0.0',
        description: 'Industry-finance matchmaking for the Yangtze River Delta. Every `/v1` route needs '
          + '`Authorization: Bearer <JWT>` (HS256; claims `sub`, `role` = enterprise | institution | ops, `org` = the '
          + 'enterprise\'s uscc or the institution\'s id). Lists answer `{ items, nextCursor }`; pass `nextCursor` back '
          + 'as `?cursor=` for the next page. Bad input answers 400 `{ error: "validation_failed", issues }` (paths of '
          + 'query and path parameters are prefixed `query.` and `params.`); a dependency that is down answers 503 with '
          + 'Retry-After. A command answers the application\'s seq after it in `X-Dealflow-Seq`; a read that sends it back in '
          + '`X-Dealflow-Min-Seq` shows the command\'s result whichever API replica answers.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const context: RouteContext = { deps, limits };
  await app.register(healthRoutes, context);
  await app.register(webRoutes(PUBLIC_DIR));
  // Mints tokens for anyone who asks: only with NODE_ENV=development or test said explicitly and
  // the API on loopback (adapters/config.ts, `devTokens`).
  if (deps.config.devTokens) await app.register(devRoutes, context);
  await app.register(async (v1) => {
    await v1.register(enterpriseRoutes, context);
    await v1.register(applicationRoutes, context);
    await v1.register(dealRoutes, context);
    await v1.register(fileRoutes, context);
    await v1.register(institutionRoutes, context);
    await v1.register(registryRoutes, context);
    await v1.register(calendarRoutes, context);
    await v1.register(forumRoutes, context);
    // `/v1/ops/metrics` and `/v1/ops/events` (services/ops/routes.ts): same error handler, rate
    // limit and `request.principal`; the plugin guards its routes with `allow('ops')`.
    if (deps.opsRoutes) await v1.register(deps.opsRoutes, { prefix: '/ops' });
    // The payload codec for the Temporal UI and CLI (adapters/payloadCodec.ts), ops only.
    await v1.register(codecRoutes, { ...context, prefix: '/ops/codec' });
  }, { prefix: '/v1' });

  await app.ready();
  return app;
}

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is a plain token of at most 128 characters (it goes into every log line), else a random UUID. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * From the moment the server starts closing, every new request answers 503 with Retry-After, as a
 * dependency that is down does: a client retries against the next instance or after the restart.
 */
function answerUnavailableWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    await reply
      .code(503)
      .header('Retry-After', '1')
      .header('Connection', 'close')
      .send({ error: 'unavailable', message: 'the API is restarting; retry shortly' });
  });
}
