import { createKafka, type ConsumerHandle } from '../../adapters/kafka';
import { createMetricsRegistry, fetchPrometheusText, startOperationsServer, type OperationsServer } from '../../services/metrics';
import { pingMongo } from '../../adapters/mongo';
import { startProjector } from '../../services/ops/projector';
import { createProjectorMetrics } from '../../services/ops/projectorMetrics';
import { installTemporalRuntime } from '../../adapters/temporal';
import { startInProcessWorker, type InProcessWorker } from '../support/inProcessWorker';
import { uniqueSuffix } from '../support/stack';
import {
  eventually, startApiStack, submitMatchedApplication, type Api, type ApiStack,
} from './support';

// Each process's operations server, wired as its main.ts wires it (the API, the worker with the
// Temporal runtime's exporter, the ops projector), in-process: after one application went
// through, every /metrics has the series an operator alerts on, and each readiness answers.

jest.setTimeout(120_000);

// The runtime's exporter binds a fixed port; one unlikely to be taken by another test run.
const RUNTIME_METRICS_PORT = 20_000 + Math.floor(Math.random() * 20_000);

let stack: ApiStack;
let api: Api;
let worker: InProcessWorker | undefined;
let projector: ConsumerHandle & { inGroup(): boolean };
const servers: Record<'api' | 'worker' | 'ops', OperationsServer> = {} as never;

beforeAll(async () => {
  const apiRegistry = createMetricsRegistry('api');
  stack = await startApiStack({ worker: false, metrics: apiRegistry });
  installTemporalRuntime(stack.logger, { prometheusBindAddress: `127.0.0.1:${RUNTIME_METRICS_PORT}` });
  const config = { ...stack.config, metrics: { ...stack.config.metrics, host: '127.0.0.1', port: 0 } };
  const { logger, models } = stack;
  const mongo = () => pingMongo(models.applications.db);

  const workerRegistry = createMetricsRegistry('worker');
  worker = await startInProcessWorker(config, logger, { taskQueue: config.temporal.taskQueue }, { metrics: workerRegistry });

  const opsRegistry = createMetricsRegistry('ops');
  const kafka = createKafka(config, logger, 'dealflow-ops-test');
  projector = await startProjector({ kafka, models, logger, topic: config.kafka.topic, groupId: `operations-test-${uniqueSuffix()}`, metrics: createProjectorMetrics(opsRegistry) });

  api = await stack.startApp();
  servers.api = await startOperationsServer({ process: 'api', config, logger, registry: apiRegistry, readiness: { checks: { mongo } } });
  servers.worker = await startOperationsServer({
    process: 'worker',
    config,
    logger,
    registry: workerRegistry,
    extraMetrics: () => fetchPrometheusText(`http://127.0.0.1:${RUNTIME_METRICS_PORT}/metrics`),
    readiness: { checks: { worker: async () => expect(worker?.worker.getState()).toBe('RUNNING'), mongo } },
  });
  servers.ops = await startOperationsServer({
    process: 'ops',
    config,
    logger,
    registry: opsRegistry,
    readiness: { checks: { consumer: async () => expect(projector.inGroup()).toBe(true), mongo } },
  });
});

afterAll(async () => {
  for (const server of Object.values(servers)) await server.close();
  await projector?.close();
  await worker?.stop();
  await stack?.close();
});

const get = async (server: OperationsServer, path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

/** The value of one sample line of the Prometheus text (`name{labels} value`), summed over its label sets. */
function sampleSum(text: string, name: string, labelFilter = ''): number {
  return text.split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labelFilter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

test('after one application, each process serves its named series at /metrics and answers its health', async () => {
  const { applicationId, token } = await submitMatchedApplication(stack, api);
  await api.call('GET', `/v1/applications/${applicationId}`, { token }); // a second read of the same view

  const apiMetrics = await get(servers.api, '/metrics');
  expect(apiMetrics).toMatchObject({ status: 200, type: expect.stringContaining('text/plain') });
  expect(sampleSum(apiMetrics.text, 'dealflow_http_requests_total', 'route="/v1/applications",status="202"')).toBe(1);
  expect(sampleSum(apiMetrics.text, 'dealflow_http_request_duration_seconds_count', 'route="/v1/applications/:id"')).toBeGreaterThanOrEqual(2);
  expect(sampleSum(apiMetrics.text, 'dealflow_api_read_cache_lookups_total', 'outcome="miss"')).toBeGreaterThan(0);
  expect(apiMetrics.text).toMatch(/^dealflow_api_read_cache_lookups_total\{outcome="hit",process="dealflow-api"\} \d+$/m);
  expect(apiMetrics.text).toMatch(/^nodejs_eventloop_lag_seconds\{process="dealflow-api"\} /m);
  // The store's share of the wait, per command, and the wait for a pooled connection.
  expect(sampleSum(apiMetrics.text, 'dealflow_mongo_command_duration_seconds_count', 'command="find",outcome="ok"')).toBeGreaterThan(0);
  expect(sampleSum(apiMetrics.text, 'dealflow_mongo_pool_wait_seconds_count', 'outcome="ok"')).toBeGreaterThan(0);

  const workerMetrics = await eventually(async () => {
    const answer = await get(servers.worker, '/metrics');
    return answer.text.includes('temporal_activity_schedule_to_start_latency') ? answer : undefined;
  }, 20_000, 'the Temporal runtime exporter to report');
  expect(sampleSum(workerMetrics.text, 'dealflow_worker_record_events_duration_seconds_count', 'outcome="ok"')).toBeGreaterThan(0);
  expect(sampleSum(workerMetrics.text, 'dealflow_worker_record_events_batch_size_sum')).toBeGreaterThan(0);
  expect(sampleSum(workerMetrics.text, 'dealflow_mongo_command_duration_seconds_count', 'command="update",outcome="ok"')).toBeGreaterThan(0);
  for (const series of ['temporal_workflow_task_schedule_to_start_latency', 'temporal_worker_task_slots_available', 'temporal_sticky_cache_size']) {
    expect(workerMetrics.text).toContain(series);
  }

  const opsMetrics = await eventually(async () => {
    const answer = await get(servers.ops, '/metrics');
    return sampleSum(answer.text, 'dealflow_ops_events_projected_total') > 0 ? answer : undefined;
  }, 30_000, 'the projector to project the events');
  expect(opsMetrics.text).toMatch(/^dealflow_ops_consumer_lag_messages\{partition="\d+",process="dealflow-ops"\} \d+$/m);
  expect(sampleSum(opsMetrics.text, 'dealflow_ops_projection_batch_duration_seconds_count', 'outcome="ok"')).toBeGreaterThan(0);

  for (const server of Object.values(servers)) {
    expect(await get(server, '/health/live')).toMatchObject({ status: 200 });
    const ready = await get(server, '/health/ready');
    expect({ status: ready.status, body: JSON.parse(ready.text) }).toMatchObject({ status: 200, body: { status: 'ready' } });
  }
  const workerReady = JSON.parse((await get(servers.worker, '/health/ready')).text);
  expect(workerReady.checks).toEqual({ worker: { ok: true }, mongo: { ok: true } });
  const opsReady = JSON.parse((await get(servers.ops, '/health/ready')).text);
  expect(opsReady.checks).toEqual({ consumer: { ok: true }, mongo: { ok: true } });
});
