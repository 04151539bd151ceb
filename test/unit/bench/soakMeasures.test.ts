import type { Admin } from 'kafkajs';
import { opsLagProbe } from '../../../bench/lib/opsLag';
import { seqGaps } from '../../../bench/soak/eventLog';

// The soak's two derived measures: the projection's lag in seconds (the age of the oldest
// unprojected event, to the sampling interval) and the seq gaps that make an application lost.

function fakeAdmin(state: { highs: number[]; committed: number[] }): Admin {
  return {
    fetchTopicOffsets: async () => state.highs.map((high, partition) => ({ partition, high: String(high), low: '0', offset: String(high) })),
    fetchOffsets: async () => [{ topic: 't', partitions: state.committed.map((offset, partition) => ({ partition, offset: String(offset), metadata: null })) }],
  } as unknown as Admin;
}

describe('opsLagProbe', () => {
  afterEach(() => jest.useRealTimers());

  it('ages the oldest unprojected event from the first sample that saw it, per partition', async () => {
    jest.useFakeTimers({ now: 0 });
    const state = { highs: [0, 0], committed: [-1, -1] };
    const probe = opsLagProbe(fakeAdmin(state), 't', 'g');
    expect(await probe()).toEqual({ at: 0, events: 0, seconds: 0 });

    state.highs = [3, 0];
    jest.setSystemTime(1_000);
    expect(await probe()).toMatchObject({ events: 3, seconds: 0 });

    state.highs = [5, 2];
    state.committed = [2, -1];
    jest.setSystemTime(4_000);
    // Partition 0: offset 2 was on the topic by the sample at 1 s; partition 1: first seen now.
    expect(await probe()).toMatchObject({ events: 3 + 2, seconds: 3 });

    state.committed = [5, 2];
    jest.setSystemTime(5_000);
    expect(await probe()).toMatchObject({ events: 0, seconds: 0 });
  });
});

describe('seqGaps', () => {
  it('names the seqs missing below the highest one read', () => {
    expect(seqGaps({ seqs: new Map([[1, 1], [2, 2], [3, 1]]) })).toEqual([]);
    expect(seqGaps({ seqs: new Map([[1, 1], [4, 1]]) })).toEqual([2, 3]);
  });
});
