import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ApplicationView } from '../../schemas';
import { createKafka, ensureTopic } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { generateSeed } from '../../tools/seed/generate';
import { seedDatabase } from '../../tools/seed/seed';
import { defineModels } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import { createTemporalClient } from '../../adapters/temporalClient';
import { createApiClient } from '../../tools/demo/http';
import { WITHDRAW_REASONS } from '../../tools/demo/personas';
import { planApplications } from '../../tools/demo/plan';
import { runDemo } from '../../tools/demo/run';
import { isEndStatus } from '../../tools/demo/summary';
import { applicationWorkflowId } from '../../workflows/messages';
import { spawnChild, type Child, type ChildRole } from '../lib/children';
import { opsLagProbe, type LagSample } from '../lib/opsLag';
import { serverCpu, type Server } from '../lib/serverCpu';
import { opsProjectionGroup } from '../lib/opsStack';
import { log, mergeFaultIntoSummary, percentile, result, sleep, type BenchmarkResult } from '../lib/report';
import { benchConfig, benchEnv, benchLogger, benchSuffix, deleteTopic } from '../lib/stack';
import { readEventLog, seqGaps } from './eventLog';

// `npm run bench -- soak`: everything `npm start` runs (worker, API with its live feed, ops
// projector: compiled child processes) on a private database and topic seeded with the demo
// catalogue, applications offered at a fixed rate for a long time, each driven to an end by the
// demo's simulated parties through the HTTP API only (tools/demo/run.ts), under scaled SLAs so
// that silence expires within the run. Per minute: submit → `application.matched` (read back from
// Kafka), the ops projection's lag, the CPU of each process. At the end, every accepted
// application is checked for a final status, a gapless event seq on Kafka, one workflow and no seq
// stored twice in its read model.

const USAGE = 'usage: npm run bench -- soak [--minutes 10] [--applications 3000] [--rate <per second>] [--seed 42] [--concurrency 16]';

// The demo's recommended scale (scripts/demo.ts): a 72 h response SLA lasts ~52 s, the 14-day
// offer and documents windows ~3 min, so every path to an end (expiry included) fits in a run.
const SCALED_SLAS = { DEALFLOW_SLA_SCALE: '0.0002', DEALFLOW_OFFER_WINDOW_DAYS: '0.002', DEALFLOW_DOCUMENTS_DEADLINE_DAYS: '0.002' };
/** After the last submission, how long the parties get to bring every application to an end. */
const DRAIN_MINUTES = 10;
const TERM_SHEET_VALIDITY_MS = 2 * 60_000;
const PATIENCE_MS = 20_000;
const CALIBRATION = { warmUp: 10, measured: 40, ratePerSecond: 20, timeoutMs: 120_000 };
const AIMS = { p99Ms: 1_000, lastOverFirst: 1.2, opsLagSeconds: 5 };
const MINUTE = 60_000;
/** A minute's p99 counts for the first/last/worst lines only with this many matches (the run's tail minute may hold a handful). */
const MIN_MATCHES_PER_MINUTE = 10;

interface SoakOptions { minutes: number; applications: number; rate: number | null; seed: number; concurrency: number }

function parseOptions(args: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { minutes: { type: 'string' }, applications: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' } },
  });
  const positive = (name: string, text: string | undefined, fallback: number, integer = false): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got "${text}"\n${USAGE}`);
    return value;
  };
  return {
    minutes: positive('minutes', values.minutes, 10),
    applications: positive('applications', values.applications, 3_000, true),
    rate: values.rate === undefined ? null : positive('rate', values.rate, 1),
    seed: positive('seed', values.seed, 42, true),
    concurrency: positive('concurrency', values.concurrency, 16, true),
  };
}

interface Sample { at: number; lag: LagSample; cpuMicros: Map<ChildRole | Server | 'driver', number>; load: number }

export async function runSoak(args: readonly string[] = []): Promise<BenchmarkResult[]> {
  const options = parseOptions(args);
  const suffix = benchSuffix();
  const slas = Object.fromEntries(Object.entries(SCALED_SLAS).map(([name, value]) => [name, process.env[name] || value]));
  const env = benchEnv(suffix, slas);
  const config = benchConfig(suffix, slas);
  const logger = benchLogger();
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  const data = generateSeed();
  await seedDatabase(models, { data });
  const kafka = createKafka(config, logger, 'dealflow-bench');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopic(admin, config.kafka.topic);
  const temporal = await createTemporalClient(config);
  const readerGroup = `bench-reader-${suffix}`;
  const events = await readEventLog(kafka, config.kafka.topic, readerGroup);

  const children: Child[] = [];
  let sampling: Promise<void> | null = null;
  let samplingOn = true;
  try {
    // After the seeding, so the worker's catalogue cache holds the catalogue from its start.
    for (const role of ['api', 'worker', 'ops'] as const) children.push(await spawnChild(role, env));
    const api = children[0] as Child;
    const url = api.url as string;
    const client = createApiClient({ baseUrl: url, jwt: config.jwt, concurrency: options.concurrency });
    log(`soak: worker, api (${url}) and ops projector up; SLAs ${Object.entries(slas).map(([k, v]) => `${k}=${v}`).join(' ')}`);

    const calibration = await measureMaximum();
    const rate = options.rate ?? calibration.max / 2;
    const count = Math.max(options.applications, Math.ceil(rate * options.minutes * 60));
    const offerMs = (count / rate) * 1_000;
    log(`soak: ${count} applications at ${rate.toFixed(2)}/s (${options.rate ? '--rate' : `half the measured maximum ${calibration.max.toFixed(2)}/s`}) over ${(offerMs / MINUTE).toFixed(1)} min, then up to ${DRAIN_MINUTES} min for the parties to finish`);

    // Every second: the projection's lag and each process's CPU time, ours and the local servers'.
    const samples: Sample[] = [];
    const probeLag = opsLagProbe(admin, config.kafka.topic, opsProjectionGroup(config));
    const readServerCpu = serverCpu();
    sampling = (async () => {
      while (samplingOn) {
        const [lag, cpu] = await Promise.all([probeLag(), Promise.all(children.map(async (c) => [c.role, (await c.stats()).cpuMicros] as const))]).catch(() => [null, null] as const);
        if (lag && cpu) {
          const driver = process.cpuUsage();
          samples.push({ at: Date.now(), lag, cpuMicros: new Map([...cpu, ['driver', driver.user + driver.system], ...readServerCpu()]), load: loadavg()[0] as number });
        }
        await sleep(1_000);
      }
    })();

    const submitted: { applicationId: string; sentAt: number }[] = [];
    const start = Date.now();
    let lastProgress = start;
    const demo = await runDemo({
      api: url,
      applications: count,
      seed: options.seed,
      concurrency: options.concurrency,
      maxMinutes: offerMs / MINUTE + DRAIN_MINUTES,
      jwt: config.jwt,
      data,
      rampMs: offerMs,
      patienceMs: PATIENCE_MS,
      termSheetValidityMs: TERM_SHEET_VALIDITY_MS,
      log: (line) => log(`demo: ${line}`),
      onSubmitted: ({ applicationId, sentAt }) => void submitted.push({ applicationId, sentAt }),
      onProgress: (progress) => {
        if (Date.now() - lastProgress < 30_000) return;
        lastProgress = Date.now();
        const lag = samples.at(-1)?.lag;
        log(`soak ${((Date.now() - start) / MINUTE).toFixed(1)} min: submitted ${progress.submitted}/${progress.total}, ended ${progress.ended}, open deals ${progress.openDeals}, ops lag ${lag?.events ?? '?'} events (${lag?.seconds.toFixed(0) ?? '?'} s)`);
      },
    });
    // The last events of the run reach the reader, and the projector's lag its final value.
    await sleep(5_000);
    samplingOn = false;
    await sampling;

    const minutes = perMinute(start, submitted, samples, (id) => events.of(id)?.matchedAt);
    const faults = await checkApplications(submitted.map((s) => s.applicationId), calibration.ids);
    const fullMinutes = minutes.filter((m) => m.latencies.length >= MIN_MATCHES_PER_MINUTE);
    const measuredMinutes = fullMinutes.length > 0 ? fullMinutes : minutes.filter((m) => m.latencies.length > 0);
    const worst = measuredMinutes.length > 0 ? Math.max(...measuredMinutes.map((m) => m.p99)) : Number.NaN;
    const firstP99 = measuredMinutes[0]?.p99 ?? Number.NaN;
    const lastP99 = measuredMinutes.at(-1)?.p99 ?? Number.NaN;
    const lagMax = Math.max(0, ...samples.map((s) => s.lag.seconds));

    process.stdout.write(`\n${renderTable(minutes)}\n\n`);
    log(`soak: outcomes ${JSON.stringify(demo.summary.outcomes)}; http ${JSON.stringify(demo.summary.http.byStatus)}; failed submissions ${demo.summary.submissionFailures.length}`);
    log(`soak: accepted ${faults.accepted}, completed ${faults.completed}, lost ${faults.lost}, duplicated ${faults.duplicated}${faults.notes.length > 0 ? `; ${faults.notes.slice(0, 10).join('; ')}` : ''}`);
    log(`soak: p99 worst minute ${worst.toFixed(0)} ms, last/first ${(lastP99 / firstP99).toFixed(2)}, ops lag max ${lagMax.toFixed(1)} s`);
    mergeFaultIntoSummary({ fault: 'soak', load: count, accepted: faults.accepted, completed: faults.completed, lost: faults.lost, duplicated: faults.duplicated });
    // Baselines are the issue's aims (issue 10), as the memory lines use their goals.
    return [
      result('soak.p99_worst_minute_ms', 'ms', [worst], AIMS.p99Ms),
      result('soak.p99_last_over_first', 'ratio', [lastP99 / firstP99], AIMS.lastOverFirst),
      result('soak.ops_lag_max_s', 's', [lagMax], AIMS.opsLagSeconds),
    ];

    /** The pipeline's carried rate for a burst offered faster than it can go: `application.matched` of 40 applications over the time from the first submission. */
    async function measureMaximum(): Promise<{ max: number; ids: Set<string> }> {
      const ids = new Set<string>();
      if (options.rate !== null) return { max: Number.NaN, ids };
      const plans = planApplications({ data, count: 4 * (CALIBRATION.warmUp + CALIBRATION.measured), seed: options.seed + 1, runId: `calibration-${suffix}`, today: new Date().toISOString().slice(0, 10) })
        .filter((plan) => plan.intent === 'fitting');
      const burst = async (batch: typeof plans): Promise<number> => {
        const started = Date.now();
        const sent = await Promise.all(batch.map(async (plan, i) => {
          await sleep((i * 1_000) / CALIBRATION.ratePerSecond);
          const principal = { role: 'enterprise' as const, sub: `soak:${plan.uscc}`, org: plan.uscc };
          const answer = await client.call<{ applicationId?: string }>(principal, 'POST', '/v1/applications', plan.request, { headers: { 'idempotency-key': plan.key }, urgent: true });
          if (!answer.body.applicationId) throw new Error(`calibration: POST /v1/applications answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
          ids.add(answer.body.applicationId);
          return { id: answer.body.applicationId, principal };
        }));
        const deadline = Date.now() + CALIBRATION.timeoutMs;
        const settled = () => sent.every(({ id }) => events.of(id)?.matchedAt !== undefined || events.of(id)?.endedUnmatched);
        while (!settled()) {
          if (Date.now() > deadline) throw new Error('calibration: applications not matched within 120 s');
          await sleep(50);
        }
        // They served their purpose: withdraw them so that nothing of the calibration stays open.
        await Promise.all(sent.map(({ id, principal }) => client.call(principal, 'POST', `/v1/applications/${id}/withdraw`, { reason: WITHDRAW_REASONS[0] }, { urgent: true })));
        const matched = sent.flatMap(({ id }) => events.of(id)?.matchedAt ?? []);
        if (matched.length < batch.length / 2) throw new Error(`calibration: only ${matched.length} of ${batch.length} applications matched; is the catalogue seeded?`);
        return matched.length / ((Math.max(...matched) - started) / 1_000);
      };
      await burst(plans.slice(0, CALIBRATION.warmUp));
      const max = await burst(plans.slice(CALIBRATION.warmUp, CALIBRATION.warmUp + CALIBRATION.measured));
      log(`soak: the pipeline carried ${max.toFixed(2)}/s of a burst offered at ${CALIBRATION.ratePerSecond}/s (its maximum here)`);
      return { max, ids };
    }

    /** lost: accepted but never final, or a seq gap on Kafka; duplicated: two workflows, or a seq twice in the read model. */
    async function checkApplications(accepted: readonly string[], calibrationIds: ReadonlySet<string>) {
      const notes: string[] = [];
      const ops = { role: 'ops' as const, sub: 'soak:ops' };
      // Fewer retries than the parties': an API that cannot answer now is a finding, not something to wait out.
      const reader = createApiClient({ baseUrl: url, jwt: config.jwt, concurrency: options.concurrency, retries: 2, timeoutMs: 10_000 });
      const runs = new Map<string, number>();
      for await (const execution of temporal.client.workflow.list({ query: `TaskQueue = "${config.temporal.taskQueue}"` })) {
        runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1);
      }
      const ours = new Set([...accepted, ...calibrationIds].map(applicationWorkflowId));
      const strays = [...runs.keys()].filter((id) => !ours.has(id));
      if (strays.length > 0) notes.push(`${strays.length} workflows of no accepted application (${strays.slice(0, 3).join(', ')})`);
      let completed = 0;
      let lost = 0;
      let duplicated = strays.length;
      let kafkaDuplicates = 0;
      const lostBy = new Map<string, number>();
      await Promise.all(accepted.map(async (id) => {
        const answer = await reader.call<ApplicationView>(ops, 'GET', `/v1/applications/${id}`).catch((error: Error) => ({ status: 0, body: null, error }));
        const view = answer.status === 200 ? answer.body : null;
        const onKafka = events.of(id);
        const gaps = onKafka ? seqGaps(onKafka) : [];
        kafkaDuplicates += [...(onKafka?.seqs.values() ?? [])].filter((n) => n > 1).length;
        const final = view !== null && isEndStatus(view.status);
        if (final && gaps.length === 0) completed += 1;
        else {
          lost += 1;
          const why = gaps.length > 0 ? 'seq gap on Kafka' : view ? `still ${view.status}` : `read answered ${answer.status || 'nothing'}`;
          lostBy.set(why, (lostBy.get(why) ?? 0) + 1);
          if (gaps.length > 0) notes.push(`${id}: seq gap ${gaps.join(',')}`);
        }
        const seqs = view?.timeline.map((event) => event.seq) ?? [];
        const twice = (runs.get(applicationWorkflowId(id)) ?? 0) > 1 || new Set(seqs).size !== seqs.length;
        if (twice) {
          duplicated += 1;
          notes.push(`${id}: ${runs.get(applicationWorkflowId(id))} workflow runs, ${seqs.length - new Set(seqs).size} seqs stored twice`);
        }
      }));
      if (lostBy.size > 0) notes.unshift(`lost: ${[...lostBy].map(([why, n]) => `${n} ${why}`).join(', ')}`);
      if (kafkaDuplicates > 0) log(`soak: ${kafkaDuplicates} event seqs reached Kafka more than once (at-least-once publishing; the read models must absorb them)`);
      return { accepted: accepted.length, completed, lost, duplicated, notes };
    }
  } finally {
    samplingOn = false;
    await sampling?.catch(() => undefined);
    await events.close().catch(() => undefined);
    // Whatever is still open (a run cut short) ends here, so the server keeps no open workflows.
    const open: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query: `TaskQueue = "${config.temporal.taskQueue}" AND ExecutionStatus = "Running"` })) open.push(execution.workflowId);
    await Promise.all(open.map((id) => temporal.client.workflow.getHandle(id).terminate('soak finished').catch(() => undefined)));
    for (const child of children.reverse()) await child.stop();
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
    await deleteTopic(admin, config.kafka.topic);
    await admin.deleteGroups([readerGroup, opsProjectionGroup(config)]).catch(() => undefined);
    await admin.disconnect();
    await temporal.close();
  }
}

interface Minute {
  minute: number;
  submitted: number;
  latencies: number[];
  p50: number;
  p99: number;
  lagEvents: number;
  lagSeconds: number;
  cpu: Map<string, number>;
  load: number;
}

/** Applications by the minute they were submitted in; lag and CPU by the minute they were sampled in. */
function perMinute(start: number, submitted: readonly { applicationId: string; sentAt: number }[], samples: readonly Sample[], matchedAt: (id: string) => number | undefined): Minute[] {
  const last = Math.max(samples.at(-1)?.at ?? start, ...submitted.map((s) => s.sentAt));
  const count = Math.max(1, Math.ceil((last - start) / MINUTE));
  const minutes: Minute[] = Array.from({ length: count }, (_, minute) => ({ minute: minute + 1, submitted: 0, latencies: [], p50: Number.NaN, p99: Number.NaN, lagEvents: 0, lagSeconds: 0, cpu: new Map(), load: Number.NaN }));
  const bucket = (at: number) => minutes[Math.min(count - 1, Math.max(0, Math.floor((at - start) / MINUTE)))] as Minute;
  for (const { applicationId, sentAt } of submitted) {
    const minute = bucket(sentAt);
    minute.submitted += 1;
    const matched = matchedAt(applicationId);
    if (matched !== undefined) minute.latencies.push(matched - sentAt);
  }
  // Sampling starts with the offering, so the first sample is the first minute's CPU baseline.
  let previous: Sample | undefined = samples[0];
  for (const minute of minutes) {
    const inside = samples.filter((s) => bucket(s.at) === minute);
    for (const s of inside) {
      minute.lagEvents = Math.max(minute.lagEvents, s.lag.events);
      minute.lagSeconds = Math.max(minute.lagSeconds, s.lag.seconds);
    }
    const end = inside.at(-1);
    if (previous && end) {
      const elapsedMicros = (end.at - previous.at) * 1_000;
      for (const [role, micros] of end.cpuMicros) minute.cpu.set(role, (micros - (previous.cpuMicros.get(role) ?? micros)) / elapsedMicros);
    }
    previous = end ?? previous;
    // The machine's load average, for reading the rest: shared servers, other people's tests.
    minute.load = Math.max(...inside.map((s) => s.load));
    minute.p50 = percentile(minute.latencies, 50);
    minute.p99 = percentile(minute.latencies, 99);
  }
  return minutes;
}

const CPU_COLUMNS = ['worker', 'api', 'ops', 'driver', 'ferretdb', 'temporal', 'kafka'] as const;

function renderTable(minutes: readonly Minute[]): string {
  const header = ['minute', 'submitted', 'matched', 'p50 ms', 'p99 ms', 'ops lag max (events)', 'ops lag max (s)', ...CPU_COLUMNS.map((role) => `CPU ${role} %`), 'load avg'];
  const number = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
  const rows = minutes.map((m) => [
    String(m.minute), String(m.submitted), String(m.latencies.length), number(m.p50), number(m.p99), String(m.lagEvents), m.lagSeconds.toFixed(1),
    ...CPU_COLUMNS.map((role) => number((m.cpu.get(role) ?? Number.NaN) * 100)), Number.isFinite(m.load) ? m.load.toFixed(1) : '–',
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
