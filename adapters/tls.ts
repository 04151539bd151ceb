import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from './config';

// TLS to external Temporal and Kafka, from the PEM files the config names (mounted secrets). Read
// at connect time so a rotated certificate is picked up by the next process start.

/** Temporal's connection options (client and worker take the same shape). */
export function temporalConnectionOptions(config: Config): {
  address: string;
  tls?: { serverRootCACertificate: Buffer; serverNameOverride?: string; clientCertPair?: { crt: Buffer; key: Buffer } };
} {
  const tls = config.temporal.tls;
  if (!tls) return { address: config.temporal.address };
  return {
    address: config.temporal.address,
    tls: {
      serverRootCACertificate: fs.readFileSync(tls.caFile),
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.clientCertFile && tls.clientKeyFile ? { clientCertPair: { crt: fs.readFileSync(tls.clientCertFile), key: fs.readFileSync(tls.clientKeyFile) } } : {}),
    },
  };
}

/** kafkajs's `ssl` option: off, or the brokers' CA. */
export function kafkaSsl(config: Config): ConnectionOptions | undefined {
  return config.kafka.tls ? { ca: [fs.readFileSync(config.kafka.tls.caFile, 'utf8')] } : undefined;
}
