import type { DealflowEvent } from '../../schemas';
import { aggregatesFromStored, aggregatesToStored, contribute, count, emptyAggregates, metricsOf } from '../../domain/opsAggregates';
import { projectEvent, withProfileDimensions, type OpsApplicationState } from '../../domain/opsProjection';
import { partitionDocId, type EnterpriseDimensions, type OpsProjectionStore, type PartitionCheckpoint } from '../../store/opsProjection';

// The ops projector's store in memory, with the same rules as the MongoDB one (opsProjection.ts):
// a commit only over the version it was loaded at, full replaces, copies in and out. And the
// projection computed naively, for the tests to compare with.

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const copyCheckpoint = (c: PartitionCheckpoint): PartitionCheckpoint => ({
  ...copy({ ...c, aggregates: undefined }),
  aggregates: aggregatesFromStored(aggregatesToStored(c.aggregates)),
});

export function memoryOpsStore(profiles: Record<string, EnterpriseDimensions> = {}) {
  const partitions = new Map<string, PartitionCheckpoint>();
  const states = new Map<string, OpsApplicationState>();
  const store: OpsProjectionStore = {
    async loadPartition(topic, partition) {
      const stored = partitions.get(partitionDocId(topic, partition));
      return stored ? copyCheckpoint(stored) : copyCheckpoint({ topic, partition, version: 0, nextOffset: '0', lastEventAt: null, aggregates: aggregatesFromStored(null), redo: [] });
    },
    async commitPartition(next) {
      const id = partitionDocId(next.topic, next.partition);
      if ((partitions.get(id)?.version ?? 0) !== next.version - 1) return false;
      partitions.set(id, copyCheckpoint(next));
      return true;
    },
    async readApplicationStates(applicationIds) {
      return new Map(applicationIds.map((id) => [id, states.has(id) ? copy(states.get(id)!) : null]));
    },
    async writeApplicationStates(changed) {
      for (const state of changed) states.set(state.applicationId, copy(state));
    },
    async readEnterpriseDimensions(uscc) {
      return profiles[uscc] ?? null;
    },
  };
  return { store, partitions, states };
}

/** What the projection must hold after these deliveries (strings: malformed): each application folded on its own, then summed. */
export function naiveOpsMetrics(deliveries: readonly (DealflowEvent | string)[], profiles: Record<string, EnterpriseDimensions> = {}) {
  const aggregates = emptyAggregates();
  const states = new Map<string, OpsApplicationState>();
  for (const delivery of deliveries) {
    if (typeof delivery === 'string') {
      count(aggregates, 'malformedSkipped');
      continue;
    }
    count(aggregates, 'eventsSeen');
    const projected = projectEvent(states.get(delivery.applicationId) ?? null, delivery);
    if (projected.outcome === 'duplicate') {
      count(aggregates, 'duplicatesDropped');
      continue;
    }
    count(aggregates, 'eventsApplied');
    if (projected.outcome === 'late') count(aggregates, 'lateEvents');
    if (projected.gap) {
      count(aggregates, 'gaps');
      count(aggregates, 'missingEvents', projected.gap.to - projected.gap.from + 1);
    }
    const state = projected.state.profileChecked ? projected.state : withProfileDimensions(projected.state, profiles[projected.state.enterpriseUscc] ?? null);
    states.set(delivery.applicationId, state);
  }
  for (const state of states.values()) contribute(aggregates, state, 1);
  return metricsOf(aggregates);
}

