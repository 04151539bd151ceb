import {
  composeUscc, divisionPrefixOf, isValidUscc, organisationCodeCheckDigit, provinceOfUscc, usccCheckCharacter, usccProblems,
  usccRegionProblem,
} from '../../../schemas/uscc';

// A Shanghai enterprise (Pudong, 310115) with organisation code MA1K4A2B9.
const shanghai = composeUscc('91', '310115', 'MA1K4A2B');

describe('the whole USCC (GB 32100-2015)', () => {
  it('accepts published codes of real organisations of several authorities', () => {
    // Huawei, Tencent, Alibaba (China), PetroChina, and a centrally registered enterprise (100000).
    for (const code of ['914403001922038216', '9144030071526726XG', '91330100716105852F', '91110000802100433B', '91100000100003962T']) {
      expect(usccProblems(code)).toEqual([]);
    }
  });

  it('computes the GB 11714 check digit, with X for 10 and 0 for 11', () => {
    expect(organisationCodeCheckDigit('19220382')).toBe('1');
    expect(organisationCodeCheckDigit('71526726')).toBe('X');
    expect(organisationCodeCheckDigit('MA1FL000')).toBe('7');
    const zero = ['00000000', '00000001', '00000002', '10000000'].find((body) => organisationCodeCheckDigit(body) === '0');
    expect(zero).toBeDefined();
  });

  it('rejects an organisation code with a wrong check digit even when the check character fits', () => {
    // 91310000MA1FL8TQ0W: its check character is right for its first 17, the organisation code is not.
    expect(usccProblems('91310000MA1FL8TQ0W')).toEqual([
      'USCC characters 9-17 hold organisation code MA1FL8TQ0, whose check digit GB 11714 gives as "6"',
    ]);
  });

  it('rejects a registration authority or an organisation type that GB 32100 does not list', () => {
    const noAuthority = composeLoosely('B1');
    expect(usccProblems(noAuthority)).toEqual([expect.stringMatching(/character 1 "B" is no registration authority/)]);
    const noType = composeLoosely('94');
    expect(usccProblems(noType)).toEqual([expect.stringMatching(/character 2 "4" is no organisation type of authority 9/)]);
    for (const valid of ['11', '31', '52', '81', '93', 'N2', 'Y1']) expect(usccProblems(composeLoosely(valid))).toEqual([]);
  });

  it('rejects a division code that names no province, and keeps codes of districts merged away', () => {
    expect(usccProblems(composeLoosely('91', '990000'))).toEqual([expect.stringMatching(/characters 3-8 "990000" are no division code/)]);
    // Zhabei (310108) merged into Jing'an in 2015; codes issued there stay valid.
    expect(isValidUscc(composeUscc('91', '310108', 'MA1K4A2B'))).toBe(true);
  });

  it('names the province of the division code', () => {
    expect(provinceOfUscc(shanghai)).toBe('CN-SH');
    expect(provinceOfUscc('914403001922038216')).toBe('CN-GD');
    expect(provinceOfUscc('91100000100003962T')).toBeNull();
  });

  it('requires a profile region to be the code\'s province, any region for a national registration', () => {
    expect(usccRegionProblem(shanghai, 'CN-SH')).toBeNull();
    expect(usccRegionProblem(shanghai, 'CN-HL')).toBe('region must be CN-SH, the province of the USCC\'s division code 310115, not CN-HL');
    expect(usccRegionProblem('91100000100003962T', 'CN-ZJ')).toBeNull();
  });

  it('composes codes for every province that pass the whole check', () => {
    for (const region of ['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH', 'CN-XZ', 'CN-HK']) {
      const code = composeUscc('91', `${divisionPrefixOf(region)}0000`, 'MA2B3C4D');
      expect(usccProblems(code)).toEqual([]);
      expect(provinceOfUscc(code)).toBe(region);
    }
    expect(() => composeUscc('B1', '310115', 'MA1K4A2B')).toThrow(RangeError);
  });
});

/** A code whose check characters are right whatever its first eight characters say. */
function composeLoosely(authorityAndType: string, division = '310115'): string {
  const body = `${authorityAndType}${division}MA1K4A2B`;
  const first17 = `${body}${organisationCodeCheckDigit('MA1K4A2B')}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}
