import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Admin } from 'kafkajs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp } from '../../services/api/app';
import { createKafka } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { defineModels } from '../../store/models';
import { createTemporalClient } from '../../adapters/temporal';
import { startInProcessWorker } from '../support/inProcessWorker';
import { forumWorkflowId } from '../../workflows/forumMessages';
import { newUscc, tokenFor } from '../api/support';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { launchChromium, shot } from './support';

// The forums page in headless Chromium against the API built in-process with a real worker and a
// database and topics of its own: ops creates a forum on the page, the parties register (one on
// the page), ops schedules, and each side reads its agenda as a slot × table timetable, confirms
// a meeting and prints. Screenshots go to test-output/browser/.

jest.setTimeout(180_000);

const REGION = 'CN-JL';
const INDUSTRY = 'C3491';

const suffix = uniqueSuffix();
const config = testConfig({
  TEMPORAL_TASK_QUEUE: `browser-forums-${suffix}`,
  DEALFLOW_TOPIC: `browser.events.${suffix}`,
  DEALFLOW_FORUM_TOPIC: `browser.forums.${suffix}`,
  MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT ?? 27017}/browser_forums_${suffix}`,
});
const logger = testLogger();
const closers: (() => Promise<unknown>)[] = [];
const forumId = `jl-forum-${suffix}`;
const banks = [`jl-bank-${suffix}`, `jl-fund-${suffix}`];
const enterprises = [
  [newUscc(REGION), '长春精工机器人有限公司'], [newUscc(REGION), '吉林智控装备有限公司'], [newUscc(REGION), '延边伺服驱动有限公司'],
] as const;

let base: string;
let browser: Browser;
let context: BrowserContext;

const ops = () => tokenFor(config, { sub: 'browser-ops', role: 'ops' });
const enterpriseToken = (uscc: string) => tokenFor(config, { sub: `cfo@${uscc}`, role: 'enterprise', org: uscc });
const institutionToken = (id: string) => tokenFor(config, { sub: `officer@${id}`, role: 'institution', org: id });

async function api(method: string, url: string, token: string, body?: unknown): Promise<void> {
  const response = await fetch(`${base}${url}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
}


/** Opens the forums page as `role` with its token already stored, as the sign-in bar would store it. */
async function open(role: string, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/forums.html?role=${role}`);
  await page.evaluate(`localStorage.setItem(${JSON.stringify(`dealflow.token.${role}`)}, ${JSON.stringify(token)})`);
  await page.goto(`${base}/forums.html?role=${role}&forum=${forumId}`);
  return page;
}

beforeAll(async () => {
  const temporal = await createTemporalClient(config);
  closers.push(temporal.close);
  // The forum would otherwise wait for its timers on a task queue no worker serves any more.
  closers.push(() => temporal.client.workflow.getHandle(forumWorkflowId(forumId)).terminate('test over').catch(() => undefined));
  const mongo = await connectMongo(config, logger);
  closers.push(mongo.close);
  closers.push(() => mongo.connection.dropDatabase());
  const models = defineModels(mongo.connection);
  const kafka = createKafka(config, logger, 'dealflow-browser-forums');
  const admin: Admin = kafka.admin();
  await admin.connect();
  closers.push(() => admin.disconnect());
  closers.push(() => admin.deleteTopics({ topics: [config.kafka.topic, config.kafka.forumTopic] }).catch(() => {}));
  const worker = await startInProcessWorker(config, logger, { taskQueue: config.temporal.taskQueue });
  closers.push(worker.stop);
  const app: FastifyInstance = await buildApp({ config, logger, temporal: temporal.client, models, kafkaHealth: async () => void (await admin.describeCluster()) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  for (const [i, id] of banks.entries()) {
    await api('PUT', `/v1/institutions/${id}`, ops(), { name: i === 0 ? '吉林银行 Jilin Bank' : '长白山创投 Changbai Ventures', kind: i === 0 ? 'bank' : 'vc_fund', regions: [REGION] });
    await api('PUT', `/v1/institutions/${id}/products/${id}-p`, institutionToken(id), {
      name: i === 0 ? '科技信用贷' : '成长股权基金', instruments: i === 0 ? ['credit_loan'] : ['equity'], minAmountCny: 1_000_000, maxAmountCny: 50_000_000,
      regions: [REGION], industries: { include: [INDUSTRY], exclude: [] }, requiredQualifications: [], responseSlaHours: 72, ddSlaDays: 30, capacity: 20, active: true,
    });
  }
  for (const [uscc, name] of enterprises) {
    await api('PUT', `/v1/enterprises/${uscc}`, enterpriseToken(uscc), {
      name, region: REGION, city: 'Changchun 长春', industry: INDUSTRY, founded: '2015-05-20', employees: 150, revenueCny: 90_000_000, rdRatioBps: 700, qualifications: [],
    });
  }
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'Asia/Shanghai' });
});

afterAll(async () => {
  await browser?.close();
  for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
});

test('ops creates a forum on the page; an enterprise registers on the page; ops schedules and sees the whole timetable', async () => {
  const page = await open('ops', ops());
  await page.fill('#create-panel input[name=forumId]', forumId);
  await page.fill('#create-panel input[name=title]', '吉林产业智能对接会');
  await page.selectOption('#create-panel select[name=theme]', 'industrial_intelligence');
  await page.fill('#create-panel input[name=venue]', '长春国际会展中心');
  await page.fill('#create-panel input[name=slotMinutes]', '30');
  await page.fill('#create-panel input[name=tables]', '3');
  await page.click('#create-panel button[type=submit]');
  await page.locator(`button.forum-row[data-forum-id="${forumId}"]`).waitFor();
  await page.locator(`article.forum[data-forum-id="${forumId}"][data-status="open"]`).waitFor();

  const [first, ...others] = enterprises;
  const enterprisePage = await open('enterprise', enterpriseToken(first[0]));
  const form = enterprisePage.locator('section.registration form');
  await form.locator('input[value=credit_loan]').check();
  await form.locator('input[value=equity]').check();
  await form.locator('input[name=amountCny]').fill('8000000');
  await form.locator('button[type=submit]').click();
  await enterprisePage.locator('#banner .message.good').filter({ hasText: 'Registered' }).waitFor();
  for (const [uscc] of others) await api('POST', `/v1/forums/${forumId}/registrations`, enterpriseToken(uscc), { instruments: ['credit_loan', 'equity'], amountCny: 6_000_000 });
  for (const id of banks) await api('POST', `/v1/forums/${forumId}/registrations`, institutionToken(id), { productIds: [`${id}-p`], meetingsCapacity: 3 });

  await page.reload();
  await page.locator('.counts').filter({ hasText: '3enterprises' }).waitFor();
  await shot(page, 'forum-ops-registrations.png');
  await page.locator('button', { hasText: 'Schedule now' }).click();
  await page.locator(`article.forum[data-status="scheduled"]`).waitFor();
  await page.locator('table.timetable td.meeting').nth(5).waitFor();
  expect(await page.locator('table.timetable td.meeting').count()).toBe(6);
  expect(await page.locator('table.timetable thead th').count()).toBe(4); // the slot column and three tables
  await shot(page, 'forum-ops-timetable.png');
});

test('an enterprise reads its own timetable, confirms a meeting and prints its agenda', async () => {
  const [[uscc]] = enterprises;
  const page = await open('enterprise', enterpriseToken(uscc));
  const meetings = page.locator('table.timetable td.meeting');
  await meetings.nth(1).waitFor();
  expect(await meetings.count()).toBe(2);
  expect(await page.locator('table.timetable').textContent()).toContain('吉林银行');
  expect(await page.locator('table.timetable').textContent()).not.toContain('吉林智控装备');
  await meetings.first().locator('button', { hasText: 'Confirm' }).click();
  await page.locator('table.timetable td.meeting[data-status="confirmed"]').waitFor();
  await shot(page, 'forum-enterprise-timetable.png');

  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('table.timetable button').first().isVisible()).toBe(false);
  expect(await page.locator('.print-only').first().isVisible()).toBe(true);
  await shot(page, 'forum-enterprise-agenda-print.png');
  await page.emulateMedia({ media: 'screen' });
});

test('an institution declines a meeting on its timetable', async () => {
  const page = await open('institution', institutionToken(banks[1] as string));
  const meetings = page.locator('table.timetable td.meeting');
  await meetings.nth(2).waitFor();
  expect(await meetings.count()).toBe(3);
  await meetings.last().locator('button', { hasText: 'Decline' }).click();
  await page.locator('table.timetable td.meeting[data-status="declined"]').waitFor();
  await shot(page, 'forum-institution-timetable.png');
});
