import { performance } from 'node:perf_hooks';
import { comparePairs, meetingPairKey, placeMeetings, stableMeetings, type MeetingCaps, type ScoredPair } from '../../domain/forums/schedule';
import { mulberry32 } from '../../tools/seed/generate';
import { log, result, type BenchmarkResult } from '../lib/report';

// 6. Forums: one schedule at the summit's scale (1,000 enterprises, 100 institutions) against the
// way it is done by hand, first come first served: each enterprise in turn takes its best
// institutions that still have room. Both get the same pair scores; the line reports the time per
// schedule and, separately, the blocking pairs each leaves (pairs that would both rather meet).

const ENTERPRISES = 1_000;
const INSTITUTIONS = 100;
const PER_ENTERPRISE = 3;
/** 09:00–17:00 in 20-minute slots, a table per institution. */
const ROOM = { slots: 24, tables: INSTITUTIONS };
const ROUNDS = 5;

interface Forum {
  pairs: ScoredPair[];
  caps: MeetingCaps;
}

function syntheticForum(seed = 7): Forum {
  const random = mulberry32(seed);
  const institutions = Array.from({ length: INSTITUTIONS }, (_, i) => `inst-${String(i).padStart(3, '0')}`);
  const pairs: ScoredPair[] = [];
  for (let e = 0; e < ENTERPRISES; e += 1) {
    const enterpriseUscc = `ent-${String(e).padStart(4, '0')}`;
    // About a third of the institutions' registered products pass an enterprise's hard rules.
    for (const institutionId of institutions) {
      if (random() < 0.33) pairs.push({ enterpriseUscc, institutionId, score: 30 + Math.floor(random() * 70), reasons: [] });
    }
  }
  const perInstitution = new Map(institutions.map((id) => [id, 10 + Math.floor(random() * 21)]));
  return { pairs, caps: { perEnterprise: PER_ENTERPRISE, perInstitution } };
}

/** By hand: enterprises in registration order, each taking its best institutions with room left. */
function firstComeFirstServed({ pairs, caps }: Forum): ScoredPair[] {
  const byEnterprise = new Map<string, ScoredPair[]>();
  for (const pair of pairs) byEnterprise.set(pair.enterpriseUscc, [...(byEnterprise.get(pair.enterpriseUscc) ?? []), pair]);
  const left = new Map(caps.perInstitution);
  const meetings: ScoredPair[] = [];
  for (const enterprise of [...byEnterprise.keys()].sort()) {
    const options = (byEnterprise.get(enterprise) as ScoredPair[]).sort(comparePairs);
    let taken = 0;
    for (const pair of options) {
      if (taken === caps.perEnterprise) break;
      if ((left.get(pair.institutionId) ?? 0) <= 0) continue;
      left.set(pair.institutionId, (left.get(pair.institutionId) ?? 0) - 1);
      meetings.push(pair);
      taken += 1;
    }
  }
  return meetings;
}

function blockingPairs({ pairs, caps }: Forum, meetings: readonly ScoredPair[]): number {
  const given = new Set(meetings.map(meetingPairKey));
  const held = new Map<string, ScoredPair[]>();
  for (const m of meetings) {
    held.set(`e:${m.enterpriseUscc}`, [...(held.get(`e:${m.enterpriseUscc}`) ?? []), m]);
    held.set(`i:${m.institutionId}`, [...(held.get(`i:${m.institutionId}`) ?? []), m]);
  }
  const wants = (key: string, capacity: number, pair: ScoredPair): boolean => {
    const mine = held.get(key) ?? [];
    return mine.length < capacity || mine.some((m) => comparePairs(pair, m) < 0);
  };
  return pairs.filter((p) => !given.has(meetingPairKey(p))
    && wants(`e:${p.enterpriseUscc}`, caps.perEnterprise, p)
    && wants(`i:${p.institutionId}`, caps.perInstitution.get(p.institutionId) ?? 0, p)).length;
}

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function runForums(): Promise<BenchmarkResult[]> {
  const forum = syntheticForum();
  const schedule = () => placeMeetings(stableMeetings(forum.pairs, forum.caps), ROOM);
  const byHand = () => placeMeetings(firstComeFirstServed(forum), ROOM);
  schedule();
  byHand();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    theirs.push(timed(byHand));
    ours.push(timed(schedule));
  }
  const time = result('forums.schedule_1000x100_ms', 'ms per schedule', ours, theirs);
  const stable = stableMeetings(forum.pairs, forum.caps);
  const greedy = firstComeFirstServed(forum);
  const blocking = result('forums.blocking_pairs_vs_first_come', 'blocking pairs', [blockingPairs(forum, stable)], [blockingPairs(forum, greedy)]);
  const placed = placeMeetings(stable, ROOM);
  log(`forums: ${forum.pairs.length} eligible pairs, ${stable.length} stable meetings (${placed.cut.length} cut), `
    + `${time.value} ms per schedule vs ${time.baseline} ms first come first served; blocking pairs ${blocking.value} vs ${blocking.baseline}`);
  return [time, blocking];
}
