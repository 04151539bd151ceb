import { effectProbe } from '../cluster/balancer';
import { analyseStream, type StoredEvent } from '../cluster/stream';

// The cluster run's judgements (test/cluster/): what a topic's events say of an application, and
// which read shows a command's effect.

const event = (seq: number, type = 'deal.interest_expressed', extra: Partial<StoredEvent> = {}): StoredEvent => ({
  seq, eventId: `app-1:${seq}`, type, partition: 0, offset: BigInt(seq), writtenAt: seq, ...extra,
});

describe('the cluster run reads an application\'s stream', () => {
  test('a gapless stream ending in a close', () => {
    const stream = analyseStream([event(1, 'application.submitted'), event(2, 'application.screened', { eligible: true }), event(3, 'application.closed')]);
    expect(stream).toMatchObject({ highest: 3, distinct: 3, gaps: [], duplicateSeqs: 0, outOfOrder: 0, partitions: 1, endStatus: 'closed' });
  });

  test('a missing seq, a copy, a copy with another id, a seq behind a higher one and a second partition are each counted', () => {
    const stream = analyseStream([
      event(1), event(3), event(2), event(3, 'deal.declined', { writtenAt: 99 }), event(3, 'deal.declined', { eventId: 'other' }), event(5, 'deal.declined', { partition: 1 }),
    ]);
    expect(stream.gaps).toEqual([4]);
    expect(stream.outOfOrder).toBe(1);
    expect(stream.duplicateSeqs).toBe(2);
    expect(stream.duplicatesWrittenAt).toEqual([99, 3]);
    expect(stream.conflictingDuplicates).toBe(1);
    expect(stream.partitions).toBe(2);
    expect(stream.endStatus).toBeNull();
  });

  test('screening that finds the application ineligible ends it rejected', () => {
    expect(analyseStream([event(1, 'application.submitted'), event(2, 'application.screened', { eligible: false })]).endStatus).toBe('rejected');
  });
});

describe('the cluster run\'s balancer tells which read shows a command', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));

  test('a decision shows once the deal read is as new as the answer', () => {
    const probe = effectProbe('/v1/deals/app-1-d1/decision', 200, body({ dealId: 'app-1-d1', updatedAt: '2026-11-30T03:00:02.000Z' }));
    expect(probe?.readPath).toBe('/v1/deals/app-1-d1');
    expect(probe?.shows({ updatedAt: '2026-11-30T03:00:01.000Z' })).toBe(false);
    expect(probe?.shows({ updatedAt: '2026-11-30T03:00:02.000Z' })).toBe(true);
  });

  test('an accepted offer shows in the application\'s deal', () => {
    const probe = effectProbe('/v1/applications/app-1/offers/app-1-d2/accept', 200, body({ dealId: 'app-1-d2', updatedAt: '2026-11-30T03:00:02.000Z' }));
    expect(probe?.readPath).toBe('/v1/applications/app-1');
    expect(probe?.shows({ deals: [{ dealId: 'app-1-d2', updatedAt: '2026-11-30T03:00:01.000Z' }] })).toBe(false);
    expect(probe?.shows({ deals: [{ dealId: 'app-1-d2', updatedAt: '2026-11-30T03:00:03.000Z' }] })).toBe(true);
  });

  test('a submission shows when the application can be read; a refused command or a read is not probed', () => {
    expect(effectProbe('/v1/applications', 202, body({ applicationId: 'app-1', status: 'submitted' }))?.readPath).toBe('/v1/applications/app-1');
    expect(effectProbe('/v1/deals/app-1-d1/decision', 409, body({ error: 'conflict' }))).toBeNull();
    expect(effectProbe('/v1/applications/app-1/withdraw', 202, body({ status: 'accepted', applied: false }))).toBeNull();
  });
});
