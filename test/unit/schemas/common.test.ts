import {
  AmountCny, Gb4754, IsoDateTime, REGION_CODES, Region, USCC_CHARSET, Uscc, YRD_REGIONS, isValidUscc, isYrdRegion,
  organisationCodeCheckDigit, toValidationIssues, usccCheckCharacter,
} from '../../../schemas';
import { ApplicationRequest } from '../../../schemas';

describe('USCC (GB 32100-2015)', () => {
  it('accepts published codes of real companies', () => {
    // Huawei Technologies, Tencent Computer Systems, Alibaba (China), PetroChina.
    for (const code of ['914403001922038216', '9144030071526726XG', '91330100716105852F', '91110000802100433B']) {
      expect(isValidUscc(code)).toBe(true);
      expect(Uscc.safeParse(code).success).toBe(true);
    }
  });

  it('computes the check character from the weighted sum mod 31', () => {
    expect(usccCheckCharacter('91440300192203821')).toBe('6');
    expect(usccCheckCharacter('9144030071526726X')).toBe('G');
  });

  it('maps a remainder of 0 (check value 31) to "0"', () => {
    // Search bodies deterministically until one has sum mod 31 == 0, then confirm the rule.
    let found: string | undefined;
    for (let n = 0; n < 10_000 && found === undefined; n += 1) {
      const organisationBody = `0000${String(n).padStart(4, '0')}`;
      const body = `91310000${organisationBody}${organisationCodeCheckDigit(organisationBody)}`;
      if (usccCheckCharacter(body) === '0') found = body;
    }
    expect(found).toBeDefined();
    expect(isValidUscc(`${found}0`)).toBe(true);
  });

  it('rejects every wrong check character for a valid body', () => {
    const body = '91310115MA1K4A2B9';
    const right = usccCheckCharacter(body);
    for (const c of USCC_CHARSET) {
      expect(isValidUscc(body + c)).toBe(c === right);
    }
  });

  it('rejects wrong length, lower case and the letters I, O, S, V, Z with a message', () => {
    expect(isValidUscc('91440300192203821')).toBe(false);
    expect(isValidUscc('9144030071526726xg')).toBe(false);
    expect(isValidUscc('9144030071526726IG')).toBe(false);
    const bad = Uscc.safeParse('914403001922038217');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/check character is "7" but GB 32100-2015 gives "6"/);
    expect(Uscc.safeParse('123').error?.issues[0]?.message).toMatch(/18 characters/);
  });

  it('refuses to compute a check character for a body outside the charset', () => {
    expect(() => usccCheckCharacter('9144030071526726O')).toThrow(RangeError);
    expect(() => usccCheckCharacter('short')).toThrow(RangeError);
  });
});

describe('Region', () => {
  it('knows all 34 provincial-level codes and the four YRD ones', () => {
    expect(REGION_CODES).toHaveLength(34);
    expect(new Set(REGION_CODES).size).toBe(34);
    expect(YRD_REGIONS).toEqual(['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH']);
    expect(isYrdRegion('CN-ZJ')).toBe(true);
    expect(isYrdRegion('CN-GD')).toBe(false);
  });

  it('accepts a non-YRD code and rejects an unknown one with a hint', () => {
    expect(Region.safeParse('CN-GD').success).toBe(true);
    const bad = Region.safeParse('CN-XX');
    expect(bad.error?.issues[0]?.message).toMatch(/ISO 3166-2:CN/);
  });
});

describe('scalars', () => {
  it('AmountCny is a positive safe integer', () => {
    expect(AmountCny.safeParse(1).success).toBe(true);
    expect(AmountCny.safeParse(0).success).toBe(false);
    expect(AmountCny.safeParse(1.5).success).toBe(false);
    expect(AmountCny.safeParse(Number.MAX_SAFE_INTEGER + 1).success).toBe(false);
  });

  it('IsoDateTime accepts UTC only', () => {
    expect(IsoDateTime.safeParse('2025-06-30T08:00:00Z').success).toBe(true);
    expect(IsoDateTime.safeParse('2025-06-30T08:00:00.123Z').success).toBe(true);
    expect(IsoDateTime.safeParse('2025-06-30T16:00:00+08:00').success).toBe(false);
    expect(IsoDateTime.safeParse('2025-06-30').success).toBe(false);
  });

  it('Gb4754 accepts a section, division, group or class and rejects others', () => {
    for (const ok of ['C', 'C39', 'C391', 'C3911', 'A', 'T']) expect(Gb4754.safeParse(ok).success).toBe(true);
    for (const bad of ['U', 'c39', 'C3', 'C39111', '39', '']) expect(Gb4754.safeParse(bad).success).toBe(false);
  });
});

describe('toValidationIssues', () => {
  it('flattens zod issues to dotted paths and messages', () => {
    const result = ApplicationRequest.safeParse({ instrument: 'credit_loan', amountCny: -1, termMonths: 12, purpose: 'x', extra: 1 });
    expect(result.success).toBe(false);
    const issues = toValidationIssues(result.error!);
    expect(issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'amountCny' }),
      expect.objectContaining({ path: '', message: expect.stringMatching(/extra/) }),
    ]));
  });
});
