import fs from 'node:fs';
import path from 'node:path';
import { root } from './processes';
import type { FaultNumbers } from './rig';

// Each fault test records its numbers: bench/results/faults.json (one entry per fault, replaced
// on a rerun), the `faults` field of bench/results/summary.json when that file exists (the
// benchmarks there are another writer's: read, change only ours, write), and the "Faults survived"
// section of BENCHMARKS.md (the other sections are left as they are).

const resultsDir = path.join(root, 'bench', 'results');
const faultsFile = path.join(resultsDir, 'faults.json');
const summaryFile = path.join(resultsDir, 'summary.json');
const benchmarksFile = path.join(root, 'BENCHMARKS.md');
const SECTION = '## Faults survived';

/** What each fault is, in the order the table lists them. */
export const FAULTS = {
  'worker-kill': 'worker SIGKILL during due diligence, restarted',
  'kafka-stop': 'Kafka broker stopped 20 s, restarted',
  'ferretdb-stop': 'FerretDB stopped 20 s, restarted',
  'api-restart': 'API SIGKILL and restart while clients retry with the same Idempotency-Key',
  'temporal-restart': 'Temporal dev server restarted',
  'malformed-http': 'fast-check bodies, headers and tokens on every route (load = requests)',
  'malformed-events': 'malformed and foreign messages on the events topic (load = messages)',
  'object-store-stop': 'object store stopped, uploads and downloads answered 503, restarted (load = requests; accepted = files stored before)',
} as const;

export type FaultName = keyof typeof FAULTS;

export function recordFault(numbers: FaultNumbers & { fault: FaultName }): void {
  const entry: FaultNumbers = {
    fault: numbers.fault,
    load: numbers.load,
    accepted: numbers.accepted,
    completed: numbers.completed,
    lost: numbers.lost,
    duplicated: numbers.duplicated,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const order = Object.keys(FAULTS);
  const all = [...readJson<FaultNumbers[]>(faultsFile, []).filter((e) => e.fault !== entry.fault), entry]
    .sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  writeAtomically(faultsFile, `${JSON.stringify(all, null, 2)}\n`);

  if (fs.existsSync(summaryFile)) {
    const summary = readJson<Record<string, unknown>>(summaryFile, {});
    writeAtomically(summaryFile, `${JSON.stringify({ ...summary, faults: all }, null, 2)}\n`);
  }
  writeBenchmarksSection(all);
}

function writeBenchmarksSection(all: FaultNumbers[]): void {
  const rows = all.map((e) => `| ${e.fault} | ${FAULTS[e.fault as FaultName] ?? ''} | ${e.load} | ${e.accepted} | ${e.completed} | ${e.lost} | ${e.duplicated} |`);
  const section = [
    SECTION,
    '',
    'Written by the fault suite (`npx jest --selectProjects faults --runInBand`, `test/faults/`), one line per fault, from its',
    'last run; the same numbers are in `bench/results/faults.json`. Each fault is injected into the running local stack',
    'with a bounded load: applications submitted over HTTP and driven to an end state (declined, or term sheet, accept and',
    'close) by simulated parties. `accepted` = POST answered 200/202, `completed` = workflow and read model in an end state,',
    '`lost` = accepted but no workflow or read model (must be 0), `duplicated` = more than one application per',
    'Idempotency-Key, or an event seq with different content, out of order or with a gap. For the malformed-input rows,',
    '`accepted` = inputs answered 4xx or skipped, `completed` = inputs after which the service still answered, `lost` = 500s,',
    'crashes or stored records.',
    '',
    '| fault | what | load | accepted | completed | lost | duplicated |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
  const current = fs.existsSync(benchmarksFile) ? fs.readFileSync(benchmarksFile, 'utf8') : '# dealflow benchmarks\n';
  const start = current.indexOf(SECTION);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.slice(start + SECTION.length);
    const end = after.search(/\n## /);
    next = current.slice(0, start) + section + (end < 0 ? '' : `\n${after.slice(end + 1)}`);
  }
  writeAtomically(benchmarksFile, next);
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}
