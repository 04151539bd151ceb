import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../../adapters/config';
import { AesGcmPayloadCodec } from '../../../adapters/payloadCodec';
import { createTemporalClient, createTemporalWorker } from '../../../adapters/temporal';
import { kafkaSasl, kafkaSsl, temporalConnectionOptions } from '../../../adapters/tls';

// The TLS and credential settings the Helm chart sets (TEMPORAL_TLS_*, TEMPORAL_API_KEY, KAFKA_TLS_*,
// KAFKA_SASL_*) reach the clients and the worker's connection.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-tls-'));
const file = (name: string): string => {
  fs.writeFileSync(path.join(dir, name), `-----BEGIN ${name}-----\n`);
  return path.join(dir, name);
};
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  // The worker factory installed the SDK's native runtime, which would keep jest from exiting.
  await Runtime._instance?.shutdown();
});
afterEach(() => jest.restoreAllMocks());

const local = { NODE_ENV: 'test' };
const mutualTemporal = () => ({
  ...local,
  TEMPORAL_ADDRESS: 'temporal.example:7233',
  TEMPORAL_TLS_CA_FILE: file('ca'),
  TEMPORAL_TLS_CERT_FILE: file('crt'),
  TEMPORAL_TLS_KEY_FILE: file('key'),
  TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  TEMPORAL_API_KEY: 'temporal-api-key-value',
});

describe('TLS to external Temporal and Kafka', () => {
  test('unset means plaintext, as on the local stack', () => {
    const config = loadConfig(local);
    expect(temporalConnectionOptions(config)).toEqual({ address: '127.0.0.1:7233' });
    expect(kafkaSsl(config)).toBeUndefined();
    expect(kafkaSasl(config)).toBeUndefined();
  });

  test('mutual TLS and an API key to Temporal, mutual TLS and SCRAM to Kafka, come from the named settings', () => {
    const config = loadConfig({
      ...mutualTemporal(),
      KAFKA_TLS_CA_FILE: file('kafka-ca'),
      KAFKA_TLS_CERT_FILE: file('kafka-crt'),
      KAFKA_TLS_KEY_FILE: file('kafka-key'),
      KAFKA_SASL_USERNAME: 'dealflow',
      KAFKA_SASL_PASSWORD: 'kafka-password',
    });
    const options = temporalConnectionOptions(config);
    expect(options.apiKey).toBe('temporal-api-key-value');
    expect(options.tls).toEqual({
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: Buffer.from('-----BEGIN ca-----\n'),
      clientCertPair: { crt: Buffer.from('-----BEGIN crt-----\n'), key: Buffer.from('-----BEGIN key-----\n') },
    });
    expect(kafkaSsl(config)).toEqual({ ca: ['-----BEGIN kafka-ca-----\n'], cert: '-----BEGIN kafka-crt-----\n', key: '-----BEGIN kafka-key-----\n' });
    expect(kafkaSasl(config)).toEqual({ mechanism: 'scram-sha-512', username: 'dealflow', password: 'kafka-password' });
  });

  test('TLS against the system roots: TEMPORAL_TLS, KAFKA_TLS, or an API key alone', () => {
    expect(temporalConnectionOptions(loadConfig({ ...local, TEMPORAL_TLS: 'true' })).tls).toBe(true);
    expect(temporalConnectionOptions(loadConfig({ ...local, TEMPORAL_API_KEY: 'k' }))).toEqual({ address: '127.0.0.1:7233', tls: true, apiKey: 'k' });
    expect(kafkaSsl(loadConfig({ ...local, KAFKA_TLS: 'true' }))).toBe(true);
  });

  test.each([
    [{ TEMPORAL_TLS_CA_FILE: 'ca', TEMPORAL_TLS_CERT_FILE: 'crt' }, /TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE/],
    [{ KAFKA_TLS_CERT_FILE: 'crt' }, /KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE/],
    [{ KAFKA_SASL_USERNAME: 'dealflow' }, /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }, /TEMPORAL_TLS=false/],
    [{ KAFKA_TLS: 'yes' }, /KAFKA_TLS="yes"/],
  ])('half a setting is refused: %o', (env, message) => {
    expect(() => loadConfig({ ...local, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...local, ...env })).toThrow(message);
  });

  test('the client connects with the TLS and API key options and the payload codec', async () => {
    // The PEM files here are placeholders gRPC cannot parse: the connection is made without them.
    const plainLazy = Connection.lazy.bind(Connection);
    const lazy = jest.spyOn(Connection, 'lazy').mockImplementation((options) => plainLazy({ address: options?.address ?? '' }));
    const { client, close } = await createTemporalClient(loadConfig(mutualTemporal()), { lazy: true });
    try {
      expect(lazy).toHaveBeenCalledWith(expect.objectContaining({
        address: 'temporal.example:7233',
        apiKey: 'temporal-api-key-value',
        tls: expect.objectContaining({ serverNameOverride: 'temporal.internal', clientCertPair: expect.anything() }),
      }));
      expect(client.options.loadedDataConverter.payloadCodecs).toEqual([expect.any(AesGcmPayloadCodec)]);
    } finally {
      await close();
    }
  });

  test('the worker connects with the TLS and API key options', async () => {
    const refused = new Error('stopped here: the options were seen');
    const connect = jest.spyOn(NativeConnection, 'connect').mockRejectedValue(refused);
    const config = loadConfig(mutualTemporal());
    await expect(createTemporalWorker(config, pino({ level: 'silent' }), { workflowsPath: require.resolve('../../../workflows'), activities: {} })).rejects.toBe(refused);
    expect(connect).toHaveBeenCalledWith(expect.objectContaining({
      address: 'temporal.example:7233',
      apiKey: 'temporal-api-key-value',
      tls: expect.objectContaining({ serverRootCACertificate: expect.any(Buffer), clientCertPair: expect.anything() }),
    }));
  });
});
