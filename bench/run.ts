import { log, mergeIntoSummary, SUMMARY_PATH, type BenchmarkResult } from './lib/report';
import { runApi } from './api';
import { runFiles } from './files';
import { runForums } from './forums';
import { runLists } from './lists';
import { runMatching } from './matching';
import { runPipeline } from './pipeline';
import { runProjector } from './projector';
import { runPublisher } from './publisher';
import { runSoak } from './soak';

// `npm run bench` runs every benchmark but the soak; `npm run bench -- matching api` runs the named
// ones; options after the names go to the benchmarks (`npm run bench -- soak --minutes 2`).
// Each benchmark measures its baseline in the same run and merges its lines into summary.json.

const BENCHMARKS: Record<string, (args: readonly string[]) => Promise<BenchmarkResult[]>> = {
  pipeline: runPipeline,
  matching: runMatching,
  api: runApi,
  publisher: runPublisher,
  forums: runForums,
  soak: runSoak,
  projector: runProjector,
  lists: runLists,
  files: runFiles,
};
/** Ten minutes or more: run only when asked for by name. */
const ON_REQUEST = new Set(['soak']);

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  const asked = firstOption === -1 ? args : args.slice(0, firstOption);
  const options = firstOption === -1 ? [] : args.slice(firstOption);
  const unknown = asked.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const names = asked.length > 0 ? asked : Object.keys(BENCHMARKS).filter((name) => !ON_REQUEST.has(name));
  for (const name of names) {
    const started = Date.now();
    log(`${name}: starting`);
    const results = await (BENCHMARKS[name] as (args: readonly string[]) => Promise<BenchmarkResult[]>)(options);
    mergeIntoSummary(results);
    log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  log(`results in ${SUMMARY_PATH}`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
