import type { Kafka } from 'kafkajs';
import { parseEvent, type DealflowEvent, type EventType } from '../../schemas';
import { startConsumer } from '../../adapters/kafka';
import { uniqueSuffix } from './stack';

/**
 * Reads one application's events back from the topic until `last` arrives, as a consumer would:
 * each value validated by the contract's schema, copies (same eventId) dropped.
 */
export async function readApplicationEvents(
  kafka: Kafka,
  topic: string,
  applicationId: string,
  last: EventType,
  timeoutMs = 60_000,
): Promise<{ events: DealflowEvent[]; copies: number }> {
  const seen = new Map<string, DealflowEvent>();
  let copies = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = await startConsumer(kafka, {
    groupId: `it-reader-${uniqueSuffix()}`,
    topic,
    fromBeginning: true,
    eachMessage: async ({ message }) => {
      if (String(message.key) !== applicationId) return;
      const parsed = parseEvent(JSON.parse(String(message.value)));
      if (!parsed.success) throw new Error(`an event on ${topic} breaks the contract: ${parsed.error.message}`);
      if (seen.has(parsed.data.eventId)) copies += 1;
      seen.set(parsed.data.eventId, parsed.data);
      if (parsed.data.type === last) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  return { events: [...seen.values()], copies };
}
