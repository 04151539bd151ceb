import { usccCheckCharacter } from '../../schemas';
import type { ApplicationRequest, EnterpriseProfile, Product, Qualification, Recognition } from '../../schemas';

/** A valid USCC from a 17-character body: the check character is computed, never hard-coded. */
export function uscc(body = '91310115MA1K4A2B9'): string {
  return body + usccCheckCharacter(body);
}

export const TODAY = '2025-06-30';

export function qualification(overrides: Partial<Qualification> = {}): Qualification {
  return {
    type: 'little_giant',
    issuer: 'MIIT 工业和信息化部',
    certificateNo: 'LG-2023-0001',
    validFrom: '2023-07-01',
    validTo: '2026-06-30',
    ...overrides,
  };
}

export function recognitionFor(q: Qualification, overrides: Partial<Recognition> = {}): Recognition {
  return { type: q.type, certificateNo: q.certificateNo, validFrom: q.validFrom, validTo: q.validTo, ...overrides };
}

export function profile(overrides: Partial<EnterpriseProfile> = {}): EnterpriseProfile {
  return {
    uscc: uscc(),
    name: '上海精密传感科技有限公司',
    region: 'CN-SH',
    city: 'Shanghai',
    industry: 'C3911',
    founded: '2015-03-12',
    employees: 180,
    revenueCny: 120_000_000,
    rdRatioBps: 850,
    qualifications: [],
    ...overrides,
  };
}

export function request(overrides: Partial<ApplicationRequest> = {}): ApplicationRequest {
  return {
    instrument: 'credit_loan',
    amountCny: 5_000_000,
    termMonths: 12,
    purpose: 'Expand sensor production line',
    ...overrides,
  };
}

export function product(overrides: Partial<Product> = {}): Product {
  return {
    productId: 'p-001',
    institutionId: 'bank-001',
    name: 'Tech SME credit',
    instruments: ['credit_loan', 'working_capital_loan'],
    minAmountCny: 1_000_000,
    maxAmountCny: 20_000_000,
    regions: ['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH'],
    industries: { include: [], exclude: [] },
    requiredQualifications: [],
    responseSlaHours: 72,
    ddSlaDays: 30,
    capacity: 10,
    active: true,
    ...overrides,
  };
}
