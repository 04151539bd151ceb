import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { log, result, type BenchmarkResult } from '../lib/report';
import { seedBenchCatalogue, startApiOnly, submitMatchedBenchApplication, tokens } from '../lib/apiStack';
import { startInProcessWorker } from '../../test/support/inProcessWorker';
import { benchConfig, benchLogger, benchSuffix } from '../lib/stack';

// 3. API reads: GET /v1/applications/:id and GET /v1/deals of a real application (submitted
// through the API, matched by a real worker) against a bare Fastify route answering a constant,
// both listening in this process, driven by autocannon with the same connections and duration.

const ROUNDS = 5;
const CONNECTIONS = 10;
const DURATION_S = 4;

interface Load { rps: number; p99: number }

async function hammer(url: string, headers: Record<string, string> = {}, duration = DURATION_S): Promise<Load> {
  const outcome = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  const failed = outcome.non2xx + outcome.errors + outcome.timeouts;
  if (failed > 0) throw new Error(`${url}: ${failed} of ${outcome.requests.total} requests failed (non-2xx ${outcome.non2xx})`);
  return { rps: outcome.requests.average, p99: outcome.latency.p99 };
}

export async function runApi(): Promise<BenchmarkResult[]> {
  const suffix = benchSuffix();
  const config = benchConfig(suffix);
  const logger = benchLogger();
  const api = await startApiOnly(config, logger);
  const worker = await startInProcessWorker(config, logger);
  const bare = Fastify({ logger: false });
  bare.get('/constant', async () => ({ ok: true }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/constant`;
  try {
    const catalogue = await seedBenchCatalogue(api.models, 3);
    const token = tokens(config, catalogue);
    // Read once the application has its deals: a timeline and an inbox with something in them.
    const applicationId = await submitMatchedBenchApplication(api.url, api.models, token.enterprise);
    await worker.stop(); // nothing else to do for it; its CPU would only add noise

    const applicationUrl = `${api.url}/v1/applications/${applicationId}`;
    const dealsUrl = `${api.url}/v1/deals`;
    const asEnterprise = { authorization: `Bearer ${token.enterprise}` };
    const asInstitution = { authorization: `Bearer ${token.institution}` };
    await hammer(bareUrl, {}, 2);
    await hammer(applicationUrl, asEnterprise, 2);
    await hammer(dealsUrl, asInstitution, 2);

    const rounds = { bare: [] as Load[], application: [] as Load[], deals: [] as Load[] };
    for (let round = 0; round < ROUNDS; round += 1) {
      rounds.bare.push(await hammer(bareUrl));
      rounds.application.push(await hammer(applicationUrl, asEnterprise));
      rounds.deals.push(await hammer(dealsUrl, asInstitution));
    }
    const rps = (loads: Load[]) => loads.map((l) => l.rps);
    const p99 = (loads: Load[]) => loads.map((l) => l.p99);
    const lines = [
      result('api.get_application.rps', 'requests/s', rps(rounds.application), rps(rounds.bare)),
      result('api.get_application.p99', 'ms', p99(rounds.application), p99(rounds.bare)),
      result('api.get_deals.rps', 'requests/s', rps(rounds.deals), rps(rounds.bare)),
      result('api.get_deals.p99', 'ms', p99(rounds.deals), p99(rounds.bare)),
    ];
    for (const line of lines) log(`${line.name}: ${line.value} ${line.unit} vs bare Fastify ${line.baseline} -> x${line.ratio}`);
    return lines;
  } finally {
    await bare.close();
    await worker.stop().catch(() => undefined);
    await api.close();
  }
}
