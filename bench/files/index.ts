import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createObjectStore } from '../../adapters/objectStore';
import { seedBenchCatalogue, startApiOnly, submitMatchedBenchApplication, tokens } from '../lib/apiStack';
import { spawnChild } from '../lib/children';
import { startInProcessWorker } from '../../test/support/inProcessWorker';
import { log, result, sleep, type BenchmarkResult } from '../lib/report';
import { benchConfig, benchEnv, benchLogger, benchSuffix } from '../lib/stack';
import { pdf } from '../../test/support/sampleFiles';

// Documents are files: upload and download throughput through the API (POST
// /v1/applications/:id/files: type check, SHA-256, AES-256-GCM, multipart to the store; GET
// /v1/applications/:id/files/:fileId: decrypt and stream) against the AWS SDK talking to the same
// store directly (lib-storage Upload, GetObject), same files, same concurrency, interleaved in each
// round; and the API process's RSS while 10 uploads of 20 MiB run at once, against its RSS at rest.
// The API runs as a compiled child process (as production runs it) so its memory is its own.
// The store is the one DEALFLOW_S3_ENDPOINT names, else the local one (`npm run services:up`).

const ROUNDS = 5;
const FILES_PER_ROUND = 4;
const CONCURRENCY = 2;
const FILE_BYTES = 8 * 1024 * 1024;
const MEMORY_UPLOADS = 10;
const MEMORY_FILE_BYTES = 20 * 1024 * 1024;
const MIB = 1024 * 1024;

/** Runs `task` over `items` with `limit` at a time; answers MiB/s over the bytes moved. */
async function throughput<T>(items: readonly T[], limit: number, bytesOf: (item: T) => number, task: (item: T) => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return items.reduce((sum, item) => sum + bytesOf(item), 0) / MIB / seconds;
}

export async function runFiles(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  const env = benchEnv(suffix);
  const config = benchConfig(suffix);
  const logger = benchLogger();
  // The application the files belong to: submitted and matched once, then the worker stops.
  const setup = await startApiOnly(config, logger);
  const worker = await startInProcessWorker(config, logger);
  const catalogue = await seedBenchCatalogue(setup.models, 3);
  const token = tokens(config, catalogue);
  const applicationId = await submitMatchedBenchApplication(setup.url, setup.models, token.enterprise);
  await worker.stop();

  const api = await spawnChild('api', env);
  const store = createObjectStore(config.files);
  const auth = { authorization: `Bearer ${token.enterprise}` };
  const uploadThroughApi = async (body: Buffer): Promise<string> => {
    const answer = await fetch(`${api.url}/v1/applications/${applicationId}/files`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/pdf', 'x-document-kind': 'audit_report', 'x-file-name': 'bench.pdf' },
      body,
    });
    if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${await answer.text()}`);
    return ((await answer.json()) as { fileId: string }).fileId;
  };
  const drain = async (body: ReadableStream<Uint8Array> | null): Promise<void> => {
    if (!body) return;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) void chunk;
  };

  const apiUp: number[] = [];
  const directUp: number[] = [];
  const apiDown: number[] = [];
  const directDown: number[] = [];
  try {
    const files = Array.from({ length: FILES_PER_ROUND }, () => pdf(FILE_BYTES));
    for (let round = -1; round < ROUNDS; round += 1) {
      const fileIds: string[] = [];
      const keys: string[] = [];
      const up = await throughput(files, CONCURRENCY, (f) => f.length, async (file) => void fileIds.push(await uploadThroughApi(file)));
      const upDirect = await throughput(files, CONCURRENCY, (f) => f.length, async (file) => {
        const key = `bench/${suffix}/${round}-${keys.length}`;
        keys.push(key);
        await new Upload({ client: store.client, params: { Bucket: store.bucket, Key: key, Body: file }, partSize: 5 * MIB, queueSize: 2 }).done();
      });
      const down = await throughput(fileIds, CONCURRENCY, () => FILE_BYTES, async (fileId) => {
        const answer = await fetch(`${api.url}/v1/applications/${applicationId}/files/${fileId}`, { headers: auth });
        if (answer.status !== 200) throw new Error(`download answered ${answer.status}`);
        await drain(answer.body);
      });
      const downDirect = await throughput(keys, CONCURRENCY, () => FILE_BYTES, async (key) => {
        const answer = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
        await drain((answer.Body as { transformToWebStream(): ReadableStream<Uint8Array> }).transformToWebStream());
      });
      await Promise.all(keys.map((key) => store.delete(key)));
      if (round < 0) continue; // warm-up
      apiUp.push(up);
      directUp.push(upDirect);
      apiDown.push(down);
      directDown.push(downDirect);
      log(`files: round ${round + 1}: upload ${up.toFixed(1)} vs ${upDirect.toFixed(1)} MiB/s, download ${down.toFixed(1)} vs ${downDirect.toFixed(1)} MiB/s (API vs S3 client)`);
    }

    // Memory: the API at rest, then its peak while 10 uploads of 20 MiB run at once.
    await sleep(2_000);
    const atRest = (await api.stats()).rss / MIB;
    const big = Array.from({ length: MEMORY_UPLOADS }, () => pdf(MEMORY_FILE_BYTES));
    let peak = atRest;
    let uploading = true;
    const sampler = (async () => {
      while (uploading) {
        peak = Math.max(peak, (await api.stats()).rss / MIB);
        await sleep(100);
      }
    })();
    const started = Date.now();
    await Promise.all(big.map((file) => uploadThroughApi(file)));
    uploading = false;
    await sampler;
    log(`files: API RSS ${atRest.toFixed(0)} MB at rest, ${peak.toFixed(0)} MB peak during ${MEMORY_UPLOADS} concurrent ${MEMORY_FILE_BYTES / MIB} MiB uploads (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    return [
      result('files.upload_mib_per_s', 'MiB/s', apiUp, directUp),
      result('files.download_mib_per_s', 'MiB/s', apiDown, directDown),
      result('files.api.rss_10x20mib_uploads', 'MB', [peak], atRest),
    ];
  } finally {
    store.close();
    await api.stop();
    await setup.close();
  }
}
