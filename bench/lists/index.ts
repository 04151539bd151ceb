import { listPage } from '../../services/api/views';
import { connectMongo } from '../../adapters/mongo';
import { collectionOf } from '../../store/collection';
import { listDeals, listKey } from '../../store/lists';
import { defineModels, type Models } from '../../store/models';
import { prepareStore } from '../../store/prepare';
import type { DealDoc } from '../../store/readModels';
import { log, median, result, type BenchmarkResult } from '../lib/report';
import { benchConfig, benchEnv, benchLogger, benchSuffix } from '../lib/stack';

// 5. An institution's inbox page with 1k and then 5k deals stored, read from its list
// (store/lists.ts) and, as the same-run baseline, by the query the API ran before: an
// equality on `institutionId` (and `status`) in `_id` order, which FerretDB answers by reading the
// whole collection. The deals are spread over INSTITUTIONS inboxes; every fourth is `proposed`.

const INSTITUTIONS = 10;
// 10k was the aim; loading it took longer than the session had (FerretDB's `_id` reads grow with the table, see BENCHMARKS.md).
const SIZES = [1_000, 5_000];
const ROUNDS = 7;
const LIMIT = 20;
const CHUNK = 200;
// About the size of a stored deal view with its request and reasons.
const VIEW = JSON.stringify({ pad: 'x'.repeat(1_200) });

const institutionOf = (i: number): string => `bench-inst-${i % INSTITUTIONS}`;
const dealIdOf = (i: number): string => `bench-deal-${String(i).padStart(6, '0')}`;
const statusOf = (i: number): string => (i % 4 === 0 ? 'proposed' : 'declined');

/** Deals [from, to) stored as the worker stores them: listed first, then written. */
async function storeDeals(models: Models, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += CHUNK) {
    const indexes = Array.from({ length: Math.min(CHUNK, to - start) }, (_, i) => start + i);
    await listDeals(models, indexes.map((i) => ({ dealId: dealIdOf(i), institutionId: institutionOf(i) })));
    await collectionOf(models.deals).insertMany(indexes.map((i) => ({
      _id: dealIdOf(i), applicationId: `bench-app-${i}`, institutionId: institutionOf(i), enterpriseUscc: 'bench', status: statusOf(i), lastSeq: 1, view: VIEW,
    })));
  }
}

async function timed(read: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const items = await read();
  if (items === 0) throw new Error('an inbox page came back empty');
  return performance.now() - started;
}

interface Samples { lists: number[]; scan: number[]; listsStatus: number[]; scanStatus: number[] }

async function measure(models: Models): Promise<Samples> {
  const institutionId = institutionOf(0);
  const list = listKey.inbox(institutionId);
  const samples: Samples = { lists: [], scan: [], listsStatus: [], scanStatus: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    samples.lists.push(await timed(async () => (await listPage<DealDoc>(models, list, models.deals, { limit: LIMIT })).docs.length));
    samples.scan.push(await timed(async () => (await models.deals.find({ institutionId }).sort({ _id: 1 }).limit(LIMIT + 1).lean()).length));
    samples.listsStatus.push(await timed(async () => (await listPage<DealDoc>(models, list, models.deals, { limit: LIMIT, status: 'proposed' })).docs.length));
    samples.scanStatus.push(await timed(async () => (await models.deals.find({ institutionId, status: 'proposed' }).sort({ _id: 1 }).limit(LIMIT + 1).lean()).length));
  }
  return samples;
}

export async function runLists(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  // Loading 10k deals queues hundreds of reads at once: let them wait for a connection (the reads measured come one at a time).
  const config = benchConfig(suffix, { MONGO_URL: `${benchEnv(suffix).MONGO_URL as string}?waitQueueTimeoutMS=300000` });
  const logger = benchLogger();
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  try {
    await prepareStore(models, logger);
    // The indexes the old query had (on MongoDB they serve it; FerretDB does not use them).
    await collectionOf(models.deals).createIndex({ institutionId: 1, status: 1 });
    const results: BenchmarkResult[] = [];
    const bySize = new Map<number, Samples>();
    let stored = 0;
    for (const size of SIZES) {
      const started = Date.now();
      await storeDeals(models, stored, size);
      stored = size;
      log(`lists: ${size} deals stored in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const samples = await measure(models);
      bySize.set(size, samples);
      const label = `${size / 1_000}k`;
      results.push(
        result(`lists.inbox_page_ms_${label}`, 'ms', samples.lists, samples.scan),
        result(`lists.inbox_status_page_ms_${label}`, 'ms', samples.listsStatus, samples.scanStatus),
      );
      log(`lists: ${label}: list page ${median(samples.lists).toFixed(1)} ms (scan ${median(samples.scan).toFixed(1)} ms), `
        + `with status ${median(samples.listsStatus).toFixed(1)} ms (scan ${median(samples.scanStatus).toFixed(1)} ms)`);
    }
    // Growth from the smallest to the largest store: about 1 for a read that does not grow with history.
    const small = bySize.get(SIZES[0] as number) as Samples;
    const large = bySize.get(SIZES[SIZES.length - 1] as number) as Samples;
    const growth = (key: keyof Samples): number => median(large[key]) / median(small[key]);
    results.push(result(`lists.inbox_page_growth_${(SIZES[SIZES.length - 1] as number) / 1_000}k_over_1k`, 'ratio', [growth('lists')], [growth('scan')]));
    return results;
  } finally {
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}
