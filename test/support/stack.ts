import { loadConfig, type Config } from '../../services/config';
import { createLogger, type Logger } from '../../services/logger';

// Integration tests run against the local stack that `npm run services:up` started
// (the test command starts it first). The config comes from the same loader as production.
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig(testEnv(overrides));
}

/**
 * The environment tests run with (also handed to the processes they spawn): the local stack, but
 * a database and topic of their own, so `npm start` afterwards still finds an empty catalogue.
 */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...overrides };
  env.MONGO_URL ||= `mongodb://127.0.0.1:${env.DEALFLOW_MONGO_PORT || 27017}/dealflow_test`;
  env.DEALFLOW_TOPIC ||= 'dealflow.test.events.v1';
  return env;
}

/**
 * The test stack's MongoDB URL with another database: a test that drops its database at the end
 * never reads what other tests wrote (FerretDB scans a whole collection for most filters).
 */
export function mongoUrlWithDatabase(database: string): string {
  const url = testEnv().MONGO_URL as string;
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?/, `$1/${database}`);
}

export function testLogger(): Logger {
  return createLogger({ env: 'test', logLevel: process.env.TEST_LOG_LEVEL as Config['logLevel'] ?? 'warn' }, 'test');
}

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
