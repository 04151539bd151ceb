import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../adapters/config';

describe('configuration', () => {
  test('unset addresses mean the local stack on loopback', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:27017/dealflow');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topic).toBe('dealflow.events.v1');
  });

  test('the contract variables are read', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'dealflow',
      MONGO_URL: 'mongodb://mongo:27017/dealflow',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      DEALFLOW_TOPIC: 'yrd.events.v1',
      DEALFLOW_JWT_SECRET: 'x'.repeat(40),
      PORT: '8080',
    });
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'dealflow' });
    expect(config.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.kafka.topic).toBe('yrd.events.v1');
    expect(config.http.port).toBe(8080);
  });

  test.each([
    ['KAFKA_BROKERS', 'not a broker'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['MONGO_URL', 'postgres://db/x'],
    ['PORT', 'eighty'],
    ['DEALFLOW_JWT_SECRET', 'short'],
    ['DEALFLOW_TOPIC', 'has spaces'],
  ])('a bad %s fails with a message naming the variable', (variable, value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', [variable]: value })).toThrow(new RegExp(`${variable}=`));
  });

  test('pipeline tuning is read only where set', () => {
    const local = { NODE_ENV: 'test' };
    expect(loadConfig(local).pipeline).toEqual({});
    expect(loadConfig({ ...local, DEALFLOW_SLA_SCALE: '0.001', DEALFLOW_TOP_K: '2' }).pipeline).toEqual({ slaScale: 0.001, topK: 2 });
    expect(loadConfig({ ...local, DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION: '2' }).pipeline).toEqual({ maxOpenDealsPerInstitution: 2 });
    expect(() => loadConfig({ ...local, DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION: '0' })).toThrow(/DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION="0"/);
    expect(() => loadConfig({ ...local, DEALFLOW_SLA_SCALE: '2' })).toThrow(/DEALFLOW_SLA_SCALE=/);
  });

  test('production refuses to start without the files\' key, and names it without its value', () => {
    const production = { NODE_ENV: 'production', DEALFLOW_JWT_SECRET: 'x'.repeat(40), DEALFLOW_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
    expect(() => loadConfig(production)).toThrow(/DEALFLOW_FILE_ENCRYPTION_KEY: required unless NODE_ENV is development or test/);
    expect(loadConfig({ ...production, DEALFLOW_FILE_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') }).files.encryptionKey).toEqual(Buffer.alloc(32, 9));
  });

  test('the proxies to trust and the rate limit\'s store: none and in memory by default, checked when set', () => {
    const local = { NODE_ENV: 'test' };
    expect(loadConfig(local).api).toEqual({ trustProxy: false, rateLimitStore: 'memory' });
    expect(loadConfig({ ...local, DEALFLOW_TRUST_PROXY: 'true', DEALFLOW_RATE_LIMIT_STORE: 'mongo' }).api).toEqual({ trustProxy: true, rateLimitStore: 'mongo' });
    expect(loadConfig({ ...local, DEALFLOW_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).api.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7']);
    expect(() => loadConfig({ ...local, DEALFLOW_TRUST_PROXY: 'yes please' })).toThrow(/DEALFLOW_TRUST_PROXY/);
    expect(() => loadConfig({ DEALFLOW_RATE_LIMIT_STORE: 'redis' })).toThrow(/DEALFLOW_RATE_LIMIT_STORE/);
  });

  test('production refuses to start without a JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DEALFLOW_JWT_SECRET/);
  });
});

describe('authentication fails closed', () => {
  const secret = 's3cret-value-'.padEnd(40, 'z');
  const keys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const fileKey = Buffer.alloc(32, 9).toString('base64');

  test.each([
    ['NODE_ENV unset', {}],
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
    ['development listening on every interface', { NODE_ENV: 'development', HOST: '0.0.0.0' }],
    ['test listening on a public address', { NODE_ENV: 'test', HOST: '10.1.2.3' }],
  ])('%s: no development secret, so DEALFLOW_JWT_SECRET is required', (_label, env) => {
    expect(() => loadConfig({ ...env, DEALFLOW_PAYLOAD_KEYS: keys, DEALFLOW_FILE_ENCRYPTION_KEY: fileKey })).toThrow(/DEALFLOW_JWT_SECRET: required unless NODE_ENV is development or test and HOST is a loopback address/);
    expect(loadConfig({ ...env, DEALFLOW_PAYLOAD_KEYS: keys, DEALFLOW_FILE_ENCRYPTION_KEY: fileKey, DEALFLOW_JWT_SECRET: secret })).toMatchObject({ devTokens: false, jwt: { secret } });
  });

  test.each(['127.0.0.1', '::1', 'localhost'])('development or test said explicitly on %s: the development secret and tokens', (host) => {
    expect(loadConfig({ NODE_ENV: 'development', HOST: host }).devTokens).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', HOST: host }).devTokens).toBe(true);
  });

  test('issuer, audience and the lifetime cap are read; the cap is bounded', () => {
    const config = loadConfig({ NODE_ENV: 'test', DEALFLOW_JWT_ISSUER: 'https://idp.example', DEALFLOW_JWT_AUDIENCE: 'dealflow', DEALFLOW_JWT_MAX_LIFETIME_SECONDS: '3600' });
    expect(config.jwt).toMatchObject({ issuer: 'https://idp.example', audience: 'dealflow', maxLifetimeSeconds: 3_600 });
    expect(loadConfig({ NODE_ENV: 'test' }).jwt).toMatchObject({ issuer: 'dealflow', audience: 'dealflow-api', maxLifetimeSeconds: 86_400 });
    expect(() => loadConfig({ NODE_ENV: 'test', DEALFLOW_JWT_MAX_LIFETIME_SECONDS: String(30 * 86_400) })).toThrow(/DEALFLOW_JWT_MAX_LIFETIME_SECONDS="2592000"/);
  });

  test.each([
    ['DEALFLOW_JWT_SECRET', 'tiny-but-secret-VALUE'],
    ['DEALFLOW_PAYLOAD_KEYS', 'k1:not-a-key-but-secret-VALUE'],
    ['MONGO_URL', 'postgres://user:secret-VALUE@db/x'],
  ])('a bad %s is named, its value never shown', (variable, value) => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'test', [variable]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${variable}=`);
    expect(message).not.toContain('secret-VALUE');
    expect(message).toMatch(/characters, not shown/);
  });
});

describe('Kafka topics', () => {
  const local = { NODE_ENV: 'test' };

  test('created by the processes with one replica on the local stack', () => {
    expect(loadConfig(local).kafka.topics).toEqual({ create: true, replicationFactor: 1, minInsyncReplicas: 1 });
  });

  test('replication and min.insync.replicas from the configuration; a platform team may own the topics', () => {
    expect(loadConfig({ ...local, KAFKA_REPLICATION_FACTOR: '3' }).kafka.topics).toEqual({ create: true, replicationFactor: 3, minInsyncReplicas: 2 });
    expect(loadConfig({ ...local, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3', KAFKA_CREATE_TOPICS: 'false' }).kafka.topics)
      .toEqual({ create: false, replicationFactor: 3, minInsyncReplicas: 3 });
    expect(() => loadConfig({ ...local, KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS=3: at most KAFKA_REPLICATION_FACTOR=2/);
  });

  test('SASL credentials: SCRAM-SHA-512 unless another mechanism is named', () => {
    const config = loadConfig({ ...local, KAFKA_SASL_USERNAME: 'dealflow', KAFKA_SASL_PASSWORD: 'pw' });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'dealflow', password: 'pw' });
    expect(() => loadConfig({ ...local, KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM="gssapi"/);
    const plain = { ...local, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'dealflow', KAFKA_SASL_PASSWORD: 'pw' };
    expect(() => loadConfig(plain)).toThrow(/KAFKA_SASL_MECHANISM=plain: .* only over TLS/);
    expect(loadConfig({ ...plain, KAFKA_TLS: 'true' }).kafka.sasl?.mechanism).toBe('plain');
  });

});

describe('processes', () => {
  test('the worker process exits at once with the variable named when KAFKA_BROKERS is bad', () => {
    const root = path.resolve(__dirname, '../..');
    const result = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['services/worker/main.ts'], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: 'not a broker' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('KAFKA_BROKERS="not a broker"');
  });
});
