import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { temporalConnectionOptions } from './tls';
import { activeTracing } from './tracing';

// The client alone, without the worker side of the SDK (adapters/temporal.ts), whose native
// runtime a process that only starts and queries workflows has no use for.

/**
 * `lazy` connects on the first call instead of now: the API then starts (answering 503 and "not
 * ready") while Temporal is still coming up.
 */
export async function createTemporalClient(config: Config, options: { lazy?: boolean } = {}): Promise<{ client: Client; close: () => Promise<void> }> {
  const address = temporalConnectionOptions(config);
  const connection = options.lazy ? Connection.lazy(address) : await Connection.connect(address);
  // Tracing on: a span per call (StartWorkflow, StartWorkflowUpdate, ...) whose context goes to the workflow in a header.
  const tracingInterceptors = activeTracing()
    ? { workflow: [new (await import('@temporalio/interceptors-opentelemetry')).OpenTelemetryWorkflowClientInterceptor()] }
    : undefined;
  const client = new Client({ connection, namespace: config.temporal.namespace, ...(tracingInterceptors ? { interceptors: tracingInterceptors } : {}) });
  return { client, close: () => connection.close() };
}
