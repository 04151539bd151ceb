import type { OpsMetrics } from '../schemas';
import {
  aggregatesFromStored, aggregatesToStored, emptyAggregates, mergeAggregates, metricsOf, responseRatesOf,
  type OpsAggregates, type StoredAggregates,
} from '../domain/opsAggregates';
import type { OpsApplicationState } from '../domain/opsProjection';
import { collectionOf, isDuplicateKey, upsertById } from './collection';
import type { Models } from './models';

// The ops projection's documents, every access by `_id` (FerretDB pushes down nothing else):
// - `ops_partitions`, one document per topic partition (`<topic>#<partition>`): the checkpoint of
//   the projector on that partition (the next Kafka offset to project), the partition's aggregates
//   (domain/opsAggregates.ts), the newest event time projected, and the application states the
//   last batch changed (`redo`). Writing it is the commit point of a batch, guarded by `version`
//   so that a consumer that lost the partition in a rebalance cannot overwrite a newer checkpoint.
//   The collection holds a handful of documents, so that one non-`_id` condition scans little.
// - `ops_application_states`, one document per application (`_id` = applicationId): its projected
//   state, written after the checkpoint as a full replace. A crash between the two leaves the
//   checkpoint's `redo` list to write them again on the next (re)assignment of the partition.
// The metrics are read from the partitions' documents only: O(partitions + dimension keys).

export interface PartitionCheckpoint {
  topic: string;
  partition: number;
  /** Commits so far; 0 when nothing was stored yet. */
  version: number;
  /** The Kafka offset of the next message to project (as kafkajs spells offsets, a decimal string). */
  nextOffset: string;
  /** occurredAt of the newest event applied on this partition. */
  lastEventAt: string | null;
  aggregates: OpsAggregates;
  /** The application states the last committed batch changed. */
  redo: OpsApplicationState[];
}

/** An enterprise's fields the projection takes dimensions from. */
export interface EnterpriseDimensions {
  region?: unknown;
  industry?: unknown;
  qualifications?: unknown;
}

/** What the projector reads and writes; tests wrap it to cut a batch short. */
export interface OpsProjectionStore {
  loadPartition(topic: string, partition: number): Promise<PartitionCheckpoint>;
  /** Stores `next` if the stored version is still `next.version - 1`; false when another consumer committed first. */
  commitPartition(next: PartitionCheckpoint): Promise<boolean>;
  /** The stored states of these applications (null: none yet), by `_id`, a few reads at a time. */
  readApplicationStates(applicationIds: readonly string[]): Promise<Map<string, OpsApplicationState | null>>;
  writeApplicationStates(states: readonly OpsApplicationState[]): Promise<void>;
  readEnterpriseDimensions(uscc: string): Promise<EnterpriseDimensions | null>;
}

export const partitionDocId = (topic: string, partition: number): string => `${topic}#${partition}`;

interface StoredPartition {
  _id: string;
  topic: string;
  partition: number;
  version: number;
  nextOffset: string;
  lastEventAt: string | null;
  aggregates: StoredAggregates;
  redo: OpsApplicationState[];
  updatedAt: string;
}

function fromStored(topic: string, partition: number, doc: Partial<StoredPartition> | null): PartitionCheckpoint {
  return {
    topic,
    partition,
    version: typeof doc?.version === 'number' ? doc.version : 0,
    nextOffset: typeof doc?.nextOffset === 'string' ? doc.nextOffset : '0',
    lastEventAt: typeof doc?.lastEventAt === 'string' ? doc.lastEventAt : null,
    aggregates: aggregatesFromStored(doc?.aggregates),
    redo: Array.isArray(doc?.redo) ? doc.redo : [],
  };
}

function stateFromStored(doc: Record<string, unknown>): OpsApplicationState {
  const { _id, updatedAt, ...state } = doc;
  void _id;
  void updatedAt;
  return state as unknown as OpsApplicationState;
}

/**
 * A batch's reads and writes run this many at a time: the process has 8 connections (mongo.ts)
 * shared by the partitions consumed in parallel, and a caller that waits 5 s for one fails.
 */
const IN_FLIGHT = 4;

/** Marks an application document claimed by readApplicationStates before any state was written to it. */
const CLAIMED = 'claimedOnly';

async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

export function opsProjectionStore(models: Models): OpsProjectionStore {
  const partitions = collectionOf(models.opsPartitions);
  const states = collectionOf(models.opsApplicationStates);
  const enterprises = collectionOf(models.enterprises);
  return {
    async loadPartition(topic, partition) {
      const doc = await partitions.findOne({ _id: partitionDocId(topic, partition) });
      return fromStored(topic, partition, doc as Partial<StoredPartition> | null);
    },

    async commitPartition(next) {
      const _id = partitionDocId(next.topic, next.partition);
      const doc: Omit<StoredPartition, '_id'> = {
        topic: next.topic,
        partition: next.partition,
        version: next.version,
        nextOffset: next.nextOffset,
        lastEventAt: next.lastEventAt,
        aggregates: aggregatesToStored(next.aggregates),
        redo: next.redo,
        updatedAt: new Date().toISOString(),
      };
      if (next.version === 1) {
        try {
          await partitions.insertOne({ _id, ...doc });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }
      const replaced = await partitions.replaceOne({ _id, version: next.version - 1 }, doc);
      return replaced.matchedCount > 0;
    },

    async readApplicationStates(applicationIds) {
      const found = new Map<string, OpsApplicationState | null>();
      await eachLimited(applicationIds, async (applicationId) => {
        // FerretDB 1.24 (SQLite) serves a find by `_id` with a scan of the table (its plan reads
        // SCAN: the `_id` index is not used), while an insert checks the unique `_id` index. Most
        // applications asked for here are new, so claim the `_id` first and read only when taken.
        try {
          await states.insertOne({ _id: applicationId, [CLAIMED]: true });
          found.set(applicationId, null);
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const doc = await states.findOne({ _id: applicationId });
          found.set(applicationId, doc && doc[CLAIMED] !== true ? stateFromStored(doc) : null);
        }
      });
      return found;
    },

    async writeApplicationStates(changed) {
      const updatedAt = new Date().toISOString();
      await eachLimited(changed, (state) => upsertById(states, state.applicationId, { ...state, updatedAt }));
    },

    async readEnterpriseDimensions(uscc) {
      return enterprises.findOne<EnterpriseDimensions>({ _id: uscc }, { projection: { region: 1, industry: 1, qualifications: 1 } });
    },
  };
}

/** A partition's high watermark: the offset the next message written to it will get. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/**
 * The ops metrics of `topic`, merged from its partitions' documents (one `_id` read each).
 * `highWatermarks` are the topic's, from Kafka (adapters/kafka.ts `fetchHighWatermarks`): they
 * name the partitions and give the projection's lag.
 */
export async function readOpsMetrics(
  models: Models,
  options: { topic: string; highWatermarks: readonly PartitionOffset[]; now?: Date },
): Promise<OpsMetrics> {
  const now = options.now ?? new Date();
  const store = opsProjectionStore(models);
  const checkpoints = await Promise.all(options.highWatermarks.map(async ({ partition, offset }) => ({
    checkpoint: await store.loadPartition(options.topic, partition),
    highWatermark: BigInt(offset),
  })));

  const total = emptyAggregates();
  let lag = 0n;
  const behindAt: (string | null)[] = [];
  for (const { checkpoint, highWatermark } of checkpoints) {
    mergeAggregates(total, checkpoint.aggregates);
    const behind = highWatermark - BigInt(checkpoint.nextOffset);
    if (behind <= 0n) continue;
    lag += behind;
    behindAt.push(checkpoint.lastEventAt);
  }
  // Complete up to the oldest "newest event projected" among the partitions that are behind.
  const asOf = behindAt.length === 0 ? now.toISOString()
    : behindAt.includes(null) ? null
    : (behindAt as string[]).reduce((oldest, at) => (Date.parse(at) < Date.parse(oldest) ? at : oldest));

  return {
    generatedAt: now.toISOString(),
    ...metricsOf(total),
    asOf,
    projectionLagEvents: Number(lag),
  };
}

/**
 * Institutions' response rates from every partition document in the store (a store serves one
 * topic): the collection holds a handful of documents, so reading it whole is cheap.
 */
export async function loadResponseRates(models: Models): Promise<Map<string, number>> {
  const docs = await collectionOf(models.opsPartitions).find({}, { projection: { 'aggregates.institutions': 1 } }).toArray();
  const total = emptyAggregates();
  for (const doc of docs) mergeAggregates(total, aggregatesFromStored(doc.aggregates as Partial<StoredAggregates> | undefined));
  return responseRatesOf(total);
}
