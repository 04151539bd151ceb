import { Counter } from 'prom-client';
import { loadConfig } from '../../adapters/config';
import { createLogger } from '../../adapters/logger';
import { checkReadiness, createMetricsRegistry, startOperationsServer, type OperationsServer } from '../../services/metrics';

// The operations server every process serves (services/metrics.ts), on a free port, with checks
// that answer as told: readiness follows only the required ones and names each.

const logger = createLogger({ env: 'test', logLevel: 'silent' });
const down = async () => {
  throw new Error('connection refused');
};

test('readiness needs the required checks only; every check is reported, a slow one as timed out', async () => {
  const report = await checkReadiness(
    { mongo: async () => undefined, kafka: down, temporal: () => new Promise(() => undefined) },
    { required: ['mongo'], timeoutMs: 50 },
  );
  expect(report).toEqual({
    ready: true,
    checks: {
      mongo: { ok: true },
      kafka: { ok: false, error: 'connection refused' },
      temporal: { ok: false, error: 'temporal health check took longer than 50 ms' },
    },
  });
  expect((await checkReadiness({ mongo: async () => undefined, kafka: down })).ready).toBe(false);
});

describe('the operations server', () => {
  let server: OperationsServer;
  let consumerInGroup = true;
  afterAll(async () => server?.close());

  beforeAll(async () => {
    const registry = createMetricsRegistry('ops');
    new Counter({ name: 'dealflow_test_things_total', help: 'things', registers: [registry] }).inc(3);
    server = await startOperationsServer({
      process: 'ops',
      config: loadConfig({ NODE_ENV: 'test', DEALFLOW_METRICS_PORT: '0', DEALFLOW_METRICS_HOST: '127.0.0.1' }),
      logger,
      registry,
      extraMetrics: async () => 'temporal_sticky_cache_size 7\n',
      readiness: {
        checks: {
          consumer: async () => {
            if (!consumerInGroup) throw new Error('not in its group');
          },
        },
      },
    });
  });

  test('/metrics is Prometheus text with the process label, Node\'s own series and the extra exporter\'s', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toMatch(/^dealflow_test_things_total\{process="dealflow-ops"\} 3$/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{process="dealflow-ops"\} \d+/m);
    expect(text).toMatch(/^temporal_sticky_cache_size 7$/m);
  });

  test('/health/live answers while /health/ready follows the checks, and anything else is 404', async () => {
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { status: 'ready', checks: { consumer: { ok: true } } } });
    consumerInGroup = false;
    const unready = await fetch(`${server.url}/health/ready`);
    expect({ status: unready.status, body: await unready.json() }).toMatchObject({
      status: 503,
      body: { status: 'unavailable', checks: { consumer: { ok: false, error: 'not in its group' } } },
    });
    expect((await fetch(`${server.url}/metricsx`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
