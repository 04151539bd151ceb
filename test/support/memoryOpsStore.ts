import { aggregatesFromStored, aggregatesToStored } from '../../domain/opsAggregates';
import type { OpsApplicationState } from '../../domain/opsProjection';
import { partitionDocId, type EnterpriseDimensions, type OpsProjectionStore, type PartitionCheckpoint } from '../../services/store/opsProjection';

// The ops projector's store in memory, with the same rules as the MongoDB one (opsProjection.ts):
// a commit only over the version it was loaded at, full replaces, copies in and out.

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
    async readApplicationState(applicationId) {
      const state = states.get(applicationId);
      return state ? copy(state) : null;
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
