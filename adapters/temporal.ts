import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import {
  bundleWorkflowCode,
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

// Bundling with webpack takes seconds: do it once per process and hand the bundle to every worker.
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
export function bundleWorkflows(workflowsPath: string, logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, ...(logger ? { logger: quietBundlerLogger(logger) } : {}) });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
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
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowBundle: await bundleWorkflows(options.workflowsPath, logger),
    activities: options.activities,
    // The same codec as every client: the worker opens what the client sealed, and seals what it records.
    dataConverter: payloadDataConverter(config),
    ...options.tuning,
  });
  return { worker, close: () => connection.close() };
}
