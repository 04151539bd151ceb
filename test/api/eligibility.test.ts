import { createKafka } from '../../adapters/kafka';
import { addCalendarDays, beijingDateOf } from '../../schemas/beijingDate';
import { readApplicationEvents } from '../support/events';
import { eventually, newInstitutionId, newUscc, product, profile, registerInstitutions, request, useApiStack } from './support';

// Eligibility after screening, over HTTP with a real worker, Kafka and FerretDB: a lapsed required
// qualification refuses a term sheet (409 enterprise_not_eligible), and a listing as a dishonest
// debtor during due diligence ends the application, releases capacity and publishes the events.

jest.setTimeout(120_000);

const { stack, api } = useApiStack({ settings: { topK: 1 } });
let ops: string;
let bank: string;
let championBank: string;

const today = beijingDateOf(new Date());
const littleGiant = { type: 'little_giant', certificateNo: 'LG-2025-0042', validFrom: addCalendarDays(today, -200), validTo: addCalendarDays(today, 500) } as const;

async function application(applicationId: string, token: string) {
  return (await api.call('GET', `/v1/applications/${applicationId}`, { token })).body;
}

async function applyInDueDiligence(uscc: string, token: string, body: object = request): Promise<{ applicationId: string; dealId: string }> {
  const submitted = await api.call('POST', '/v1/applications', { token, body });
  expect(submitted.status).toBe(202);
  const applicationId = submitted.body.applicationId as string;
  const dealId = await eventually(async () => {
    const read = await application(applicationId, token);
    return read?.status === 'in_due_diligence' ? (read.deals[0]?.dealId as string | undefined) : undefined;
  }, 30_000, `${applicationId} in due diligence`);
  expect(uscc).toBeTruthy();
  return { applicationId, dealId };
}

beforeAll(async () => {
  ops = stack.opsToken();
  bank = newInstitutionId();
  championBank = newInstitutionId();
  await registerInstitutions(stack, api, [bank, championBank]);
  expect((await api.call('PUT', `/v1/institutions/${bank}/products/${bank}-ip`, {
    token: stack.institutionToken(bank), body: product({ capacity: 1, responseSlaWorkingDays: 5, ddSlaWorkingDays: 20 }),
  })).status).toBe(200);
  expect((await api.call('PUT', `/v1/institutions/${championBank}/products/${championBank}-lg`, {
    token: stack.institutionToken(championBank), body: product({ instruments: ['credit_loan'], requiredQualifications: ['little_giant'] }),
  })).status).toBe(200);
});

test('a required qualification that lapsed in the registry refuses the term sheet: 409 enterprise_not_eligible', async () => {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  const qualification = { ...littleGiant, issuer: '工业和信息化部' };
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile({ qualifications: [qualification] }) })).status).toBe(200);
  expect((await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [littleGiant] })).status).toBe(200);
  const { dealId } = await applyInDueDiligence(uscc, token, { ...request, instrument: 'credit_loan' });
  const officer = stack.institutionToken(championBank);
  expect((await api.call('POST', `/v1/deals/${dealId}/decision`, { token: officer, body: { action: 'express_interest' } })).status).toBe(200);

  // The recognition lapsed yesterday (Beijing date).
  const lapsed = { ...littleGiant, validTo: addCalendarDays(today, -1) };
  expect((await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [lapsed] })).status).toBe(200);
  const termSheet = { amountCny: 5_000_000, rateBps: 400, termMonths: 24, conditions: [], expiresAt: new Date(Date.now() + 20 * 86_400_000).toISOString() };
  const refused = await api.call('POST', `/v1/deals/${dealId}/decision`, { token: officer, body: { action: 'issue_term_sheet', termSheet } });
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ error: 'conflict', reason: 'enterprise_not_eligible' });
  expect(refused.body.message).toMatch(/little_giant/);

  // Renewed in the registry: the same term sheet is taken.
  expect((await api.call('PUT', `/v1/registries/recognitions/${uscc}`, { token: ops, body: [littleGiant] })).status).toBe(200);
  const issued = await api.call('POST', `/v1/deals/${dealId}/decision`, { token: officer, body: { action: 'issue_term_sheet', termSheet } });
  expect(issued.status).toBe(200);
});

test('a listing as a dishonest debtor during due diligence ends the application, releases capacity and publishes the events; a removal lets the enterprise apply again', async () => {
  const uscc = newUscc();
  const token = stack.enterpriseToken(uscc);
  expect((await api.call('PUT', `/v1/enterprises/${uscc}`, { token, body: profile() })).status).toBe(200);
  const { applicationId, dealId } = await applyInDueDiligence(uscc, token);
  const interested = await api.call('POST', `/v1/deals/${dealId}/decision`, { token: stack.institutionToken(bank), body: { action: 'express_interest' } });
  expect(interested.status).toBe(200);
  // Working-day SLAs reach the deal: 20 working days end at 24:00 Beijing time (16:00 UTC).
  expect(interested.body.deadline).toMatch(/T16:00:00\.000Z$/);
  expect(typeof interested.body.deadlineProvisional).toBe('boolean'); // true only when the 20 days reach a year without a notice
  expect(await stack.models.capacityHolds.countDocuments({ _id: dealId })).toBe(1);

  expect((await api.call('PUT', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops, body: { caseNo: '(2026)藏01执123号' } })).status).toBe(200);
  const ended = await eventually(async () => {
    const read = await application(applicationId, token);
    return read?.status === 'rejected' ? read : undefined;
  }, 30_000, 'the application to end rejected');
  expect(ended.deals[0]).toMatchObject({ dealId, status: 'not_selected' });
  await eventually(async () => ((await stack.models.capacityHolds.countDocuments({ _id: dealId })) === 0 ? true : undefined), 15_000, 'the capacity to be released');

  const kafka = createKafka(stack.config, stack.logger, 'eligibility-test-reader');
  const { events } = await readApplicationEvents(kafka, stack.config.kafka.topic, applicationId, 'application.rejected');
  expect(events.slice(-2).map((e) => [e.type, e.dealId, e.data])).toEqual([
    ['deal.not_selected', dealId, { reason: 'enterprise_listed_dishonest' }],
    ['application.rejected', undefined, expect.objectContaining({ reason: 'dishonest_debtor' })],
  ]);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(await stack.models.openApplications.countDocuments({ _id: uscc, applicationIds: applicationId })).toBe(0);

  // Listed: a new application is rejected at screening. Off the list: it gets to due diligence again.
  const whileListed = await api.call('POST', '/v1/applications', { token, body: request });
  const screenedOut = await eventually(async () => {
    const read = await application(whileListed.body.applicationId as string, token);
    return read?.status === 'rejected' ? read : undefined;
  }, 30_000, 'the listed enterprise\'s application to be rejected at screening');
  expect(screenedOut.screening.reasons.map((r: { code: string }) => r.code)).toContain('dishonest_debtor');
  expect((await api.call('DELETE', `/v1/registries/dishonest-debtors/${uscc}`, { token: ops })).status).toBe(204);
  const again = await applyInDueDiligence(uscc, token);
  expect(again.applicationId).not.toBe(applicationId);
});
