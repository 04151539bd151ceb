import {
  APPLICATION_STATUSES, emptyStatusCounts, NO_QUALIFICATION, UNKNOWN_DIMENSION,
  type FunnelSlice, type InstitutionResponse, type OpsCounters, type OpsMetrics, type StageTime,
} from '../schemas';
import { responseRate, type OpsApplicationState } from './opsProjection';

// The ops aggregates: funnel counts, stage-time histograms, institutions' answers and the
// projector's counters, as sums over applications of what each one contributes. The projector
// keeps one such sum per Kafka partition and moves it by (contribution after a batch) minus
// (contribution before), so an event costs the same whatever the history; a read merges the
// partitions' sums. Stage times are log-scale histograms rather than samples, because histograms
// add up across partitions and can take a contribution back; the median is read from them.

/** Counts by key; a key whose count falls to 0 is removed, so sums stay as small as their live keys. */
export type Tally = Map<string, number>;
/** A tally per key (a dimension value, a stage, an institution). */
export type Tallies = Map<string, Tally>;

export interface OpsAggregates {
  applications: number;
  /** Applications by current status (those with a status). */
  status: Tally;
  /** Applications that ever reached each status. */
  reached: Tally;
  /** Region, instrument, qualification -> status -> applications. */
  byRegion: Tallies;
  byInstrument: Tallies;
  byQualification: Tallies;
  /** Stage -> histogram bucket (see bucketOf) -> applications that left the stage after that long. */
  stageHistograms: Tallies;
  /** Institution -> proposed | responded | expired | withdrawn -> deals. */
  institutions: Tallies;
  /** The projector's OpsCounters, by field. */
  counters: Tally;
}

export type OpsCounterName = keyof OpsCounters;
const COUNTER_NAMES: readonly OpsCounterName[] = ['eventsSeen', 'eventsApplied', 'duplicatesDropped', 'gaps', 'missingEvents', 'lateEvents', 'malformedSkipped'];

export function emptyAggregates(): OpsAggregates {
  return {
    applications: 0,
    status: new Map(),
    reached: new Map(),
    byRegion: new Map(),
    byInstrument: new Map(),
    byQualification: new Map(),
    stageHistograms: new Map(),
    institutions: new Map(),
    counters: new Map(),
  };
}

export function addCount(tally: Tally, key: string, delta: number): void {
  const next = (tally.get(key) ?? 0) + delta;
  if (next === 0) tally.delete(key);
  else tally.set(key, next);
}

function addNested(tallies: Tallies, outer: string, inner: string, delta: number): void {
  let tally = tallies.get(outer);
  if (!tally) {
    tally = new Map();
    tallies.set(outer, tally);
  }
  addCount(tally, inner, delta);
  if (tally.size === 0) tallies.delete(outer);
}

export function count(aggregates: OpsAggregates, counter: OpsCounterName, delta = 1): void {
  addCount(aggregates.counters, counter, delta);
}

const dimension = (value: string | null): string => (value === null || value === '' ? UNKNOWN_DIMENSION : value);

/** Adds (sign 1) or takes back (sign -1) what one application's state counts for. */
export function contribute(aggregates: OpsAggregates, state: OpsApplicationState, sign: 1 | -1): void {
  aggregates.applications += sign;
  for (const reached of state.reached) addCount(aggregates.reached, reached, sign);
  for (const [stage, ms] of Object.entries(state.stageMs)) addNested(aggregates.stageHistograms, stage, String(bucketOf(ms)), sign);
  for (const deal of state.deals) {
    addNested(aggregates.institutions, deal.institutionId, 'proposed', sign);
    if (deal.outcome !== 'pending') addNested(aggregates.institutions, deal.institutionId, deal.outcome, sign);
  }
  const status = state.status;
  if (status === null) return;
  addCount(aggregates.status, status, sign);
  addNested(aggregates.byRegion, dimension(state.region), status, sign);
  addNested(aggregates.byInstrument, dimension(state.instrument), status, sign);
  const qualifications = state.qualificationTypes.length > 0 ? state.qualificationTypes : [NO_QUALIFICATION];
  for (const q of qualifications) addNested(aggregates.byQualification, q, status, sign);
}

/** `into` plus `from`; `into` is modified. */
export function mergeAggregates(into: OpsAggregates, from: OpsAggregates): OpsAggregates {
  into.applications += from.applications;
  for (const key of ['status', 'reached', 'counters'] as const) {
    for (const [k, n] of from[key]) addCount(into[key], k, n);
  }
  for (const key of ['byRegion', 'byInstrument', 'byQualification', 'stageHistograms', 'institutions'] as const) {
    for (const [outer, tally] of from[key]) for (const [inner, n] of tally) addNested(into[key], outer, inner, n);
  }
  return into;
}

// Stored form: tallies as lists of { key, n } (nested: { key, tally }), because keys (institution
// ids) may hold '.', which MongoDB field names may not, and FerretDB stores no nested arrays.
export type StoredAggregates = { applications: number } & Record<Exclude<keyof OpsAggregates, 'applications'>, unknown[]>;
type StoredTally = { key: string; n: number }[];
type StoredTallies = { key: string; tally: StoredTally }[];

export function aggregatesToStored(aggregates: OpsAggregates): StoredAggregates {
  const flat = (tally: Tally): StoredTally => [...tally].map(([key, n]) => ({ key, n }));
  const nested = (tallies: Tallies): StoredTallies => [...tallies].map(([key, tally]) => ({ key, tally: flat(tally) }));
  return {
    applications: aggregates.applications,
    status: flat(aggregates.status),
    reached: flat(aggregates.reached),
    byRegion: nested(aggregates.byRegion),
    byInstrument: nested(aggregates.byInstrument),
    byQualification: nested(aggregates.byQualification),
    stageHistograms: nested(aggregates.stageHistograms),
    institutions: nested(aggregates.institutions),
    counters: flat(aggregates.counters),
  };
}

export function aggregatesFromStored(stored: Partial<StoredAggregates> | null | undefined): OpsAggregates {
  const flat = (entries: unknown): Tally => new Map(Array.isArray(entries) ? (entries as StoredTally).map(({ key, n }) => [key, n]) : []);
  const nested = (entries: unknown): Tallies => new Map(Array.isArray(entries) ? (entries as StoredTallies).map(({ key, tally }) => [key, flat(tally)]) : []);
  return {
    applications: typeof stored?.applications === 'number' ? stored.applications : 0,
    status: flat(stored?.status),
    reached: flat(stored?.reached),
    byRegion: nested(stored?.byRegion),
    byInstrument: nested(stored?.byInstrument),
    byQualification: nested(stored?.byQualification),
    stageHistograms: nested(stored?.stageHistograms),
    institutions: nested(stored?.institutions),
    counters: flat(stored?.counters),
  };
}

// Histogram buckets: 16 per doubling, so a bucket's middle is within 2.2 % of any value in it.
// Bucket 0 holds durations under 1 ms; 30 days fall in bucket 505.
const BUCKETS_PER_DOUBLING = 16;

export function bucketOf(ms: number): number {
  return ms < 1 ? 0 : Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING) + 1;
}

/** The geometric middle of a bucket. */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING);
}

/** The median of a histogram (bucket -> count), from the buckets' middles; null when empty. */
export function histogramMedian(histogram: Tally): number | null {
  const buckets = [...histogram].map(([b, n]) => [Number(b), n] as const).sort((x, y) => x[0] - y[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total <= 0) return null;
  const atRank = (rank: number): number => {
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return bucketValue(bucket);
    }
    return bucketValue(buckets[buckets.length - 1]?.[0] ?? 0);
  };
  const value = total % 2 === 1 ? atRank((total + 1) / 2) : (atRank(total / 2) + atRank(total / 2 + 1)) / 2;
  return Math.round(value);
}

/** The read shapes of OpsMetrics that the aggregates answer. */
export function metricsOf(aggregates: OpsAggregates): Pick<OpsMetrics, 'applications' | 'funnel' | 'stageTimes' | 'institutions' | 'counters'> {
  const statusCounts = (tally: Tally) => {
    const counts = emptyStatusCounts();
    for (const status of APPLICATION_STATUSES) counts[status] = tally.get(status) ?? 0;
    return counts;
  };
  const slice = (tally: Tally): FunnelSlice => {
    const byStatus = statusCounts(tally);
    return { total: Object.values(byStatus).reduce((sum, n) => sum + n, 0), byStatus };
  };
  const slices = (tallies: Tallies): Record<string, FunnelSlice> =>
    Object.fromEntries([...tallies].sort(([a], [b]) => a.localeCompare(b)).map(([key, tally]) => [key, slice(tally)]));

  const stageTimes: StageTime[] = APPLICATION_STATUSES.flatMap((stage) => {
    const histogram = aggregates.stageHistograms.get(stage);
    const samples = histogram ? [...histogram.values()].reduce((sum, n) => sum + n, 0) : 0;
    if (!histogram || samples <= 0) return [];
    const medianMs = histogramMedian(histogram);
    return [{ stage, samples, medianMs, median: medianMs === null ? null : formatDuration(medianMs) }];
  });

  const institutions: InstitutionResponse[] = [...aggregates.institutions]
    .map(([institutionId, tally]) => {
      const responded = tally.get('responded') ?? 0;
      const expired = tally.get('expired') ?? 0;
      return { institutionId, proposed: tally.get('proposed') ?? 0, responded, expired, responseRate: responseRate(responded, expired) };
    })
    .sort((a, b) => a.institutionId.localeCompare(b.institutionId));

  const counters = Object.fromEntries(COUNTER_NAMES.map((name) => [name, aggregates.counters.get(name) ?? 0])) as OpsCounters;
  return {
    applications: aggregates.applications,
    funnel: {
      all: slice(aggregates.status),
      reached: statusCounts(aggregates.reached),
      byRegion: slices(aggregates.byRegion),
      byInstrument: slices(aggregates.byInstrument),
      byQualification: slices(aggregates.byQualification),
    },
    stageTimes,
    institutions,
    counters,
  };
}

/** Institutions' response rates (responded / (responded + expired)), for matching; absent until one happened. */
export function responseRatesOf(aggregates: OpsAggregates): Map<string, number> {
  const rates = new Map<string, number>();
  for (const [institutionId, tally] of aggregates.institutions) {
    const rate = responseRate(tally.get('responded') ?? 0, tally.get('expired') ?? 0);
    if (rate !== null) rates.set(institutionId, rate);
  }
  return rates;
}

/** "2d 3h", "4h 12m", "5m 30s", "12s", "250ms": the two largest units, for a dashboard. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const seconds = Math.round(ms / 1000) * 1000;
  const first = units.findIndex(([, size]) => seconds >= size);
  return units
    .slice(first, first + 2)
    .map(([name, size], i) => [name, i === 0 ? Math.floor(seconds / size) : Math.floor((seconds % (units[first]?.[1] ?? 1)) / size)] as const)
    .filter(([, n], i) => i === 0 || n > 0)
    .map(([name, n]) => `${n}${name}`)
    .join(' ');
}
