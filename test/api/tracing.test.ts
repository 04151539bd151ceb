import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createKafka, type ConsumerHandle } from '../../adapters/kafka';
import { startTracing, stopTracing } from '../../adapters/tracing';
import { startProjector } from '../../services/ops/projector';
import { startInProcessWorker, type InProcessWorker } from '../support/inProcessWorker';
import { applicationWorkflowId } from '../../workflows/messages';
import { testConfig, uniqueSuffix } from '../support/stack';
import {
  eventually, startApiStack, submitMatchedApplication, type Api, type ApiStack,
} from './support';

// One application's trace, through the real Temporal, Kafka and FerretDB with an in-memory
// exporter: the API's request span, the Temporal client's StartWorkflow, the workflow's run, its
// activities, the Kafka produce and the ops projector's processing, all under one trace id.

jest.setTimeout(120_000);

const exporter = new InMemorySpanExporter();
let stack: ApiStack;
let api: Api;
let worker: InProcessWorker | undefined;
let projector: ConsumerHandle;

beforeAll(async () => {
  // Before any client is built, as a process does (services/process.ts).
  await startTracing(testConfig(), { serviceName: 'dealflow-trace-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  stack = await startApiStack({ worker: false });
  const { config, logger, models } = stack;
  worker = await startInProcessWorker(config, logger, { taskQueue: config.temporal.taskQueue });
  projector = await startProjector({ kafka: createKafka(config, logger, 'dealflow-trace-test'), models, logger, topic: config.kafka.topic, groupId: `trace-test-${uniqueSuffix()}` });
  api = await stack.startApp();
});

afterAll(async () => {
  await projector?.close();
  await worker?.stop();
  await stack?.close();
  await stopTracing();
});

const named = (spans: readonly ReadableSpan[], name: string): ReadableSpan[] => spans.filter((span) => span.name === name);
const parentOf = (spans: readonly ReadableSpan[], span: ReadableSpan | undefined): ReadableSpan | undefined =>
  spans.find((candidate) => candidate.spanContext().spanId === span?.parentSpanContext?.spanId);

test('an application submitted over HTTP is one trace, from the request to the ops projector', async () => {
  const { submitted, applicationId, token } = await submitMatchedApplication(stack, api);
  // Withdrawn, the workflow ends: its run span ends with it and is reported.
  expect((await api.call('POST', `/v1/applications/${applicationId}/withdraw`, { token, body: { reason: 'Trace test done' } })).status).toBe(200);

  const requestSpan = exporter.getFinishedSpans().find((span) => span.name === 'POST /v1/applications' && span.attributes['http.request.id'] === submitted.headers.get('x-request-id'));
  expect(requestSpan).toMatchObject({ kind: SpanKind.SERVER, attributes: { 'http.route': '/v1/applications', 'http.response.status_code': 202 } });
  const traceId = requestSpan?.spanContext().traceId;
  const topic = stack.config.kafka.topic;
  const trace = await eventually(async () => {
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const done = named(spans, 'RunWorkflow:applicationWorkflow').length === 1 && named(spans, `process ${topic}`).length > 0;
    return done ? spans : undefined;
  }, 30_000, 'the workflow run and the projector to report their spans');

  const names = new Set(trace.map((span) => span.name));
  for (const name of [
    'POST /v1/applications', 'StartWorkflow:applicationWorkflow', 'RunWorkflow:applicationWorkflow',
    'StartActivity:screenApplication', 'RunActivity:screenApplication', 'StartActivity:recordEvents', 'RunActivity:recordEvents',
    `send ${topic}`, `process ${topic}`,
  ]) expect(names).toContain(name);

  // The chain from the request down to the projector, parent by parent.
  const startWorkflow = named(trace, 'StartWorkflow:applicationWorkflow')[0];
  const run = named(trace, 'RunWorkflow:applicationWorkflow')[0];
  expect(run?.attributes).toMatchObject({ temporalWorkflowId: applicationWorkflowId(applicationId), temporalWorkflowType: 'applicationWorkflow' });
  expect(parentOf(trace, run)).toBe(startWorkflow);
  let ancestor = parentOf(trace, startWorkflow);
  while (ancestor && ancestor !== requestSpan) ancestor = parentOf(trace, ancestor);
  expect(ancestor).toBe(requestSpan);

  const consume = named(trace, `process ${topic}`)[0];
  expect(consume?.kind).toBe(SpanKind.CONSUMER);
  const send = parentOf(trace, consume);
  expect(send).toMatchObject({ name: `send ${topic}`, kind: SpanKind.PRODUCER });
  const runActivity = parentOf(trace, send);
  expect(runActivity?.name).toBe('RunActivity:recordEvents');
  expect(parentOf(trace, parentOf(trace, runActivity))).toBe(run);
  // Every span of the trace but the request's has its parent in it.
  for (const span of trace) if (span !== requestSpan) expect(parentOf(trace, span)).toBeDefined();
});
