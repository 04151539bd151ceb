import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../adapters/config';
import type { Logger } from '../../adapters/logger';

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
  env.DEALFLOW_FORUM_TOPIC ||= 'dealflow.test.forums.v1';
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

/** Where the logs of the test file now running go: `test-output/logs/<its path>.log`. */
export function testLogFile(testPath: string): string {
  const root = path.resolve(__dirname, '../..');
  return path.join(root, 'test-output', 'logs', `${path.relative(root, testPath)}.log`);
}

/**
 * The code under test logs to a file per test file, not to the terminal: a green run stays quiet
 * even though tests provoke failures on purpose, and the reporter in `test/support/failedTestLogs.cjs`
 * prints the file of a test file that failed. `TEST_LOG_LEVEL` (default warn) sets the level.
 */
export function testLogger(): Logger {
  const level = (process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'warn';
  // jest's global, absent where benchmarks reuse this module.
  const jestExpect = (globalThis as { expect?: { getState(): { testPath?: string } } }).expect;
  const testPath = jestExpect?.getState().testPath;
  if (testPath === undefined) return pino({ name: 'test', level });
  return pino({ name: 'test', level }, pino.destination({ dest: testLogFile(testPath), mkdir: true, sync: true }));
}

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
