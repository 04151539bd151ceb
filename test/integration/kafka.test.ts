import { createKafka, createProducer, ensureTopic, startConsumer } from '../../adapters/kafka';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';

jest.setTimeout(120_000);

test('a message produced through the project producer is consumed through the consumer helper', async () => {
  const config = testConfig();
  const kafka = createKafka(config, testLogger());
  const topic = `it.roundtrip.${uniqueSuffix()}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, 1);
  await ensureTopic(admin, topic, 1); // a second call is harmless

  const producer = await createProducer(kafka);
  const received: { key: string; value: string }[] = [];
  let resolveAll!: () => void;
  const allReceived = new Promise<void>((resolve) => (resolveAll = resolve));
  const consumer = await startConsumer(kafka, {
    groupId: `it-${uniqueSuffix()}`,
    topic,
    fromBeginning: true,
    eachMessage: async ({ message }) => {
      received.push({ key: String(message.key), value: String(message.value) });
      if (received.length === 3) resolveAll();
    },
  });
  try {
    await producer.send(topic, [1, 2, 3].map((n) => ({ key: 'app-1', value: JSON.stringify({ seq: n }) })));
    await allReceived;
    expect(received.map((m) => m.key)).toEqual(['app-1', 'app-1', 'app-1']);
    expect(received.map((m) => JSON.parse(m.value).seq)).toEqual([1, 2, 3]);
  } finally {
    await consumer.close();
    await producer.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
