import { Histogram, type Registry } from 'prom-client';
import type { RecordEventsInput } from '../../schemas';

// The worker's own series beside the Temporal runtime's (task slots, schedule-to-start latency,
// sticky cache, failures; merged into the same /metrics by the worker process): how long
// `recordEvents` takes (read models written, then the events on Kafka) and how many events a call carries.

interface RecordsEvents {
  recordEvents(raw: RecordEventsInput): Promise<void>;
}

/** The activities with `recordEvents` timed and its batch size observed; the others unchanged. */
export function instrumentRecordEvents<A extends RecordsEvents>(activities: A, registry: Registry): A {
  const latency = new Histogram({
    name: 'dealflow_worker_record_events_duration_seconds',
    help: 'Time of one recordEvents activity attempt (read models in MongoDB, then the events on Kafka), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'dealflow_worker_record_events_batch_size',
    help: 'Events one recordEvents activity attempt carries',
    buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55],
    registers: [registry],
  });
  const recordEvents = activities.recordEvents.bind(activities);
  return {
    ...activities,
    async recordEvents(raw: RecordEventsInput): Promise<void> {
      const end = latency.startTimer();
      if (Array.isArray(raw?.events)) batchSize.observe(raw.events.length);
      try {
        await recordEvents(raw);
        end({ outcome: 'ok' });
      } catch (error) {
        end({ outcome: 'failed' });
        throw error;
      }
    },
  };
}
