import {
  APPLICATION_STATUSES, emptyStatusCounts, NO_QUALIFICATION, OpsCounters, UNKNOWN_DIMENSION,
  type ApplicationStatus, type FunnelSlice, type InstitutionResponse, type OpsMetrics, type StageTime, type StatusCounts,
} from '../../schemas';
import type { Models } from '../store/models';
import { responseRate } from './projection';

// The ops metrics, read from the projections. The funnel and stage times are computed from the
// per-application documents in one streamed pass (a count per key, a bounded sample per stage),
// because counters kept by $inc could not be made idempotent without transactions; the cost is
// one read of `ops_applications` per call, which the HTTP route caches briefly.

/** Per stage, at most this many durations are kept (reservoir sampling): the median stays exact below it. */
export const STAGE_SAMPLE_CAP = 10_000;

export async function readOpsMetrics(models: Models, now: Date = new Date()): Promise<OpsMetrics> {
  const all = emptySlice();
  const reached = emptyStatusCounts();
  const byRegion: Record<string, FunnelSlice> = {};
  const byInstrument: Record<string, FunnelSlice> = {};
  const byQualification: Record<string, FunnelSlice> = {};
  const samples = new Map<ApplicationStatus, Reservoir>(APPLICATION_STATUSES.map((s) => [s, reservoir(STAGE_SAMPLE_CAP)]));
  let applications = 0;

  const cursor = models.opsApplications
    .find({}, { status: 1, region: 1, instrument: 1, qualificationTypes: 1, stageMs: 1, reached: 1 })
    .lean()
    .cursor();
  for await (const doc of cursor) {
    applications += 1;
    const status = doc.status as ApplicationStatus | null;
    for (const s of (doc.reached ?? []) as ApplicationStatus[]) if (s in reached) reached[s] += 1;
    for (const [stage, ms] of Object.entries((doc.stageMs ?? {}) as Record<string, number>)) {
      samples.get(stage as ApplicationStatus)?.add(ms);
    }
    if (status === null || !(status in reached)) continue;
    addTo(all, status);
    addTo(sliceOf(byRegion, stringOr(doc.region, UNKNOWN_DIMENSION)), status);
    addTo(sliceOf(byInstrument, stringOr(doc.instrument, UNKNOWN_DIMENSION)), status);
    const qualifications = (doc.qualificationTypes ?? []) as string[];
    for (const q of qualifications.length > 0 ? qualifications : [NO_QUALIFICATION]) addTo(sliceOf(byQualification, q), status);
  }

  const stageTimes: StageTime[] = APPLICATION_STATUSES.map((stage) => {
    const values = samples.get(stage)?.values() ?? [];
    const medianMs = median(values);
    return { stage, samples: samples.get(stage)?.seen() ?? 0, medianMs, median: medianMs === null ? null : formatDuration(medianMs) };
  }).filter((s) => s.samples > 0);

  const [statsDocs, counterDoc] = await Promise.all([
    models.institutionStats.find({}, { proposed: 1, responded: 1, expired: 1 }).lean(),
    models.opsCounters.findById('projector').lean(),
  ]);
  const institutions: InstitutionResponse[] = statsDocs
    .map((d) => {
      const responded = numberOr(d.responded);
      const expired = numberOr(d.expired);
      return { institutionId: String(d._id), proposed: numberOr(d.proposed), responded, expired, responseRate: responseRate(responded, expired) };
    })
    .sort((a, b) => a.institutionId.localeCompare(b.institutionId));

  const counters = OpsCounters.parse({
    eventsSeen: numberOr(counterDoc?.eventsSeen),
    eventsApplied: numberOr(counterDoc?.eventsApplied),
    duplicatesDropped: numberOr(counterDoc?.duplicatesDropped),
    gaps: numberOr(counterDoc?.gaps),
    missingEvents: numberOr(counterDoc?.missingEvents),
    lateEvents: numberOr(counterDoc?.lateEvents),
    malformedSkipped: numberOr(counterDoc?.malformedSkipped),
  });

  return {
    generatedAt: now.toISOString(),
    applications,
    funnel: { all, reached, byRegion, byInstrument, byQualification },
    stageTimes,
    institutions,
    counters,
  };
}

function emptySlice(): FunnelSlice {
  return { total: 0, byStatus: emptyStatusCounts() };
}

function sliceOf(slices: Record<string, FunnelSlice>, key: string): FunnelSlice {
  const existing = slices[key];
  if (existing) return existing;
  const created = emptySlice();
  slices[key] = created;
  return created;
}

function addTo(slice: { total: number; byStatus: StatusCounts }, status: ApplicationStatus): void {
  slice.total += 1;
  slice.byStatus[status] += 1;
}

const stringOr = (value: unknown, fallback: string): string => (typeof value === 'string' && value !== '' ? value : fallback);
const numberOr = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
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

interface Reservoir {
  add(value: number): void;
  values(): number[];
  seen(): number;
}

// Algorithm R with a fixed-seed generator, so the same data gives the same median on every read.
function reservoir(cap: number): Reservoir {
  const kept: number[] = [];
  let seen = 0;
  let seed = 0x2545f491;
  const nextRandom = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  return {
    add(value) {
      seen += 1;
      if (kept.length < cap) kept.push(value);
      else {
        const j = Math.floor(nextRandom() * seen);
        if (j < cap) kept[j] = value;
      }
    },
    values: () => kept,
    seen: () => seen,
  };
}
