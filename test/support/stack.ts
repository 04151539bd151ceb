import { loadConfig, type Config } from '../../services/config';
import { createLogger, type Logger } from '../../services/logger';

// Integration tests run against the local stack that `npm run services:up` started
// (the test command starts it first). The config comes from the same loader as production.
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ ...process.env, NODE_ENV: 'test', ...overrides });
}

export function testLogger(): Logger {
  return createLogger({ env: 'test', logLevel: process.env.TEST_LOG_LEVEL as Config['logLevel'] ?? 'warn' }, 'test');
}

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
