import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, preHandlerAsyncHookHandler, preHandlerHookHandler } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { OpsMetrics, OpsUnavailable } from '../../../schemas';
import { ErrorBody } from '../../../schemas/http';
import { cachedFor } from '../../../store/cache';
import type { Models } from '../../../store/models';
import { readOpsMetrics, type PartitionOffset } from '../../../store/opsProjection';
import type { FeedEntry, LiveFeed } from '../liveFeed';

// `GET /v1/ops/metrics` and `GET /v1/ops/events` (Server-Sent Events). The caller mounts the
// plugin under the prefix `/v1/ops` and passes its ops-only authorisation as `preHandler`
// (e.g. the API's `allow('ops')`); the plugin does no auth itself.

type OpsPreHandler = preHandlerHookHandler | preHandlerAsyncHookHandler;

export interface OpsRoutesOptions {
  models: Models;
  feed: LiveFeed;
  /** The events topic and its partitions' high watermarks (adapters/kafka.ts `fetchHighWatermarks`): the projection's lag. */
  watermarks: () => Promise<{ topic: string; highWatermarks: PartitionOffset[] }>;
  /** Runs before both routes: the API's check for role `ops`. */
  preHandler?: OpsPreHandler | OpsPreHandler[];
  /** Metrics are recomputed at most this often (default 2 s); they scan the ops projection. */
  metricsCacheMs?: number;
  /** SSE heartbeat comment interval (default 15 s), which keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** Seconds a client is told to wait on 503 (default 5). */
  retryAfterSeconds?: number;
  /** A stream whose client reads slower than events come is closed past this many buffered bytes; it reconnects with Last-Event-ID. */
  maxBufferedBytes?: number;
}

export function opsRoutes(deps: OpsRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    // Set here too, so the plugin works under any parent; the settings stay inside this plugin.
    fastify.setValidatorCompiler(validatorCompiler);
    fastify.setSerializerCompiler(serializerCompiler);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const retryAfter = String(deps.retryAfterSeconds ?? 5);
    const routeAuth = deps.preHandler ? { preHandler: deps.preHandler } : {};

    // Concurrent dashboard polls share one read.
    const metrics = cachedFor<OpsMetrics>(deps.metricsCacheMs ?? 2_000, async () => readOpsMetrics(deps.models, await deps.watermarks()));

    app.get('/metrics', {
      ...routeAuth,
      schema: {
        summary: 'Funnel counts, median stage times, institution response rates and projector counters',
        tags: ['ops'],
        response: { 200: OpsMetrics, 401: ErrorBody, 403: ErrorBody, 503: OpsUnavailable },
      },
    // MongoDB down answers 503 with Retry-After through the API's error handler, like every route.
    }, async () => metrics.get());

    const streams = new Set<ServerResponse>();
    // Open SSE streams would keep the server from closing.
    fastify.addHook('preClose', async () => {
      for (const res of streams) res.end();
      streams.clear();
    });

    app.get('/events', {
      ...routeAuth,
      schema: {
        summary: 'Server-Sent Events: the live dealflow event stream; resumes after the Last-Event-ID header',
        tags: ['ops'],
        response: { 401: ErrorBody, 403: ErrorBody, 503: OpsUnavailable },
      },
    }, async (request, reply) => {
      if (!deps.feed.isConnected()) {
        return reply.code(503).header('retry-after', retryAfter).send({ error: 'unavailable', message: 'The event stream is not connected to Kafka; retry shortly.' });
      }
      const header = request.headers['last-event-id'];
      const lastEventId = Array.isArray(header) ? header[0] : header;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      streams.add(res);
      const maxBuffered = deps.maxBufferedBytes ?? 1_048_576;
      const write = (chunk: string): void => {
        if (res.writableEnded) return;
        res.write(chunk);
        if (res.writableLength > maxBuffered) {
          request.log.warn({ buffered: res.writableLength }, 'ops events: slow client, closing its stream');
          res.end();
        }
      };
      const send = (entry: FeedEntry): void => write(`id: ${entry.id}\ndata: ${JSON.stringify(entry.event)}\n\n`);

      const { replay, unsubscribe } = deps.feed.subscribe({ onEvent: send, onClose: () => res.end() }, lastEventId);
      write('retry: 3000\n\n');
      if (!replay.resumed) {
        write(`event: reset\ndata: ${JSON.stringify({ reason: 'last_event_id_unknown', lastEventId, message: 'Events after this id are no longer buffered; the stream continues live from now.' })}\n\n`);
      }
      for (const entry of replay.entries) send(entry);

      const heartbeat = setInterval(() => write(': heartbeat\n\n'), deps.heartbeatMs ?? 15_000);
      const cleanup = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(res);
      };
      res.on('close', cleanup);
    });
  };
}
