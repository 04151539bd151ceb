import { z } from 'zod';
import { APPLICATION_STATUSES, ApplicationStatus } from './application';
import { InstitutionId, IsoDateTime } from './common';

// The ops dashboard's read shapes: `GET /v1/ops/metrics` and the counters of the ops projector.

const count = z.int().nonnegative();

/** Applications by their current status; every status is present, 0 when none. */
export const StatusCounts = z.record(ApplicationStatus, count);
export type StatusCounts = z.infer<typeof StatusCounts>;

export const FunnelSlice = z.object({ total: count, byStatus: StatusCounts });
export type FunnelSlice = z.infer<typeof FunnelSlice>;

/** Key used when an application's region or instrument is not known (e.g. its submission event is missing). */
export const UNKNOWN_DIMENSION = 'unknown';
/** Qualification key of applications whose enterprise holds none. */
export const NO_QUALIFICATION = 'none';

export const OpsFunnel = z.object({
  /** Every application by its current status. */
  all: FunnelSlice,
  /** How many applications ever reached each status (the classic funnel). */
  reached: StatusCounts,
  /** Keyed by ISO 3166-2:CN region, or "unknown". */
  byRegion: z.record(z.string(), FunnelSlice),
  /** Keyed by instrument, or "unknown". */
  byInstrument: z.record(z.string(), FunnelSlice),
  /** Keyed by qualification type claimed at submission, or "none"; an application with two counts in both. */
  byQualification: z.record(z.string(), FunnelSlice),
});
export type OpsFunnel = z.infer<typeof OpsFunnel>;

export const StageTime = z.object({
  stage: ApplicationStatus,
  /** Applications that left this stage; time in the current stage is not counted until it ends. */
  samples: count,
  medianMs: z.number().nonnegative().nullable(),
  /** e.g. "2d 3h", "45m 10s"; null without samples. */
  median: z.string().nullable(),
});
export type StageTime = z.infer<typeof StageTime>;

export const InstitutionResponse = z.object({
  institutionId: InstitutionId,
  proposed: count,
  /** Answered (interest, decline, document request or term sheet) before the response SLA elapsed. */
  responded: count,
  /** No answer within the response SLA. */
  expired: count,
  /** responded / (responded + expired); null until one of them happened. */
  responseRate: z.number().min(0).max(1).nullable(),
});
export type InstitutionResponse = z.infer<typeof InstitutionResponse>;

export const OpsCounters = z.object({
  /** Valid events received, duplicates included. */
  eventsSeen: count,
  /** Events that changed the projection. */
  eventsApplied: count,
  duplicatesDropped: count,
  /** Times an application's seq jumped by more than 1. */
  gaps: count,
  /** Events those jumps skipped. */
  missingEvents: count,
  /** Skipped events that arrived after all, behind a later one. */
  lateEvents: count,
  /** Messages that were not JSON or did not fit DealflowEvent. */
  malformedSkipped: count,
});
export type OpsCounters = z.infer<typeof OpsCounters>;

export const OpsMetrics = z.object({
  generatedAt: IsoDateTime,
  applications: count,
  funnel: OpsFunnel,
  stageTimes: z.array(StageTime),
  institutions: z.array(InstitutionResponse),
  counters: OpsCounters,
  /**
   * The projection holds every event that occurred up to this time: `generatedAt` when it has
   * projected the whole topic, else the newest event time projected on the partition furthest
   * behind in time; null while such a partition has projected nothing yet.
   */
  asOf: IsoDateTime.nullable(),
  /** Events on the topic not yet projected (sum over partitions of high watermark minus projected offset). */
  projectionLagEvents: count,
});
export type OpsMetrics = z.infer<typeof OpsMetrics>;

/** The API's 503 body, `{ error: "unavailable", message }`, with Retry-After. */
export const OpsUnavailable = z.object({ error: z.literal('unavailable'), message: z.string() });
export type OpsUnavailable = z.infer<typeof OpsUnavailable>;

export function emptyStatusCounts(): StatusCounts {
  return Object.fromEntries(APPLICATION_STATUSES.map((s) => [s, 0])) as StatusCounts;
}
