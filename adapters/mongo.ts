import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import type { Config } from './config';
import type { Logger } from './logger';

/**
 * How this process shares the database. The URL's own query options win (production MongoDB can
 * take a larger pool: `?maxPoolSize=100`).
 *
 * The database does the work of every command it received until that command ends, even when we
 * gave up on it: FerretDB handles a connection's commands one after another and sees a closed
 * socket only afterwards. So the pool is the bound on that work, and a caller that cannot get a
 * connection soon fails (the API answers 503, an activity retries) instead of queuing. Without
 * that bound, the backlog that builds up while the database is down (clients and activities
 * retrying, each scan costing the whole collection on FerretDB) arrives at once when it is back
 * and keeps it busy for minutes with work nobody waits for any more.
 */
export const POOL_DEFAULTS = {
  // A few commands in flight per process keep two cores busy; more only make each one slower.
  maxPoolSize: 8,
  waitQueueTimeoutMS: 5_000,
  // No socketTimeoutMS: closing a slow command's socket frees its slot for another command while
  // the database still runs the first. A server that stopped answering is found by the monitor
  // (its hello times out after connectTimeoutMS), which then closes the connections in use.
  heartbeatFrequencyMS: 2_000,
} as const satisfies ConnectOptions;

/** `POOL_DEFAULTS` minus the options the URL sets itself. */
export function poolOptions(url: string): ConnectOptions {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const inUrl = new Set([...new URLSearchParams(query).keys()].map((key) => key.toLowerCase()));
  return Object.fromEntries(Object.entries(POOL_DEFAULTS).filter(([key]) => !inUrl.has(key.toLowerCase())));
}

// One mongoose connection per process. Models are registered on it by their modules, not on the
// global mongoose, so tests can open and close connections freely.
/** `monitorCommands`: the client emits an event per command and per pooled connection taken (services/mongoMetrics.ts). */
export async function connectMongo(config: Config, logger: Logger, options: { monitorCommands?: boolean } = {}): Promise<{ connection: Connection; close: () => Promise<void> }> {
  const connection = mongoose.createConnection(config.mongo.url, {
    serverSelectionTimeoutMS: 5_000,
    ...poolOptions(config.mongo.url),
    // FerretDB has no index builds in the background; we create indexes explicitly at start.
    autoIndex: false,
    autoCreate: false,
    monitorCommands: options.monitorCommands ?? false,
  });
  await connection.asPromise();
  logger.info({ component: 'mongo', db: connection.name }, 'connected to MongoDB');
  return { connection, close: () => connection.close() };
}

export async function pingMongo(connection: Connection): Promise<void> {
  if (!connection.db) throw new Error('MongoDB connection is not open');
  await connection.db.admin().ping();
}
