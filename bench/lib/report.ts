import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The shape of bench/results/summary.json. `faults` belongs to the fault-test engineer: a run
// keeps whatever is there and replaces only the benchmarks it measured.

export interface BenchmarkResult {
  name: string;
  unit: string;
  /** Median over the measured rounds. */
  value: number;
  /** The same-run baseline's median (for memory: the stated goal or the at-rest figure, see BENCHMARKS.md). */
  baseline: number;
  ratio: number;
  min: number;
  max: number;
}

export const SUMMARY_PATH = join(__dirname, '..', 'results', 'summary.json');

interface Summary {
  benchmarks: BenchmarkResult[];
  faults: unknown[];
  [other: string]: unknown;
}

function readSummary(path: string): Summary {
  if (!existsSync(path)) return { benchmarks: [], faults: [] };
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Summary>;
  return { ...parsed, benchmarks: parsed.benchmarks ?? [], faults: parsed.faults ?? [] };
}

/** Read-merge-write right before writing, so a concurrent writer of `faults` loses nothing. */
export function mergeIntoSummary(results: readonly BenchmarkResult[], path = SUMMARY_PATH): void {
  const summary = readSummary(path);
  const fresh = new Set(results.map((r) => r.name));
  summary.benchmarks = [...summary.benchmarks.filter((b) => !fresh.has(b.name)), ...results];
  summary.benchmarks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
}

/** A `faults` entry, as the fault tests write them (test/faults/support/results.ts). */
export interface FaultLine {
  fault: string;
  load: number;
  accepted: number;
  completed: number;
  lost: number;
  duplicated: number;
}

export const FAULTS_PATH = join(__dirname, '..', 'results', 'faults.json');

/**
 * Replaces the `faults` entry of the same name in summary.json and in faults.json, keeping the
 * others: the fault suite (test/faults/support/results.ts) rebuilds summary.json's `faults` from
 * faults.json, so a line only in summary.json would be gone after its next run.
 */
export function mergeFaultIntoSummary(line: FaultLine, path = SUMMARY_PATH, faultsPath = FAULTS_PATH): void {
  const replace = (entries: readonly unknown[]) => [...entries.filter((entry) => (entry as Partial<FaultLine>).fault !== line.fault), line];
  mkdirSync(dirname(path), { recursive: true });
  const faults = existsSync(faultsPath) ? (JSON.parse(readFileSync(faultsPath, 'utf8')) as unknown[]) : [];
  writeFileSync(faultsPath, `${JSON.stringify(replace(faults), null, 2)}\n`);
  const summary = readSummary(path);
  summary.faults = replace(summary.faults);
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/** One benchmark line from per-round samples of the measured thing and of its baseline. */
export function result(name: string, unit: string, samples: readonly number[], baselineSamples: readonly number[] | number): BenchmarkResult {
  const value = median(samples);
  const baseline = typeof baselineSamples === 'number' ? baselineSamples : median(baselineSamples);
  return {
    name,
    unit,
    value: round(value),
    baseline: round(baseline),
    ratio: round(value / baseline, 4),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
