import type { ApplicationView, DealStatus, DealView } from '../../schemas';
import type { JwtSettings } from '../../adapters/config';
import type { Principal } from '../../schemas/http';
import { beijingDateOf } from '../../schemas/beijingDate';
import type { SeedData } from '../seed/generate';
import { createApiClient, sleep, type ApiAnswer, type ApiClient } from './http';
import {
  answerDocuments, decideDeal, documentsToSubmit, institutionPersona, INSTITUTION_TURN_STATUSES, offerMove, rngFor,
  shouldWithdraw, WITHDRAW_REASONS, type InstitutionPersona, type InstitutionPersonaKind,
} from './personas';
import { planApplications, type PlannedApplication } from './plan';
import { formatDuration, isEndStatus, summarize, type DemoSummary } from './summary';

// Drives a demo run against a running dealflow, through its HTTP API only: enterprises apply,
// institutions work their inboxes, enterprises answer document requests and pick the best offer,
// institutions confirm the close. Every party's choice comes from personas.ts; this file only
// polls, schedules and sends.

export interface DemoOptions {
  api: string;
  applications: number;
  seed: number;
  concurrency: number;
  maxMinutes: number;
  jwt: JwtSettings;
  data: SeedData;
  /** How often every party looks at its inbox or its applications. */
  pollMs?: number;
  /** How long a decisive enterprise waits for the other institutions once it holds an offer. */
  patienceMs?: number;
  termSheetValidityMs?: number;
  /** Submissions are spread over this long, as applicants do not all click at once. */
  rampMs?: number;
  log?: (line: string) => void;
  onProgress?: (progress: DemoProgress) => void;
  /** Set to stop early (Ctrl-C): the run reports what it has. */
  signal?: AbortSignal;
  /** Each accepted submission, with when its request was handed to the client (the soak benchmark times from it). */
  onSubmitted?: (submission: { applicationId: string; key: string; sentAt: number }) => void;
}

export interface DemoProgress {
  total: number;
  submitted: number;
  ended: number;
  outcomes: DemoSummary['outcomes'];
  openDeals: number;
  elapsedMs: number;
}

export interface DemoResult {
  summary: DemoSummary & {
    seed: number;
    api: string;
    requestedApplications: number;
    submissionFailures: { key: string; status: number | null; message: string }[];
    institutionPersonas: Record<InstitutionPersonaKind, number>;
    enterprisePersonas: Record<string, number>;
    http: ApiClient['stats'] & { conflicts: number; pending: number };
  };
}

interface Tracked {
  plan: PlannedApplication;
  applicationId: string | null;
  submittedAt: number;
  view: ApplicationView | null;
  firstOfferSeenAt: number | null;
  /** Actions taken, by key, so a slow answer is never sent twice. */
  done: Set<string>;
  /** Actions waiting for their moment (documents being gathered), key → due time. */
  due: Map<string, number>;
}

interface PendingDecision {
  dueAt: number;
  silent: boolean;
  attempts: number;
  done: boolean;
}

const OPEN_DEAL: ReadonlySet<DealStatus> = new Set<DealStatus>(['proposed', 'interested', 'documents_requested', 'under_review', 'term_sheet_issued', 'selected']);
const UNSCALED_WARNING_MS = 4 * 60_000;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const pollMs = options.pollMs ?? 1_500;
  const patienceMs = options.patienceMs ?? 45_000;
  const termSheetValidityMs = options.termSheetValidityMs ?? 10 * 60_000;
  const rampMs = options.rampMs ?? 5_000;
  const log = options.log ?? (() => undefined);
  const client = createApiClient({ baseUrl: options.api, jwt: options.jwt, concurrency: options.concurrency });
  const ops: Principal = { role: 'ops', sub: 'demo:ops' };
  const enterpriseOf = (uscc: string): Principal => ({ role: 'enterprise', sub: `demo:${uscc}`, org: uscc });
  const institutionOf = (institutionId: string): Principal => ({ role: 'institution', sub: `demo:${institutionId}`, org: institutionId });
  const counters = { conflicts: 0, pending: 0 };
  const warned = new Set<string>();
  const warnOnce = (key: string, line: string) => {
    if (!warned.has(key)) {
      warned.add(key);
      log(line);
    }
  };

  await preflight(options.api);

  const startedAt = Date.now();
  const deadline = startedAt + options.maxMinutes * 60_000;
  const runId = startedAt.toString(36);
  const plans = planApplications({ data: options.data, count: options.applications, seed: options.seed, runId, today: beijingDateOf(startedAt) });
  const tracked: Tracked[] = plans.map((plan) => ({ plan, applicationId: null, submittedAt: 0, view: null, firstOfferSeenAt: null, done: new Set(), due: new Map() }));
  const personas = new Map<string, InstitutionPersona>(options.data.institutions.map((i) => [i.institutionId, institutionPersona(options.seed, i.institutionId)]));
  const personaOf = (institutionId: string) => personas.get(institutionId) ?? institutionPersona(options.seed, institutionId);
  const decisions = new Map<string, PendingDecision>();
  const timers: NodeJS.Timeout[] = [];
  const submissionFailures: DemoResult['summary']['submissionFailures'] = [];
  const responseSlaHours = new Map(options.data.products.map((p) => [p.productId, p.responseSlaHours]));
  let slaReported = false;

  const progress = (): DemoProgress => {
    const live = summarize({ applications: tracked.flatMap((t) => (t.view ? [t.view] : [])), startedAt, finishedAt: Date.now() });
    const submitted = tracked.filter((t) => t.applicationId !== null).length;
    return {
      total: tracked.length,
      submitted,
      ended: tracked.filter((t) => t.view && isEndStatus(t.view.status)).length + submissionFailures.length,
      outcomes: live.outcomes,
      openDeals: tracked.reduce((n, t) => n + (t.view?.deals.filter((d) => OPEN_DEAL.has(d.status)).length ?? 0), 0),
      elapsedMs: Date.now() - startedAt,
    };
  };

  // ---------- enterprises apply ----------

  const submissions = tracked.map(async (t, i) => {
    await sleep(Math.round((rampMs * i) / Math.max(1, tracked.length)));
    if (options.signal?.aborted) return;
    try {
      const sentAt = Date.now();
      const answer = await client.call<{ applicationId: string; error?: string; message?: string }>(
        enterpriseOf(t.plan.uscc), 'POST', '/v1/applications', t.plan.request, { headers: { 'idempotency-key': t.plan.key }, urgent: true },
      );
      if ((answer.status === 202 || answer.status === 200) && answer.body.applicationId) {
        t.applicationId = answer.body.applicationId;
        t.submittedAt = Date.now();
        options.onSubmitted?.({ applicationId: t.applicationId, key: t.plan.key, sentAt });
      } else {
        submissionFailures.push({ key: t.plan.key, status: answer.status, message: JSON.stringify(answer.body).slice(0, 300) });
        log(`submission ${t.plan.key} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
    } catch (error) {
      submissionFailures.push({ key: t.plan.key, status: null, message: (error as Error).message });
      log(`submission ${t.plan.key} failed: ${(error as Error).message}`);
    }
  });

  // ---------- the parties: each looks on its own clock, so one slow read holds up nobody else ----------

  const stopped = () => Date.now() >= deadline || Boolean(options.signal?.aborted);
  const isOpen = (t: Tracked) => t.applicationId !== null && !(t.view && isEndStatus(t.view.status));
  const refused = (t: Tracked) => submissionFailures.some((f) => f.key === t.plan.key);
  const allEnded = () => tracked.every((t) => (t.applicationId === null ? refused(t) : t.view !== null && isEndStatus(t.view.status)));
  const background: Promise<void>[] = [];
  let submissionsDone = false;
  void Promise.allSettled(submissions).then(() => {
    submissionsDone = true;
  });
  const spawn = (work: () => Promise<void>, what: string) => {
    background.push(work().catch((error: unknown) => warnOnce(`crash-${what}`, `${what} stopped: ${(error as Error).message}`)));
  };

  const enterpriseLoop = async (t: Tracked, submission: Promise<void>) => {
    await submission;
    while (t.applicationId !== null && isOpen(t) && !stopped()) {
      const started = Date.now();
      try {
        await refreshApplication(t);
        await enterpriseActs(t);
      } catch (error) {
        warnOnce(`enterprise-${t.plan.key}`, `enterprise ${t.plan.uscc}: ${(error as Error).message}`);
      }
      await sleep(Math.max(200, pollMs - (Date.now() - started)));
    }
  };
  tracked.forEach((t, i) => spawn(() => enterpriseLoop(t, submissions[i] as Promise<void>), `enterprise ${t.plan.key}`));

  // Institutions read the inbox tabs in which, as far as the demo knows, they owe an answer.
  const tabsInFlight = new Set<string>();
  const tabLookedAt = new Map<string, number>();
  const institutionsLook = () => {
    const tabs = new Set<string>();
    for (const t of tracked) {
      for (const deal of t.view?.deals ?? []) {
        if ((INSTITUTION_TURN_STATUSES as readonly DealStatus[]).includes(deal.status)) tabs.add(`${deal.institutionId}|${deal.status}`);
      }
    }
    for (const tab of tabs) {
      if (tabsInFlight.has(tab) || Date.now() - (tabLookedAt.get(tab) ?? 0) < pollMs) continue;
      tabsInFlight.add(tab);
      tabLookedAt.set(tab, Date.now());
      const [institutionId, status] = tab.split('|') as [string, DealStatus];
      spawn(async () => {
        try {
          schedule(institutionId, await inbox(institutionId, status));
        } finally {
          tabsInFlight.delete(tab);
        }
      }, `inbox ${tab}`);
    }
  };

  while (!stopped()) {
    institutionsLook();
    reportSla();
    options.onProgress?.(progress());
    if (submissionsDone && allEnded()) break;
    await sleep(Math.min(1_000, pollMs));
  }
  timers.forEach(clearTimeout);
  await Promise.allSettled(submissions);
  await Promise.allSettled(background);
  options.onProgress?.(progress());

  // ---------- the report, from the API's own view ----------

  const finals = await Promise.allSettled(tracked.filter((t) => t.applicationId !== null).map(async (t) => {
    const answer = await client.call<ApplicationView>(ops, 'GET', `/v1/applications/${t.applicationId}`);
    if (answer.status !== 200) throw new Error(`GET application ${t.applicationId} answered ${answer.status}`);
    return answer.body;
  }));
  const views = finals.flatMap((f) => (f.status === 'fulfilled' ? [f.value] : []));
  const finishedAt = Date.now();
  const summary = summarize({ applications: views, unread: finals.length - views.length, startedAt, finishedAt, responseSlaHours });
  // Submissions the API refused never became applications; they count as not submitted, not open.
  const institutionPersonas = { eager: 0, diligent: 0, cautious: 0, silent: 0 } as Record<InstitutionPersonaKind, number>;
  for (const id of new Set(views.flatMap((v) => v.deals.map((d) => d.institutionId)))) institutionPersonas[personaOf(id).kind] += 1;
  const enterprisePersonas: Record<string, number> = {};
  for (const t of tracked) enterprisePersonas[t.plan.persona.kind] = (enterprisePersonas[t.plan.persona.kind] ?? 0) + 1;
  return {
    summary: {
      ...summary,
      seed: options.seed,
      api: options.api,
      requestedApplications: options.applications,
      submissionFailures,
      institutionPersonas,
      enterprisePersonas,
      http: { ...client.stats, ...counters },
    },
  };

  // ---------- steps ----------

  async function refreshApplication(t: Tracked): Promise<void> {
    const answer = await client.call<ApplicationView>(enterpriseOf(t.plan.uscc), 'GET', `/v1/applications/${t.applicationId}`);
    if (answer.status === 200) {
      t.view = answer.body;
      if (t.view.screening?.reasons.some((r) => r.code === 'profile_missing')) {
        warnOnce('profile_missing', `screening found no profile for ${t.plan.uscc}: is the running system seeded with the default catalogue (npm run seed)?`);
      }
    } else if (answer.status !== 404) {
      warnOnce(`read-${answer.status}`, `reading an application answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
  }

  async function enterpriseActs(t: Tracked): Promise<void> {
    const view = t.view;
    if (!view || isEndStatus(view.status)) return;
    const now = Date.now();
    const principal = enterpriseOf(t.plan.uscc);
    const path = `/v1/applications/${view.applicationId}`;

    if (shouldWithdraw(t.plan.persona, t.submittedAt, now) && !t.done.has('withdraw')) {
      t.done.add('withdraw');
      const reason = rngFor(options.seed, 'withdraw', t.plan.key).pick(WITHDRAW_REASONS);
      countAnswer(await client.call(principal, 'POST', `${path}/withdraw`, { reason }, { urgent: true }), 'withdraw');
      return;
    }

    for (const deal of view.deals.filter((d) => d.status === 'documents_requested')) {
      const key = `documents:${deal.dealId}:${deal.documentsRequested.join(',')}`;
      if (t.done.has(key)) continue;
      const plan = answerDocuments(options.seed, t.plan.persona, deal.dealId);
      if (!plan.answer) {
        t.done.add(key); // this one never answers: the documents deadline lapses
        continue;
      }
      const dueAt = t.due.get(key) ?? now + plan.afterMs;
      t.due.set(key, dueAt);
      if (now < dueAt) continue;
      t.done.add(key);
      const documents = documentsToSubmit(t.plan.uscc, deal.documentsRequested);
      countAnswer(await client.call(principal, 'POST', `${path}/documents`, { dealId: deal.dealId, documents }, { urgent: true }), 'documents');
    }

    if (view.status === 'offers_ready' && !t.done.has('accept')) {
      t.firstOfferSeenAt ??= now;
      const move = offerMove(t.plan.persona, {
        instrument: view.request.instrument,
        deals: view.deals.map((d) => ({ dealId: d.dealId, status: d.status, ...(d.termSheet ? { termSheet: d.termSheet } : {}) })),
        firstOfferSeenAt: t.firstOfferSeenAt,
        now,
        patienceMs,
      });
      if (move.kind === 'accept') {
        t.done.add('accept');
        const answer = await client.call(principal, 'POST', `${path}/offers/${move.dealId}/accept`, undefined, { urgent: true });
        // Lost the race (the term sheet lapsed first): choose again on the next look.
        if (answer.status === 409) t.done.delete('accept');
        countAnswer(answer, 'accept');
      }
    }
  }

  /** Plans each inbox deal's answer once, and sends it when the persona's thinking time is up. */
  function schedule(institutionId: string, deals: readonly DealView[]): void {
    const persona = personaOf(institutionId);
    const ours = new Set(tracked.flatMap((t) => (t.applicationId ? [t.applicationId] : [])));
    for (const deal of deals.filter((d) => ours.has(d.applicationId))) {
      const key = `${deal.dealId}|${deal.status}`;
      if (decisions.has(key)) continue;
      const move = decideDeal(persona, dealFacts(deal), { seed: options.seed, now: Date.now(), termSheetValidityMs });
      const pending: PendingDecision = { dueAt: Date.now() + (move.kind === 'act' ? move.afterMs : 0), silent: move.kind === 'silent', attempts: 0, done: move.kind === 'silent' };
      decisions.set(key, pending);
      if (pending.done) continue;
      timers.push(setTimeout(() => spawn(() => decide(persona, deal, pending), `decision ${key}`), Math.max(0, pending.dueAt - Date.now())));
    }
  }

  function dealFacts(deal: DealView) {
    return { dealId: deal.dealId, status: deal.status, ...(deal.request ? { request: deal.request } : {}) };
  }

  async function decide(persona: InstitutionPersona, deal: DealView, pending: PendingDecision): Promise<void> {
    // Decided again at the moment of acting: the same choice (same seed), with a fresh expiresAt.
    if (stopped()) return;
    const move = decideDeal(persona, dealFacts(deal), { seed: options.seed, now: Date.now(), termSheetValidityMs });
    if (move.kind !== 'act') {
      pending.done = true;
      return;
    }
    pending.attempts += 1;
    try {
      const answer = await client.call(institutionOf(deal.institutionId), 'POST', `/v1/deals/${deal.dealId}/decision`, move.decision, { urgent: true });
      countAnswer(answer, move.decision.action);
      pending.done = true;
    } catch (error) {
      if (pending.attempts >= 3) pending.done = true;
      warnOnce(`decide-${deal.dealId}`, `deciding ${deal.dealId} failed: ${(error as Error).message}`);
    }
  }

  async function inbox(institutionId: string, status: DealStatus): Promise<DealView[]> {
    const items: DealView[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const query = `?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer: ApiAnswer<{ items: DealView[]; nextCursor: string | null }> = await client.call(institutionOf(institutionId), 'GET', `/v1/deals${query}`);
      if (answer.status !== 200) {
        warnOnce(`inbox-${answer.status}`, `an inbox read answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
        break;
      }
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    return items;
  }

  /** 409 (the status moved on, e.g. an SLA lapsed first) and 202 (still being applied) are normal here. */
  function countAnswer(answer: ApiAnswer, what: string): void {
    if (answer.status === 409) counters.conflicts += 1;
    else if (answer.status === 202) counters.pending += 1;
    else if (answer.status >= 400) warnOnce(`${what}-${answer.status}`, `${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }

  function reportSla(): void {
    const elapsed = Date.now() - startedAt;
    if (!slaReported) {
      const live = summarize({ applications: tracked.flatMap((t) => (t.view ? [t.view] : [])), startedAt, finishedAt: Date.now(), responseSlaHours });
      if (live.observedSlaScale !== null) {
        slaReported = true;
        log(`the running system's SLA scale, from the first lapsed response SLAs: ≈ ${live.observedSlaScale} (72 h → ${formatDuration(72 * 3_600_000 * live.observedSlaScale)})`);
      } else if (elapsed > UNSCALED_WARNING_MS) {
        slaReported = true;
        log(`no response SLA has lapsed after ${formatDuration(elapsed)}: the system likely runs unscaled SLAs (DEALFLOW_SLA_SCALE unset), so silent institutions' deals stay open until --max-minutes`);
      }
    }
  }
}

export class DemoError extends Error {
  override name = 'DemoError';
}

async function preflight(api: string): Promise<void> {
  let answer: Response;
  try {
    answer = await fetch(`${api.replace(/\/+$/, '')}/health/ready`, { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new DemoError(`no dealflow API answers at ${api} (${(error as Error).message}); start it with: DEALFLOW_SLA_SCALE=0.0002 npm start`);
  }
  if (answer.status !== 200) throw new DemoError(`the API at ${api} is not ready (${answer.status}): ${(await answer.text()).slice(0, 300)}`);
}
