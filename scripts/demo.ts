import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadConfig } from '../adapters/config';
import { runForumDemo, type ForumDemoSummary } from '../tools/demo/forum';
import { createApiClient } from '../tools/demo/http';
import { DemoError, runDemo, type DemoProgress } from '../tools/demo/run';
import { renderSummary, table } from '../tools/demo/summary';
import { generateSeed } from '../tools/seed/generate';

// `npm run demo`: drives applications through a RUNNING dealflow (`npm start`) over its HTTP API,
// with simulated enterprises and institutions, until every application has ended or the time is up.

const USAGE = `usage: npm run demo -- [--applications 50] [--api http://127.0.0.1:3000] [--seed 42] [--concurrency 8] [--max-minutes 10]
                      [--poll-ms 1500] [--patience-seconds 45] [--offer-validity-minutes 10] [--out test-output/demo-summary.json]

Simulated enterprises (seeded catalogue) apply; simulated institutions, each with a persona from the
seed (eager, diligent, cautious, silent), poll their inboxes and decline, request documents, issue
term sheets or stay silent; enterprises send documents, accept the best offer; institutions close.

The demo needs shortened SLAs to finish: real response SLAs are 24-240 hours. Start dealflow with
  DEALFLOW_SLA_SCALE=0.0002 DEALFLOW_OFFER_WINDOW_DAYS=0.002 DEALFLOW_DOCUMENTS_DEADLINE_DAYS=0.002 npm start
(72 h becomes ~52 s; the 14-day offer and document windows become ~3 min). Without them, deals
that institutions ignore never expire within a run, and the demo stops at --max-minutes, reporting
what is still open. The API does not expose its SLA scale; the demo infers it from the first lapsed
response SLA and prints it. Tokens are signed with DEALFLOW_JWT_SECRET (or the development secret),
as scripts/token.ts does: run the demo with the same secret as the API.`;

function positiveInt(name: string, text: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new DemoError(`--${name} must be a whole number from 1 to ${max}, got "${text}"`);
  return value;
}

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new DemoError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      api: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      'max-minutes': { type: 'string' },
      'poll-ms': { type: 'string' },
      'patience-seconds': { type: 'string' },
      'offer-validity-minutes': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const api = values.api ?? `http://127.0.0.1:${config.http.port}`;
  const applications = positiveInt('applications', values.applications, 50, 5_000);
  const seed = positiveInt('seed', values.seed, 42);
  const concurrency = positiveInt('concurrency', values.concurrency, 8, 256);
  const maxMinutes = positiveNumber('max-minutes', values['max-minutes'], 10);
  const out = path.resolve(values.out ?? path.join('test-output', 'demo-summary.json'));

  console.log(`dealflow demo: ${applications} applications against ${api}, seed ${seed}, concurrency ${concurrency}, at most ${maxMinutes} min`);
  console.log('expects shortened SLAs, e.g. DEALFLOW_SLA_SCALE=0.0002 npm start (72 h → ~52 s); the scale in use is inferred from the first lapsed SLA\n');

  const bars = new cliProgress.MultiBar({
    format: ' {bar} {value}/{total} ended | closed {closed} no_match {no_match} rejected {rejected} expired {expired} withdrawn {withdrawn} | open deals {openDeals} | {elapsed}',
    hideCursor: true,
    clearOnComplete: false,
    // Not a terminal (CI, a log file): a line every 15 s instead of redrawing.
    noTTYOutput: !process.stdout.isTTY,
    notTTYSchedule: 15_000,
  }, cliProgress.Presets.shades_classic);
  const bar = bars.create(applications, 0, { closed: 0, no_match: 0, rejected: 0, expired: 0, withdrawn: 0, openDeals: 0, elapsed: '0s' });
  const abort = new AbortController();
  const onSigint = () => {
    bars.log('interrupted: stopping and reporting what there is\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);

  // One forum runs end to end beside the applications (tools/demo/forum.ts).
  const forumDemo: Promise<ForumDemoSummary | null> = runForumDemo({
    client: createApiClient({ baseUrl: api, jwt: config.jwt, concurrency: 4 }),
    data: generateSeed(),
    seed,
    runId: Date.now().toString(36),
    deadline: Date.now() + maxMinutes * 60_000,
    log: (line) => bars.log(`${line}\n`),
    signal: abort.signal,
  }).catch((error: unknown) => {
    bars.log(`forum demo failed: ${(error as Error).message}\n`);
    return null;
  });
  let result;
  let forum: ForumDemoSummary | null = null;
  try {
    result = await runDemo({
      api,
      applications,
      seed,
      concurrency,
      maxMinutes,
      jwt: config.jwt,
      data: generateSeed(),
      pollMs: positiveInt('poll-ms', values['poll-ms'], 1_500),
      patienceMs: positiveNumber('patience-seconds', values['patience-seconds'], 45) * 1_000,
      termSheetValidityMs: positiveNumber('offer-validity-minutes', values['offer-validity-minutes'], 10) * 60_000,
      signal: abort.signal,
      log: (line) => bars.log(`${line}\n`),
      onProgress: (p: DemoProgress) => bar.update(p.ended, { ...p.outcomes, openDeals: p.openDeals, elapsed: `${Math.round(p.elapsedMs / 1_000)}s` }),
    });
    forum = await forumDemo;
  } finally {
    bars.stop();
    process.off('SIGINT', onSigint);
  }

  const summary = { ...result.summary, forum };
  console.log(`\n${renderSummary(summary)}`);
  console.log(`\n${table(['persona', 'count'], [
    ...Object.entries(summary.institutionPersonas).map(([k, n]) => [`institution ${k}`, n] as const),
    ...Object.entries(summary.enterprisePersonas).map(([k, n]) => [`enterprise ${k}`, n] as const),
  ])}`);
  console.log(`\nHTTP: ${summary.http.requests} requests; answers ${Object.entries(summary.http.byStatus).map(([s, n]) => `${s}×${n}`).join(' ')}; `
    + `409 (moved on) ${summary.http.conflicts}, 202 (still applying) ${summary.http.pending}, failed ${summary.http.failures}`);
  if (summary.submissionFailures.length > 0) console.log(`submissions refused: ${summary.submissionFailures.length} (see the JSON)`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`summary written to ${path.relative(process.cwd(), out) || out}`);
  if (!summary.complete) console.log(`stopped with ${summary.outcomes.open} application(s) still open (time limit ${maxMinutes} min or interrupted)`);
  return 0;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  if (error instanceof DemoError || error instanceof ConfigError) console.error(`demo: ${error.message}`);
  else console.error('demo: failed', error);
  process.exitCode = 1;
});
