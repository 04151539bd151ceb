import type { z } from 'zod';
import {
  ApplicationRequest, ApplicationView, DealDecision, DealListQuery, DealView, DishonestDebtorInput, DocumentSubmission,
  EnterpriseProfile, EnterpriseProfileInput, Institution, InstitutionInput, ListQuery, Product, ProductInput,
  Qualification, Recognition, RecognitionList, ScreeningResult, TERM_BOUNDS_MONTHS, TermSheet, WithdrawRequest,
  INSTRUMENTS,
} from '../../../schemas';
import { product, profile, qualification, request, uscc } from '../fixtures';

/** Asserts the value is rejected with an issue at exactly this path. */
function expectIssueAt(schema: z.ZodType, value: unknown, path: readonly (string | number)[], message?: RegExp): void {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  const issues = result.error?.issues ?? [];
  const hit = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
  if (hit === undefined) throw new Error(`no issue at ${JSON.stringify(path)}; got ${JSON.stringify(issues)}`);
  if (message !== undefined) expect(hit.message).toMatch(message);
}

const { uscc: _u, ...profileBody } = profile({ qualifications: [qualification()] });
const { productId: _p, institutionId: _i, ...productBody } = product();
const termSheet = { amountCny: 4_000_000, rateBps: 385, termMonths: 12, conditions: ['Personal guarantee of the founder'], expiresAt: '2025-07-31T00:00:00Z' };

describe('enterprise schemas', () => {
  it('accept a complete profile body and a stored profile', () => {
    expect(EnterpriseProfileInput.parse(profileBody)).toEqual(profileBody);
    expect(EnterpriseProfile.safeParse(profile()).success).toBe(true);
  });

  it('default qualifications to an empty list', () => {
    const { qualifications: _q, ...withoutQualifications } = profileBody;
    expect(EnterpriseProfileInput.parse(withoutQualifications).qualifications).toEqual([]);
  });

  it('reject unknown fields, bad region, industry, ratio and a qualification ending before it starts', () => {
    expectIssueAt(EnterpriseProfileInput, { ...profileBody, ceo: 'x' }, [], /ceo/);
    expectIssueAt(EnterpriseProfileInput, { ...profileBody, region: 'SH' }, ['region']);
    expectIssueAt(EnterpriseProfileInput, { ...profileBody, industry: 'C3' }, ['industry'], /GB\/T 4754/);
    expectIssueAt(EnterpriseProfileInput, { ...profileBody, rdRatioBps: 10_001 }, ['rdRatioBps']);
    expectIssueAt(EnterpriseProfileInput, { ...profileBody, founded: '2015-02-30' }, ['founded']);
    expectIssueAt(EnterpriseProfileInput, {
      ...profileBody, qualifications: [qualification({ validFrom: '2025-01-01', validTo: '2024-01-01' })],
    }, ['qualifications', 0, 'validTo']);
    expectIssueAt(Qualification, { ...qualification(), type: 'famous' }, ['type']);
    expectIssueAt(EnterpriseProfile, profile({ uscc: '91310115MA1K4A2B9X' }), ['uscc'], /check character/);
  });
});

describe('institution schemas', () => {
  it('accept an institution and a product, filling SLA and activity defaults', () => {
    expect(InstitutionInput.safeParse({ name: '江苏银行', kind: 'bank', regions: ['CN-JS'] }).success).toBe(true);
    expect(Institution.safeParse({ institutionId: 'jsb', name: '江苏银行', kind: 'bank', regions: ['CN-JS'] }).success).toBe(true);
    const minimal = { name: 'P', instruments: ['equity'], minAmountCny: 1, maxAmountCny: 2, regions: ['CN-ZJ'], capacity: 1 };
    const parsed = ProductInput.parse(minimal);
    expect(parsed).toMatchObject({ responseSlaHours: 72, ddSlaDays: 30, active: true, industries: { include: [], exclude: [] }, requiredQualifications: [] });
    expect(Product.safeParse(product()).success).toBe(true);
  });

  it('take SLAs in working days within the contract\'s ranges (1-60 to answer, 1-250 for due diligence), and no working days by default', () => {
    expect(ProductInput.parse({ ...productBody, responseSlaWorkingDays: 60, ddSlaWorkingDays: 250 })).toMatchObject({ responseSlaWorkingDays: 60, ddSlaWorkingDays: 250 });
    expect(ProductInput.parse(productBody)).not.toHaveProperty('responseSlaWorkingDays');
    expectIssueAt(ProductInput, { ...productBody, responseSlaWorkingDays: 61 }, ['responseSlaWorkingDays']);
    expectIssueAt(ProductInput, { ...productBody, responseSlaWorkingDays: 0 }, ['responseSlaWorkingDays']);
    expectIssueAt(ProductInput, { ...productBody, ddSlaWorkingDays: 251 }, ['ddSlaWorkingDays']);
    expectIssueAt(ProductInput, { ...productBody, ddSlaWorkingDays: 2.5 }, ['ddSlaWorkingDays']);
  });

  it('reject a ticket range with min above max at maxAmountCny', () => {
    expectIssueAt(ProductInput, { ...productBody, minAmountCny: 10, maxAmountCny: 5 }, ['maxAmountCny'], /at least minAmountCny/);
    expectIssueAt(Product, product({ minAmountCny: 10, maxAmountCny: 5 }), ['maxAmountCny']);
  });

  it('reject zero capacity, no instruments, an unknown kind and unknown fields', () => {
    expectIssueAt(ProductInput, { ...productBody, capacity: 0 }, ['capacity']);
    expectIssueAt(ProductInput, { ...productBody, instruments: [] }, ['instruments']);
    expectIssueAt(ProductInput, { ...productBody, industries: { include: ['C39'], exclude: ['x'] } }, ['industries', 'exclude', 0]);
    expectIssueAt(ProductInput, { ...productBody, productId: 'p-2' }, []);
    expectIssueAt(InstitutionInput, { name: 'X', kind: 'broker', regions: ['CN-SH'] }, ['kind']);
  });
});

describe('registry schemas', () => {
  it('accept a recognition list and a dishonest-debtor body', () => {
    const r = { type: 'little_giant', certificateNo: 'LG-1', validFrom: '2023-07-01', validTo: '2026-06-30' };
    expect(RecognitionList.safeParse([r]).success).toBe(true);
    expect(RecognitionList.safeParse([]).success).toBe(true);
    expect(DishonestDebtorInput.safeParse({ caseNo: '(2024)沪0115执1234号', court: '上海市浦东新区人民法院' }).success).toBe(true);
    expect(DishonestDebtorInput.safeParse({}).success).toBe(true);
  });

  it('reject a recognition without a certificate number or with reversed dates', () => {
    expectIssueAt(RecognitionList, [{ type: 'little_giant', certificateNo: '', validFrom: '2023-07-01', validTo: '2026-06-30' }], [0, 'certificateNo']);
    expectIssueAt(Recognition, { type: 'high_tech', certificateNo: 'GR1', validFrom: '2026-01-01', validTo: '2025-01-01' }, ['validTo']);
    expectIssueAt(DishonestDebtorInput, { amount: 1 }, []);
  });
});

describe('application schemas', () => {
  it('accept a request with and without collateral', () => {
    expect(ApplicationRequest.safeParse(request()).success).toBe(true);
    expect(ApplicationRequest.safeParse(request({ collateral: 'Patent ZL2020 1 0000000.0' })).success).toBe(true);
    expect(WithdrawRequest.safeParse({ reason: 'Funded elsewhere' }).success).toBe(true);
  });

  it('reject a non-integer or zero amount, an unknown instrument and unknown fields', () => {
    expectIssueAt(ApplicationRequest, request({ amountCny: 0 }), ['amountCny']);
    expectIssueAt(ApplicationRequest, request({ amountCny: 10.5 }), ['amountCny']);
    expectIssueAt(ApplicationRequest, { ...request(), instrument: 'crypto' }, ['instrument']);
    expectIssueAt(ApplicationRequest, { ...request(), purpose: '   ' }, ['purpose']);
    expectIssueAt(ApplicationRequest, { ...request(), rate: 3 }, [], /rate/);
    expectIssueAt(WithdrawRequest, {}, ['reason']);
  });

  it('define sensible term bounds for every instrument', () => {
    for (const instrument of INSTRUMENTS) {
      const bounds = TERM_BOUNDS_MONTHS[instrument];
      expect(bounds.min).toBeGreaterThanOrEqual(1);
      expect(bounds.max).toBeGreaterThan(bounds.min);
    }
    expect(TERM_BOUNDS_MONTHS.supply_chain_finance.max).toBeLessThanOrEqual(12);
  });

  it('accept a screening result and reject one with an invalid reason code', () => {
    const result = { eligible: true, reasons: [{ code: 'screening_passed', message: 'ok' }], verifiedQualifications: [], unverifiedQualifications: [], screenedAt: '2025-06-30T00:00:00Z' };
    expect(ScreeningResult.safeParse(result).success).toBe(true);
    expectIssueAt(ScreeningResult, { ...result, reasons: [{ code: 'Bad Code', message: 'x' }] }, ['reasons', 0, 'code']);
  });
});

describe('deal schemas', () => {
  it('accept each decision action with its required fields', () => {
    expect(DealDecision.safeParse({ action: 'express_interest' }).success).toBe(true);
    expect(DealDecision.safeParse({ action: 'decline', reason: 'Outside our appetite' }).success).toBe(true);
    expect(DealDecision.safeParse({ action: 'request_documents', documents: ['financial_statements', 'tax_records'] }).success).toBe(true);
    expect(DealDecision.safeParse({ action: 'issue_term_sheet', termSheet }).success).toBe(true);
    expect(DealDecision.safeParse({ action: 'confirm_close' }).success).toBe(true);
  });

  it('reject a decline without reason, an empty document request, a term sheet action without one', () => {
    expectIssueAt(DealDecision, { action: 'decline' }, ['reason'], /reason is required/);
    expectIssueAt(DealDecision, { action: 'request_documents', documents: [] }, ['documents']);
    expectIssueAt(DealDecision, { action: 'request_documents', documents: ['selfie'] }, ['documents', 0]);
    expectIssueAt(DealDecision, { action: 'issue_term_sheet' }, ['termSheet']);
    expectIssueAt(DealDecision, { action: 'approve' }, ['action'], /express_interest/);
    expectIssueAt(DealDecision, { action: 'express_interest', termSheet }, [], /termSheet/);
  });

  it('reject a term sheet with a negative rate or a non-UTC expiry', () => {
    expectIssueAt(TermSheet, { ...termSheet, rateBps: -1 }, ['rateBps']);
    expectIssueAt(TermSheet, { ...termSheet, expiresAt: '2025-07-31' }, ['expiresAt']);
  });

  it('accept a document submission and reject a bad sha256', () => {
    const doc = { kind: 'financial_statements', name: '2024 audited accounts.pdf', sha256: 'a'.repeat(64) };
    expect(DocumentSubmission.safeParse({ dealId: 'd-1', documents: [doc] }).success).toBe(true);
    expectIssueAt(DocumentSubmission, { dealId: 'd-1', documents: [{ ...doc, sha256: 'abc' }] }, ['documents', 0, 'sha256']);
    expectIssueAt(DocumentSubmission, { dealId: 'd-1', documents: [] }, ['documents']);
    expectIssueAt(DocumentSubmission, { dealId: 'a:b', documents: [doc] }, ['dealId']);
  });

  it('accept deal and application read shapes', () => {
    const deal = {
      dealId: 'd-1', applicationId: 'a-1', institutionId: 'bank-001', productId: 'p-001', status: 'proposed', score: 72,
      reasons: [{ code: 'industry_fit', message: 'fits', weight: 24 }], documentsRequested: [],
      createdAt: '2025-06-30T00:00:00Z', updatedAt: '2025-06-30T00:00:00Z',
    };
    expect(DealView.safeParse(deal).success).toBe(true);
    expect(DealView.safeParse({ ...deal, enterprise: profile(), request: request() }).success).toBe(true);
    expectIssueAt(DealView, { ...deal, score: 101 }, ['score']);
    expectIssueAt(DealView, { ...deal, status: 'open' }, ['status']);

    const app = {
      applicationId: 'a-1', enterpriseUscc: uscc(), status: 'in_due_diligence', request: request(), screening: null,
      createdAt: '2025-06-30T00:00:00Z', updatedAt: '2025-06-30T00:00:00Z',
      timeline: [{ eventId: 'a-1:1', type: 'application.submitted', version: 1, seq: 1, occurredAt: '2025-06-30T00:00:00Z', applicationId: 'a-1', enterpriseUscc: uscc(), data: { request: request() } }],
      deals: [deal],
    };
    expect(ApplicationView.safeParse(app).success).toBe(true);
    expectIssueAt(ApplicationView, { ...app, status: 'pending' }, ['status']);
  });

  it('limit list queries to 100 items and filter deals by status', () => {
    expect(ListQuery.parse({}).limit).toBe(20);
    expect(ListQuery.parse({ limit: '50' }).limit).toBe(50);
    expectIssueAt(ListQuery, { limit: '101' }, ['limit']);
    expect(DealListQuery.parse({ status: 'interested' }).status).toBe('interested');
    expectIssueAt(DealListQuery, { status: 'nope' }, ['status']);
  });
});
