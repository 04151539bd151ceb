import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReadCache } from './readCache';

// The API's own series on the process's registry (services/metrics.ts serves them on /metrics).
// Routes are labelled by their pattern (`/v1/applications/:applicationId`), never by the URL a
// client sent, so the number of series stays bounded; a request no route matched is `unmatched`.

export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'dealflow_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'dealflow_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its answer, by method, route pattern and status code',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** The read cache's counters, read from its stats at each scrape. */
export function registerReadCacheMetrics(readCache: ReadCache, registry: Registry): void {
  new Counter({
    name: 'dealflow_api_read_cache_lookups_total',
    help: 'Reads the read cache answered from memory (hit) or loaded from MongoDB (miss)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const { hits, misses } = readCache.stats();
      this.reset();
      this.inc({ outcome: 'hit' }, hits);
      this.inc({ outcome: 'miss' }, misses);
    },
  });
  new Gauge({
    name: 'dealflow_api_read_cache_entries',
    help: 'Views the read cache holds',
    registers: [registry],
    collect() {
      this.set(readCache.stats().entries);
    },
  });
  new Gauge({
    name: 'dealflow_api_read_cache_chars',
    help: 'Characters of the views the read cache holds (its bound is on these)',
    registers: [registry],
    collect() {
      this.set(readCache.stats().chars);
    },
  });
}
