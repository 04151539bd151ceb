import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/**
 * Never written to a log line, whatever logs them: credentials in headers (a request logged with
 * its headers, an HTTP client's error) and secrets in objects (a config, a connection's options).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  'authorization', '*.authorization',
  'jwtSecret', '*.jwtSecret', 'password', '*.password', 'secret', '*.secret', 'token', '*.token',
  'sasl', '*.sasl', '*.*.sasl',
  // The Config's secrets, whether it is logged as it is or under a key.
  'jwt', '*.jwt', 'payloadKeys', '*.payloadKeys', 'apiKey', '*.apiKey', '*.*.apiKey', 'mongo.url', '*.mongo.url',
  'files.encryptionKey', '*.files.encryptionKey', 'files.credentials', '*.files.credentials',
];

/** The trace and span ids of the span active where a line is logged (adapters/tracing.ts); none while tracing is off. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const ids = trace.getActiveSpan()?.spanContext();
  return ids && isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

// JSON lines in production and under CI; readable lines when a person watches a terminal.
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, name = 'dealflow', destination?: DestinationStream): Logger {
  const pretty = destination === undefined && process.stdout.isTTY && config.env !== 'production';
  const options = {
    name,
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: activeTraceIds,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
