import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadConfig as loadConfigFrom } from '../../../adapters/config';
import { createEventPublisher } from '../../../adapters/events/publisher';
import type { EventProducer } from '../../../adapters/kafka';
import { createLogger } from '../../../adapters/logger';
import { activeTracing, startTracing, stopTracing, tracedConsume } from '../../../adapters/tracing';
import { eventStream, screened, T0, usccOf } from '../../support/opsEvents';

/** The configuration of a test process: the development secrets need NODE_ENV=test said explicitly. */
const loadConfig = (env: NodeJS.ProcessEnv = {}) => loadConfigFrom({ NODE_ENV: 'test', ...env });

// Tracing is off unless an OTLP endpoint is set; on, the Kafka messages carry the produce span's
// context to the consumer's span, and log lines the ids of the span active where they are written.

const TOPIC = 'dealflow.unit.v1';
const events = (applicationId: string, count: number) => {
  const event = eventStream(applicationId, usccOf('91310115MA1K4A2B9'));
  return [event(1, 'application.submitted', T0, { request: { instrument: 'credit_loan', amountCny: 1_000_000, termMonths: 12, purpose: 'A new line' } }), event(2, 'application.screened', T0, screened(true, T0))].slice(0, count);
};

function recordingProducer() {
  const sent: { key: string; value: string; headers?: Record<string, string> }[] = [];
  const producer: EventProducer = { send: async (_topic, messages) => void sent.push(...messages), close: async () => undefined };
  return { producer, sent };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write: (chunk, _encoding, done) => { lines.push(JSON.parse(String(chunk))); done(); } });
  return { logger: createLogger({ logLevel: 'info', env: 'test' }, 'tracing-test', destination), lines };
}

describe('the tracing configuration', () => {
  test('is off by default, and the standard endpoint variables turn it on', () => {
    expect(loadConfig({}).tracing).toEqual({});
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({ otlpTracesUrl: 'http://collector:4318/v1/traces' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/t' }).tracing)
      .toEqual({ otlpTracesUrl: 'https://traces.example/v1/t' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true', OTEL_SERVICE_NAME: 'api-eu' }).tracing).toEqual({ serviceName: 'api-eu' });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT=/);
  });

  test('off, nothing is started and the messages carry no trace header', async () => {
    expect(await startTracing(loadConfig({}), { serviceName: 'dealflow-test' })).toBeUndefined();
    expect(activeTracing()).toBeUndefined();
    const { producer, sent } = recordingProducer();
    await createEventPublisher(producer, TOPIC).publish(events('app-off', 1));
    expect(Object.keys(sent[0]?.headers ?? {}).sort()).toEqual(['eventId', 'type']);
  });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(async () => {
    await startTracing(loadConfig({}), { serviceName: 'dealflow-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  });
  afterAll(() => stopTracing());
  beforeEach(() => exporter.reset());

  test('a published message carries its produce span in `traceparent`, and the consumer continues that trace', async () => {
    const { producer, sent } = recordingProducer();
    await trace.getTracer('test').startActiveSpan('activity', async (activity) => {
      await createEventPublisher(producer, TOPIC).publish(events('app-on', 2));
      activity.end();
    });
    const [first, second] = sent;
    expect(first?.headers?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(second?.headers?.traceparent).toBe(first?.headers?.traceparent);

    const projected = await tracedConsume(TOPIC, 3, [
      { offset: '41', headers: { traceparent: Buffer.from(first?.headers?.traceparent ?? '') } },
      { offset: '42' }, // a message from before tracing: no span of its own
    ], async () => 'projected');
    expect(projected).toBe('projected');

    const spans = exporter.getFinishedSpans();
    const send = spans.find((span) => span.name === `send ${TOPIC}`);
    const activity = spans.find((span) => span.name === 'activity' && span.spanContext().spanId === send?.parentSpanContext?.spanId);
    const consume = spans.filter((span) => span.name === `process ${TOPIC}`);
    expect(send).toMatchObject({ kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': TOPIC, 'messaging.batch.message_count': 2 } });
    expect(activity).toBeDefined();
    expect(first?.headers?.traceparent).toBe(`00-${send?.spanContext().traceId}-${send?.spanContext().spanId}-01`);
    expect(consume).toHaveLength(1);
    expect(consume[0]).toMatchObject({ kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.partition.id': '3', 'messaging.kafka.offset': 41 } });
    expect(consume[0]?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(consume[0]?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
  });

  test('a failed send or projection marks its spans as errors', async () => {
    const failing: EventProducer = { send: async () => { throw new Error('broker gone'); }, close: async () => undefined };
    await expect(createEventPublisher(failing, TOPIC).publish(events('app-err', 1))).rejects.toThrow('broker gone');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await expect(tracedConsume(TOPIC, 0, [{ offset: '7', headers: { traceparent } }], async () => { throw new Error('mongo gone'); })).rejects.toThrow('mongo gone');
    const statuses = exporter.getFinishedSpans().map((span) => [span.name, span.status.code, span.status.message]);
    expect(statuses).toEqual([[`send ${TOPIC}`, 2, 'broker gone'], [`process ${TOPIC}`, 2, 'mongo gone']]);
  });

  test('log lines carry the trace and span ids of the active span, and none outside a span', () => {
    const { logger, lines } = logLines();
    logger.info('before');
    trace.getTracer('test').startActiveSpan('work', (span) => {
      logger.child({ component: 'activities' }).info('inside');
      span.end();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    const { traceId, spanId } = exporter.getFinishedSpans()[0]?.spanContext() ?? {};
    expect(lines[1]).toMatchObject({ msg: 'inside', component: 'activities', trace_id: traceId, span_id: spanId });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('with an OTLP endpoint', () => {
  // In a process of its own: the OTLP exporter loads node:http by a dynamic import, which jest's
  // module sandbox refuses.
  const script = [
    "const { trace } = require('@opentelemetry/api');",
    "const { loadConfig } = require('./adapters/config');",
    "const { startTracing, stopTracing } = require('./adapters/tracing');",
    "startTracing(loadConfig(), { serviceName: 'dealflow-test' }).then((tracing) => {",
    "  if (!tracing) throw new Error('tracing stayed off');",
    "  trace.getTracer('test').startActiveSpan('exported work', (span) => span.end());",
    '  return stopTracing();',
    '});',
  ].join('\n');

  test('the spans are exported there, flushed when tracing stops', async () => {
    const received: { url?: string; body: string }[] = [];
    const collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        received.push({ ...(request.url ? { url: request.url } : {}), body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const root = path.resolve(__dirname, '../../..');
      await promisify(execFile)(path.join(root, 'node_modules/.bin/tsx'), ['-e', script], {
        cwd: root,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'dealflow-otlp-test' },
        timeout: 30_000,
      });
      expect(received).toHaveLength(1);
      expect(received[0]?.url).toBe('/v1/traces');
      expect(received[0]?.body).toContain('exported work');
      expect(received[0]?.body).toContain('dealflow-otlp-test');
    } finally {
      collector.close();
    }
  }, 40_000);
});
