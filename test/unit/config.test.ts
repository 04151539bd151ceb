import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../adapters/config';

describe('configuration', () => {
  test('unset addresses mean the local stack on loopback', () => {
    const config = loadConfig({});
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:27017/dealflow');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topic).toBe('dealflow.events.v1');
  });

  test('the contract variables are read', () => {
    const config = loadConfig({
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
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`${variable}=`));
  });

  test('pipeline tuning is read only where set', () => {
    expect(loadConfig({}).pipeline).toEqual({});
    expect(loadConfig({ DEALFLOW_SLA_SCALE: '0.001', DEALFLOW_TOP_K: '2' }).pipeline).toEqual({ slaScale: 0.001, topK: 2 });
    expect(loadConfig({ DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION: '2' }).pipeline).toEqual({ maxOpenDealsPerInstitution: 2 });
    expect(() => loadConfig({ DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION: '0' })).toThrow(/DEALFLOW_MAX_OPEN_DEALS_PER_INSTITUTION="0"/);
    expect(() => loadConfig({ DEALFLOW_SLA_SCALE: '2' })).toThrow(/DEALFLOW_SLA_SCALE=/);
  });

  test('the proxies to trust and the rate limit\'s store: none and in memory by default, checked when set', () => {
    expect(loadConfig({}).api).toEqual({ trustProxy: false, rateLimitStore: 'memory' });
    expect(loadConfig({ DEALFLOW_TRUST_PROXY: 'true', DEALFLOW_RATE_LIMIT_STORE: 'mongo' }).api).toEqual({ trustProxy: true, rateLimitStore: 'mongo' });
    expect(loadConfig({ DEALFLOW_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).api.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7']);
    expect(() => loadConfig({ DEALFLOW_TRUST_PROXY: 'yes please' })).toThrow(/DEALFLOW_TRUST_PROXY/);
    expect(() => loadConfig({ DEALFLOW_RATE_LIMIT_STORE: 'redis' })).toThrow(/DEALFLOW_RATE_LIMIT_STORE/);
  });

  test('production refuses to start without a JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DEALFLOW_JWT_SECRET/);
  });

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
