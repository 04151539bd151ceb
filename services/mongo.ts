import mongoose, { type Connection } from 'mongoose';
import type { Config } from './config';
import type { Logger } from './logger';

// One mongoose connection per process. Models are registered on it by their modules, not on the
// global mongoose, so tests can open and close connections freely.
export async function connectMongo(config: Config, logger: Logger): Promise<{ connection: Connection; close: () => Promise<void> }> {
  const connection = mongoose.createConnection(config.mongo.url, {
    serverSelectionTimeoutMS: 5_000,
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
