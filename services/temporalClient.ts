import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

// The client alone, without the worker side of the SDK (services/temporal.ts), whose native
// runtime a process that only starts and queries workflows has no use for.

export async function createTemporalClient(config: Config): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return { client, close: () => connection.close() };
}
