import type { ConnectionCheckedOutEvent, ConnectionCheckOutFailedEvent, CommandFailedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import { Histogram, type Registry } from 'prom-client';

// What each process waits for in MongoDB, split in two: the wait for a pooled connection (the
// process's own queue, `maxPoolSize`) and the command itself (the database's time, its own queues
// included). On FerretDB's SQLite backend writes queue behind one writer per database, so under
// load `update` and `insert` grow while `find` stays short; the soak's diagnosis used these
// (BENCHMARKS.md, "Soak"). Needs a client created with `monitorCommands: true` (adapters/mongo.ts).

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function observeMongo(client: MongoClient, registry: Registry): void {
  const commands = new Histogram({
    name: 'dealflow_mongo_command_duration_seconds',
    help: 'Time of one MongoDB command from sending it to its reply, by command name and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const poolWait = new Histogram({
    name: 'dealflow_mongo_pool_wait_seconds',
    help: 'Time a command waited for a pooled MongoDB connection, by outcome (failed: the wait queue timed out or the pool was closed)',
    labelNames: ['outcome'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => commands.observe({ command: event.commandName, outcome: 'ok' }, event.duration / 1_000));
  client.on('commandFailed', (event: CommandFailedEvent) => commands.observe({ command: event.commandName, outcome: 'failed' }, event.duration / 1_000));
  client.on('connectionCheckedOut', (event: ConnectionCheckedOutEvent) => poolWait.observe({ outcome: 'ok' }, event.durationMS / 1_000));
  client.on('connectionCheckOutFailed', (event: ConnectionCheckOutFailedEvent) => poolWait.observe({ outcome: 'failed' }, event.durationMS / 1_000));
}
