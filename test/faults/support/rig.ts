import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { isApplicationTerminal } from '../../../domain';
import type { ApplicationStatus } from '../../../schemas';
import type { Config } from '../../../adapters/config';
import { createLogger } from '../../../adapters/logger';
import { createKafka, startConsumer, type ConsumerHandle } from '../../../adapters/kafka';
import { connectMongo } from '../../../adapters/mongo';
import { defineModels, type Models } from '../../../store/models';
import { prepareStore } from '../../../store/prepare';
import { createTemporalClient } from '../../../adapters/temporal';
import { applicationWorkflowId } from '../../../workflows/messages';
import { institution, newUscc, product, profile, request, sha256, tokenFor } from '../../api/support';
import { callJson } from '../../support/http';
import { mongoUrlWithDatabase, testConfig, testLogger, uniqueSuffix } from '../../support/stack';
import { freePort, sleep, startApiProcess, startWorkerProcess, waitFor, type ChildHandle } from './processes';
import type { FaultLine } from '../../../bench/lib/report';
import { findApplicationDoc } from '../../../store/readModels';

// One fault test's private pipeline: its own task queue, topic, database, institution and industry class,
// a worker and an API as child processes, a bounded load of applications submitted over HTTP and
// driven to an end state by simulated parties, and the checks of what became of each one.

/** Xinjiang, and an industry class drawn per test: no other test's products match these applications. */
export const FAULT_REGION = 'CN-XJ' as const;

export type Plan = 'decline' | 'close' | 'close_with_documents';
const PLANS: Plan[] = ['decline', 'close', 'close_with_documents'];
/** The n-th application's plan: the load cycles through them. */
export const planOf = (index: number): Plan => PLANS[index % PLANS.length] as Plan;

/** What a fault test counts: the entry it writes for the benchmark summary (bench/lib/report.ts reads it). */
export type FaultNumbers = FaultLine;

export interface Answer {
  /** 0 when the API did not answer at all (refused, reset, timed out). */
  status: number;
  retryAfter: string | null;
  // The drivers read whatever the API answered.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

interface Submitted {
  index: number;
  key: string;
  uscc: string;
  token: string;
  plan: Plan;
  applicationIds: Set<string>;
}

interface SeenEvent {
  seq: number;
  eventId: string;
  value: string;
}

export interface Rig {
  name: string;
  config: Config;
  models: Models;
  temporal: Client;
  worker: ChildHandle;
  api: ChildHandle;
  /** Every answer that was a 5xx other than 503, with its route: the contract allows none. */
  serverErrors: string[];
  /** 503 answers that came without Retry-After. */
  unavailableWithoutRetryAfter: string[];
  statusCounts: Map<number, number>;
  call(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  restartWorker(): Promise<void>;
  restartApi(kill?: boolean): Promise<void>;
  /** Submits `count` applications and drives each to an end state; resolves when all are done or `budgetMs` passed. */
  runLoad(count: number, budgetMs: number): Promise<void>;
  /** Deals of this test's load whose status is one of `statuses` (read from MongoDB). */
  dealsIn(...statuses: string[]): Promise<number>;
  verify(timeoutMs?: number): Promise<FaultNumbers & { problems: string[] }>;
  close(): Promise<void>;
}

/** Applications per fault: enough to have work in every stage when the fault hits, small enough for CI. */
export const FAULT_LOAD = 12;

export async function startRig(name: string, options: { load: number; extraEnv?: NodeJS.ProcessEnv } = { load: FAULT_LOAD }): Promise<Rig> {
  const suffix = uniqueSuffix();
  const industry = `C${String(1000 + Math.floor(Math.random() * 9000))}`;
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_TASK_QUEUE: `faults-${name}-${suffix}`,
    DEALFLOW_TOPIC: `faults.${name}.${suffix}`,
    // Dropped in close(): the recovery after a fault never scans what the other tiers wrote.
    MONGO_URL: mongoUrlWithDatabase(`faults_${name.replace(/-/g, '_')}_${suffix}`),
    DEALFLOW_TOP_K: '1',
    // Response SLA 72 h → about 20 minutes: nothing expires during a test, the pipeline is driven to its end.
    DEALFLOW_SLA_SCALE: '0.005',
    ...options.extraEnv,
  };
  const config = testConfig(env);
  const logger = testLogger();
  const mongo = await connectMongo(config, logger);
  const models = defineModels(mongo.connection);
  await prepareStore(models, logger);
  const { client: temporal, close: closeTemporal } = await createTemporalClient(config);
  // The reader meets the broker's outage on purpose: its connection errors are expected, not news.
  const kafka: Kafka = createKafka(config, createLogger({ env: 'test', logLevel: 'silent' }), `faults-${name}`);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let api = await startApiProcess(env, port);
  const serverErrors: string[] = [];
  const unavailableWithoutRetryAfter: string[] = [];
  const statusCounts = new Map<number, number>();

  async function call(method: string, path: string, { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    let answer: Answer;
    try {
      const response = await callJson(baseUrl, method, path, { token, body, headers, timeoutMs: 20_000 });
      answer = { status: response.status, retryAfter: response.headers.get('retry-after'), body: response.body };
    } catch {
      answer = { status: 0, retryAfter: null, body: null };
    }
    statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
    const route = `${method} ${path.replace(/app-[0-9a-f]+(-d\d+)?/g, ':id')}`;
    if (answer.status >= 500 && answer.status !== 503) serverErrors.push(`${route} → ${answer.status} ${JSON.stringify(answer.body)}`);
    if (answer.status === 503 && !/^\d+$/.test(answer.retryAfter ?? '')) unavailableWithoutRetryAfter.push(route);
    return answer;
  }

  // The catalogue goes in through the API before the worker starts, so its catalogue cache has it.
  const ops = tokenFor(config, { sub: 'faults-ops', role: 'ops' }, 3_600);
  const institutionId = `faults-bank-${suffix}`;
  const bank = tokenFor(config, { sub: `officer@${institutionId}`, role: 'institution', org: institutionId }, 3_600);
  const seeded = [
    await call('PUT', `/v1/institutions/${institutionId}`, { token: ops, body: institution({ regions: [FAULT_REGION] }) }),
    await call('PUT', `/v1/institutions/${institutionId}/products/${institutionId}-ip`, {
      token: bank,
      body: product({ regions: [FAULT_REGION], industries: { include: [industry], exclude: [] }, capacity: options.load + 10 }),
    }),
  ];
  if (seeded.some((answer) => answer.status !== 200)) throw new Error(`seeding the catalogue failed: ${JSON.stringify(seeded)}`);

  let worker = await startWorkerProcess(env);
  const submitted: Submitted[] = [];
  let nextIndex = 0;

  // A consumer that reads the topic for the whole test, across the fault, as an integration would.
  const seen = new Map<string, SeenEvent[]>();
  let reader: ConsumerHandle | null = null;
  await waitFor(async () => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return (await admin.listTopics()).includes(config.kafka.topic);
    } finally {
      await admin.disconnect();
    }
  }, 30_000);
  reader = await startConsumer(kafka, {
    groupId: `faults-reader-${suffix}`,
    topic: config.kafka.topic,
    fromBeginning: true,
    eachMessage: async ({ message }) => {
      const value = String(message.value);
      const event = JSON.parse(value) as { applicationId: string; seq: number; eventId: string };
      const list = seen.get(event.applicationId) ?? [];
      list.push({ seq: event.seq, eventId: event.eventId, value });
      seen.set(event.applicationId, list);
    },
  });

  const enterpriseToken = (uscc: string) => tokenFor(config, { sub: `user@${uscc}`, role: 'enterprise', org: uscc }, 3_600);

  /** Repeats a call while the API is down, restarting or answering 503/429, until `until`. */
  async function persist(until: number, attempt: () => Promise<Answer>): Promise<Answer> {
    for (;;) {
      const answer = await attempt();
      if (![0, 429, 503].includes(answer.status) || Date.now() > until) return answer;
      await sleep(answer.status === 0 ? 300 : 1_000);
    }
  }

  async function submitOne(index: number, until: number): Promise<Submitted | null> {
    const uscc = newUscc(FAULT_REGION);
    const token = enterpriseToken(uscc);
    const item: Submitted = { index, key: `faults-${suffix}-${index}`, uscc, token, plan: planOf(index), applicationIds: new Set() };
    submitted.push(item);
    const put = await persist(until, () => call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile({ region: FAULT_REGION, industry }) }));
    if (put.status !== 200) return null;
    // A client that never saw an answer sends the same request again with the same key.
    const post = await persist(until, () => call('POST', '/v1/applications', { token, body: request, headers: { 'idempotency-key': item.key } }));
    if (post.status !== 200 && post.status !== 202) return null;
    item.applicationIds.add(String(post.body.applicationId));
    // And a client that did see it may still repeat it: the same application comes back.
    const again = await persist(until, () => call('POST', '/v1/applications', { token, body: request, headers: { 'idempotency-key': item.key } }));
    if (again.status === 200) item.applicationIds.add(String(again.body.applicationId));
    return item;
  }

  async function decide(dealId: string, decision: object, until: number): Promise<void> {
    await persist(until, () => call('POST', `/v1/deals/${dealId}/decision`, { token: bank, body: decision }));
  }

  /** The simulated parties of one application: act on what the read model shows until it ends. */
  async function drive(item: Submitted, until: number): Promise<void> {
    const applicationId = [...item.applicationIds][0] as string;
    const { token } = item;
    while (Date.now() < until) {
      const read = await call('GET', `/v1/applications/${applicationId}`, { token });
      if (read.status !== 200) {
        await sleep(500);
        continue;
      }
      if (isApplicationTerminal(read.body.status as ApplicationStatus)) return;
      const deal = (read.body.deals as { dealId: string; status: string; documentsRequested: string[] }[])[0];
      if (deal) await act(item, applicationId, deal, until);
      await sleep(300);
    }
  }

  async function act(item: Submitted, applicationId: string, deal: { dealId: string; status: string; documentsRequested: string[] }, until: number): Promise<void> {
    const { dealId } = deal;
    switch (deal.status) {
      case 'proposed':
        if (item.plan === 'decline') return decide(dealId, { action: 'decline', reason: 'Outside our sector appetite this quarter' }, until);
        return decide(dealId, { action: 'express_interest' }, until);
      case 'interested':
        if (item.plan === 'close_with_documents') return decide(dealId, { action: 'request_documents', documents: ['bank_statements'] }, until);
        return decide(dealId, { action: 'issue_term_sheet', termSheet: termSheet() }, until);
      case 'documents_requested':
        await persist(until, () => call('POST', `/v1/applications/${applicationId}/documents`, {
          token: item.token,
          body: { dealId, documents: deal.documentsRequested.map((kind) => ({ kind, name: `${kind}.pdf`, sha256: sha256('c') })) },
        }));
        return;
      case 'under_review':
        return decide(dealId, { action: 'issue_term_sheet', termSheet: termSheet() }, until);
      case 'term_sheet_issued':
        await persist(until, () => call('POST', `/v1/applications/${applicationId}/offers/${dealId}/accept`, { token: item.token }));
        return;
      case 'selected':
        return decide(dealId, { action: 'confirm_close' }, until);
      default:
        return; // ended: the application follows
    }
  }

  const rig: Rig = {
    name,
    config,
    models,
    temporal,
    get worker() {
      return worker;
    },
    get api() {
      return api;
    },
    serverErrors,
    unavailableWithoutRetryAfter,
    statusCounts,
    call,
    async restartWorker() {
      await worker.kill('SIGKILL');
      worker = await startWorkerProcess(env);
    },
    async restartApi(kill = true) {
      await api.kill(kill ? 'SIGKILL' : 'SIGTERM');
      api = await startApiProcess(env, port);
    },
    async runLoad(count, budgetMs) {
      const until = Date.now() + budgetMs;
      const first = nextIndex;
      nextIndex += count;
      // Spread over a few seconds, as clients arrive, so the fault lands on applications in every stage.
      await Promise.all(Array.from({ length: count }, async (_, i) => {
        await sleep(i * 150);
        const item = await submitOne(first + i, until);
        if (item) await drive(item, until);
      }));
    },
    async dealsIn(...statuses) {
      const ids = submitted.flatMap((item) => [...item.applicationIds]);
      if (ids.length === 0) return 0;
      return models.deals.countDocuments({ applicationId: { $in: ids }, 'current.status': { $in: statuses } });
    },
    async verify(timeoutMs = 90_000) {
      const until = Date.now() + timeoutMs;
      const problems: string[] = [];
      const accepted = submitted.filter((item) => item.applicationIds.size > 0);
      let completed = 0;
      let lost = 0;
      let duplicated = 0;
      for (const item of accepted) {
        if (item.applicationIds.size > 1) {
          duplicated += item.applicationIds.size - 1;
          problems.push(`key ${item.key} answered ${item.applicationIds.size} application ids`);
        }
        const stored = await models.applications.find({ enterpriseUscc: item.uscc }, { _id: 1 }).lean();
        if (stored.length > 1) {
          duplicated += stored.length - 1;
          problems.push(`key ${item.key}: ${stored.length} applications stored`);
        }
        const applicationId = [...item.applicationIds][0] as string;
        const ended = await workflowEnded(temporal, applicationId, until);
        const doc = await findApplicationDoc(models, applicationId);
        if (ended === 'missing' || !doc) {
          lost += 1;
          problems.push(`${applicationId} (${item.key}) was accepted but has ${ended === 'missing' ? 'no workflow' : 'no read model'}`);
          continue;
        }
        if (ended === 'COMPLETED' && isApplicationTerminal(doc.status as ApplicationStatus)) completed += 1;
        else problems.push(`${applicationId} (${item.plan}) did not reach an end state: workflow ${ended}, read model ${String(doc.status)}`);
      }
      // Every event of every accepted application reaches the reader: in seq order, no gap, copies identical.
      const expected = new Map<string, number>();
      for (const item of accepted) {
        const applicationId = [...item.applicationIds][0] as string;
        const doc = await findApplicationDoc(models, applicationId);
        expected.set(applicationId, Number(doc?.lastSeq ?? 0));
      }
      const distinct = (id: string) => new Set((seen.get(id) ?? []).map((e) => e.eventId)).size;
      await waitFor(() => [...expected].every(([id, lastSeq]) => distinct(id) >= lastSeq), Math.max(5_000, until - Date.now()));
      for (const [applicationId, lastSeq] of expected) {
        const events = seen.get(applicationId) ?? [];
        const first = new Map<string, SeenEvent>();
        for (const event of events) {
          const earlier = first.get(event.eventId);
          if (!earlier) first.set(event.eventId, event);
          else if (earlier.value !== event.value) {
            duplicated += 1;
            problems.push(`${event.eventId} was sent twice with different content`);
          }
        }
        const order = [...first.values()].map((e) => e.seq);
        const wanted = Array.from({ length: lastSeq }, (_, i) => i + 1);
        if (JSON.stringify(order) !== JSON.stringify(wanted)) {
          duplicated += 1;
          problems.push(`${applicationId}: events arrived as seq ${order.join(',')}, expected 1..${lastSeq}`);
        }
        const stored = await findApplicationDoc(models, applicationId);
        const timeline = (JSON.parse(String(stored?.view ?? '{"timeline":[]}')) as { timeline: unknown[] }).timeline.length;
        if (timeline !== lastSeq) problems.push(`${applicationId}: timeline holds ${timeline} events, read model says lastSeq ${lastSeq}`);
      }
      return { fault: name, load: submitted.length, accepted: accepted.length, completed, lost, duplicated, problems };
    },
    async close() {
      await reader?.close().catch(() => undefined);
      await worker.kill('SIGKILL');
      await api.kill('SIGKILL');
      await closeTemporal().catch(() => undefined);
      await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
  return rig;
}

function termSheet() {
  return {
    amountCny: request.amountCny,
    rateBps: 385,
    termMonths: request.termMonths,
    conditions: ['Quarterly financial statements'],
    expiresAt: new Date(Date.now() + 7 * 24 * 3_600_000).toISOString(),
  };
}

/** The workflow's final status ('COMPLETED', 'FAILED', …), 'RUNNING' if it has not ended by `until`, 'missing' if Temporal has none. */
async function workflowEnded(temporal: Client, applicationId: string, until: number): Promise<string> {
  const handle = temporal.workflow.getHandle(applicationWorkflowId(applicationId));
  for (;;) {
    try {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING' || Date.now() > until) return status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'missing';
      if (Date.now() > until) throw error;
    }
    await sleep(500);
  }
}
