import type { DealflowEvent } from '../../schemas';
import type { LiveFeed } from './liveFeed';

// Reads answered from memory until the event stream says they changed.
//
// Every change of a read model is followed by its event on the topic, and each API process already
// reads the topic (the live feed). An entry is tagged with what it shows (an application, an
// institution's inbox, an enterprise's profile); an event drops the entries of its tags, so a
// polling client gets the stored view again only when there is something new. The cache answers
// only while the feed is live, and only entries filled during the current connection: events
// missed while the feed was away cannot leave a stale entry behind. `maxAgeMs` bounds what the
// stream cannot report (the read models are written before the event is sent, so while Kafka is
// down an entry can be that old) and changes made through another API process.

/** About 4 MB of views (one byte per character of ASCII JSON); 10 s is as stale as an entry may get. */
export const READ_CACHE_DEFAULTS = { maxChars: 4_000_000, maxAgeMs: 10_000 } as const;

export interface ReadCacheOptions {
  feed: Pick<LiveFeed, 'subscribe' | 'connectionId'>;
  /** Upper bound of the cached text, in characters. */
  maxChars: number;
  maxAgeMs: number;
  now?: () => number;
}

interface Entry<T> {
  value: T;
  chars: number;
  tags: readonly string[];
  connectionId: number;
  storedAt: number;
}

export interface ReadCache {
  /**
   * The cached value of `key`, or what `load` answers, kept when no event for `tags` arrived while
   * it loaded. `chars` sizes a value for the bound. Null (nothing stored yet) is never kept.
   */
  read<T>(key: string, tags: readonly string[], load: () => Promise<T>, chars: (value: NonNullable<T>) => number, fresh?: Freshness<T>): Promise<T>;
  /** Drops every entry with one of the tags: a change this process made or was told of. */
  invalidate(tags: readonly string[]): void;
  stats(): { entries: number; chars: number; hits: number; misses: number };
  close(): void;
}

/**
 * Whether a cached value is new enough for this read (a client's X-Dealflow-Min-Seq, see
 * consistency.ts); one that is not is loaded again, as on a miss.
 */
export type Freshness<T> = (cached: T) => boolean;

export const tag = {
  application: (applicationId: string) => `application:${applicationId}`,
  enterpriseApplications: (uscc: string) => `applications-of:${uscc}`,
  allApplications: 'applications',
  deal: (dealId: string) => `deal:${dealId}`,
  inbox: (institutionId: string) => `inbox:${institutionId}`,
  allDeals: 'deals',
  /** Deals show the enterprise's current profile; profiles change rarely, so one tag covers them all. */
  profiles: 'profiles',
};

/** What a change of an application (and of one of its deals) makes stale. */
export function tagsOfChange(change: { applicationId: string; enterpriseUscc: string; dealId?: string; institutionId?: string }): string[] {
  const tags = [tag.application(change.applicationId), tag.enterpriseApplications(change.enterpriseUscc), tag.allApplications];
  if (change.dealId !== undefined) tags.push(tag.deal(change.dealId), tag.allDeals);
  if (change.institutionId !== undefined) tags.push(tag.inbox(change.institutionId));
  return tags;
}

/** For API instances without a feed (tests, tools): every read loads. */
export const noReadCache: ReadCache = {
  read: (_key, _tags, load) => load(),
  invalidate: () => undefined,
  stats: () => ({ entries: 0, chars: 0, hits: 0, misses: 0 }),
  close: () => undefined,
};

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on a hit makes the first entry the least recently used.
  const entries = new Map<string, Entry<unknown>>();
  const keysByTag = new Map<string, Set<string>>();
  // Bumped per tag by every invalidation: a load that overlapped one does not store its answer.
  // `epoch` is bumped when the versions are forgotten, which counts as a change of every tag.
  const versions = new Map<string, number>();
  let epoch = 0;
  let chars = 0;
  let hits = 0;
  let misses = 0;

  const { unsubscribe } = options.feed.subscribe({
    onEvent: ({ event }) => invalidate(tagsOfChange(event as DealflowEvent & { dealId?: string; institutionId?: string })),
    onClose: () => clear(),
  });

  function remove(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    chars -= entry.chars;
    for (const t of entry.tags) {
      const keys = keysByTag.get(t);
      keys?.delete(key);
      if (keys?.size === 0) keysByTag.delete(t);
    }
  }

  function clear(): void {
    entries.clear();
    keysByTag.clear();
    chars = 0;
  }

  function invalidate(tags: readonly string[]): void {
    for (const t of tags) {
      versions.set(t, (versions.get(t) ?? 0) + 1);
      for (const key of [...(keysByTag.get(t) ?? [])]) remove(key);
    }
    // Versions only need to outlive the loads in flight.
    if (versions.size > 100_000) {
      versions.clear();
      epoch += 1;
    }
  }

  const versionOf = (tags: readonly string[]): string => `${epoch}:${tags.map((t) => versions.get(t) ?? 0).join(',')}`;

  return {
    async read<T>(key: string, tags: readonly string[], load: () => Promise<T>, size: (value: NonNullable<T>) => number, fresh?: Freshness<T>): Promise<T> {
      const connectionId = options.feed.connectionId();
      const cached = entries.get(key) as Entry<T> | undefined;
      if (cached && connectionId !== null && cached.connectionId === connectionId && now() - cached.storedAt < options.maxAgeMs && (!fresh || fresh(cached.value))) {
        hits += 1;
        entries.delete(key);
        entries.set(key, cached);
        return cached.value;
      }
      misses += 1;
      if (cached) remove(key);
      const before = versionOf(tags);
      const value = await load();
      if (value === null || value === undefined) return value;
      const entryChars = size(value);
      // Stored only if the feed was live throughout and nothing about these tags changed meanwhile.
      if (connectionId === null || options.feed.connectionId() !== connectionId || versionOf(tags) !== before || entryChars > options.maxChars) return value;
      remove(key); // a concurrent load of the same key stored it meanwhile: replace it, do not count it twice
      entries.set(key, { value, chars: entryChars, tags, connectionId, storedAt: now() });
      chars += entryChars;
      for (const t of tags) {
        let keys = keysByTag.get(t);
        if (!keys) keysByTag.set(t, (keys = new Set()));
        keys.add(key);
      }
      for (const oldest of entries.keys()) {
        if (chars <= options.maxChars) break;
        remove(oldest);
      }
      return value;
    },
    invalidate,
    stats: () => ({ entries: entries.size, chars, hits, misses }),
    close() {
      unsubscribe();
      clear();
    },
  };
}
