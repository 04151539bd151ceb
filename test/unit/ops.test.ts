import { createFeedBuffer } from '../../services/api/liveFeed';
import { formatDuration, median } from '../../services/ops/metrics';
import { applyEvent, initialState } from '../../services/ops/projection';
import { eventStream, HOUR, screened, T0, termSheet, usccOf } from '../support/opsEvents';
import { createLogger } from '../../services/logger';

const logger = createLogger({ env: 'test', logLevel: 'silent' });
const e = eventStream('app-u1', usccOf('91310115MA1K4A2B9'));
const submitted = e(1, 'application.submitted', T0, { request: { instrument: 'equity', amountCny: 9_000_000, termMonths: 36, purpose: 'Series A' } });

test('stage times add up per stage, and offers_ready falls back when the last term sheet lapses', () => {
  const deal = { dealId: 'd1', institutionId: 'vc-1' };
  let s = initialState(submitted);
  for (const event of [
    submitted,
    e(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
    e(3, 'application.matched', T0 + 2 * HOUR, { candidates: [{ productId: 'p1', institutionId: 'vc-1', score: 70, reasons: [] }] }),
    e(4, 'deal.term_sheet_issued', T0 + 4 * HOUR, termSheet(T0), deal),
    e(5, 'deal.expired', T0 + 5 * HOUR, { reason: 'term_sheet_expired' }, deal),
    e(6, 'application.withdrawn', T0 + 8 * HOUR, { reason: 'done' }),
    e(7, 'application.matched', T0 + 9 * HOUR, { candidates: [] }),
  ]) s = applyEvent(s, event);
  expect(s.status).toBe('withdrawn'); // final stays final
  expect(s.stageMs).toEqual({ screening: HOUR, matching: HOUR, in_due_diligence: 2 * HOUR + 3 * HOUR, offers_ready: HOUR });
  expect(s.reached).toEqual(['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'withdrawn']);
});

test('durations read as the two largest units', () => {
  expect(formatDuration(250)).toBe('250ms');
  expect(formatDuration(45 * 60_000)).toBe('45m');
  expect(formatDuration(54 * HOUR)).toBe('2d 6h');
  expect(formatDuration(HOUR + 30_000)).toBe('1h');
  expect(median([3, 1, 2, 10])).toBe(2.5);
  expect(median([])).toBeNull();
});

test('the feed buffer replays after a known id, and says when an id is unknown or too old', () => {
  const feed = createFeedBuffer({ size: 3, logger });
  const ids = [1, 2, 3, 4, 5].map((seq) => feed.ingest(JSON.stringify(e(seq, 'application.withdrawn', T0, { reason: 'x' })))?.id);
  expect(feed.ingest('{"not":"an event"}')).toBeNull();
  expect(feed.ingest(JSON.stringify(e(5, 'application.withdrawn', T0, { reason: 'x' })))).toBeNull(); // a redelivered copy
  const replay = (id?: string) => feed.subscribe({ onEvent: () => {}, onClose: () => {} }, id).replay;
  expect(replay(ids[2]).entries.map((x) => x.event.seq)).toEqual([4, 5]);
  expect(replay(ids[1])).toMatchObject({ resumed: true, entries: [{ event: { seq: 3 } }, { event: { seq: 4 } }, { event: { seq: 5 } }] });
  expect(replay(ids[0])).toEqual({ entries: [], resumed: false }); // seq 2 left the buffer
  expect(replay(ids[4])).toEqual({ entries: [], resumed: true });
  expect(replay('0123abcd.2').resumed).toBe(false);
  expect(replay(undefined)).toEqual({ entries: [], resumed: true });
});
