import fc from 'fast-check';
import {
  comparePairs, meetingPairKey, placeMeetings, replacementFor, stableMeetings, type MeetingCaps, type PlacedMeeting, type ScoredPair,
} from '../../../domain/forums/schedule';

// The forum schedule's promises, over random registrations: a stable assignment within the
// capacities, slots without double booking, tables within the room, the same schedule for the
// same registrations in any order, and a declined meeting's place given to a fitting pair.

const ENTERPRISES = Array.from({ length: 12 }, (_, i) => `e${String(i).padStart(2, '0')}`);
const INSTITUTIONS = Array.from({ length: 6 }, (_, i) => `i${i}`);

const forumArb = fc.record({
  pairs: fc.uniqueArray(
    fc.record({
      enterpriseUscc: fc.constantFrom(...ENTERPRISES),
      institutionId: fc.constantFrom(...INSTITUTIONS),
      // Few distinct scores, so ties (broken by id) are common.
      score: fc.integer({ min: 40, max: 48 }),
    }).map((p): ScoredPair => ({ ...p, reasons: [] })),
    { selector: (p) => `${p.enterpriseUscc}|${p.institutionId}`, maxLength: 60 },
  ),
  perEnterprise: fc.integer({ min: 1, max: 3 }),
  capacities: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: INSTITUTIONS.length, maxLength: INSTITUTIONS.length }),
  slots: fc.integer({ min: 1, max: 8 }),
  tables: fc.integer({ min: 1, max: 6 }),
});

function capsOf(perEnterprise: number, capacities: number[]): MeetingCaps {
  return { perEnterprise, perInstitution: new Map(INSTITUTIONS.map((id, i) => [id, capacities[i] ?? 0])) };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The pairs that would both rather meet each other than keep one of their meetings (or that both have room). */
function blockingPairs(pairs: readonly ScoredPair[], meetings: readonly ScoredPair[], caps: MeetingCaps): ScoredPair[] {
  const given = new Set(meetings.map(meetingPairKey));
  const mine = (side: 'enterpriseUscc' | 'institutionId', id: string) => meetings.filter((m) => m[side] === id);
  const wants = (held: ScoredPair[], capacity: number, pair: ScoredPair): boolean =>
    held.length < capacity || held.some((m) => comparePairs(pair, m) < 0);
  return pairs.filter((pair) => !given.has(meetingPairKey(pair))
    && (caps.perInstitution.get(pair.institutionId) ?? 0) > 0
    && wants(mine('enterpriseUscc', pair.enterpriseUscc), caps.perEnterprise, pair)
    && wants(mine('institutionId', pair.institutionId), caps.perInstitution.get(pair.institutionId) ?? 0, pair));
}

describe('forum schedule properties', () => {
  test('the assignment is stable and within every capacity', () => {
    fc.assert(fc.property(forumArb, ({ pairs, perEnterprise, capacities }) => {
      const caps = capsOf(perEnterprise, capacities);
      const meetings = stableMeetings(pairs, caps);
      expect(blockingPairs(pairs, meetings, caps)).toEqual([]);
      for (const [, n] of countBy(meetings, (m) => m.enterpriseUscc)) expect(n).toBeLessThanOrEqual(perEnterprise);
      for (const [id, n] of countBy(meetings, (m) => m.institutionId)) expect(n).toBeLessThanOrEqual(caps.perInstitution.get(id) ?? 0);
      expect(new Set(meetings.map(meetingPairKey)).size).toBe(meetings.length);
    }));
  });

  test('nobody is in two places at once, no table holds two meetings, every meeting fits or is said to be cut', () => {
    fc.assert(fc.property(forumArb, ({ pairs, perEnterprise, capacities, slots, tables }) => {
      const meetings = stableMeetings(pairs, capsOf(perEnterprise, capacities));
      const { placed, cut } = placeMeetings(meetings, { slots, tables });
      expect(placed.length + cut.length).toBe(meetings.length);
      expect(placed.length).toBeLessThanOrEqual(slots * tables);
      for (const m of placed) {
        expect(m.slot).toBeGreaterThanOrEqual(0);
        expect(m.slot).toBeLessThan(slots);
        expect(m.table).toBeGreaterThanOrEqual(1);
        expect(m.table).toBeLessThanOrEqual(tables);
      }
      expect(new Set(placed.map((m) => `e:${m.enterpriseUscc}@${m.slot}`)).size).toBe(placed.length);
      expect(new Set(placed.map((m) => `i:${m.institutionId}@${m.slot}`)).size).toBe(placed.length);
      expect(new Set(placed.map((m) => `t:${m.table}@${m.slot}`)).size).toBe(placed.length);
      // Only what the room cannot hold is cut: a participant with more meetings than slots, or more meetings than seats.
      const perParticipant = Math.max(perEnterprise, ...capacities);
      if (meetings.length <= slots * tables && perParticipant <= slots) expect(cut).toEqual([]);
      // And what is cut for want of seats scores no higher than anything kept. (A meeting cut
      // because one of its participants already fills every slot may score higher.)
      const lowestKept = Math.min(...placed.map((m) => m.score));
      const placedOf = (key: string) => placed.filter((m) => m.enterpriseUscc === key || m.institutionId === key).length;
      for (const m of cut) {
        if (placedOf(m.enterpriseUscc) < slots && placedOf(m.institutionId) < slots) expect(m.score).toBeLessThanOrEqual(lowestKept);
      }
    }));
  });

  test('the same registrations in any order give the same schedule', () => {
    fc.assert(fc.property(forumArb.chain((forum) => fc.shuffledSubarray(forum.pairs, { minLength: forum.pairs.length, maxLength: forum.pairs.length })
      .map((shuffled) => ({ forum, shuffled }))), ({ forum, shuffled }) => {
      const caps = capsOf(forum.perEnterprise, forum.capacities);
      const room = { slots: forum.slots, tables: forum.tables };
      expect(placeMeetings(stableMeetings(shuffled, caps), room)).toEqual(placeMeetings(stableMeetings(forum.pairs, caps), room));
    }));
  });

  test('a declined meeting\'s slot goes to a pair that is free then and has a meeting to spare', () => {
    fc.assert(fc.property(forumArb, fc.nat(), ({ pairs, perEnterprise, capacities, slots, tables }, pick) => {
      const caps = capsOf(perEnterprise, capacities);
      const { placed } = placeMeetings(stableMeetings(pairs, caps), { slots, tables });
      fc.pre(placed.length > 0);
      const declined = placed[pick % placed.length] as PlacedMeeting;
      const replacement = replacementFor(declined, { placed, declined: new Set() }, pairs, caps);
      if (replacement === null) return;
      expect(meetingPairKey(replacement)).not.toBe(meetingPairKey(declined));
      expect(placed.some((m) => meetingPairKey(m) === meetingPairKey(replacement))).toBe(false);
      expect({ slot: replacement.slot, table: replacement.table }).toEqual({ slot: declined.slot, table: declined.table });
      const after = [...placed.filter((m) => m !== declined), replacement];
      expect(new Set(after.map((m) => `e:${m.enterpriseUscc}@${m.slot}`)).size).toBe(after.length);
      expect(new Set(after.map((m) => `i:${m.institutionId}@${m.slot}`)).size).toBe(after.length);
      expect(countBy(after, (m) => m.enterpriseUscc).get(replacement.enterpriseUscc)).toBeLessThanOrEqual(perEnterprise);
      expect(countBy(after, (m) => m.institutionId).get(replacement.institutionId)).toBeLessThanOrEqual(caps.perInstitution.get(replacement.institutionId) ?? 0);
    }));
  });
});
