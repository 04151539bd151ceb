import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Worker } from '@temporalio/worker';
import { createKafka } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { startApplication } from '../../services/pipeline';
import { defineModels, type Models } from '../../store/models';
import { createTemporalClient } from '../../adapters/temporal';
import { startWorker } from '../../services/worker/startWorker';
import { acceptOfferUpdate, submitDocumentsUpdate, withdrawUpdate } from '../../workflows/messages';
import { retireTestCatalogue, seedTestCatalogue, type TestCatalogue } from '../support/catalogue';
import { readApplicationEvents } from '../support/events';
import { decide, termSheet, waitForState } from '../support/pipeline';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { findApplicationDoc, findDealDoc } from '../../store/readModels';

// One application from submission to `closed` through the real Temporal, Kafka and FerretDB.

jest.setTimeout(180_000);

const suffix = uniqueSuffix();
const config = testConfig({ TEMPORAL_TASK_QUEUE: `it-e2e-${suffix}`, DEALFLOW_TOPIC: `it.e2e.${suffix}` });
const logger = testLogger();
let client: Client;
let closeClient: () => Promise<void>;
let worker: Worker;
let workerRun: Promise<void>;
let closeWorker: () => Promise<void>;
let models: Models;
let closeMongo: () => Promise<void>;
let kafka: Kafka;
let catalogue: TestCatalogue;
let narrow: TestCatalogue;

beforeAll(async () => {
  const mongo = await connectMongo(config, logger);
  models = defineModels(mongo.connection);
  closeMongo = mongo.close;
  // Seeded before the worker starts: its catalogue cache then holds these products from the start.
  catalogue = await seedTestCatalogue(models, 'CN-NX', 2);
  narrow = await seedTestCatalogue(models, 'CN-GS', 1, 3);
  ({ client, close: closeClient } = await createTemporalClient(config));
  ({ worker, close: closeWorker } = await startWorker(config, logger));
  workerRun = worker.run();
  kafka = createKafka(config, logger);
});

afterAll(async () => {
  await retireTestCatalogue(models, catalogue);
  await retireTestCatalogue(models, narrow);
  worker.shutdown();
  await workerRun;
  await closeWorker();
  await closeClient();
  await closeMongo();
});

test('an application goes from submission to closed, with gap-free ordered events and read models that agree', async () => {
  const applicationId = `app-e2e-${suffix}`;
  const handle = await startApplication(client, config.temporal.taskQueue, {
    applicationId,
    enterpriseUscc: catalogue.uscc,
    request: { instrument: 'credit_loan', amountCny: 8_000_000, termMonths: 12, purpose: 'New SMT line for automotive sensors' },
    submittedAt: new Date().toISOString(),
    // The test catalogue's two products are one institution's: let both be proposed at once.
    settings: { topK: 2, maxOpenDealsPerInstitution: 2 },
  });

  const proposed = await waitForState(handle, (s) => s.application.status === 'in_due_diligence' && s.deals.length === 2);
  const [first, second] = proposed.deals;
  if (!first || !second) throw new Error('two deals expected');
  expect(proposed.deals.map((d) => d.productId).sort()).toEqual(catalogue.products.map((p) => p.productId).sort());
  expect(first.score).toBeGreaterThan(0);
  expect(first.reasons.length).toBeGreaterThan(0);

  const institutionId = catalogue.institution.institutionId;
  await decide(handle, second.dealId, institutionId, { action: 'decline', reason: 'Outside our sector appetite this quarter' });
  await decide(handle, first.dealId, institutionId, { action: 'express_interest' });
  await decide(handle, first.dealId, institutionId, { action: 'request_documents', documents: ['financial_statements', 'tax_records'] });
  await handle.executeUpdate(submitDocumentsUpdate, {
    args: [{ dealId: first.dealId, documents: [
      { kind: 'financial_statements', name: 'FY2025 audited statements.pdf', sha256: 'a'.repeat(64) },
      { kind: 'tax_records', name: 'VAT returns 2025.pdf', sha256: 'b'.repeat(64) },
    ] }],
  });
  const issued = await decide(handle, first.dealId, institutionId, { action: 'issue_term_sheet', termSheet: termSheet(8_000_000) });
  expect(issued.application.status).toBe('offers_ready');
  const accepted = await handle.executeUpdate(acceptOfferUpdate, { args: [{ dealId: first.dealId }] });
  expect(accepted.deal?.status).toBe('selected');
  await decide(handle, first.dealId, institutionId, { action: 'confirm_close' });

  expect(await handle.result()).toEqual({ applicationId, status: 'closed' });

  const { events } = await readApplicationEvents(kafka, config.kafka.topic, applicationId, 'application.closed');
  expect(events.map((e) => e.type)).toEqual([
    'application.submitted',
    'application.screened',
    'application.matched',
    'deal.proposed',
    'deal.proposed',
    'deal.declined',
    'deal.interest_expressed',
    'deal.documents_requested',
    'deal.documents_submitted',
    'deal.term_sheet_issued',
    'deal.selected',
    'deal.closed',
    'application.closed',
  ]);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.every((e) => e.eventId === `${applicationId}:${e.seq}`)).toBe(true);

  // The read models in MongoDB say what the workflow says.
  const finalState = await waitForState(handle, () => true);
  const applicationDoc = await findApplicationDoc(models, applicationId);
  expect(applicationDoc).toMatchObject({ status: 'closed', lastSeq: events.length });
  const dealDocs = await Promise.all(finalState.deals.map((d) => findDealDoc(models, d.dealId)));
  expect(Object.fromEntries(dealDocs.map((d) => [d?._id, d?.status]))).toEqual(
    Object.fromEntries(finalState.deals.map((d) => [d.dealId, d.status])),
  );
  // The timeline the API answers is every event on Kafka, in seq order.
  const view = JSON.parse(String(applicationDoc?.view)) as { timeline: { eventId: string }[] };
  expect(view.timeline.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));

  // Every reservation was released when the deals ended.
  for (const product of catalogue.products) expect(await models.capacitySlots.countDocuments({ productId: product.productId })).toBe(0);
});

test('applications matching concurrently never take more of a product than its capacity', async () => {
  const productId = narrow.products[0]?.productId as string;
  const handles = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      startApplication(client, config.temporal.taskQueue, {
        applicationId: `app-cap-${suffix}-${i}`,
        enterpriseUscc: narrow.uscc,
        request: { instrument: 'credit_loan', amountCny: 2_000_000, termMonths: 12, purpose: 'Tooling for a new customer programme' },
        submittedAt: new Date().toISOString(),
      }),
    ),
  );
  const states = await Promise.all(handles.map((h) => waitForState(h, (s) => ['in_due_diligence', 'no_match'].includes(s.application.status))));
  const withDeal = states.filter((s) => s.application.status === 'in_due_diligence');
  expect(withDeal).toHaveLength(3);
  expect(states.filter((s) => s.application.status === 'no_match')).toHaveLength(5);
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(3);

  // Withdrawing releases what each application held.
  await Promise.all(handles.map(async (h, i) => {
    if (states[i]?.application.status === 'in_due_diligence') {
      await h.executeUpdate(withdrawUpdate, { args: [{ reason: 'Financed elsewhere' }] });
    }
    await h.result();
  }));
  expect(await models.capacitySlots.countDocuments({ productId })).toBe(0);
});
