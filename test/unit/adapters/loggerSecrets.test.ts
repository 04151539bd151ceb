import { Writable } from 'node:stream';
import { loadConfig } from '../../../adapters/config';
import { createLogger } from '../../../adapters/logger';
import { temporalConnectionOptions } from '../../../adapters/tls';

// A configuration or a connection's options written to a log line carry no secret: the JWT
// secret, the payload keys, the Temporal API key, the Kafka password, the MongoDB URL's password,
// the files' key and the object store's secret.

test('a logged config or connection options show none of the secrets', () => {
  const payloadKey = Buffer.alloc(32, 9).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DEALFLOW_JWT_SECRET: 'jwt-secret-value-'.padEnd(40, 'j'),
    DEALFLOW_PAYLOAD_KEYS: `k1:${payloadKey}`,
    TEMPORAL_API_KEY: 'temporal-api-key-value',
    KAFKA_SASL_USERNAME: 'dealflow',
    KAFKA_SASL_PASSWORD: 'kafka-password-value',
    MONGO_URL: 'mongodb://dealflow:mongo-password-value@mongo:27017/dealflow',
    DEALFLOW_FILE_ENCRYPTION_KEY: Buffer.alloc(32, 8).toString('base64'),
    DEALFLOW_S3_ENDPOINT: 'https://s3.example',
    DEALFLOW_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    DEALFLOW_S3_SECRET_ACCESS_KEY: 's3-secret-value',
  });
  let raw = '';
  const logger = createLogger(config, 'secrets-test', new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      done();
    },
  }));
  logger.info(config, 'the config as it is');
  logger.info({ config }, 'the config under a key');
  logger.info({ connection: temporalConnectionOptions(config) }, 'a connection');
  expect(raw.split('\n').filter(Boolean)).toHaveLength(3);
  for (const secret of ['jwt-secret-value', payloadKey, 'temporal-api-key-value', 'kafka-password-value', 'mongo-password-value', 's3-secret-value']) {
    expect(raw).not.toContain(secret);
  }
  // The key's bytes as pino writes a Buffer.
  expect(raw).not.toContain('9,9,9,9');
  expect(raw).not.toContain('8,8,8,8');
});
