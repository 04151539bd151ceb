import type { Kafka } from 'kafkajs';
import { startConsumer, type ConsumerHandle } from '../../adapters/kafka';

// What the soak reads back from the topic, per application: when `application.matched` arrived,
// every event seq seen (and how often), and whether screening or matching ended it early.

export interface ApplicationEvents {
  matchedAt?: number;
  /** Ended before matching: screened ineligible, or no_match. */
  endedUnmatched?: boolean;
  seqs: Map<number, number>;
}

export interface EventLog {
  of(applicationId: string): ApplicationEvents | undefined;
  /** Messages read so far. */
  readonly count: number;
  close(): Promise<void>;
}

interface EventEnvelope {
  type?: string;
  applicationId?: string;
  seq?: number;
  data?: { eligible?: boolean };
}

export async function readEventLog(kafka: Kafka, topic: string, groupId: string): Promise<EventLog> {
  const apps = new Map<string, ApplicationEvents>();
  let count = 0;
  const consumer: ConsumerHandle = await startConsumer(kafka, {
    groupId,
    topic,
    fromBeginning: true,
    eachMessage: async ({ message }) => {
      count += 1;
      let event: EventEnvelope;
      try {
        event = JSON.parse(message.value?.toString('utf8') ?? 'null') as EventEnvelope;
      } catch {
        return; // not an event of ours; the projector's malformed-event handling is not measured here
      }
      if (!event?.applicationId || typeof event.seq !== 'number') return;
      let app = apps.get(event.applicationId);
      if (!app) {
        app = { seqs: new Map() };
        apps.set(event.applicationId, app);
      }
      app.seqs.set(event.seq, (app.seqs.get(event.seq) ?? 0) + 1);
      if (event.type === 'application.matched') app.matchedAt ??= Date.now();
      if (event.type === 'application.no_match' || (event.type === 'application.screened' && event.data?.eligible === false)) app.endedUnmatched = true;
    },
  });
  return {
    of: (applicationId) => apps.get(applicationId),
    get count() {
      return count;
    },
    close: () => consumer.close(),
  };
}

/** Seqs missing between 1 and the highest seq read: an event the workflow recorded that never reached Kafka. */
export function seqGaps(events: ApplicationEvents): number[] {
  const highest = Math.max(0, ...events.seqs.keys());
  const missing: number[] = [];
  for (let seq = 1; seq <= highest; seq += 1) if (!events.seqs.has(seq)) missing.push(seq);
  return missing;
}
