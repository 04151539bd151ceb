import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Admin } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../services/api/app';
import { allow } from '../../services/api/auth';
import type { ConsumerHandle } from '../../adapters/kafka';
import { createKafka, fetchHighWatermarks } from '../../adapters/kafka';
import { connectMongo } from '../../adapters/mongo';
import { createLiveFeed, type LiveFeed } from '../../services/api/liveFeed';
import { opsRoutes } from '../../services/api/routes/ops';
import { startProjector } from '../../services/ops/projector';
import { defineModels } from '../../store/models';
import { createTemporalClient } from '../../adapters/temporal';
import { startInProcessWorker } from '../support/inProcessWorker';
import { newUscc, tokenFor } from '../api/support';
import { testConfig, testLogger, uniqueSuffix } from '../support/stack';
import { launchChromium, shot } from './support';

// The web pages in headless Chromium against the API built in-process with real dependencies:
// an in-process worker on its own task queue, the ops projector and live feed on a topic of their
// own, and a database of their own (dropped afterwards), so the catalogue, the principal picker
// and the funnel hold only this file's parties. One journey, step by step: each test builds on
// the one before.

jest.setTimeout(180_000);

const REGION = 'CN-HL';
const INDUSTRY = 'C3491';

const suffix = uniqueSuffix();
const taskQueue = `browser-test-${suffix}`;
const config = testConfig({
  TEMPORAL_TASK_QUEUE: taskQueue,
  DEALFLOW_TOPIC: `browser.events.${suffix}`,
  MONGO_URL: `mongodb://127.0.0.1:${process.env.DEALFLOW_MONGO_PORT ?? 27017}/browser_${suffix}`,
});
const logger = testLogger();
const closers: (() => Promise<unknown>)[] = [];

let app: FastifyInstance;
let base: string;
let browser: Browser;
let enterprisePage: Page;
let opsPage: Page;
let admin: Admin;
const uscc = newUscc(REGION);
const bank = `hl-bank-${suffix}`;
let applicationId: string;
let dealId: string;
let reachedBefore: Record<string, number>;

async function api(method: string, url: string, token: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${url}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
}


/** Picks the principal of `org` in the page's sign-in picker (served by GET /dev/tokens). */
async function signIn(page: Page, org: string): Promise<void> {
  await page.locator(`button.principal[data-org="${org}"]`).click();
  await page.locator('#signin .who').filter({ hasText: org }).waitFor();
}

async function reachedCounts(page: Page): Promise<Record<string, number>> {
  return page.$$eval('table.funnel tr[data-status]', (rows) => Object.fromEntries(rows.map((row) => [
    row.getAttribute('data-status'), Number(row.querySelector('td.reached')?.textContent ?? 'NaN'),
  ])));
}

beforeAll(async () => {
  const temporal = await createTemporalClient(config);
  closers.push(temporal.close);
  const mongo = await connectMongo(config, logger);
  closers.push(mongo.close);
  closers.push(() => mongo.connection.dropDatabase());
  const models = defineModels(mongo.connection);
  const kafka = createKafka(config, logger, 'dealflow-browser-test');
  admin = kafka.admin();
  await admin.connect();
  closers.push(() => admin.disconnect());
  closers.push(() => admin.deleteTopics({ topics: [config.kafka.topic] }).catch(() => {}));

  // Creates the topic and the indexes of the fresh database.
  const worker = await startInProcessWorker(config, logger, { taskQueue });
  closers.push(worker.stop);
  const projector: ConsumerHandle = await startProjector({ kafka, models, logger, topic: config.kafka.topic, groupId: `browser-ops-${suffix}` });
  closers.push(() => projector.close());
  const feed: LiveFeed = createLiveFeed({ kafka, topic: config.kafka.topic, logger, groupId: `browser-feed-${suffix}` });
  closers.push(() => feed.close());
  await feed.whenConnected(60_000);

  app = await buildApp({
    config, logger, temporal: temporal.client, models,
    kafkaHealth: async () => void (await admin.describeCluster()),
    opsRoutes: opsRoutes({
      models, feed, preHandler: allow('ops'), metricsCacheMs: 0,
      watermarks: async () => ({ topic: config.kafka.topic, highWatermarks: await fetchHighWatermarks(admin, config.kafka.topic) }),
    }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // A private catalogue, through the API, before the first application (the worker caches it).
  const ops = tokenFor(config, { sub: 'browser-ops', role: 'ops' });
  const bankToken = tokenFor(config, { sub: `officer@${bank}`, role: 'institution', org: bank });
  const enterpriseToken = tokenFor(config, { sub: `cfo@${uscc}`, role: 'enterprise', org: uscc });
  await api('PUT', `/v1/institutions/${bank}`, ops, { name: '龙江测试银行 Longjiang Test Bank', kind: 'bank', regions: [REGION] });
  await api('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, bankToken, {
    name: '知识产权质押贷 IP pledge loan', instruments: ['ip_pledge_loan'], minAmountCny: 1_000_000, maxAmountCny: 50_000_000,
    regions: [REGION], industries: { include: [INDUSTRY], exclude: [] }, requiredQualifications: [], responseSlaHours: 72, ddSlaDays: 30, capacity: 20, active: true,
  });
  // Two more products of the bank for the explanation: one waits behind the bank's open deal, one fails a hard rule.
  await api('PUT', `/v1/institutions/${bank}/products/${bank}-growth`, bankToken, {
    name: '成长贷 Growth loan', instruments: ['ip_pledge_loan'], minAmountCny: 1_000_000, maxAmountCny: 500_000_000,
    regions: [REGION], industries: { include: [], exclude: [] }, requiredQualifications: [], responseSlaHours: 72, ddSlaDays: 30, capacity: 20, active: true,
  });
  await api('PUT', `/v1/institutions/${bank}/products/${bank}-large`, bankToken, {
    name: '大额科技贷 Large tech loan', instruments: ['ip_pledge_loan'], minAmountCny: 1_000_000, maxAmountCny: 50_000_000, minRevenueCny: 1_000_000_000,
    regions: [REGION], industries: { include: [INDUSTRY], exclude: [] }, requiredQualifications: [], responseSlaHours: 72, ddSlaDays: 30, capacity: 20, active: true,
  });
  const littleGiant = { type: 'little_giant', certificateNo: `LG-${suffix}`, validFrom: '2024-07-01', validTo: '2027-06-30' };
  await api('PUT', `/v1/registries/recognitions/${uscc}`, ops, [littleGiant]);
  await api('PUT', `/v1/enterprises/${uscc}`, enterpriseToken, {
    name: '哈尔滨精工机器人有限公司 Harbin Precision Robotics', region: REGION, city: 'Harbin 哈尔滨', industry: INDUSTRY, founded: '2014-05-20',
    employees: 180, revenueCny: 120_000_000, rdRatioBps: 820, qualifications: [{ ...littleGiant, issuer: '工业和信息化部 MIIT' }],
  });

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB' });
  enterprisePage = await context.newPage();
  opsPage = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
});

test('the ops page signs in with a picked principal, connects to the live feed and shows the funnel', async () => {
  await opsPage.goto(`${base}/ops.html`);
  await signIn(opsPage, 'ops');
  await opsPage.locator('#feed-state.live').waitFor();
  await opsPage.locator('table.funnel tr[data-status="submitted"]').waitFor();
  reachedBefore = await reachedCounts(opsPage);
  expect(reachedBefore.submitted).toBe(0);
  // Nothing is published yet, so the projection is not behind.
  expect(await opsPage.locator('#generated [data-freshness]').getAttribute('data-freshness')).toBe('current');
});

test('an enterprise submits an application on its page and sees it move to due diligence with a deal', async () => {
  await enterprisePage.goto(`${base}/enterprise.html`);
  await signIn(enterprisePage, uscc);
  await enterprisePage.selectOption('#apply select[name=instrument]', 'ip_pledge_loan');
  await enterprisePage.fill('#apply input[name=amountCny]', '8000000');
  await enterprisePage.fill('#apply input[name=termMonths]', '36');
  await enterprisePage.fill('#apply textarea[name=purpose]', 'Second assembly line for harmonic-drive reducers 谐波减速器产线');
  await enterprisePage.fill('#apply input[name=collateral]', 'Pledge of three invention patents');
  await enterprisePage.click('#apply button[type=submit]');
  await enterprisePage.locator('#banner .message.good').filter({ hasText: 'submitted' }).waitFor();

  const card = enterprisePage.locator('article.application[data-status="in_due_diligence"]');
  await card.waitFor({ timeout: 60_000 });
  applicationId = (await card.getAttribute('data-application-id')) as string;
  const deal = card.locator(`table.deals tr[data-status="proposed"]`);
  await deal.waitFor();
  dealId = (await deal.getAttribute('data-deal-id')) as string;
  expect(await deal.textContent()).toContain('龙江测试银行 Longjiang Test Bank');
  expect(await deal.textContent()).toContain('知识产权质押贷 IP pledge loan');
  expect(await deal.textContent()).not.toContain(bank);
  expect(await card.locator('.badge').first().textContent()).toBe('Due diligence 尽职调查');
  await shot(enterprisePage, 'enterprise-due-diligence.png');
});

test('the enterprise reads why these institutions and why not others', async () => {
  const card = enterprisePage.locator(`article.application[data-application-id="${applicationId}"]`);
  await card.locator('details.explanation summary').click();
  const rows = card.locator('table.explanation-table tbody tr');
  await rows.nth(2).waitFor();
  const outcomes = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-product-id'), tr.getAttribute('data-outcome')]));
  expect(outcomes).toEqual([[`${bank}-ip`, 'proposed'], [`${bank}-growth`, 'same_institution'], [`${bank}-large`, 'excluded']]);
  const text = await card.locator('details.explanation').textContent();
  expect(text).toContain('Same institution 同一机构已有对接');
  expect(text).toMatch(/Revenue CNY 120,000,000 is below the product's minimum CNY 1,000,000,000/);
  await card.locator('details.explanation').scrollIntoViewIfNeeded();
  await shot(enterprisePage, 'enterprise-explanation.png');
});

test('an institution opens its inbox and the deal, is told why an early close is refused, expresses interest and issues a term sheet', async () => {
  const page = await enterprisePage.context().newPage();
  await page.goto(`${base}/institution.html`);
  await signIn(page, bank);
  await page.locator(`.deal-row[data-deal-id="${dealId}"]`).click();
  const panel = page.locator(`article.deal[data-deal-id="${dealId}"]`);
  await panel.waitFor();
  expect(await panel.textContent()).toContain('Little Giant 专精特新小巨人');
  expect(await panel.textContent()).toContain('CN-HL');

  // A proposed deal cannot close: the action sits under "Other actions", and the API's 409 reads as a sentence.
  await panel.locator('details.unavailable-actions summary').click();
  await panel.locator('section[data-action="confirm_close"] button').click();
  const refused = page.locator('.decision-problem .message.error');
  await refused.waitFor();
  expect(await refused.textContent()).toMatch(/409 conflict.*cannot confirm_close while deal is proposed/);

  await panel.locator('section[data-action="express_interest"] input[name=reason]').fill('Fits our robotics IP book');
  await panel.locator('section[data-action="express_interest"] button').click();
  const interested = page.locator(`article.deal[data-deal-id="${dealId}"][data-status="interested"]`);
  await interested.waitFor();

  const termSheet = interested.locator('section[data-action="issue_term_sheet"]');
  await termSheet.locator('input[name=rateBps]').fill('365');
  await termSheet.locator('textarea[name=conditions]').fill('Pledge of patents ZL2021…\nQuarterly financial statements');
  await termSheet.locator('button').click();
  await page.locator(`article.deal[data-deal-id="${dealId}"][data-status="term_sheet_issued"]`).waitFor();
  await shot(page, 'institution-term-sheet.png');
  await page.close();
});

test('the enterprise sees the offer on its page and accepts it', async () => {
  const offer = enterprisePage.locator(`article.application[data-application-id="${applicationId}"][data-status="offers_ready"] .offer[data-deal-id="${dealId}"]`);
  await offer.waitFor({ timeout: 15_000 });
  expect(await offer.textContent()).toContain('3.65% (365 bps)');
  expect(await offer.textContent()).toContain('Quarterly financial statements');
  await shot(enterprisePage, 'enterprise-offer.png');
  await offer.locator('button.accept').click();
  await enterprisePage.locator(`article.application[data-application-id="${applicationId}"][data-status="accepted"]`).waitFor();
});

test('the ops funnel moves and the live feed shows the events as they happen', async () => {
  await opsPage.bringToFront();
  await opsPage.locator('#feed li[data-type="deal.term_sheet_issued"]').waitFor();
  await opsPage.locator('#feed li[data-type="deal.selected"]').waitFor({ timeout: 15_000 });
  // Metrics refresh shortly after each event (and every 5 s), once the projector has applied it.
  await opsPage.locator('table.funnel tr[data-status="accepted"] td.reached').filter({ hasNotText: /^0$/ }).waitFor({ timeout: 20_000 });
  const after = await reachedCounts(opsPage);
  for (const status of ['submitted', 'matching', 'in_due_diligence', 'offers_ready', 'accepted']) {
    expect(after[status]).toBeGreaterThan(reachedBefore[status] ?? 0);
  }
  await opsPage.locator('svg.stages-chart rect').first().waitFor();
  await shot(opsPage, 'ops.png');
});

test('ops imports a recognition list on the registries page and reads the refused rows one by one', async () => {
  const page = await opsPage.context().newPage();
  await page.goto(`${base}/registries.html`);
  await page.locator('#signin .who').filter({ hasText: 'ops' }).waitFor();
  const [first, second] = [newUscc(REGION), newUscc(REGION)];
  const csv = [
    'uscc,type,certificateNo,validFrom,validTo,name',
    `${first},single_champion_municipal,HLDXGJ-2026-001,2026-01-01,2028-12-31,哈尔滨澄舟精密机械有限公司`,
    `${second},high_tech,GR202623000123,2026-03-01,2029-02-28,哈尔滨翊岳光电有限公司`,
    // A wrong check character and a validity past the three-year term: one row, two issues.
    `${second.slice(0, 17)}${second.endsWith('0') ? '1' : '0'},high_tech,GR202623000124,2026-03-01,2031-02-28,哈尔滨垣麓新材料有限公司`,
  ].join('\n');
  await page.locator('textarea[name=text]').fill(csv);
  await page.locator('#import button[type=submit]').click();
  await page.locator('#summary').filter({ hasText: '2 accepted' }).waitFor();
  expect(await page.locator('#summary').textContent()).toContain('1 rejected');
  const refused = page.locator('table.rejected-rows tbody tr');
  expect(await refused.first().locator('td').first().textContent()).toBe('3');
  expect(await refused.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/uscc/), expect.stringMatching(/validTo/)]));
  await shot(page, 'registries-import.png');

  // The same list again changes nothing.
  await page.locator('#import button[type=submit]').click();
  await page.locator('#summary').filter({ hasText: '0 accepted' }).waitFor();
  expect(await page.locator('#summary').textContent()).toContain('2 unchanged');
  await page.close();
});
