// The Unified Social Credit Code (统一社会信用代码, GB 32100-2015), checked whole:
//   1     registration authority (登记管理部门代码)
//   2     type of organisation under that authority (机构类别代码)
//   3–8   division code of the registering authority (GB/T 2260): its first two digits name the province
//   9–17  the organisation code (组织机构代码, GB 11714-1997), whose 9th character is its own check digit
//   18    the check character over the first 17
// Pure and dependency-free: schemas/common.ts builds the zod check on it, the seeds and tests
// compose valid codes with it.

/** The 31 characters GB 32100-2015 allows; I, O, S, V and Z are left out to avoid misreading. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

const USCC_BODY = /^[0-9A-HJ-NPQRTUWXY]{17}$/;
const USCC_WHOLE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * Registration authorities and the organisation types each registers: GB 32100-2015 Table 1 with
 * the authorities added to it since (foreign affairs, justice, culture, tourism, religion, trade
 * unions, the Central Military Commission's staffing office, agriculture).
 */
export const USCC_AUTHORITY_TYPES: Readonly<Record<string, { authority: string; types: Readonly<Record<string, string>> }>> = {
  1: { authority: '机构编制 staffing', types: { 1: '机关 government organ', 2: '事业单位 public institution', 3: '群众团体 mass organisation', 9: '其他 other' } },
  2: { authority: '外交 foreign affairs', types: { 1: '外国常驻新闻机构 resident foreign news agency', 9: '其他 other' } },
  3: { authority: '司法行政 justice', types: { 1: '律师执业机构 law firm', 2: '公证处 notary office', 3: '基层法律服务所 legal service office', 4: '司法鉴定机构 forensic institution', 5: '仲裁委员会 arbitration commission', 9: '其他 other' } },
  4: { authority: '文化 culture', types: { 1: '外国在华文化中心 foreign cultural centre', 9: '其他 other' } },
  5: { authority: '民政 civil affairs', types: { 1: '社会团体 social organisation', 2: '民办非企业单位 private non-enterprise unit', 3: '基金会 foundation', 9: '其他 other' } },
  6: { authority: '旅游 tourism', types: { 1: '外国旅游部门常驻代表机构 foreign tourism office', 2: '港澳台地区旅游部门常驻内地代表机构 Hong Kong, Macao or Taiwan tourism office', 9: '其他 other' } },
  7: { authority: '宗教 religious affairs', types: { 1: '宗教活动场所 place of worship', 2: '宗教院校 religious school', 9: '其他 other' } },
  8: { authority: '工会 trade unions', types: { 1: '基层工会 grassroots union', 9: '其他 other' } },
  9: { authority: '工商 market regulation', types: { 1: '企业 enterprise', 2: '个体工商户 individual business', 3: '农民专业合作社 farmers\' cooperative' } },
  A: { authority: '中央军委改革和编制办公室 military staffing', types: { 1: '军队事业单位 military public institution', 9: '其他 other' } },
  N: { authority: '农业 agriculture', types: { 1: '组级集体经济组织 group collective', 2: '村级集体经济组织 village collective', 3: '乡镇级集体经济组织 township collective', 9: '其他 other' } },
  Y: { authority: '其他 other', types: { 1: '其他 other' } },
};

/** GB/T 2260 province-level codes (the division code's first two digits) to ISO 3166-2:CN. */
export const PROVINCE_OF_DIVISION_PREFIX: Readonly<Record<string, string>> = {
  11: 'CN-BJ', 12: 'CN-TJ', 13: 'CN-HE', 14: 'CN-SX', 15: 'CN-NM',
  21: 'CN-LN', 22: 'CN-JL', 23: 'CN-HL',
  31: 'CN-SH', 32: 'CN-JS', 33: 'CN-ZJ', 34: 'CN-AH', 35: 'CN-FJ', 36: 'CN-JX', 37: 'CN-SD',
  41: 'CN-HA', 42: 'CN-HB', 43: 'CN-HN', 44: 'CN-GD', 45: 'CN-GX', 46: 'CN-HI',
  50: 'CN-CQ', 51: 'CN-SC', 52: 'CN-GZ', 53: 'CN-YN', 54: 'CN-XZ',
  61: 'CN-SN', 62: 'CN-GS', 63: 'CN-QH', 64: 'CN-NX', 65: 'CN-XJ',
  71: 'CN-TW', 81: 'CN-HK', 82: 'CN-MO',
};

/** Registered by a national authority (e.g. SAMR for central enterprises): names no province. */
export const NATIONAL_DIVISION = '100000';

const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** The GB 11714-1997 check digit of an organisation code's first 8 characters (digits, or letters A=10 … Z=35). */
export function organisationCodeCheckDigit(first8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(first8)) throw new RangeError(`organisation code body must be 8 characters 0-9 or A-Z, got "${first8}"`);
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += parseInt(first8.charAt(i), 36) * (ORGANISATION_CODE_WEIGHTS[i] ?? 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * The check character for the first 17 characters of a USCC.
 * Throws on input that is not 17 charset characters: callers are seeds and tests, where that is a bug.
 */
export function usccCheckCharacter(first17: string): string {
  if (!USCC_BODY.test(first17)) {
    throw new RangeError(`USCC body must be 17 characters from ${USCC_CHARSET}, got "${first17}"`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += USCC_CHARSET.indexOf(first17.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  const check = 31 - (sum % 31);
  return USCC_CHARSET.charAt(check === 31 ? 0 : check);
}

/** The province (ISO 3166-2:CN) a code's division names; null for a national registration or a malformed code. */
export function provinceOfUscc(uscc: string): string | null {
  return PROVINCE_OF_DIVISION_PREFIX[uscc.slice(2, 4)] ?? null;
}

/** Every reason a string is not a USCC; empty when it is one. */
export function usccProblems(s: string): string[] {
  if (typeof s !== 'string' || s.length !== 18) return [`USCC must be 18 characters, got ${typeof s === 'string' ? s.length : typeof s}`];
  if (!USCC_WHOLE.test(s)) return ['USCC may only use 0-9 and upper-case A-H, J-N, P-R, T-U, W-Y (GB 32100-2015)'];
  const problems: string[] = [];
  const authority = USCC_AUTHORITY_TYPES[s.charAt(0)];
  if (authority === undefined) {
    problems.push(`USCC character 1 "${s.charAt(0)}" is no registration authority code of GB 32100-2015`);
  } else if (authority.types[s.charAt(1)] === undefined) {
    problems.push(`USCC character 2 "${s.charAt(1)}" is no organisation type of authority ${s.charAt(0)} (${authority.authority}); allowed: ${Object.keys(authority.types).join(', ')}`);
  }
  const division = s.slice(2, 8);
  // Only the province is checked: a code keeps the district it was issued in after that district merged away.
  if (!/^\d{6}$/.test(division) || (division !== NATIONAL_DIVISION && provinceOfUscc(s) === null)) {
    problems.push(`USCC characters 3-8 "${division}" are no division code of a Chinese province (GB/T 2260)`);
  }
  const organisationCode = s.slice(8, 17);
  const expectedDigit = organisationCodeCheckDigit(organisationCode.slice(0, 8));
  if (organisationCode.charAt(8) !== expectedDigit) {
    problems.push(`USCC characters 9-17 hold organisation code ${organisationCode}, whose check digit GB 11714 gives as "${expectedDigit}"`);
  }
  const expected = usccCheckCharacter(s.slice(0, 17));
  if (expected !== s.charAt(17)) problems.push(`USCC check character is "${s.charAt(17)}" but GB 32100-2015 gives "${expected}"`);
  return problems;
}

export function isValidUscc(s: string): boolean {
  return usccProblems(s).length === 0;
}

/** Why a profile's region does not fit its code, or null when it does (or the code names no province). */
export function usccRegionProblem(uscc: string, region: string): string | null {
  const province = provinceOfUscc(uscc);
  if (province === null || province === region) return null;
  return `region must be ${province}, the province of the USCC's division code ${uscc.slice(2, 8)}, not ${region}`;
}

/** The division-code prefix (two digits) of a province, for composing codes. */
export function divisionPrefixOf(region: string): string {
  const prefix = Object.keys(PROVINCE_OF_DIVISION_PREFIX).find((p) => PROVINCE_OF_DIVISION_PREFIX[p] === region);
  if (prefix === undefined) throw new RangeError(`no GB/T 2260 province for region ${region}`);
  return prefix;
}

/**
 * A valid USCC from its parts, both check characters computed: `authorityAndType` (e.g. "91", an
 * enterprise), a 6-digit `division`, and the 8 characters of the organisation code before its check digit.
 */
export function composeUscc(authorityAndType: string, division: string, organisationBody: string): string {
  const first17 = `${authorityAndType}${division}${organisationBody}${organisationCodeCheckDigit(organisationBody)}`;
  const uscc = first17 + usccCheckCharacter(first17);
  const problems = usccProblems(uscc);
  if (problems.length > 0) throw new RangeError(`cannot compose a USCC from ${authorityAndType}/${division}/${organisationBody}: ${problems.join('; ')}`);
  return uscc;
}
