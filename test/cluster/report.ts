import fs from 'node:fs';
import path from 'node:path';

// Where the cluster run's numbers go: the `cluster` key of bench/results/summary.json (the
// benchmarks and fault suite write the other keys: read, replace ours, write) and the "Cluster run"
// section of BENCHMARKS.md (the other sections are left as they are).

const root = path.resolve(__dirname, '../..');
const summaryFile = path.join(root, 'bench', 'results', 'summary.json');
const benchmarksFile = path.join(root, 'BENCHMARKS.md');
const SECTION = '## Cluster run';

export interface FaultSurvived {
  fault: string;
  /** Submitted and not yet ended when the fault hit. */
  inFlight: number;
  /** Of those: ended, with the read model equal to a gapless stream. */
  completed: number;
  /** Of those: never ended, a seq missing on the topic, or a read model that differs from the stream. */
  lost: number;
  /** Of those: a copy of an event written to the topic during the window, a seq twice in the read model, or two workflow runs. */
  duplicated: number;
  /** The worst of the components below: how long, from the kill, the cluster served worse than before the first fault. */
  maxRecoverySeconds: number;
  recovery: {
    /** Longest pause between two events reaching a consumer of the topic. */
    streamStallS: number;
    /** Longest submit → matched (or an early end) of the applications submitted in the window, or before it and not matched when it began. */
    pipelineMaxS: number;
    /** The ops projection's largest lag. */
    opsLagMaxS: number;
    /** Broker faults: longest time an acks=all write to a partition of the probe topic failed. */
    writesRefusedS: number;
    /** Requests the balancer answered 503 because the replica died with them in flight. */
    requestsCutOff: number;
  };
}

export interface ClusterResult {
  ranAt: string;
  ok: boolean;
  setup: Record<string, string | number>;
  applications: { submitted: number; ended: number; lost: number; duplicated: number; kafkaDuplicateSeqs: number };
  faults: FaultSurvived[];
  readYourWrites: { checked: number; staleOnOther: number; staleOnSame: number; staleOnlyOnOther: number; longestStaleMs: number; neverShown: number; byCommand: Record<string, unknown> };
  /** `problems`: the first 100 in full (the detail names the first 10). */
  checks: { name: string; ok: boolean; detail: string; problems?: string[] }[];
}

export function writeClusterResult(result: ClusterResult): void {
  const summary = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Record<string, unknown>) : { benchmarks: [], faults: [] };
  summary.cluster = result;
  fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
  fs.writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  writeSection(result);
}

function writeSection(result: ClusterResult): void {
  const n = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const rows = result.faults.map((f) => `| ${f.fault} | ${f.inFlight} | ${f.completed} | ${f.lost} | ${f.duplicated} | ${n(f.maxRecoverySeconds)} | ${n(f.recovery.streamStallS)} | ${n(f.recovery.pipelineMaxS)} | ${n(f.recovery.opsLagMaxS)} | ${n(f.recovery.writesRefusedS)} | ${f.recovery.requestsCutOff} |`);
  const ryw = result.readYourWrites;
  const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : '–');
  const section = [
    SECTION,
    '',
    'Written by `npm run test:cluster` (`test/cluster/`, issue 12), from its last run: a three-node KRaft Kafka (each node broker',
    'and controller; topics with replication factor 3 and `min.insync.replicas` 2), two workers, two API replicas behind a',
    'round-robin balancer, two ops projectors, the shared Temporal dev server and FerretDB. Applications are offered at a',
    'steady rate through the balancer and driven to an end by the demo\'s simulated parties (tools/demo/run.ts); under the',
    'load one Kafka node (the active controller), one worker, one API replica and one projector are killed with SIGKILL, one',
    'after the other, each restarted after a while. `in flight` = submitted and not ended when the fault hit; `completed` =',
    'of those, ended with a gapless event stream and a read model equal to it; `lost` = not ended, a seq missing on the',
    'topic, or a read model that differs from the stream; `duplicated` = a second copy of an event written to the topic',
    'during the window, a seq twice in the read model, or two workflow runs. `max recovery s` is the worst of the',
    'components after it: the longest pause between events reaching a consumer of the topic, the longest submit →',
    '`application.matched` of the applications submitted in the window or waiting for it when it began, the ops',
    'projection\'s largest lag, the longest an `acks=all` write to a probe topic was refused, each measured from the',
    'kill to 30 s after the restart or the next kill (the `baseline` line: the same measures before the first fault, over',
    'the applications that ended before it).',
    '',
    `Run ${result.ranAt}: ${Object.entries(result.setup).map(([k, v]) => `${k} ${v}`).join(', ')}. Result: ${result.ok ? 'every check held' : 'CHECKS FAILED (below)'}.`,
    '',
    '| fault | in flight | completed | lost | duplicated | max recovery s | stream stall s | submit→matched max s | ops lag max s | writes refused s | requests cut off |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Applications: ${result.applications.submitted} submitted, ${result.applications.ended} ended, ${result.applications.lost} lost, ${result.applications.duplicated} duplicated; ${result.applications.kafkaDuplicateSeqs} event seqs on the topic more than once (at-least-once publishing; the read models and the projector drop them).`,
    '',
    `Read-your-writes across replicas: of ${ryw.checked} commands answered by one replica, the acting party's immediate read on the other did not show the effect ${ryw.staleOnOther} times (${pct(ryw.staleOnOther, ryw.checked)}; of those, the replica that answered the command showed it ${ryw.staleOnlyOnOther} times; its own immediate read missed it ${ryw.staleOnSame} times, ${pct(ryw.staleOnSame, ryw.checked)}); the longest until the other replica showed it: ${(ryw.longestStaleMs / 1000).toFixed(1)} s; never within 15 s: ${ryw.neverShown}. By command: ${Object.entries(ryw.byCommand).map(([c, v]) => `${c} ${JSON.stringify(v)}`).join(', ')}.`,
    '',
    'Checks:',
    '',
    ...result.checks.map((c) => `- ${c.ok ? 'held' : 'FAILED'}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
    '',
  ].join('\n');
  const current = fs.existsSync(benchmarksFile) ? fs.readFileSync(benchmarksFile, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(SECTION);
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.slice(start + SECTION.length);
    const end = after.search(/\n## /);
    next = current.slice(0, start) + section + (end < 0 ? '' : `\n${after.slice(end + 1)}`);
  }
  fs.writeFileSync(benchmarksFile, next.endsWith('\n') ? next : `${next}\n`);
}
