import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../adapters/config';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../adapters/logger';
import type { Closers } from './process';

// The operations server every long-running process serves on a port of its own (the contract's
// Operations section): Prometheus text at /metrics, liveness and readiness at /health/live|ready.
// Apart from the API's port, so a scraper or a probe never competes with the API's rate limit and
// the worker and the projector, which serve no HTTP otherwise, get one.

export type ProcessName = 'api' | 'worker' | 'ops';

export const DEFAULT_METRICS_PORTS: Record<ProcessName, number> = { api: 9464, worker: 9465, ops: 9466 };

/** A registry with Node's own metrics (heap, event loop lag, GC), labelled with the process. */
export function createMetricsRegistry(process: ProcessName): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: `dealflow-${process}` });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** A dependency's check: resolves when it answers. */
export type DependencyCheck = () => Promise<unknown>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * Runs every check (each bounded by `timeoutMs`) and reports them separately. Ready when every
 * `required` one answered; the others are reported but do not take the process out of rotation.
 */
export async function checkReadiness(
  checks: Record<string, DependencyCheck>,
  options: { required?: readonly string[]; timeoutMs?: number } = {},
): Promise<ReadinessReport> {
  const required = options.required ?? Object.keys(checks);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => {
    try {
      const timedOut = new AbortController();
      try {
        await Promise.race([
          check(),
          sleep(timeoutMs, undefined, { signal: timedOut.signal }).then(() => { throw new Error(`${name} health check took longer than ${timeoutMs} ms`); }),
        ]);
      } finally {
        timedOut.abort();
      }
      return [name, { ok: true }] as const;
    } catch (error) {
      return [name, { ok: false, error: (error as Error).message }] as const;
    }
  }));
  const report = Object.fromEntries(results);
  return { ready: required.every((name) => report[name]?.ok === true), checks: report };
}

export interface OperationsServerOptions {
  process: ProcessName;
  config: Config;
  logger: Logger;
  registry: Registry;
  /** The dependencies and the process's own state; `required` decides readiness (default: all). */
  readiness: { checks: Record<string, DependencyCheck>; required?: readonly string[] };
  /** More Prometheus text appended to /metrics (the worker's Temporal runtime exporter). */
  extraMetrics?: () => Promise<string>;
  /** Registers the server's close, so it stops with the process. */
  closers?: Closers;
}

export interface OperationsServer {
  url: string;
  close(): Promise<void>;
}

export async function startOperationsServer(options: OperationsServerOptions): Promise<OperationsServer> {
  const { registry, logger } = options;
  const log = logger.child({ component: 'operations-server' });

  const send = (response: http.ServerResponse, status: number, contentType: string, body: string): void => {
    response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    response.end(body);
  };

  async function metricsText(): Promise<string> {
    const own = await registry.metrics();
    if (!options.extraMetrics) return own;
    // A missing exporter must not hide the process's own metrics.
    const extra = await options.extraMetrics().catch((error: unknown) => {
      log.warn({ err: error }, 'could not read the extra metrics');
      return '';
    });
    return `${own.trimEnd()}\n${extra}`;
  }

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'method not allowed\n');
    const answer = async (): Promise<void> => {
      if (path === '/metrics') return send(response, 200, registry.contentType, await metricsText());
      if (path === '/health/live') return send(response, 200, 'application/json', JSON.stringify({ status: 'live' }));
      if (path === '/health/ready') {
        const report = await checkReadiness(options.readiness.checks, options.readiness.required ? { required: options.readiness.required } : {});
        if (!report.ready) log.warn({ checks: report.checks }, 'not ready');
        return send(response, report.ready ? 200 : 503, 'application/json', JSON.stringify({
          status: report.ready ? 'ready' : 'unavailable',
          checks: report.checks,
          checkedAt: new Date().toISOString(),
        }));
      }
      return send(response, 404, 'text/plain', 'not found\n');
    };
    answer().catch((error: unknown) => {
      log.error({ err: error, path }, 'operations request failed');
      if (!response.headersSent) send(response, 500, 'text/plain', 'internal error\n');
    });
  });

  const port = options.config.metrics.port ?? DEFAULT_METRICS_PORTS[options.process];
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.config.metrics.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  log.info({ url }, 'operations server listening (/metrics, /health/live, /health/ready)');

  const close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  options.closers?.add('operations-server', close);
  return { url, close };
}

/** Another exporter's Prometheus text (the worker's Temporal runtime), to serve beside the process's own. */
export async function fetchPrometheusText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}
