import { ScreeningResult } from '../../../schemas';
import type { EnterpriseProfile } from '../../../schemas';
import { screenApplication } from '../../../domain/screening';
import type { ScreeningInput } from '../../../domain/screening';
import { TODAY, profile, qualification, recognitionFor, request } from '../fixtures';

function screen(overrides: Partial<ScreeningInput> = {}) {
  return screenApplication({ profile: profile(), request: request(), isDishonestDebtor: false, recognitions: [], today: TODAY, ...overrides });
}

const codes = (r: ScreeningResult) => r.reasons.map((x) => x.code);

describe('screenApplication', () => {
  it('passes a complete profile with a valid request and says so', () => {
    const result = screen({ now: '2025-06-30T09:15:00.000Z' });
    expect(result.eligible).toBe(true);
    expect(codes(result)).toEqual(['screening_passed']);
    expect(result.screenedAt).toBe('2025-06-30T09:15:00.000Z');
    expect(ScreeningResult.safeParse(result).success).toBe(true);
  });

  it('stamps midnight UTC of today when no clock value is passed', () => {
    expect(screen().screenedAt).toBe('2025-06-30T00:00:00.000Z');
  });

  it('rejects with profile_missing when there is no profile', () => {
    const result = screen({ profile: null });
    expect(result.eligible).toBe(false);
    expect(codes(result)).toContain('profile_missing');
  });

  it('rejects with profile_incomplete naming the missing fields', () => {
    const partial = { ...profile(), city: '', industry: undefined } as unknown as EnterpriseProfile;
    const result = screen({ profile: partial });
    expect(result.eligible).toBe(false);
    const incomplete = result.reasons.find((r) => r.code === 'profile_incomplete');
    expect(incomplete?.message).toMatch(/city/);
    expect(incomplete?.message).toMatch(/industry/);
  });

  it('rejects with uscc_invalid when the check character is wrong, and not as incomplete', () => {
    const good = profile().uscc;
    const wrong = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    const result = screen({ profile: profile({ uscc: wrong }) });
    expect(result.eligible).toBe(false);
    expect(codes(result)).toEqual(['uscc_invalid']);
    expect(result.reasons[0]?.message).toMatch(/统一社会信用代码/);
  });

  it('rejects a stored profile whose region is not the province of its USCC as incomplete', () => {
    const result = screen({ profile: profile({ region: 'CN-HL' }) });
    expect(result.eligible).toBe(false);
    expect(result.reasons.find((r) => r.code === 'profile_incomplete')?.message).toMatch(/region \(region must be CN-SH, the province of the USCC's division code 310115, not CN-HL\)/);
  });

  it('rejects with dishonest_debtor for a listed enterprise', () => {
    const result = screen({ isDishonestDebtor: true });
    expect(result.eligible).toBe(false);
    expect(result.reasons.find((r) => r.code === 'dishonest_debtor')?.message).toMatch(/失信被执行人/);
  });

  it('rejects with amount_not_positive for zero, negative or fractional amounts', () => {
    for (const amountCny of [0, -5, 1.5]) {
      const result = screen({ request: request({ amountCny }) });
      expect(result.eligible).toBe(false);
      expect(codes(result)).toContain('amount_not_positive');
    }
  });

  it('rejects with term_out_of_bounds outside the instrument bounds and accepts the edges', () => {
    const tooLong = screen({ request: request({ instrument: 'supply_chain_finance', termMonths: 13 }) });
    expect(tooLong.eligible).toBe(false);
    expect(tooLong.reasons.find((r) => r.code === 'term_out_of_bounds')?.message).toBe('supply_chain_finance terms run 1-12 months; requested 13');
    expect(screen({ request: request({ instrument: 'leasing', termMonths: 5 }) }).eligible).toBe(false);
    expect(screen({ request: request({ instrument: 'leasing', termMonths: 6 }) }).eligible).toBe(true);
    expect(screen({ request: request({ instrument: 'equity', termMonths: 120 }) }).eligible).toBe(true);
  });

  it('reports every blocking reason at once', () => {
    const result = screen({ profile: null, isDishonestDebtor: true, request: request({ amountCny: 0, termMonths: 99 }) });
    expect(codes(result)).toEqual(['profile_missing', 'dishonest_debtor', 'amount_not_positive', 'term_out_of_bounds']);
  });
});

describe('screenApplication qualifications', () => {
  it('verifies a Little Giant claim that the registry confirms', () => {
    const q = qualification();
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q)] });
    expect(result.eligible).toBe(true);
    expect(result.verifiedQualifications).toEqual([q]);
    expect(result.reasons.find((r) => r.code === 'qualification_verified')?.message).toMatch(/Little Giant.*registry/);
  });

  it('keeps a registry-checked claim the registry does not know as unverified, without rejecting', () => {
    const q = qualification({ type: 'single_champion_national', certificateNo: 'SC-9' });
    const other = recognitionFor(q, { certificateNo: 'SC-10' });
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [other] });
    expect(result.eligible).toBe(true);
    expect(result.verifiedQualifications).toEqual([]);
    expect(result.unverifiedQualifications).toEqual([q]);
    expect(result.reasons.find((r) => r.code === 'qualification_unverified')?.message).toMatch(/not in the recognition registry/);
  });

  it('does not match a registry entry of another type with the same certificate number', () => {
    const q = qualification({ type: 'single_champion_municipal' });
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q, { type: 'little_giant' })] });
    expect(result.unverifiedQualifications).toEqual([q]);
  });

  it('drops a qualification expired by its own dates with qualification_expired', () => {
    const q = qualification({ validFrom: '2022-07-01', validTo: '2025-06-29' });
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q)] });
    expect(result.eligible).toBe(true);
    expect(result.verifiedQualifications).toEqual([]);
    expect(result.unverifiedQualifications).toEqual([]);
    expect(result.reasons.find((r) => r.code === 'qualification_expired')?.message).toMatch(/expired on 2025-06-29/);
  });

  it('counts a qualification on its first and last valid day', () => {
    const first = qualification({ type: 'high_tech', certificateNo: 'GR1', validFrom: TODAY, validTo: '2027-01-01' });
    const last = qualification({ type: 'srdi_sme', certificateNo: 'ZJ1', validFrom: '2022-07-01', validTo: TODAY });
    const result = screen({ profile: profile({ qualifications: [first, last] }), recognitions: [recognitionFor(first), recognitionFor(last)] });
    expect(result.verifiedQualifications).toEqual([first, last]);
  });

  it('drops a claim whose registry record is no longer valid even if the claimed dates are', () => {
    const q = qualification();
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q, { validTo: '2025-01-01' })] });
    expect(result.verifiedQualifications).toEqual([]);
    expect(codes(result)).toContain('qualification_expired');
  });

  it('reports a qualification not yet valid', () => {
    const q = qualification({ type: 'innovative_sme', validFrom: '2025-07-01', validTo: '2028-06-30' });
    const result = screen({ profile: profile({ qualifications: [q] }) });
    expect(codes(result)).toContain('qualification_not_yet_valid');
    expect(result.verifiedQualifications).toEqual([]);
  });

  it('keeps every type unverified on the enterprise\'s claim alone, and verifies it once the registry holds it', () => {
    const qs = (['srdi_sme', 'high_tech', 'innovative_sme', 'single_champion_municipal'] as const)
      .map((type, i) => qualification({ type, certificateNo: `C-${i}` }));
    const claimed = screen({ profile: profile({ qualifications: qs }) });
    expect(claimed.verifiedQualifications).toEqual([]);
    expect(claimed.unverifiedQualifications).toEqual(qs);
    expect(claimed.reasons.filter((r) => r.code === 'qualification_unverified')).toHaveLength(4);
    const onRecord = screen({ profile: profile({ qualifications: qs }), recognitions: qs.map((q) => recognitionFor(q)) });
    expect(onRecord.verifiedQualifications).toEqual(qs);
    expect(onRecord.reasons.filter((r) => r.code === 'qualification_verified')).toHaveLength(4);
  });

  it('keeps a claim unverified when the registry holds the type under another certificate number', () => {
    const q = qualification({ type: 'high_tech', certificateNo: 'GR202331000123' });
    const result = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q, { certificateNo: 'GR202331000999' })] });
    expect(result.verifiedQualifications).toEqual([]);
    expect(result.unverifiedQualifications).toEqual([q]);
  });

  it('judges validity on the day it is given, so a record lapsing at the end of a Beijing day counts on that day only', () => {
    const q = qualification({ type: 'innovative_sme', validFrom: '2022-07-01', validTo: TODAY });
    const onLastDay = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q)], today: TODAY });
    expect(onLastDay.verifiedQualifications).toEqual([q]);
    const dayAfter = screen({ profile: profile({ qualifications: [q] }), recognitions: [recognitionFor(q)], today: '2025-07-01' });
    expect(dayAfter.verifiedQualifications).toEqual([]);
  });
});
