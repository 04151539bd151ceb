import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, type Config } from '../../adapters/config';
import { createKafka, createProducer, ensureTopicExists, KafkaSetupError, startConsumer } from '../../adapters/kafka';
import { startSecuredBroker, securedKafkaAvailable, type SecuredBroker } from '../support/securedKafka';
import { testEnv, testLogger, uniqueSuffix } from '../support/stack';

// Kafka with SASL_SSL (SCRAM-SHA-512, client certificate required): a broker of this test's own on
// spare ports, with certificates the test makes. Our adapter produces and consumes through it with
// the right settings; a wrong password is a clear start-up error that names the setting and never
// shows a password; with KAFKA_CREATE_TOPICS=false a missing topic is one too.

jest.setTimeout(90_000);

let broker: SecuredBroker;
const root = path.resolve(__dirname, '../..');

beforeAll(async () => {
  if (!securedKafkaAvailable()) throw new Error('the Kafka jars are not cached: run `npm run services:up` once');
  broker = await startSecuredBroker();
}, 60_000);
afterAll(async () => {
  await broker?.stop();
});

function securedEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    KAFKA_BROKERS: broker.broker,
    KAFKA_TLS_CA_FILE: broker.caFile,
    KAFKA_TLS_CERT_FILE: broker.clientCertFile,
    KAFKA_TLS_KEY_FILE: broker.clientKeyFile,
    KAFKA_SASL_USERNAME: broker.username,
    KAFKA_SASL_PASSWORD: broker.password,
    ...overrides,
  };
}
const securedConfig = (overrides: NodeJS.ProcessEnv = {}): Config => loadConfig(securedEnv(overrides));

test('with the right password, topics are created with their min.insync.replicas and events go through', async () => {
  const config = securedConfig({ DEALFLOW_TOPIC: `secured.${uniqueSuffix()}`, KAFKA_MIN_INSYNC_REPLICAS: '1' });
  const kafka = createKafka(config, testLogger(), 'secured-test');
  await ensureTopicExists(kafka, config.kafka.topic, config.kafka.topics, 1);

  const admin = kafka.admin();
  await admin.connect();
  const producer = await createProducer(kafka);
  const received: string[] = [];
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const consumer = await startConsumer(kafka, {
    groupId: `secured-${uniqueSuffix()}`,
    topic: config.kafka.topic,
    fromBeginning: true,
    eachMessage: async ({ message }) => {
      received.push(String(message.value));
      if (received.length === 2) allReceived();
    },
  });
  try {
    const described = await admin.describeConfigs({ resources: [{ type: 2 /* TOPIC */, name: config.kafka.topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
    // Set on the topic itself, not inherited from the broker.
    expect(described.resources[0]?.configEntries[0]).toMatchObject({ configName: 'min.insync.replicas', configValue: '1', isDefault: false });
    await producer.send(config.kafka.topic, [{ key: 'app-1', value: 'first' }, { key: 'app-1', value: 'second' }]);
    await done;
    expect(received).toEqual(['first', 'second']);
  } finally {
    await consumer.close();
    await producer.close();
    await admin.disconnect();
  }
});

test('a wrong password is a start-up error naming the settings, without the password', async () => {
  const wrong = 'not-the-password-1234';
  const config = securedConfig({ KAFKA_SASL_PASSWORD: wrong });
  const failure = await ensureTopicExists(createKafka(config, testLogger(), 'secured-wrong'), 'secured.any', config.kafka.topics).then(() => null, (error: unknown) => error as Error);
  expect(failure).toBeInstanceOf(KafkaSetupError);
  expect(failure?.message).toMatch(/Kafka refused the credentials: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/);
  expect(failure?.message).not.toContain(wrong);
  expect(failure?.message).not.toContain(broker.password);

  // The same from a process: it exits 1 with one clear line.
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/ops/main.ts'], {
    cwd: root,
    env: { ...testEnv(), ...securedEnv({ KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'silent', DEALFLOW_METRICS_PORT: '0' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(output).toMatch(/dealflow-ops: failed to start.*Kafka refused the credentials: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/);
  expect(output).not.toContain(wrong);
  expect(output).not.toContain(broker.password);
});

test('the broker requires our client certificate: without it, a start-up error names the TLS settings', async () => {
  const config = securedConfig({ KAFKA_TLS_CERT_FILE: '', KAFKA_TLS_KEY_FILE: '' });
  expect(config.kafka.tls).toEqual({ caFile: broker.caFile });
  // kafkajs retries a failed connection for about 10 s before giving up.
  await expect(ensureTopicExists(createKafka(config, testLogger(), 'secured-no-cert'), 'secured.any', config.kafka.topics))
    .rejects.toThrow(/TLS to Kafka failed: check KAFKA_TLS, KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE/);
});

test('when the platform team owns the topics, a missing one is a clear error and an existing one is used as it is', async () => {
  const topic = `secured.platform.${uniqueSuffix()}`;
  const platform = securedConfig({ KAFKA_CREATE_TOPICS: 'false' });
  const kafka = createKafka(platform, testLogger(), 'secured-platform');
  await expect(ensureTopicExists(kafka, topic, platform.kafka.topics, 1)).rejects.toThrow(new RegExp(`Kafka topic ${topic.replace(/\./g, '\\.')} does not exist; with KAFKA_CREATE_TOPICS=false`));
  // The platform team creates it (here: the same adapter, allowed to create).
  await ensureTopicExists(kafka, topic, { ...platform.kafka.topics, create: true }, 1);
  await expect(ensureTopicExists(kafka, topic, platform.kafka.topics, 1)).resolves.toBeUndefined();
});
