import { performance } from 'node:perf_hooks';
import { indexProducts, rankProducts } from '../../domain/matching';
import type { MatchApplication, ProductWithStats } from '../../domain/matching';
import { log, result, type BenchmarkResult } from '../lib/report';
import { baselineRank } from './baseline';
import { syntheticApplications, syntheticCatalogue } from './catalogue';

// 2. Matching: the project's ranking (as the rankCandidates activity calls it) against the
// straightforward baseline in ./baseline.ts, on the same synthetic catalogue and applications.

const TODAY = '2025-06-30';
/** The workflow's default candidateLimit (schemas/workflow.ts). */
const LIMIT = 30;
const ROUNDS = 5;

type Ranker = (application: MatchApplication) => unknown;

/** The project's path: whatever is prepared once per catalogue version, then one call per application. */
function projectRanker(products: readonly ProductWithStats[]): Ranker {
  const index = indexProducts(products.map(({ product }) => product));
  return (application) => rankProducts({ application, products, index, today: TODAY, limit: LIMIT });
}

function baselineRanker(products: readonly ProductWithStats[]): Ranker {
  return (application) => baselineRank(application, products, TODAY, { limit: LIMIT });
}

/** Applications ranked per second over one pass through `applications`. */
function opsPerSecond(rank: Ranker, applications: readonly MatchApplication[]): number {
  let sink = 0;
  const start = performance.now();
  for (const application of applications) sink += (rank(application) as unknown[]).length;
  const seconds = (performance.now() - start) / 1000;
  if (sink < 0) throw new Error('unreachable');
  return applications.length / seconds;
}

function compare(name: string, products: readonly ProductWithStats[], applications: readonly MatchApplication[]): BenchmarkResult {
  const project = projectRanker(products);
  const baseline = baselineRanker(products);
  // Warm-up: let both reach optimised code before anything is measured.
  opsPerSecond(project, applications.slice(0, Math.min(applications.length, 500)));
  opsPerSecond(baseline, applications.slice(0, Math.min(applications.length, 200)));
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Interleaved, so machine noise hits both alike.
    theirs.push(opsPerSecond(baseline, applications));
    ours.push(opsPerSecond(project, applications));
  }
  const line = result(name, 'applications/s', ours, theirs);
  log(`${name}: ${line.value} applications/s (${(1000 / line.value).toFixed(3)} ms each) vs baseline ${line.baseline} -> x${line.ratio}`);
  return line;
}

export async function runMatching(): Promise<BenchmarkResult[]> {
  const big = syntheticCatalogue(10_000);
  const small = syntheticCatalogue(1_000, 8);
  return [
    // One application at a time against 10,000 products: 200 different applications per round.
    compare('matching.one_application_vs_10k_products', big, syntheticApplications(200)),
    compare('matching.10k_applications_vs_1k_products', small, syntheticApplications(10_000, 12)),
  ];
}
