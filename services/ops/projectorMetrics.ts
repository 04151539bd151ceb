import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// The ops projector's series: how far behind the topic each partition is, how many events it
// projects, and how long a batch takes (MongoDB writes included). Alert on the lag, not the rate.

export interface ProjectorMetrics {
  /** After a batch of `partition`: `highWatermark` is the next offset the topic will write, `nextOffset` the next one to project. */
  batchProjected(partition: number, events: number, seconds: number, highWatermark: string, nextOffset: string): void;
  batchFailed(partition: number, seconds: number): void;
}

export function createProjectorMetrics(registry: Registry): ProjectorMetrics {
  const lag = new Gauge({
    name: 'dealflow_ops_consumer_lag_messages',
    help: 'Messages on the topic the ops projector has not projected yet, per partition (as of its last batch)',
    labelNames: ['partition'] as const,
    registers: [registry],
  });
  const events = new Counter({
    name: 'dealflow_ops_events_projected_total',
    help: 'Messages the ops projector projected (rate() gives events per second)',
    labelNames: ['partition'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'dealflow_ops_projection_batch_duration_seconds',
    help: 'Time to project one batch of a partition, MongoDB checkpoint and writes included, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    batchProjected(partition, count, seconds, highWatermark, nextOffset) {
      const behind = BigInt(highWatermark) - BigInt(nextOffset);
      lag.set({ partition: String(partition) }, Number(behind > 0n ? behind : 0n));
      events.inc({ partition: String(partition) }, count);
      latency.observe({ outcome: 'ok' }, seconds);
    },
    batchFailed(_partition, seconds) {
      latency.observe({ outcome: 'failed' }, seconds);
    },
  };
}
