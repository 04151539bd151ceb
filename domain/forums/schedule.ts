import type { MatchReason } from '../../schemas';

// A forum's one-to-one meetings (the contract's "Forums" section), as pure functions of the
// registrations' pair scores: who meets whom (a stable assignment with capacities), then when and
// where (slots and tables, nobody in two places at once). Deterministic: the same pairs in any
// order give the same schedule.

/** One enterprise–institution pair that passed every hard rule, with its matching score. */
export interface ScoredPair {
  enterpriseUscc: string;
  institutionId: string;
  score: number;
  reasons: MatchReason[];
}

export interface MeetingCaps {
  /** Meetings per enterprise (`DEALFLOW_FORUM_MEETINGS_PER_ENTERPRISE`). */
  perEnterprise: number;
  /** Each institution's `meetingsCapacity`; an institution not named gets none. */
  perInstitution: ReadonlyMap<string, number>;
}

const pairKey = (p: Pick<ScoredPair, 'enterpriseUscc' | 'institutionId'>): string => `${p.enterpriseUscc}|${p.institutionId}`;

/**
 * The order both sides rank each other in: higher score first, then the contract's tie-break by
 * id. Both sides share the pair's score, so this one order is every participant's preference.
 */
export function comparePairs(a: ScoredPair, b: ScoredPair): number {
  return b.score - a.score
    || compareText(a.enterpriseUscc, b.enterpriseUscc)
    || compareText(a.institutionId, b.institutionId);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Many-to-many deferred acceptance with capacities, enterprises proposing: each enterprise with a
 * free meeting proposes to its next institution; an institution holds its best proposals up to its
 * capacity and rejects the rest. The result has no blocking pair: no enterprise and institution
 * that both prefer each other to a meeting they were given (or have a free place).
 */
export function stableMeetings(pairs: readonly ScoredPair[], caps: MeetingCaps): ScoredPair[] {
  const byEnterprise = new Map<string, ScoredPair[]>();
  for (const pair of uniquePairs(pairs)) {
    if ((caps.perInstitution.get(pair.institutionId) ?? 0) <= 0) continue;
    const list = byEnterprise.get(pair.enterpriseUscc) ?? [];
    list.push(pair);
    byEnterprise.set(pair.enterpriseUscc, list);
  }
  for (const list of byEnterprise.values()) list.sort(comparePairs);

  const next = new Map<string, number>();
  const held = new Map<string, number>();
  const holding = new Map<string, ScoredPair[]>();
  const free = [...byEnterprise.keys()].sort(compareText);
  for (const e of free) held.set(e, 0);

  while (free.length > 0) {
    const enterprise = free.pop() as string;
    const options = byEnterprise.get(enterprise) as ScoredPair[];
    let position = next.get(enterprise) ?? 0;
    while ((held.get(enterprise) ?? 0) < caps.perEnterprise && position < options.length) {
      const pair = options[position] as ScoredPair;
      position += 1;
      const list = holding.get(pair.institutionId) ?? [];
      holding.set(pair.institutionId, list);
      const capacity = caps.perInstitution.get(pair.institutionId) ?? 0;
      if (list.length < capacity) {
        list.push(pair);
        held.set(enterprise, (held.get(enterprise) ?? 0) + 1);
        continue;
      }
      // Full: the proposal replaces the institution's least preferred meeting, if it beats it.
      let worst = 0;
      for (let i = 1; i < list.length; i += 1) if (comparePairs(list[i] as ScoredPair, list[worst] as ScoredPair) > 0) worst = i;
      const displaced = list[worst] as ScoredPair;
      if (comparePairs(pair, displaced) >= 0) continue;
      list[worst] = pair;
      held.set(enterprise, (held.get(enterprise) ?? 0) + 1);
      held.set(displaced.enterpriseUscc, (held.get(displaced.enterpriseUscc) ?? 0) - 1);
      free.push(displaced.enterpriseUscc);
    }
    next.set(enterprise, position);
  }
  return [...holding.values()].flat().sort(comparePairs);
}

function uniquePairs(pairs: readonly ScoredPair[]): ScoredPair[] {
  const seen = new Map<string, ScoredPair>();
  for (const pair of pairs) {
    const key = pairKey(pair);
    const existing = seen.get(key);
    if (!existing || comparePairs(pair, existing) < 0) seen.set(key, pair);
  }
  return [...seen.values()];
}

export interface Room {
  /** Meeting slots in the forum's time (`(endsAt − startsAt) / slotMinutes`, rounded down). */
  slots: number;
  tables: number;
}

export interface PlacedMeeting extends ScoredPair {
  /** 0-based slot. */
  slot: number;
  /** 1-based table. */
  table: number;
}

export interface Placement {
  placed: PlacedMeeting[];
  /** Meetings the room could not hold (slots × tables, or more than a participant's slots): the lowest-scored. */
  cut: ScoredPair[];
}

/**
 * Slots and tables for the meetings: nobody in two meetings in one slot, at most `tables` meetings
 * per slot, each at its own table. A bipartite graph's edges can be coloured with as many colours
 * as its largest degree (König), and with any more the colour classes can be made equal to within
 * one (de Werra): so every meeting fits when no participant has more meetings than there are slots
 * and the meetings fit slots × tables. Meetings past either bound are cut, lowest-scored first.
 */
export function placeMeetings(meetings: readonly ScoredPair[], room: Room): Placement {
  const ordered = [...meetings].sort(comparePairs);
  const cut: ScoredPair[] = [];
  const degree = new Map<string, number>();
  const kept: ScoredPair[] = [];
  const seats = room.slots * room.tables;
  for (const meeting of ordered) {
    const e = `e:${meeting.enterpriseUscc}`;
    const i = `i:${meeting.institutionId}`;
    if (kept.length >= seats || (degree.get(e) ?? 0) >= room.slots || (degree.get(i) ?? 0) >= room.slots) {
      cut.push(meeting);
      continue;
    }
    degree.set(e, (degree.get(e) ?? 0) + 1);
    degree.set(i, (degree.get(i) ?? 0) + 1);
    kept.push(meeting);
  }
  if (kept.length === 0) return { placed: [], cut };

  const colouring = colourEdges(kept, room.slots);
  balanceColours(colouring);
  return { placed: assignTables(kept, colouring.colourOf, room.tables), cut };
}

// ---------------------------------------------------------------------------
// Edge colouring: a slot per meeting such that no participant has two meetings in one slot.
// ---------------------------------------------------------------------------

/** A proper edge colouring of the meetings' bipartite graph, built up and rearranged in place. */
class EdgeColouring {
  /** Per vertex (an enterprise or an institution), the edge holding each colour, or -1. */
  private readonly at: Int32Array[];
  private readonly ends: [number, number][];
  readonly colourOf: Int32Array;
  readonly load: Int32Array;

  constructor(meetings: readonly ScoredPair[], readonly colours: number) {
    const vertex = new Map<string, number>();
    const id = (key: string): number => {
      let v = vertex.get(key);
      if (v === undefined) {
        v = vertex.size;
        vertex.set(key, v);
      }
      return v;
    };
    this.ends = meetings.map((m): [number, number] => [id(`e:${m.enterpriseUscc}`), id(`i:${m.institutionId}`)]);
    this.at = Array.from({ length: vertex.size }, () => new Int32Array(colours).fill(-1));
    this.colourOf = new Int32Array(meetings.length).fill(-1);
    this.load = new Int32Array(colours);
  }

  get edges(): number {
    return this.ends.length;
  }

  endsOf(edge: number): [number, number] {
    return this.ends[edge] as [number, number];
  }

  edgeAt(vertex: number, colour: number): number {
    return (this.at[vertex] as Int32Array)[colour] as number;
  }

  set(edge: number, colour: number): void {
    const [u, v] = this.endsOf(edge);
    this.colourOf[edge] = colour;
    (this.at[u] as Int32Array)[colour] = edge;
    (this.at[v] as Int32Array)[colour] = edge;
    this.load[colour] = (this.load[colour] as number) + 1;
  }

  private unset(edge: number): void {
    const [u, v] = this.endsOf(edge);
    const colour = this.colourOf[edge] as number;
    (this.at[u] as Int32Array)[colour] = -1;
    (this.at[v] as Int32Array)[colour] = -1;
    this.load[colour] = (this.load[colour] as number) - 1;
  }

  /** The least used colour free at a vertex, so slots fill evenly from the start. */
  freeAt(vertex: number): number {
    let best = -1;
    for (let c = 0; c < this.colours; c += 1) {
      if (this.edgeAt(vertex, c) === -1 && (best === -1 || (this.load[c] as number) < (this.load[best] as number))) best = c;
    }
    return best;
  }

  /** The edges of the maximal path from `vertex` whose colours alternate `first`, `second`, …. */
  alternatingPath(vertex: number, first: number, second: number): number[] {
    const path: number[] = [];
    for (let at = vertex, colour = first; ;) {
      const edge = this.edgeAt(at, colour);
      if (edge === -1) return path;
      path.push(edge);
      const [x, y] = this.endsOf(edge);
      at = x === at ? y : x;
      colour = colour === first ? second : first;
    }
  }

  /** Exchanges colours `a` and `b` on a maximal alternating path: the colouring stays proper. */
  swap(path: readonly number[], a: number, b: number): void {
    const swapped = path.map((edge) => [edge, this.colourOf[edge] === a ? b : a] as const);
    for (const edge of path) this.unset(edge);
    for (const [edge, colour] of swapped) this.set(edge, colour);
  }

  vertices(): number {
    return this.at.length;
  }
}

/** Every meeting a slot, no participant twice in one: at most `colours` meetings each (König). */
function colourEdges(meetings: readonly ScoredPair[], colours: number): EdgeColouring {
  const colouring = new EdgeColouring(meetings, colours);
  for (let edge = 0; edge < colouring.edges; edge += 1) {
    const [u, v] = colouring.endsOf(edge);
    const a = colouring.freeAt(u);
    const b = colouring.freeAt(v);
    // a taken at v: swap a and b along the alternating path from v. In a bipartite graph it cannot
    // reach u, so afterwards a is free at both ends.
    if (colouring.edgeAt(v, a) !== -1) colouring.swap(colouring.alternatingPath(v, a, b), a, b);
    colouring.set(edge, a);
  }
  return colouring;
}

/**
 * Evens out the meetings per slot to within one (de Werra): while one colour has two more edges
 * than another, the edges of those two colours form paths and even cycles, and a path with more
 * edges of the larger colour exists; swapping its colours moves one edge across.
 */
function balanceColours(colouring: EdgeColouring): void {
  const { load, colours } = colouring;
  for (;;) {
    let big = 0;
    let small = 0;
    for (let c = 1; c < colours; c += 1) {
      if ((load[c] as number) > (load[big] as number)) big = c;
      if ((load[c] as number) < (load[small] as number)) small = c;
    }
    if ((load[big] as number) - (load[small] as number) <= 1) return;
    const path = oddPathOf(colouring, big, small);
    if (path.length === 0) return; // cannot happen in a proper colouring; stop rather than loop
    colouring.swap(path, big, small);
  }
}

/** A maximal path alternating `big` and `small` that starts and ends with `big`. */
function oddPathOf(colouring: EdgeColouring, big: number, small: number): number[] {
  for (let start = 0; start < colouring.vertices(); start += 1) {
    if (colouring.edgeAt(start, big) === -1 || colouring.edgeAt(start, small) !== -1) continue;
    const path = colouring.alternatingPath(start, big, small);
    if (path.length % 2 === 1) return path;
  }
  return [];
}

/**
 * Tables within each slot: an institution keeps one table through the forum where it can (people
 * come to it), otherwise takes the lowest free one.
 */
function assignTables(meetings: readonly ScoredPair[], slotOf: Int32Array, tables: number): PlacedMeeting[] {
  const institutions = [...new Set(meetings.map((m) => m.institutionId))].sort(compareText);
  const home = new Map(institutions.map((id, i) => [id, (i % tables) + 1]));
  const bySlot = new Map<number, number[]>();
  meetings.forEach((_, e) => {
    const slot = slotOf[e] as number;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), e]);
  });
  const tableOf = new Int32Array(meetings.length);
  for (const edges of bySlot.values()) {
    const taken = new Set<number>();
    const waiting: number[] = [];
    const byInstitution = [...edges].sort((a, b) => compareText((meetings[a] as ScoredPair).institutionId, (meetings[b] as ScoredPair).institutionId));
    for (const e of byInstitution) {
      const wanted = home.get((meetings[e] as ScoredPair).institutionId) as number;
      if (taken.has(wanted)) waiting.push(e);
      else {
        taken.add(wanted);
        tableOf[e] = wanted;
      }
    }
    let table = 1;
    for (const e of waiting) {
      while (taken.has(table)) table += 1;
      taken.add(table);
      tableOf[e] = table;
    }
  }
  return meetings
    .map((m, e) => ({ ...m, slot: slotOf[e] as number, table: tableOf[e] as number }))
    .sort((a, b) => a.slot - b.slot || a.table - b.table);
}

/**
 * The pair that takes a declined meeting's place: the best pair not already meeting or declined,
 * whose two sides both have a meeting to spare and are both free in that slot. The table is the
 * declined meeting's.
 */
export function replacementFor(
  declined: PlacedMeeting,
  schedule: { placed: readonly PlacedMeeting[]; declined: ReadonlySet<string> },
  pairs: readonly ScoredPair[],
  caps: MeetingCaps,
): PlacedMeeting | null {
  const active = schedule.placed.filter((m) => pairKey(m) !== pairKey(declined));
  const count = new Map<string, number>();
  const busy = new Set<string>();
  const meeting = new Set<string>();
  for (const m of active) {
    count.set(`e:${m.enterpriseUscc}`, (count.get(`e:${m.enterpriseUscc}`) ?? 0) + 1);
    count.set(`i:${m.institutionId}`, (count.get(`i:${m.institutionId}`) ?? 0) + 1);
    meeting.add(pairKey(m));
    if (m.slot === declined.slot) {
      busy.add(`e:${m.enterpriseUscc}`);
      busy.add(`i:${m.institutionId}`);
    }
  }
  const best = [...pairs].sort(comparePairs).find((p) => {
    const key = pairKey(p);
    if (key === pairKey(declined) || schedule.declined.has(key) || meeting.has(key)) return false;
    const e = `e:${p.enterpriseUscc}`;
    const i = `i:${p.institutionId}`;
    return !busy.has(e) && !busy.has(i)
      && (count.get(e) ?? 0) < caps.perEnterprise
      && (count.get(i) ?? 0) < (caps.perInstitution.get(p.institutionId) ?? 0);
  });
  return best ? { ...best, slot: declined.slot, table: declined.table } : null;
}

export { pairKey as meetingPairKey };
