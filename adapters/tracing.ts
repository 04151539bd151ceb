import {
  context, createTraceState, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext, type TextMapGetter,
} from '@opentelemetry/api';
import type { FastifyOtelInstrumentation } from '@fastify/otel';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry';
import type { Config } from './config';

// OpenTelemetry traces, one per HTTP request: the API's request span (@fastify/otel), the Temporal
// client's StartWorkflow, the workflow's run and its activities (@temporalio/interceptors-opentelemetry),
// the Kafka produce of the activity that publishes (a W3C `traceparent` header on each message) and
// the ops projector's processing of that message.
//
// Off unless an OTLP endpoint is configured. Off, nothing is registered: the API's tracer is
// OpenTelemetry's no-op one, no interceptor, plugin or sink is installed and no header is written,
// so the cost is a no-op call where a span would start; the SDK, the exporter, the Fastify plugin
// and the Temporal interceptors are not even loaded (dynamic imports, here and in temporal*.ts).
//
// Like OpenTelemetry's own global provider this is process-wide: a process starts tracing once,
// before it builds its clients (services/process.ts), and the Temporal and Fastify adapters ask
// `activeTracing()` whether to install their interceptors.

export interface Tracing {
  /** Where finished spans go: the OTLP exporter in a process, an in-memory exporter in a test. */
  spanProcessor: SpanProcessor;
  /** The process's resource (service.name), also given to the spans the workflow sandbox makes. */
  resource: Resource;
}

let active: { tracing: Tracing; provider: NodeTracerProvider } | undefined;

/** The tracing this process started, or undefined when tracing is off. */
export function activeTracing(): Tracing | undefined {
  return active?.tracing;
}

/**
 * Starts tracing for this process when `config.tracing` has an OTLP URL (or when a test hands a
 * span processor of its own), registering the global tracer provider, the AsyncLocalStorage
 * context manager and the W3C trace-context propagator. Returns undefined when tracing stays off.
 */
export async function startTracing(config: Pick<Config, 'tracing'>, options: { serviceName: string; spanProcessor?: SpanProcessor }): Promise<Tracing | undefined> {
  if (active) return active.tracing;
  const exportUrl = config.tracing.otlpTracesUrl;
  if (!options.spanProcessor && exportUrl === undefined) return undefined;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { resourceFromAttributes }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/resources'), import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: exportUrl }));
  const resource = resourceFromAttributes({ 'service.name': config.tracing.serviceName ?? options.serviceName });
  // The sampler and span limits follow the standard OTEL_TRACES_SAMPLER(_ARG) and OTEL_*_LIMIT variables.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  active = { tracing: { spanProcessor, resource }, provider };
  return active.tracing;
}

/** Exports the spans still buffered and unregisters; a process calls it when it stops. */
export async function stopTracing(): Promise<void> {
  const stopping = active;
  if (!stopping) return;
  active = undefined;
  await stopping.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

// ---------- HTTP ----------

/**
 * Fastify's own OpenTelemetry plugin while tracing is on: a SERVER span `<method> <route>` per
 * request (continuing a caller's `traceparent`) around a span of its handler, the probes left
 * out. Registered first, so every later hook and the handler run inside the request's span.
 */
export async function httpTracingPlugin(): Promise<ReturnType<FastifyOtelInstrumentation['plugin']> | undefined> {
  if (!active) return undefined;
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  const instrumentation = new FastifyOtelInstrumentation({
    // A span per hook (authentication, rate limit, metrics, ...) would bury the request's own.
    instrumentHooks: false,
    ignorePaths: ({ url }) => url.startsWith('/health'),
    requestHook: (span, request) => {
      span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched route'}`);
      span.setAttribute('http.request.id', request.id);
    },
  });
  return instrumentation.plugin();
}

// ---------- Kafka ----------

const tracer = () => trace.getTracer('dealflow');

/**
 * Runs `send` inside a PRODUCER span `send <topic>` and hands it the headers that carry that
 * span's context (`traceparent`), for each of its messages: none while tracing is off.
 */
export async function tracedProduce<T>(topic: string, messageCount: number, send: (traceHeaders: Record<string, string>) => Promise<T>): Promise<T> {
  if (!active) return send({});
  return tracer().startActiveSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'messaging.batch.message_count': messageCount },
  }, async (span) => {
    try {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      return await send(headers);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const kafkaHeaderGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * One CONSUMER span `process <topic>` per message that carries a trace context, continuing its
 * producer's trace, around `handle` (which handles the messages together). None while tracing is off.
 */
export async function tracedConsume<T>(
  topic: string,
  partition: number,
  messages: readonly { offset: string; headers?: KafkaHeaders }[],
  handle: () => Promise<T>,
): Promise<T> {
  if (!active) return handle();
  const spans: Span[] = [];
  for (const message of messages) {
    if (!message.headers) continue;
    const parent: Context = propagation.extract(context.active(), message.headers, kafkaHeaderGetter);
    if (!trace.getSpanContext(parent)) continue;
    spans.push(tracer().startSpan(`process ${topic}`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
      },
    }, parent));
  }
  try {
    return await handle();
  } catch (error) {
    for (const span of spans) failed(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

// ---------- Temporal's workflow spans ----------

/**
 * A span the workflow sandbox made (with the 1.x SDK bundled in the interceptors package,
 * serialized across the isolate) as this process's SDK reads it: a parent's span context instead
 * of its id, an instrumentation scope instead of a library.
 */
export function workflowSpanAsReadable(serialized: SerializableSpan, attributes: Record<string, string>, resource: Resource): ReadableSpan {
  const { spanContext: { traceState, ...ids }, parentSpanId, instrumentationLibrary, ...rest } = serialized;
  const spanContext: SpanContext = { ...ids, ...(traceState ? { traceState: createTraceState(traceState) } : {}) };
  return {
    ...rest,
    attributes: { ...rest.attributes, ...attributes },
    spanContext: () => spanContext,
    ...(parentSpanId ? { parentSpanContext: { traceId: ids.traceId, spanId: parentSpanId, traceFlags: ids.traceFlags } } : {}),
    instrumentationScope: instrumentationLibrary,
    resource,
  };
}
