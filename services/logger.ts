import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

// JSON lines in production and under CI; readable lines when a person watches a terminal.
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, name = 'dealflow'): Logger {
  const pretty = process.stdout.isTTY && config.env !== 'production';
  return pino({
    name,
    level: config.logLevel,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
