import { performance } from 'node:perf_hooks';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { startConsumer } from '../../adapters/kafka';
import { createTemporalClient } from '../../adapters/temporal';
import { applicationWorkflowId } from '../../workflows/messages';
import { benchRequest, seedBenchCatalogue, tokens } from '../lib/apiStack';
import { cpuSnapshot, cpuShares, formatCpu, peakSampler, spawnChild, type Child } from '../lib/children';
import { opsProjectionGroup } from '../lib/opsStack';
import { log, percentile, result, sleep, type BenchmarkResult } from '../lib/report';
import { benchConfig, benchEnv, benchLogger, benchSuffix, deleteTopic, openBenchStoreAndTopic } from '../lib/stack';
import type { noopWorkflow } from './noopWorkflow';

// 1. Pipeline throughput, and 5. memory. Applications go in through POST /v1/applications (an
// API child process with its live feed) at a steady rate, a worker child process with
// WORKER_TUNING screens and matches them, an ops projector child projects the events, as
// `npm start` runs them, and this process reads `application.matched` back from the private topic. The
// ceiling is a no-op workflow's start-to-complete rate on the same server with the same tuning,
// measured in the same run; the offered load is that ceiling, so the carried rate says how much
// of it the real pipeline reaches.

const ROUNDS = 5;
const NOOP_PER_ROUND = 200;
const NOOP_CONCURRENCY = 32;
const APPLICATIONS_PER_ROUND = 40;
const MB = 1024 * 1024;

export async function runPipeline(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  const config = benchConfig(suffix);
  const noopQueue = `bench-noop-${suffix}`;
  const logger = benchLogger();
  const { mongo, models, kafka, admin } = await openBenchStoreAndTopic(config, logger, 'dealflow-bench');
  const temporal = await createTemporalClient(config);
  // Seeded before the worker starts, so its catalogue cache holds these products from the start.
  const catalogue = await seedBenchCatalogue(models, 5);
  const token = tokens(config, catalogue).enterprise;

  const children: Child[] = [];
  const started: string[] = [];
  const matchedAt = new Map<string, number>();
  let consumer: Awaited<ReturnType<typeof startConsumer>> | null = null;
  const samplers: ReturnType<typeof peakSampler>[] = [];
  try {
    const api = await spawnChild('api', benchEnv(suffix));
    children.push(api);
    const worker = await spawnChild('worker', benchEnv(suffix));
    children.push(worker);
    const ops = await spawnChild('ops', benchEnv(suffix));
    children.push(ops);
    const noop = await spawnChild('noop', benchEnv(suffix, { TEMPORAL_TASK_QUEUE: noopQueue }));
    children.push(noop);
    // The processes `npm start` runs, whose CPU each round reports (the no-op worker is the ceiling's).
    const pipelineChildren = [worker, api, ops];
    consumer = await startConsumer(kafka, {
      groupId: `bench-reader-${suffix}`,
      topic: config.kafka.topic,
      fromBeginning: true,
      eachMessage: async ({ message }) => {
        if (String(message.headers?.type ?? '') !== 'application.matched') return;
        const id = String(message.key);
        if (!matchedAt.has(id)) matchedAt.set(id, performance.now());
      },
    });

    async function noopRound(count: number): Promise<{ rate: number; latencies: number[] }> {
      let next = 0;
      const latencies: number[] = [];
      const start = performance.now();
      await Promise.all(Array.from({ length: NOOP_CONCURRENCY }, async () => {
        while (next < count) {
          const i = next++;
          const t0 = performance.now();
          await temporal.client.workflow.execute<typeof noopWorkflow>('noopWorkflow', {
            taskQueue: noopQueue,
            workflowId: `bench-noop-${suffix}-${performance.now().toFixed(3)}-${i}`,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          });
          latencies.push(performance.now() - t0);
        }
      }));
      return { rate: count / ((performance.now() - start) / 1000), latencies };
    }

    async function submit(): Promise<{ id: string; at: number }> {
      const at = performance.now();
      const response = await fetch(`${api.url}/v1/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(benchRequest),
      });
      if (response.status !== 202) throw new Error(`POST /v1/applications answered ${response.status}: ${await response.text()}`);
      const { applicationId } = (await response.json()) as { applicationId: string };
      started.push(applicationId);
      return { id: applicationId, at };
    }

    /** Offers `count` applications at `rate` per second; carried rate and latencies once all are matched. */
    async function pipelineRound(count: number, rate: number): Promise<{ rate: number; latencies: number[] }> {
      const start = performance.now();
      const submissions: Promise<{ id: string; at: number }>[] = [];
      for (let i = 0; i < count; i += 1) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        submissions.push(submit());
      }
      const sent = await Promise.all(submissions);
      const deadline = performance.now() + 120_000;
      while (sent.some(({ id }) => !matchedAt.has(id))) {
        if (performance.now() > deadline) throw new Error('applications not matched within 120 s');
        await sleep(20);
      }
      const done = Math.max(...sent.map(({ id }) => matchedAt.get(id) as number));
      return { rate: count / ((done - start) / 1000), latencies: sent.map(({ id, at }) => (matchedAt.get(id) as number) - at) };
    }

    await sleep(1_000);
    const workerAtRest = await worker.stats();
    const apiAtRest = await api.stats();
    log(`memory at rest: worker ${(workerAtRest.rss / MB).toFixed(0)} MB, api ${(apiAtRest.rss / MB).toFixed(0)} MB`);

    // Warm-up: the workflow bundle, connections, JIT and the catalogue cache.
    await noopRound(40);
    const warm = await noopRound(NOOP_PER_ROUND);
    await pipelineRound(20, Math.max(5, warm.rate / 2));

    const workerPeak = peakSampler(worker);
    const apiPeak = peakSampler(api);
    samplers.push(workerPeak, apiPeak);
    const noopRates: number[] = [];
    const pipeRates: number[] = [];
    const p50s: number[] = [];
    const p99s: number[] = [];
    const noopP50s: number[] = [];
    const noopP99s: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const ceiling = await noopRound(NOOP_PER_ROUND);
      noopRates.push(ceiling.rate);
      noopP50s.push(percentile(ceiling.latencies, 50));
      noopP99s.push(percentile(ceiling.latencies, 99));
      const cpuBefore = await cpuSnapshot(pipelineChildren);
      const carried = await pipelineRound(APPLICATIONS_PER_ROUND, ceiling.rate);
      const cpu = cpuShares(cpuBefore, await cpuSnapshot(pipelineChildren));
      pipeRates.push(carried.rate);
      p50s.push(percentile(carried.latencies, 50));
      p99s.push(percentile(carried.latencies, 99));
      log(`round ${round + 1}: no-op ${ceiling.rate.toFixed(1)}/s; pipeline offered ${ceiling.rate.toFixed(1)}/s carried ${carried.rate.toFixed(1)}/s, p50 ${p50s[round]?.toFixed(0)} ms p99 ${p99s[round]?.toFixed(0)} ms; CPU (share of one core) ${formatCpu(cpu)}`);
    }
    const workerLoad = await workerPeak.stop();
    const apiLoad = await apiPeak.stop();
    const growthPerWorkflow = workerLoad.cached > 0 ? (workerLoad.rss - workerAtRest.rss) / MB / workerLoad.cached : 0;
    log(`memory under load: worker ${(workerLoad.rss / MB).toFixed(0)} MB with ${workerLoad.cached} cached workflows (${growthPerWorkflow.toFixed(3)} MB each), api ${(apiLoad.rss / MB).toFixed(0)} MB`);

    const lines = [
      result('pipeline.throughput', 'applications/s', pipeRates, noopRates),
      result('pipeline.latency_p50', 'ms', p50s, noopP50s),
      result('pipeline.latency_p99', 'ms', p99s, noopP99s),
      // Memory: one sample each (the peak over all rounds); the baseline is the same process at rest.
      result('memory.worker.rss_under_load', 'MB', [workerLoad.rss / MB], workerAtRest.rss / MB),
      result('memory.api.rss_under_load', 'MB', [apiLoad.rss / MB], apiAtRest.rss / MB),
      // Against the goals: at most ~1 MB per cached workflow, the API under 150 MB.
      result('memory.worker.growth_per_cached_workflow', 'MB', [growthPerWorkflow], 1),
      result('memory.api.rss_vs_goal', 'MB', [apiLoad.rss / MB], 150),
    ];
    return lines;
  } finally {
    // Before the children stop: a round that failed leaves the samplers running.
    await Promise.all(samplers.map((running) => running.stop()));
    await consumer?.close().catch(() => undefined);
    // The applications wait on 72-hour SLAs: end them, so the server keeps no open workflows.
    await Promise.all(started.map((id) => temporal.client.workflow.getHandle(applicationWorkflowId(id)).terminate('benchmark finished').catch(() => undefined)));
    for (const child of children.reverse()) await child.stop();
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.close();
    await deleteTopic(admin, config.kafka.topic);
    await admin.deleteGroups([`bench-reader-${suffix}`, opsProjectionGroup(config)]).catch(() => undefined);
    await admin.disconnect();
    await temporal.close();
  }
}
