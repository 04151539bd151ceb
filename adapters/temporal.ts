import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import {
  bundleWorkflowCode,
  type InjectedSinks,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Config } from './config';
import type { Logger } from './logger';
import { payloadDataConverter } from './payloadCodec';
import { temporalConnectionOptions } from './tls';
import { activeTracing, workflowSpanAsReadable, type Tracing } from './tracing';

// Adapters for Temporal: the client the API uses, and the worker factory the worker process uses.

export { createTemporalClient } from './temporalClient';

// Routes the SDK's own logs (worker, workflow and activity context loggers) into our pino logger,
// and with `prometheusBindAddress` starts the runtime's Prometheus exporter there (worker task
// slots, schedule-to-start latencies, sticky cache size, failures; durations in seconds).
// Must run before the first worker or native connection is created; later calls are no-ops.
let runtimeInstalled = false;
export function installTemporalRuntime(logger: Logger, options: { prometheusBindAddress?: string } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const sdkLogger = logger.child({ component: 'temporal' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
  };
  const adapter: TemporalLogger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => sdkLogger[levels[level]](meta ?? {}, message),
    trace: (message, meta) => sdkLogger.trace(meta ?? {}, message),
    debug: (message, meta) => sdkLogger.debug(meta ?? {}, message),
    info: (message, meta) => sdkLogger.info(meta ?? {}, message),
    warn: (message, meta) => sdkLogger.warn(meta ?? {}, message),
    error: (message, meta) => sdkLogger.error(meta ?? {}, message),
  };
  // The SDK's native core logs (worker polling, server capabilities) go to the same logger.
  Runtime.install({
    logger: adapter,
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
      ...(options.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });
}

// The workflow-side interceptors of @temporalio/interceptors-opentelemetry (RunWorkflow,
// StartActivity, HandleUpdate ... spans; the trace context in each activity's headers). Bundled
// only while tracing is on: a workflow then reports its spans through the `exporter` sink.
const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

// Bundling with webpack takes seconds: do it once per process and hand the bundle to every worker.
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
export function bundleWorkflows(workflowsPath: string, logger?: Logger, options: { traced?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const key = `${workflowsPath}${options.traced ? ' traced' : ''}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      ...(options.traced ? { workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
      ...(logger ? { logger: quietBundlerLogger(logger) } : {}),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/** The worker's side of tracing: a span per activity run, and the workflows' spans from their sink. */
export async function workerTracing(tracing: Tracing): Promise<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } = await import('@temporalio/interceptors-opentelemetry');
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    exporter: {
      export: {
        // Not called while a workflow replays its history: its spans were reported the first time.
        fn: (info, spans) => {
          const attributes = { temporalWorkflowId: info.workflowId, run_id: info.runId, temporalWorkflowType: info.workflowType };
          for (const span of spans) tracing.spanProcessor.onEnd(workflowSpanAsReadable(span, attributes, tracing.resource));
        },
      },
    },
  };
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks,
  };
}

function quietBundlerLogger(logger: Logger): TemporalLogger {
  const child = logger.child({ component: 'workflow-bundler' });
  return {
    log: (_level, message, meta) => child.debug(meta ?? {}, message),
    trace: (message, meta) => child.trace(meta ?? {}, message),
    debug: (message, meta) => child.debug(meta ?? {}, message),
    info: (message, meta) => child.debug(meta ?? {}, message),
    warn: (message, meta) => child.warn(meta ?? {}, message),
    error: (message, meta) => child.error(meta ?? {}, message),
  };
}

export interface WorkerFactoryOptions {
  workflowsPath: string;
  activities: object;
  taskQueue?: string;
  tuning?: Partial<Pick<WorkerOptions,
    'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTime'>>;
}

export async function createTemporalWorker(
  config: Config,
  logger: Logger,
  options: WorkerFactoryOptions,
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  installTemporalRuntime(logger);
  const tracing = activeTracing();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowBundle: await bundleWorkflows(options.workflowsPath, logger, { traced: tracing !== undefined }),
    activities: options.activities,
    ...(tracing ? await workerTracing(tracing) : {}),
    // The same codec as every client: the worker opens what the client sealed, and seals what it records.
    dataConverter: payloadDataConverter(config),
    ...options.tuning,
  });
  return { worker, close: () => connection.close() };
}
