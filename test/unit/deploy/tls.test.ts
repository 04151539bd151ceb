import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../adapters/config';
import { kafkaSsl, temporalConnectionOptions } from '../../../adapters/tls';

// The TLS settings the Helm chart sets (TEMPORAL_TLS_*, KAFKA_TLS_CA_FILE) reach the clients.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-tls-'));
const file = (name: string): string => {
  fs.writeFileSync(path.join(dir, name), `-----BEGIN ${name}-----\n`);
  return path.join(dir, name);
};
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('TLS to external Temporal and Kafka', () => {
  test('unset means plaintext, as on the local stack', () => {
    const config = loadConfig({});
    expect(temporalConnectionOptions(config)).toEqual({ address: '127.0.0.1:7233' });
    expect(kafkaSsl(config)).toBeUndefined();
  });

  test('mutual TLS to Temporal and a CA for Kafka come from the named files', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_TLS_CA_FILE: file('ca'),
      TEMPORAL_TLS_CERT_FILE: file('crt'),
      TEMPORAL_TLS_KEY_FILE: file('key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      KAFKA_TLS_CA_FILE: file('kafka-ca'),
    });
    const options = temporalConnectionOptions(config);
    expect(options.tls?.serverNameOverride).toBe('temporal.internal');
    expect(options.tls?.serverRootCACertificate.toString()).toContain('BEGIN ca');
    expect(options.tls?.clientCertPair?.crt.toString()).toContain('BEGIN crt');
    expect(options.tls?.clientCertPair?.key.toString()).toContain('BEGIN key');
    expect(kafkaSsl(config)?.ca).toEqual(['-----BEGIN kafka-ca-----\n']);
  });

  test('a certificate without its key is refused', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CA_FILE: file('ca'), TEMPORAL_TLS_CERT_FILE: file('crt') })).toThrow(ConfigError);
  });
});
