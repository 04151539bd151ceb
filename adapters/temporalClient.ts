import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { payloadDataConverter } from './payloadCodec';
import { temporalConnectionOptions } from './tls';
import { activeTracing } from './tracing';

// The client alone, without the worker side of the SDK (adapters/temporal.ts), whose native
// runtime a process that only starts and queries workflows has no use for.

/**
 * `lazy` connects on the first call instead of now: the API then starts (answering 503 and "not
 * ready") while Temporal is still coming up.
 */
export async function createTemporalClient(config: Config, options: { lazy?: boolean } = {}): Promise<{ client: Client; close: () => Promise<void> }> {
  const connectionOptions = temporalConnectionOptions(config);
  const connection = options.lazy ? Connection.lazy(connectionOptions) : await Connection.connect(connectionOptions);
  // Tracing on: a span per call (StartWorkflow, StartWorkflowUpdate, ...) whose context goes to the workflow in a header.
  const tracingInterceptors = activeTracing()
    ? { workflow: [new (await import('@temporalio/interceptors-opentelemetry')).OpenTelemetryWorkflowClientInterceptor()] }
    : undefined;
  // Payloads are sealed before they leave the process and opened when they come back.
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: payloadDataConverter(config),
    ...(tracingInterceptors ? { interceptors: tracingInterceptors } : {}),
  });
  return { client, close: () => connection.close() };
}
