import mongoose, { type Connection } from 'mongoose';
import type { Config } from './config';
import type { Logger } from './logger';

// One mongoose connection per process. Models are registered on it by their modules, not on the
// global mongoose, so tests can open and close connections freely.
export async function connectMongo(config: Config, logger: Logger): Promise<{ connection: Connection; close: () => Promise<void> }> {
  const connection = mongoose.createConnection(config.mongo.url, {
    serverSelectionTimeoutMS: 5_000,
    // A socket that stops answering (a database restarted under load) fails its operation after
    // 30 s instead of holding a pool connection, and an activity slot, forever; the monitor
    // notices a restarted server within 2 s.
    socketTimeoutMS: 30_000,
    heartbeatFrequencyMS: 2_000,
    // FerretDB has no index builds in the background; we create indexes explicitly at start.
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  logger.info({ component: 'mongo', db: connection.name }, 'connected to MongoDB');
  return { connection, close: () => connection.close() };
}

export async function pingMongo(connection: Connection): Promise<void> {
  if (!connection.db) throw new Error('MongoDB connection is not open');
  await connection.db.admin().ping();
}
