import type { Admin } from 'kafkajs';

// How far the ops projection is behind the topic, from Kafka alone: the topic's high watermarks
// minus the projector group's committed offsets (kafkajs admin), sampled every second.
//
// Lag in seconds is the age of the oldest event not yet projected, to the sampling interval: for
// each partition whose committed offset is below its high watermark, the time since the first
// sample whose high watermark was above that offset (the unprojected event was on the topic by
// then, at most one interval earlier); the largest over the partitions. Events the projector has
// handled but not yet committed (kafkajs commits after each batch) count as unprojected.

export interface LagSample {
  at: number;
  events: number;
  seconds: number;
}

export function opsLagProbe(admin: Admin, topic: string, groupId: string) {
  /** Per partition, [time, high watermark] at each sample, oldest first; trimmed to what a lag still needs. */
  const history = new Map<number, [number, number][]>();
  return async function sample(): Promise<LagSample> {
    const [highs, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const at = Date.now();
    const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    let events = 0;
    let seconds = 0;
    for (const { partition, high, low } of highs) {
      const highOffset = Number(high);
      // -1: the group has committed nothing on this partition yet, so everything is unprojected.
      const done = Math.max(committedBy.get(partition) ?? -1, Number(low));
      const seen = history.get(partition) ?? [];
      seen.push([at, highOffset]);
      while (seen.length > 1 && (seen[1] as [number, number])[1] <= done) seen.shift();
      history.set(partition, seen);
      if (done >= highOffset) continue;
      events += highOffset - done;
      const firstAbove = seen.find(([, h]) => h > done) as [number, number];
      seconds = Math.max(seconds, (at - firstAbove[0]) / 1_000);
    }
    return { at, events, seconds };
  };
}
