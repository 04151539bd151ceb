import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createKafka } from '../../services/kafka';
import { connectMongo } from '../../services/mongo';
import { startApplication } from '../../services/pipeline';
import { defineModels, type Models } from '../../services/store/models';
import { createTemporalClient } from '../../services/temporal';
import { acceptOfferUpdate, submitDocumentsUpdate } from '../../workflows/messages';
import { retireTestCatalogue, seedTestCatalogue, type TestCatalogue } from '../support/catalogue';
import { readApplicationEvents } from '../support/events';
import { decide, termSheet, waitForState } from '../support/pipeline';
import { testConfig, testEnv, testLogger, uniqueSuffix } from '../support/stack';

// The worker process is killed (SIGKILL, no goodbye) in the middle of due diligence and started
// again: the application still reaches its end and no event is missing or out of order.

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '../..');
const suffix = uniqueSuffix();
const env = { TEMPORAL_TASK_QUEUE: `it-kill-${suffix}`, DEALFLOW_TOPIC: `it.kill.${suffix}` };
const config = testConfig(env);
let client: Client;
let closeClient: () => Promise<void>;
let models: Models;
let closeMongo: () => Promise<void>;
let catalogue: TestCatalogue;

function startWorkerProcess(): Promise<ChildProcess> {
  // `node --import tsx` rather than the tsx launcher: one process, so SIGKILL hits the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/worker/main.ts'], {
    cwd: root,
    env: testEnv({ ...env, LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker started')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it started:\n${output}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  ({ client, close: closeClient } = await createTemporalClient(config));
  const mongo = await connectMongo(config, testLogger());
  models = defineModels(mongo.connection);
  closeMongo = mongo.close;
  catalogue = await seedTestCatalogue(models, 'CN-QH', 1);
});

afterAll(async () => {
  await retireTestCatalogue(models, catalogue);
  await closeClient();
  await closeMongo();
});

test('a worker killed during due diligence and started again carries the application to closed with no lost event', async () => {
  const applicationId = `app-kill-${suffix}`;
  const institutionId = catalogue.institution.institutionId;
  let worker = await startWorkerProcess();
  const handle = await startApplication(client, config.temporal.taskQueue, {
    applicationId,
    enterpriseUscc: catalogue.uscc,
    request: { instrument: 'credit_loan', amountCny: 3_000_000, termMonths: 24, purpose: 'Working capital for a new export order' },
    submittedAt: new Date().toISOString(),
  });
  const proposed = await waitForState(handle, (s) => s.deals.length === 1);
  const dealId = proposed.deals[0]?.dealId as string;
  await decide(handle, dealId, institutionId, { action: 'express_interest' });
  await decide(handle, dealId, institutionId, { action: 'request_documents', documents: ['bank_statements'] });

  await kill(worker);
  worker = await startWorkerProcess();
  try {
    await handle.executeUpdate(submitDocumentsUpdate, {
      args: [{ dealId, documents: [{ kind: 'bank_statements', name: 'statements-2025.pdf', sha256: 'c'.repeat(64) }] }],
    });
    await decide(handle, dealId, institutionId, { action: 'issue_term_sheet', termSheet: termSheet(3_000_000) });
    await handle.executeUpdate(acceptOfferUpdate, { args: [{ dealId }] });
    await decide(handle, dealId, institutionId, { action: 'confirm_close' });
    expect((await handle.result()).status).toBe('closed');
  } finally {
    await kill(worker);
  }

  const { events } = await readApplicationEvents(createKafka(config, testLogger()), config.kafka.topic, applicationId, 'application.closed');
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.map((e) => e.type)).toEqual([
    'application.submitted', 'application.screened', 'application.matched', 'deal.proposed',
    'deal.interest_expressed', 'deal.documents_requested', 'deal.documents_submitted', 'deal.term_sheet_issued',
    'deal.selected', 'deal.closed', 'application.closed',
  ]);
  expect(await models.capacitySlots.countDocuments({ productId: catalogue.products[0]?.productId })).toBe(0);
});
