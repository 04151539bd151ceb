import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newInstitutionId, newUscc, product, profile, registerInstitutions, request, untilApplication, useApiStack } from '../api/support';
import { pdf, sha256Of, xlsx } from '../support/sampleFiles';
import { launchChromium, shot } from './support';

// Documents are files, in the browser: the enterprise answers a document request by uploading
// files on its page (a progress bar per file), the institution sees them listed with their sizes
// and downloads one, and the enterprise's timeline then says who downloaded what. Screenshots in
// test-output/browser/documents-*.png.

jest.setTimeout(180_000);

const { stack, api } = useApiStack();
let browser: Browser;
let context: BrowserContext;
let bank: string;
let uscc: string;
let applicationId: string;
let dealId: string;
const audit = pdf(12 * 1024 * 1024);
const statements = xlsx();

/** A page of `path` signed in as the token's role (the token where the sign-in bar keeps it). */
async function pageAs(role: 'enterprise' | 'institution', token: string, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(`localStorage.setItem(${JSON.stringify(`dealflow.token.${role}`)}, ${JSON.stringify(token)})`);
  await page.goto(`${api.baseUrl}${path}`);
  return page;
}

beforeAll(async () => {
  bank = newInstitutionId();
  await registerInstitutions(stack, api, [bank], { name: '苏州测试银行 Suzhou Test Bank' });
  const officer = stack.institutionToken(bank);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, { token: officer, body: product() })).status).toBe(200);
  uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile({ name: '西藏高原精密仪器有限公司 Plateau Precision Instruments' }) })).status).toBe(200);
  applicationId = (await api.call('POST', '/v1/applications', { token, body: request })).body.applicationId;
  const deal = await untilApplication(api, token, applicationId, (view) => view.deals?.[0]);
  dealId = deal.dealId;
  expect((await api.call('POST', `/v1/deals/${dealId}/decision`, { token: officer, body: { action: 'express_interest' } })).status).toBe(200);
  expect((await api.call('POST', `/v1/deals/${dealId}/decision`, { token: officer, body: { action: 'request_documents', documents: ['audit_report', 'financial_statements'] } })).status).toBe(200);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', acceptDownloads: true });
});

afterAll(async () => {
  await browser?.close();
});

test('the enterprise uploads the requested files with progress and submits them', async () => {
  const page = await pageAs('enterprise', stack.enterpriseToken(uscc), '/enterprise.html');
  const requestForm = page.locator(`article.application[data-application-id="${applicationId}"] details.request`);
  await requestForm.waitFor({ timeout: 30_000 });
  await requestForm.locator('input[name="file-audit_report"]').setInputFiles({ name: '2025 审计报告.pdf', mimeType: 'application/pdf', buffer: audit });
  await requestForm.locator('input[name="file-financial_statements"]').setInputFiles({ name: 'financial statements 2025.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: statements });
  await requestForm.locator('fieldset[data-kind="audit_report"] .upload-status').filter({ hasText: 'uploaded ✓' }).waitFor({ timeout: 60_000 });
  await requestForm.locator('fieldset[data-kind="financial_statements"] .upload-status').filter({ hasText: 'uploaded ✓' }).waitFor({ timeout: 60_000 });
  expect(await requestForm.locator('fieldset[data-kind="audit_report"] progress').getAttribute('value')).toBe('100');
  expect(await requestForm.locator('fieldset[data-kind="audit_report"] .upload-status').textContent()).toContain('12.0 MiB');
  await shot(page, 'documents-upload.png');

  await requestForm.locator('button[type=submit]').click();
  await page.locator(`article.application[data-application-id="${applicationId}"] table.deals tr[data-deal-id="${dealId}"][data-status="under_review"]`).waitFor({ timeout: 20_000 });
  await page.close();
});

test('a file that is not an accepted type is refused on the page with the API\'s reason', async () => {
  // A second request, so the form is shown again.
  await api.call('POST', `/v1/deals/${dealId}/decision`, { token: stack.institutionToken(bank), body: { action: 'request_documents', documents: ['business_plan'] } });
  const page = await pageAs('enterprise', stack.enterpriseToken(uscc), '/enterprise.html');
  const requestForm = page.locator(`article.application[data-application-id="${applicationId}"] details.request`);
  await requestForm.waitFor({ timeout: 30_000 });
  await requestForm.locator('input[name="file-business_plan"]').setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just some text, not a PDF\n'.repeat(20)) });
  const status = requestForm.locator('fieldset[data-kind="business_plan"] .upload-status.error');
  await status.waitFor({ timeout: 20_000 });
  expect(await status.textContent()).toMatch(/accepted are PDF, PNG, JPEG, DOCX and XLSX/);
  await page.close();
});

test('the institution sees the files with their sizes and downloads one; the enterprise\'s timeline says so', async () => {
  const page = await pageAs('institution', stack.institutionToken(bank), '/institution.html');
  await page.locator(`.deal-row[data-deal-id="${dealId}"]`).click();
  const files = page.locator(`article.deal[data-deal-id="${dealId}"] section.documents table.files tbody tr`);
  await files.nth(1).waitFor({ timeout: 20_000 });
  const rows = await files.allTextContents();
  expect(rows.join('\n')).toContain('2025 审计报告.pdf');
  expect(rows.join('\n')).toContain('12.0 MiB');
  expect(rows.join('\n')).toContain('financial statements 2025.xlsx');
  await shot(page, 'documents-institution.png');

  const row = files.filter({ hasText: '2025 审计报告.pdf' });
  const [downloaded] = await Promise.all([page.waitForEvent('download'), row.locator('button.download').click()]);
  expect(downloaded.suggestedFilename()).toBe('2025 审计报告.pdf');
  expect(sha256Of(readFileSync(await downloaded.path()))).toBe(sha256Of(audit));
  await page.close();

  const enterprise = await pageAs('enterprise', stack.enterpriseToken(uscc), '/enterprise.html');
  const card = enterprise.locator(`article.application[data-application-id="${applicationId}"]`);
  await card.locator('details[data-key="timeline"] summary').click();
  const note = card.locator('ol.timeline .downloaded');
  await note.waitFor({ timeout: 20_000 });
  expect(await note.textContent()).toBe(' — 苏州测试银行 Suzhou Test Bank downloaded your audit report 审计报告 (2025 审计报告.pdf)');
  await note.scrollIntoViewIfNeeded();
  await shot(enterprise, 'documents-timeline.png');
  await enterprise.close();
});
