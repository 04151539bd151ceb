import { log, mergeIntoSummary, SUMMARY_PATH, type BenchmarkResult } from './lib/report';
import { runApi } from './api';
import { runLists } from './lists';
import { runMatching } from './matching';
import { runPipeline } from './pipeline';
import { runPublisher } from './publisher';

// `npm run bench` runs every benchmark; `npm run bench -- matching api` runs the named ones.
// Each benchmark measures its baseline in the same run and merges its lines into summary.json.

const BENCHMARKS: Record<string, () => Promise<BenchmarkResult[]>> = {
  pipeline: runPipeline,
  matching: runMatching,
  api: runApi,
  publisher: runPublisher,
  lists: runLists,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = asked.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const names = asked.length > 0 ? asked : Object.keys(BENCHMARKS);
  for (const name of names) {
    const started = Date.now();
    log(`${name}: starting`);
    const results = await (BENCHMARKS[name] as () => Promise<BenchmarkResult[]>)();
    mergeIntoSummary(results);
    log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  log(`results in ${SUMMARY_PATH}`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
