import type { DealflowEvent } from '../../../schemas';
import type { FeedEntry, FeedSubscriber } from '../../../services/api/liveFeed';
import { createReadCache, tag, tagsOfChange } from '../../../services/api/readCache';
import { anyCached, atLeast } from '../../../services/api/consistency';

// The read cache against a hand-driven feed: what it keeps, and every way an entry stops being served.

function fakeFeed() {
  const subscribers = new Set<FeedSubscriber>();
  let connectionId: number | null = 1;
  return {
    subscribe(subscriber: FeedSubscriber) {
      subscribers.add(subscriber);
      return { replay: { entries: [], resumed: true }, unsubscribe: () => void subscribers.delete(subscriber) };
    },
    connectionId: () => connectionId,
    setConnection(id: number | null) {
      connectionId = id;
    },
    emit(event: Partial<DealflowEvent> & { applicationId: string; enterpriseUscc: string; dealId?: string; institutionId?: string }) {
      for (const subscriber of subscribers) subscriber.onEvent({ id: 'x.1', event: event as DealflowEvent } as FeedEntry);
    },
    subscribers,
  };
}

function setup(options: { maxChars?: number; maxAgeMs?: number } = {}) {
  const feed = fakeFeed();
  let clock = 0;
  const cache = createReadCache({ feed, maxChars: options.maxChars ?? 1_000, maxAgeMs: options.maxAgeMs ?? 10_000, now: () => clock });
  let loads = 0;
  const read = (key: string, tags: string[], value: string | null = `v${loads + 1}`) =>
    cache.read(key, tags, async () => {
      loads += 1;
      return value;
    }, (text) => text.length);
  return { feed, cache, read, loads: () => loads, advance: (ms: number) => void (clock += ms) };
}

const appTag = tag.application('app-1');
const event = { applicationId: 'app-1', enterpriseUscc: '91310000MA1FL0007C' };

test('a second read is answered from memory until an event about it arrives', async () => {
  const { feed, read, loads } = setup();
  expect(await read('a', [appTag])).toBe('v1');
  expect(await read('a', [appTag])).toBe('v1');
  expect(loads()).toBe(1);

  feed.emit({ ...event, applicationId: 'app-2' });
  expect(await read('a', [appTag])).toBe('v1');
  feed.emit(event);
  expect(await read('a', [appTag])).toBe('v2');
  expect(loads()).toBe(2);
});

test('a deal event drops its deal, its institution\'s inbox and the lists; invalidate() does the same for a change made here', async () => {
  const { feed, cache, read, loads } = setup();
  await read('inbox', [tag.inbox('inst-1')]);
  await read('other-inbox', [tag.inbox('inst-2')]);
  await read('deal', [tag.deal('d-1')]);
  await read('all-deals', [tag.allDeals]);
  feed.emit({ ...event, dealId: 'd-1', institutionId: 'inst-1' });
  await read('inbox', [tag.inbox('inst-1')]);
  await read('other-inbox', [tag.inbox('inst-2')]);
  await read('deal', [tag.deal('d-1')]);
  await read('all-deals', [tag.allDeals]);
  expect(loads()).toBe(7);

  cache.invalidate(tagsOfChange({ ...event, dealId: 'd-1', institutionId: 'inst-1' }));
  await read('inbox', [tag.inbox('inst-1')]);
  expect(loads()).toBe(8);
});

test('an answer loaded while an event about it arrived is not kept', async () => {
  const { feed, cache } = setup();
  let release!: (value: string) => void;
  const slow = cache.read('a', [appTag], () => new Promise<string>((resolve) => (release = resolve)), (text) => text.length);
  feed.emit(event); // the write behind this event may have landed after the load read the document
  release('old');
  expect(await slow).toBe('old');
  expect(await cache.read('a', [appTag], async () => 'new', (text) => text.length)).toBe('new');
});

test('nothing is kept or served while the feed is away, nor entries from before it reconnected', async () => {
  const { feed, read, loads } = setup();
  await read('a', [appTag]);
  feed.setConnection(null);
  await read('a', [appTag]);
  await read('a', [appTag]);
  expect(loads()).toBe(3);

  feed.setConnection(2); // events may have been missed meanwhile
  await read('a', [appTag]);
  await read('a', [appTag]);
  expect(loads()).toBe(4);
});

test('entries expire after maxAgeMs; null is never kept', async () => {
  const { read, loads, advance } = setup({ maxAgeMs: 1_000 });
  await read('a', [appTag]);
  advance(999);
  await read('a', [appTag]);
  expect(loads()).toBe(1);
  advance(1);
  await read('a', [appTag]);
  expect(loads()).toBe(2);

  expect(await read('missing', [appTag], null)).toBeNull();
  expect(await read('missing', [appTag], null)).toBeNull();
  expect(loads()).toBe(4);
});

test('the least recently used entries go when the text would exceed maxChars', async () => {
  const { cache, read, loads } = setup({ maxChars: 10 });
  await read('a', [appTag], 'aaaa');
  await read('b', [appTag], 'bbbb');
  await read('a', [appTag], 'aaaa'); // a is now the most recently used
  await read('c', [appTag], 'cccc'); // 12 characters: b goes
  expect(cache.stats()).toMatchObject({ entries: 2, chars: 8 });
  await read('a', [appTag], 'aaaa');
  await read('b', [appTag], 'bbbb');
  expect(loads()).toBe(4);
});

test('concurrent loads of one key keep one entry, counted once', async () => {
  const { cache, read } = setup();
  await Promise.all([read('a', [appTag], 'aaaa'), read('a', [appTag], 'aaaa'), read('a', [appTag], 'aaaa')]);
  expect(cache.stats()).toMatchObject({ entries: 1, chars: 4 });
});

test('closing unsubscribes from the feed', () => {
  const { feed, cache } = setup();
  expect(feed.subscribers.size).toBe(1);
  cache.close();
  expect(feed.subscribers.size).toBe(0);
});

test('a read that asks for a newer view than the cached one loads it, and keeps the newer one', async () => {
  const { cache } = setup();
  let stored = { lastSeq: 3, view: 'before the command' };
  const read = (minSeq?: number) => cache.read('application:app-1', [appTag], async () => stored, (doc) => doc.view.length, atLeast(minSeq));
  expect(await read()).toEqual({ lastSeq: 3, view: 'before the command' });
  // A command through another replica: no event has reached this one yet.
  stored = { lastSeq: 5, view: 'after the command' };
  expect(await read()).toEqual({ lastSeq: 3, view: 'before the command' });
  expect(await read(5)).toEqual({ lastSeq: 5, view: 'after the command' });
  expect(await read(4)).toEqual({ lastSeq: 5, view: 'after the command' });
  expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
  expect(await cache.read('list', [appTag], async () => 'page', (text) => text.length, anyCached(1))).toBe('page');
  expect(await cache.read('list', [appTag], async () => 'page again', (text) => text.length, anyCached(1))).toBe('page again');
});
