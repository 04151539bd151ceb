import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { Config } from './config';

// TLS and credentials to external Temporal and Kafka, from the PEM files the config names (mounted
// secrets). Read at connect time so a rotated certificate is picked up by the next process start.

/** Temporal's TLS option: `true` is TLS against the system's roots. */
export type TemporalTlsOptions = true | { serverRootCACertificate?: Buffer; serverNameOverride?: string; clientCertPair?: { crt: Buffer; key: Buffer } };

/** Temporal's connection options: the client's Connection and the worker's NativeConnection take the same shape. */
export function temporalConnectionOptions(config: Config): { address: string; tls?: TemporalTlsOptions; apiKey?: string } {
  const { address, tls, apiKey } = config.temporal;
  const withKey = apiKey ? { apiKey } : {};
  if (!tls) return { address, ...withKey };
  const options = {
    ...(tls.caFile ? { serverRootCACertificate: fs.readFileSync(tls.caFile) } : {}),
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.clientCertFile && tls.clientKeyFile ? { clientCertPair: { crt: fs.readFileSync(tls.clientCertFile), key: fs.readFileSync(tls.clientKeyFile) } } : {}),
  };
  return { address, tls: Object.keys(options).length > 0 ? options : true, ...withKey };
}

/** kafkajs's `ssl` option: off, TLS against the system's roots (`true`), or the brokers' CA and our client certificate. */
export function kafkaSsl(config: Config): ConnectionOptions | true | undefined {
  const tls = config.kafka.tls;
  if (!tls) return undefined;
  const options: ConnectionOptions = {
    ...(tls.caFile ? { ca: [fs.readFileSync(tls.caFile, 'utf8')] } : {}),
    ...(tls.clientCertFile && tls.clientKeyFile ? { cert: fs.readFileSync(tls.clientCertFile, 'utf8'), key: fs.readFileSync(tls.clientKeyFile, 'utf8') } : {}),
  };
  return Object.keys(options).length > 0 ? options : true;
}

/** kafkajs's `sasl` option, or undefined without credentials. */
export function kafkaSasl(config: Config): SASLOptions | undefined {
  const sasl = config.kafka.sasl;
  return sasl ? { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions : undefined;
}
