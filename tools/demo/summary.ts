import type { ApplicationStatus, DealStatus, EventType } from '../../schemas';

// The demo's report: outcomes, deals by status and the median time of each stage, computed from
// the applications as the API serves them (their timelines). Pure, so it is tested without a server.

export interface TimelineEvent {
  type: EventType | string;
  occurredAt: string;
  dealId?: string;
  data?: Record<string, unknown>;
}

export interface ReportedApplication {
  applicationId: string;
  status: ApplicationStatus;
  timeline: readonly TimelineEvent[];
  deals: readonly { dealId: string; productId: string; status: DealStatus }[];
}

export const END_STATUSES = ['closed', 'no_match', 'rejected', 'expired', 'withdrawn'] as const satisfies readonly ApplicationStatus[];
export type EndStatus = (typeof END_STATUSES)[number];

export const isEndStatus = (status: ApplicationStatus): status is EndStatus => (END_STATUSES as readonly string[]).includes(status);

/** An institution's own answer; an expiry is the system's, not an answer. */
const ANSWER_TYPES: ReadonlySet<string> = new Set(['deal.interest_expressed', 'deal.declined', 'deal.documents_requested', 'deal.term_sheet_issued']);

export const STAGES = [
  { key: 'screened', label: 'submitted → screened' },
  { key: 'matched', label: 'screened → matched' },
  { key: 'firstAnswer', label: 'matched → first deal answer' },
  { key: 'termSheet', label: 'first answer → first term sheet' },
  { key: 'closed', label: 'first term sheet → closed' },
] as const;
export type StageKey = (typeof STAGES)[number]['key'];

export interface StageStat {
  label: string;
  /** Applications that reached the stage's end. */
  reached: number;
  /** Median of the stage itself, ms; null when none reached it. */
  medianMs: number | null;
  /** Median from submission to the stage's end, ms. */
  medianSinceSubmittedMs: number | null;
}

export interface DemoSummary {
  applications: number;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  /** True when every application reached an end state before the time limit. */
  complete: boolean;
  outcomes: Record<EndStatus | 'open', number>;
  /** Applications still open at the end, with their status. */
  stillOpen: { applicationId: string; status: ApplicationStatus }[];
  dealsByStatus: Partial<Record<DealStatus, number>>;
  deals: number;
  /** `deal.expired` by reason: response SLA, documents deadline, due diligence, term sheet. */
  expiredDealsByReason: Record<string, number>;
  stages: Record<StageKey, StageStat>;
  /** Median (lapse - proposal) / product response SLA of deals whose response SLA lapsed. */
  observedSlaScale: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The times (ms) at which an application passed each milestone, from its timeline. */
export function milestones(app: ReportedApplication): Partial<Record<'submitted' | StageKey, number>> {
  const first = (predicate: (e: TimelineEvent) => boolean): number | undefined => {
    const times = app.timeline.filter(predicate).map((e) => Date.parse(e.occurredAt));
    return times.length > 0 ? Math.min(...times) : undefined;
  };
  const result: Partial<Record<'submitted' | StageKey, number>> = {};
  const set = (key: 'submitted' | StageKey, value: number | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  set('submitted', first((e) => e.type === 'application.submitted'));
  set('screened', first((e) => e.type === 'application.screened'));
  set('matched', first((e) => e.type === 'application.matched'));
  set('firstAnswer', first((e) => ANSWER_TYPES.has(e.type)));
  set('termSheet', first((e) => e.type === 'deal.term_sheet_issued'));
  set('closed', first((e) => e.type === 'application.closed'));
  return result;
}

export interface SummarizeInput {
  applications: readonly ReportedApplication[];
  /** Applications the demo submitted but could not read at the end. */
  unread?: number;
  startedAt: number;
  finishedAt: number;
  /** productId → response SLA in hours, to infer the running system's SLA scale. */
  responseSlaHours?: ReadonlyMap<string, number>;
}

export function summarize({ applications, unread = 0, startedAt, finishedAt, responseSlaHours }: SummarizeInput): DemoSummary {
  const outcomes: Record<EndStatus | 'open', number> = { closed: 0, no_match: 0, rejected: 0, expired: 0, withdrawn: 0, open: unread };
  const stillOpen: DemoSummary['stillOpen'] = [];
  const dealsByStatus: Partial<Record<DealStatus, number>> = {};
  const expiredDealsByReason: Record<string, number> = {};
  const stageSamples = Object.fromEntries(STAGES.map((s) => [s.key, { own: [] as number[], total: [] as number[] }])) as Record<StageKey, { own: number[]; total: number[] }>;
  const scaleSamples: number[] = [];
  let deals = 0;

  for (const app of applications) {
    if (isEndStatus(app.status)) outcomes[app.status] += 1;
    else {
      outcomes.open += 1;
      stillOpen.push({ applicationId: app.applicationId, status: app.status });
    }
    for (const deal of app.deals) {
      deals += 1;
      dealsByStatus[deal.status] = (dealsByStatus[deal.status] ?? 0) + 1;
    }
    const proposedAt = new Map<string, number>();
    for (const event of app.timeline) {
      if (event.type === 'deal.proposed' && event.dealId) proposedAt.set(event.dealId, Date.parse(event.occurredAt));
      if (event.type !== 'deal.expired') continue;
      const reason = String(event.data?.reason ?? 'unknown');
      expiredDealsByReason[reason] = (expiredDealsByReason[reason] ?? 0) + 1;
      const proposed = event.dealId ? proposedAt.get(event.dealId) : undefined;
      const productId = app.deals.find((d) => d.dealId === event.dealId)?.productId;
      const slaHours = productId ? responseSlaHours?.get(productId) : undefined;
      if (reason === 'response_sla_elapsed' && proposed !== undefined && slaHours) {
        scaleSamples.push((Date.parse(event.occurredAt) - proposed) / (slaHours * 3_600_000));
      }
    }
    const m = milestones(app);
    let previous = m.submitted;
    for (const { key } of STAGES) {
      const at = m[key];
      if (at === undefined) break;
      if (previous !== undefined) stageSamples[key].own.push(at - previous);
      if (m.submitted !== undefined) stageSamples[key].total.push(at - m.submitted);
      previous = at;
    }
  }

  const stages = Object.fromEntries(STAGES.map(({ key, label }) => [key, {
    label,
    reached: stageSamples[key].total.length,
    medianMs: median(stageSamples[key].own),
    medianSinceSubmittedMs: median(stageSamples[key].total),
  }])) as Record<StageKey, StageStat>;

  return {
    applications: applications.length + unread,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    elapsedMs: finishedAt - startedAt,
    complete: outcomes.open === 0,
    outcomes,
    stillOpen,
    dealsByStatus,
    deals,
    expiredDealsByReason,
    stages,
    observedSlaScale: scaleSamples.length > 0 ? roundSignificant(median(scaleSamples) as number, 2) : null,
  };
}

function roundSignificant(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** A plain-text table: one header row, a rule, then the rows; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const line = (row: readonly string[]) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(cells[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The summary as the demo prints it. */
export function renderSummary(summary: DemoSummary): string {
  const pct = (n: number) => (summary.applications === 0 ? '0%' : `${Math.round((n / summary.applications) * 100)}%`);
  const outcomes = table(['application outcome', 'count', 'share'], [
    ...END_STATUSES.map((s) => [s, summary.outcomes[s], pct(summary.outcomes[s])] as const),
    ['still open', summary.outcomes.open, pct(summary.outcomes.open)],
    ['total', summary.applications, '100%'],
  ]);
  const dealRows = Object.entries(summary.dealsByStatus).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([status, n]) => [status, n ?? 0] as const);
  const deals = table(['deal final status', 'count'], [...dealRows, ['total', summary.deals]]);
  const expiries = Object.entries(summary.expiredDealsByReason);
  const stages = table(['stage', 'apps', 'median', 'median since submitted'], STAGES.map(({ key }) => {
    const s = summary.stages[key];
    return [s.label, s.reached, formatDuration(s.medianMs), formatDuration(s.medianSinceSubmittedMs)] as const;
  }));
  const lines = [
    outcomes,
    '',
    deals,
    ...(expiries.length > 0 ? ['', `expired deals by reason: ${expiries.map(([r, n]) => `${r} ${n}`).join(', ')}`] : []),
    '',
    stages,
    '',
    `elapsed ${formatDuration(summary.elapsedMs)}`
      + (summary.observedSlaScale !== null ? `; observed SLA scale ≈ ${summary.observedSlaScale} (a 72 h response SLA lapsed after ≈ ${formatDuration(72 * 3_600_000 * summary.observedSlaScale)})` : ''),
  ];
  if (summary.stillOpen.length > 0) {
    lines.push('', `still open when the demo stopped (${summary.stillOpen.length}):`);
    for (const open of summary.stillOpen.slice(0, 20)) lines.push(`  ${open.applicationId}  ${open.status}`);
    if (summary.stillOpen.length > 20) lines.push(`  … and ${summary.stillOpen.length - 20} more (see the JSON)`);
  }
  return lines.join('\n');
}
