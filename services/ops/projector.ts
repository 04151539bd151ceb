import type { Kafka } from 'kafkajs';
import type { DealflowEvent } from '../../schemas';
import { contribute, count, emptyAggregates, mergeAggregates } from '../../domain/opsAggregates';
import { projectEvent, withProfileDimensions, type OpsApplicationState } from '../../domain/opsProjection';
import { decode } from '../../adapters/events/decode';
import { TOPIC_PARTITIONS, type ConsumerHandle } from '../../adapters/kafka';
import type { Logger } from '../../adapters/logger';
import { tracedConsume } from '../../adapters/tracing';
import type { Models } from '../../store/models';
import type { ProjectorMetrics } from './projectorMetrics';
import { opsProjectionStore, type OpsProjectionStore, type PartitionCheckpoint } from '../../store/opsProjection';

// The ops projector: consumes the event topic in batches, partitions in parallel, and keeps the
// ops projection (store/opsProjection.ts) at a bounded cost per event, whatever the
// history: per batch chunk, one `_id` write per application it touches and one write of the
// partition's document; an application's state is read (or its `_id` claimed, when new) only when
// it is not among the partition's recent states in memory, plus one profile read for an
// application whose submission event lacks the dimensions.
//
// Exactly-once effect without transactions (FerretDB has none). All events of an application are
// on one partition (key = applicationId), so a partition's aggregates are a sum over its own
// applications, and one consumer at a time owns them:
// 1. A chunk of the batch is projected in memory: each application's state (domain/opsProjection)
//    and the partition's aggregates, moved by (the application's contribution after) minus
//    (its contribution before).
// 2. The partition's document is written with the next offset, the aggregates, the counters and
//    the changed states (`redo`), if its version is still the one this consumer loaded: the commit
//    point. A consumer that lost the partition in a rebalance is refused and reloads.
// 3. The changed application states are written by `_id` (a full replace, so redoing it is
//    harmless). After a crash between 2 and 3, whoever loads the partition next writes `redo`
//    again before anything else.
//    A consumer refused at 2 writes nothing. One that lost the partition right after its commit
//    writes the same states as the next owner's redo; only if those writes were delayed past the
//    next owner's following batch could they put an older state back. kafkajs finishes a running
//    batch before it rejoins the group, which leaves that to a consumer cut off mid-write by a
//    session timeout; a per-document version condition would close it, but is a scan on FerretDB.
// 4. Kafka offsets are committed last; they serve lag tooling and where a restart fetches from.
//    Messages below the checkpoint's offset (redelivered after a crash) are skipped.
// Dedup by seq (the eventId's tail), gaps and late events: domain/opsProjection.ts `projectEvent`.
//
// The consumer group is new with this design (`dealflow-ops-v2.<topic>`), so an existing store is
// projected again from the topic's beginning into the new collections; the old projector's
// collections are dropped by the migration `2026-11-ops-projection-by-partition`.

/** One group per topic: projectors of two topics in one group would be handed each other's partitions. */
export const opsGroupId = (topic: string): string => `dealflow-ops-v2.${topic}`;

/** Messages per checkpoint: bounds the partition document's `redo` list and the work a crash repeats. */
export const CHECKPOINT_EVERY = 200;
/** Application states kept in memory per partition held (the most recently projected). */
export const CACHED_STATES_PER_PARTITION = 5_000;

export interface RawMessage {
  offset: string;
  value: Buffer | string | null;
}

/** Another consumer committed the partition since this one loaded it. */
export class CheckpointSuperseded extends Error {
  constructor(readonly topic: string, readonly partition: number, readonly version: number) {
    super(`ops projection of ${topic}#${partition}: the checkpoint moved past version ${version} under another consumer`);
    this.name = 'CheckpointSuperseded';
  }
}

export interface Projector {
  /**
   * Projects one partition's messages, in offset order, and returns the offset of the next
   * message to project. Throws when MongoDB fails or another consumer owns the partition now;
   * the caller redelivers, and the projector reloads the partition from its checkpoint.
   */
  projectBatch(partition: number, messages: readonly RawMessage[], options?: { heartbeat?: () => Promise<void> }): Promise<string>;
  /** Forgets the partitions it holds (after a rebalance): the next batch loads each from the store. */
  forgetPartitions(): void;
}

export function createProjector(deps: { store: OpsProjectionStore; logger: Logger; topic: string }): Projector {
  const { topic, store } = deps;
  const log = deps.logger.child({ component: 'ops-projector', topic });
  const held = new Map<number, PartitionCheckpoint>();
  // The committed states of the partition's recent applications: while this consumer holds the
  // partition nobody else writes them, so an application's next events need no read (reads by
  // `_id` scan on FerretDB, see opsProjection.ts). Dropped with the partition on any failure.
  const cached = new Map<number, Map<string, OpsApplicationState>>();

  function remember(partition: number, states: readonly OpsApplicationState[]): void {
    let recent = cached.get(partition);
    if (!recent) {
      recent = new Map();
      cached.set(partition, recent);
    }
    for (const state of states) {
      recent.delete(state.applicationId); // re-inserted last: a Map iterates oldest first
      recent.set(state.applicationId, state);
    }
    for (const oldest of recent.keys()) {
      if (recent.size <= CACHED_STATES_PER_PARTITION) break;
      recent.delete(oldest);
    }
  }

  function forget(partition: number): void {
    held.delete(partition);
    cached.delete(partition);
  }

  async function acquire(partition: number): Promise<PartitionCheckpoint> {
    const known = held.get(partition);
    if (known) return known;
    const checkpoint = await store.loadPartition(topic, partition);
    // The consumer before may have stopped between its checkpoint and the states' writes.
    await store.writeApplicationStates(checkpoint.redo);
    held.set(partition, checkpoint);
    remember(partition, checkpoint.redo);
    return checkpoint;
  }

  async function projectChunk(checkpoint: PartitionCheckpoint, messages: readonly RawMessage[]): Promise<PartitionCheckpoint> {
    const aggregates = mergeAggregates(emptyAggregates(), checkpoint.aggregates);
    const events: DealflowEvent[] = [];
    for (const message of messages) {
      const decoded = decode(message.value);
      if (decoded.ok) events.push(decoded.event);
      else {
        log.warn({ partition: checkpoint.partition, offset: message.offset, problem: decoded.problem }, 'skipped a message that is not a dealflow event');
        count(aggregates, 'malformedSkipped');
      }
    }

    // Each application touched, as committed before this chunk: from memory, else read once.
    const recent = cached.get(checkpoint.partition);
    const before = new Map<string, OpsApplicationState | null>();
    const unknown: string[] = [];
    for (const id of new Set(events.map((e) => e.applicationId))) {
      const state = recent?.get(id);
      if (state) before.set(id, state);
      else unknown.push(id);
    }
    for (const [id, state] of await store.readApplicationStates(unknown)) before.set(id, state);
    const after = new Map<string, OpsApplicationState>();
    let lastEventAt = checkpoint.lastEventAt;

    for (const event of events) {
      count(aggregates, 'eventsSeen');
      const where = { partition: checkpoint.partition, applicationId: event.applicationId, eventId: event.eventId, type: event.type };
      const projected = projectEvent(after.get(event.applicationId) ?? before.get(event.applicationId) ?? null, event);
      if (projected.outcome === 'duplicate') {
        count(aggregates, 'duplicatesDropped');
        log.debug(where, 'duplicate event dropped');
        continue;
      }
      count(aggregates, 'eventsApplied');
      if (projected.outcome === 'late') {
        count(aggregates, 'lateEvents');
        log.info(where, 'event from an earlier gap arrived late; deal answer counted, status not moved back');
      }
      if (projected.gap) {
        count(aggregates, 'gaps');
        count(aggregates, 'missingEvents', projected.gap.to - projected.gap.from + 1);
        log.warn({ ...where, missingFrom: projected.gap.from, missingTo: projected.gap.to }, 'seq gap: events missing for this application');
      }
      let next = projected.state;
      // Dimensions the submission event lacks come from the enterprise's profile, read once per application.
      if (!next.profileChecked) next = withProfileDimensions(next, await store.readEnterpriseDimensions(next.enterpriseUscc));
      after.set(event.applicationId, next);
      if (lastEventAt === null || Date.parse(event.occurredAt) > Date.parse(lastEventAt)) lastEventAt = event.occurredAt;
    }

    for (const [id, next] of after) {
      const previous = before.get(id);
      if (previous) contribute(aggregates, previous, -1);
      contribute(aggregates, next, 1);
    }
    const last = messages[messages.length - 1] as RawMessage;
    return {
      ...checkpoint,
      version: checkpoint.version + 1,
      nextOffset: (BigInt(last.offset) + 1n).toString(),
      lastEventAt,
      aggregates,
      redo: [...after.values()],
    };
  }

  return {
    async projectBatch(partition, messages, options = {}) {
      try {
        let checkpoint = await acquire(partition);
        const fresh = messages.filter((m) => BigInt(m.offset) >= BigInt(checkpoint.nextOffset));
        for (let start = 0; start < fresh.length; start += CHECKPOINT_EVERY) {
          const next = await projectChunk(checkpoint, fresh.slice(start, start + CHECKPOINT_EVERY));
          if (!(await store.commitPartition(next))) throw new CheckpointSuperseded(topic, partition, checkpoint.version);
          held.set(partition, next);
          await store.writeApplicationStates(next.redo);
          remember(partition, next.redo);
          checkpoint = next;
          await options.heartbeat?.();
        }
        return checkpoint.nextOffset;
      } catch (error) {
        forget(partition);
        if (error instanceof CheckpointSuperseded) log.warn({ partition }, error.message);
        throw error;
      }
    },
    forgetPartitions() {
      held.clear();
      cached.clear();
    },
  };
}

export interface ProjectorHandle extends ConsumerHandle {
  /** True while the consumer is a member of its group (joined, not crashed or stopped): readiness. */
  inGroup(): boolean;
}

/** Runs the projector as a consumer of `topic` in its group, from the topic's beginning for a new group. */
export async function startProjector(deps: { kafka: Kafka; models: Models; logger: Logger; topic: string; groupId?: string; metrics?: ProjectorMetrics }): Promise<ProjectorHandle> {
  const projector = createProjector({ store: opsProjectionStore(deps.models), logger: deps.logger, topic: deps.topic });
  // A projector that dies hands its partitions to the others after 10 s rather than kafkajs's
  // default 30 s (the ops lag a cluster run saw); batches heartbeat as they go.
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId ?? opsGroupId(deps.topic),
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
  });
  let inGroup = false;
  await consumer.connect();
  // A partition may come back after another consumer advanced it: reload it from the store.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    inGroup = true;
    projector.forgetPartitions();
  });
  for (const left of [consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) consumer.on(left, () => { inGroup = false; });
  await consumer.subscribe({ topic: deps.topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: TOPIC_PARTITIONS,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.isEmpty()) return;
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      let nextOffset: string;
      try {
        // Traced, each message's span continues the trace its producer's `traceparent` header carries.
        nextOffset = await tracedConsume(deps.topic, batch.partition, batch.messages, () => projector.projectBatch(batch.partition, batch.messages, { heartbeat }));
      } catch (error) {
        deps.metrics?.batchFailed(batch.partition, seconds());
        throw error;
      }
      deps.metrics?.batchProjected(batch.partition, batch.messages.length, seconds(), batch.highWatermark, nextOffset);
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
    },
  });
  return { consumer, close: () => consumer.disconnect(), inGroup: () => inGroup };
}
