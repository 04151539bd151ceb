import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import type { DealflowEvent } from '../../schemas';
import type { Logger } from '../../adapters/logger';
import { decode } from '../../adapters/events/decode';

// The fan-out behind `GET /v1/ops/events`: one Kafka consumer per API process, in a group of its
// own (every process sees every event, from now on), a bounded ring buffer of the newest events
// and the set of open SSE streams.
//
// SSE ids are `<bootId>.<n>`: bootId is random per feed (per process start), n counts the events
// this feed accepted, from 1. Kafka offsets are per partition and give no order across partitions;
// a per-process counter does, and the bootId tells a Last-Event-ID from another process or an
// earlier run (behind a load balancer, or after a restart) so it is never misread as ours. Such
// an id, or one older than the buffer, gets the live stream plus an `event: reset` that says so.
//
// The group leaves nothing behind: it never commits an offset (the positions it has read live in
// this process, and a reconnection seeks back to them), so Kafka's coordinator removes it once
// it is empty, even after a crash; a clean close deletes it at once.

export const DEFAULT_FEED_BUFFER = 1_000;

export interface FeedEntry {
  id: string;
  event: DealflowEvent;
}

export interface Replay {
  entries: FeedEntry[];
  /** False when the Last-Event-ID is not ours or the events after it left the buffer. */
  resumed: boolean;
}

export interface FeedSubscriber {
  onEvent(entry: FeedEntry): void;
  /** The feed closed (process shutting down). */
  onClose(): void;
}

export interface LiveFeed {
  readonly bootId: string;
  /** The consumer is in its group and fetching: what the feed shows is live. */
  isConnected(): boolean;
  /**
   * Which period of being connected this is (a new number after every reconnection), or null
   * while not connected: whoever relies on having seen every event since a moment compares these.
   */
  connectionId(): number | null;
  /** Resolves once connected (or rejects after `timeoutMs`). */
  whenConnected(timeoutMs?: number): Promise<void>;
  /** Subscribes and returns the buffered events after `lastEventId` in one step, so none falls between. */
  subscribe(subscriber: FeedSubscriber, lastEventId?: string): { replay: Replay; unsubscribe: () => void };
  /** Adds one Kafka message value; returns the entry, or null when it was skipped. Exposed for tests. */
  ingest(value: Buffer | string | null): FeedEntry | null;
  close(): Promise<void>;
}

export function feedGroupId(): string {
  return `dealflow-api-feed-${hostname()}-${process.pid}`;
}

/** The feed without Kafka: buffer, ids, subscribers. `createLiveFeed` connects it to the topic. */
export function createFeedBuffer(options: { size?: number; logger: Logger }) {
  const size = options.size ?? DEFAULT_FEED_BUFFER;
  const bootId = randomBytes(6).toString('hex');
  const ring: FeedEntry[] = [];
  const ids = new Set<string>();
  const subscribers = new Set<FeedSubscriber>();
  let counter = 0;

  function ingest(value: Buffer | string | null): FeedEntry | null {
    const decoded = decode(value);
    if (!decoded.ok) {
      options.logger.warn({ problem: decoded.problem }, 'live feed skipped a message that is not a dealflow event');
      return null;
    }
    // A rebalance can redeliver: the same eventId shows once while it is in the buffer.
    if (ids.has(decoded.event.eventId)) return null;
    counter += 1;
    const entry: FeedEntry = { id: `${bootId}.${counter}`, event: decoded.event };
    ring.push(entry);
    ids.add(entry.event.eventId);
    while (ring.length > size) {
      const dropped = ring.shift();
      if (dropped) ids.delete(dropped.event.eventId);
    }
    for (const subscriber of subscribers) subscriber.onEvent(entry);
    return entry;
  }

  function replayAfter(lastEventId: string | undefined): Replay {
    if (lastEventId === undefined || lastEventId === '') return { entries: [], resumed: true };
    const match = /^([0-9a-f]+)\.(\d+)$/.exec(lastEventId);
    const n = match && match[1] === bootId ? Number(match[2]) : NaN;
    if (!Number.isSafeInteger(n) || n > counter) return { entries: [], resumed: false };
    const oldest = counter - ring.length + 1;
    // The event right after n must still be in the buffer, else some were missed.
    if (n + 1 < oldest) return { entries: [], resumed: false };
    return { entries: ring.slice(n + 1 - oldest), resumed: true };
  }

  return {
    bootId,
    ingest,
    subscribe(subscriber: FeedSubscriber, lastEventId?: string) {
      subscribers.add(subscriber);
      return { replay: replayAfter(lastEventId), unsubscribe: () => void subscribers.delete(subscriber) };
    },
    closeSubscribers() {
      for (const subscriber of [...subscribers]) subscriber.onClose();
      subscribers.clear();
    },
  };
}

export function createLiveFeed(deps: {
  kafka: Kafka;
  topic: string;
  logger: Logger;
  groupId?: string;
  bufferSize?: number;
  /** Delay before retrying a consumer that could not start (Kafka down). */
  retryMs?: number;
}): LiveFeed {
  const log = deps.logger.child({ component: 'ops-live-feed' });
  const buffer = createFeedBuffer({ size: deps.bufferSize, logger: log });
  const groupId = deps.groupId ?? feedGroupId();
  let consumer: Consumer | null = null;
  let joined = false;
  let fetching = false;
  let connections = 0;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  /** The next offset to read per partition, kept here since the group commits none. */
  const positions = new Map<number, string>();
  const waiters = new Set<() => void>();

  const connected = (): boolean => joined && fetching && !closed;
  const notify = (): void => {
    if (!connected()) return;
    for (const resolve of waiters) resolve();
    waiters.clear();
  };

  async function start(): Promise<void> {
    const c = deps.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    consumer = c;
    // Joined is not enough: a new group resolves its "latest" offset on the first fetch.
    c.on(c.events.GROUP_JOIN, () => {
      joined = true;
      fetching = false;
      // Without committed offsets a rejoin would start at the newest message: go on where we were.
      for (const [partition, offset] of positions) c.seek({ topic: deps.topic, partition, offset });
    });
    c.on(c.events.FETCH, () => {
      if (!fetching) connections += 1;
      fetching = true;
      notify();
    });
    c.on(c.events.CRASH, ({ payload }) => {
      joined = false;
      fetching = false;
      log.warn({ error: payload.error.message, restart: payload.restart }, 'live feed consumer crashed');
      if (!payload.restart && !closed) scheduleRetry();
    });
    c.on(c.events.DISCONNECT, () => {
      joined = false;
      fetching = false;
    });
    try {
      await c.connect();
      await c.subscribe({ topic: deps.topic, fromBeginning: false });
      await c.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          buffer.ingest(message.value);
          positions.set(partition, (BigInt(message.offset) + 1n).toString());
        },
      });
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'live feed consumer could not start; retrying');
      await c.disconnect().catch(() => {});
      scheduleRetry();
    }
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void start();
    }, deps.retryMs ?? 5_000);
    retryTimer.unref();
  }

  void start();

  return {
    bootId: buffer.bootId,
    isConnected: connected,
    connectionId: () => (connected() ? connections : null),
    whenConnected(timeoutMs = 30_000) {
      if (connected()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`live feed not connected within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        waiters.add(done);
      });
    },
    subscribe: buffer.subscribe,
    ingest: buffer.ingest,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      buffer.closeSubscribers();
      await consumer?.disconnect().catch(() => {});
      await deleteGroup(deps.kafka, groupId).catch((error: unknown) => log.debug({ err: error, groupId }, 'live feed group not deleted; Kafka removes it once empty'));
    },
  };
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]);
  } finally {
    await admin.disconnect();
  }
}
