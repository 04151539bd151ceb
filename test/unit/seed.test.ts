import { addCalendarDays, beijingDateOf } from '../../domain/calendar';
import { screenApplication } from '../../domain/screening';
import {
  DishonestDebtor, EnterpriseProfile, Institution, isValidUscc, Product, QUALIFICATION_TYPES, RecognitionList, usccProblems,
  usccRegionProblem, YRD_REGIONS,
} from '../../schemas';
import { courtOf, DEFAULT_SEED, demoPrincipals, generateSeed, mulberry32 } from '../../tools/seed/generate';

const TODAY = beijingDateOf(new Date());
const data = generateSeed(DEFAULT_SEED, TODAY);

test('the generator is deterministic: two runs on one day give equal data, another seed other data', () => {
  expect(generateSeed(DEFAULT_SEED, TODAY)).toEqual(data);
  expect(generateSeed(7).enterprises[0]).not.toEqual(data.enterprises[0]);
  const a = mulberry32(42);
  const b = mulberry32(42);
  expect([a(), a(), a()]).toEqual([b(), b(), b()]);
});

test('counts are in the expected ranges', () => {
  expect(data.institutions.length).toBeGreaterThanOrEqual(35);
  expect(data.institutions.length).toBeLessThanOrEqual(45);
  expect(data.enterprises.length).toBeGreaterThanOrEqual(180);
  expect(data.enterprises.length).toBeLessThanOrEqual(220);
  expect(data.dishonestDebtors.length).toBeGreaterThanOrEqual(2);
  expect(data.dishonestDebtors.length).toBeLessThanOrEqual(10);
  for (const institution of data.institutions) {
    const products = data.products.filter((p) => p.institutionId === institution.institutionId);
    expect(products.length).toBeGreaterThanOrEqual(1);
    expect(products.length).toBeLessThanOrEqual(4);
  }
});

test('every generated object passes its contract schema', () => {
  for (const i of data.institutions) expect(Institution.safeParse(i).success).toBe(true);
  for (const p of data.products) expect(Product.safeParse(p).success).toBe(true);
  for (const e of data.enterprises) expect(EnterpriseProfile.safeParse(e).success).toBe(true);
  for (const r of data.recognitions) expect(RecognitionList.safeParse(r.recognitions).success).toBe(true);
  for (const d of data.dishonestDebtors) expect(DishonestDebtor.safeParse(d).success).toBe(true);
});

test('ids are unique and every USCC carries a valid check character', () => {
  const usccs = data.enterprises.map((e) => e.uscc);
  expect(new Set(usccs).size).toBe(usccs.length);
  expect(usccs.every(isValidUscc)).toBe(true);
  expect(new Set(data.institutions.map((i) => i.institutionId)).size).toBe(data.institutions.length);
  expect(new Set(data.products.map((p) => p.productId)).size).toBe(data.products.length);
  const known = new Set(usccs);
  expect(data.recognitions.every((r) => known.has(r.uscc))).toBe(true);
  expect(data.dishonestDebtors.every((d) => known.has(d.uscc))).toBe(true);
});

test('products fit their institution kind', () => {
  const kindOf = new Map(data.institutions.map((i) => [i.institutionId, i.kind]));
  const allowed = {
    bank: ['credit_loan', 'ip_pledge_loan', 'working_capital_loan', 'supply_chain_finance'],
    vc_fund: ['equity', 'convertible'],
    pe_fund: ['equity', 'convertible'],
    guarantor: ['guarantee'],
    leasing: ['leasing'],
  } as const;
  for (const p of data.products) {
    const kind = kindOf.get(p.institutionId);
    expect(kind).toBeDefined();
    for (const instrument of p.instruments) expect(allowed[kind!] as readonly string[]).toContain(instrument);
  }
  expect(new Set(data.institutions.map((i) => i.kind))).toEqual(new Set(['bank', 'vc_fund', 'pe_fund', 'guarantor', 'leasing']));
});

test('the delta is covered, with Shanghai champions, national Little Giants and some unverified claims', () => {
  expect(new Set(data.enterprises.map((e) => e.region))).toEqual(new Set(YRD_REGIONS));
  const quals = data.enterprises.flatMap((e) => e.qualifications.map((q) => ({ uscc: e.uscc, region: e.region, q })));
  expect(quals.some(({ region, q }) => region === 'CN-SH' && q.type === 'single_champion_municipal' && q.issuer === '上海市经济和信息化委员会')).toBe(true);
  expect(quals.some(({ q }) => q.type === 'little_giant' && q.issuer === '工业和信息化部')).toBe(true);

  const onRecord = new Set(data.recognitions.flatMap((r) => r.recognitions.map((x) => `${r.uscc}|${x.type}|${x.certificateNo}`)));
  const flagship = quals.filter(({ q }) => q.type === 'little_giant' || q.type.startsWith('single_champion'));
  const unverified = flagship.filter(({ uscc, q }) => !onRecord.has(`${uscc}|${q.type}|${q.certificateNo}`));
  expect(unverified.length).toBeGreaterThanOrEqual(2);
  expect(unverified.length).toBeLessThan(flagship.length / 3); // most claims are on record
});

test('the demo principals exist in the data, the enterprise not on the debtor list', () => {
  const demo = demoPrincipals(data);
  expect(data.enterprises.some((e) => e.uscc === demo.enterprise.uscc)).toBe(true);
  expect(data.institutions.some((i) => i.institutionId === demo.institution.institutionId)).toBe(true);
  expect(data.dishonestDebtors.some((d) => d.uscc === demo.enterprise.uscc)).toBe(false);
});

describe('a seed run passes the registry and USCC rules on the day it runs', () => {
  // Run for today and for days years apart: the dates follow the day, the checks hold on each.
  test.each([TODAY, '2025-06-30', '2031-02-17'])('seeded on %s', (today) => {
    const seeded = generateSeed(DEFAULT_SEED, today);
    for (const e of seeded.enterprises) {
      expect(usccProblems(e.uscc)).toEqual([]);
      expect(usccRegionProblem(e.uscc, e.region)).toBeNull();
      // Registered before 2015: the 8-digit organisation code the firm already had; since then "MA…".
      const founded = Number(e.founded.slice(0, 4));
      expect(e.uscc.slice(8, 16)).toMatch(founded < 2015 ? /^\d{8}$/ : /^MA/);
    }
    const byUscc = new Map(seeded.recognitions.map((r) => [r.uscc, r.recognitions]));
    let verified = 0;
    let claims = 0;
    for (const e of seeded.enterprises) {
      const recognitions = byUscc.get(e.uscc) ?? [];
      for (const r of recognitions) {
        expect(r.validFrom <= today && today <= r.validTo).toBe(true);
        expect(r.validTo >= addCalendarDays(today, 30)).toBe(true);
      }
      const result = screenApplication({
        profile: e, request: { instrument: 'credit_loan', amountCny: 5_000_000, termMonths: 12, purpose: 'Seed check' },
        isDishonestDebtor: false, recognitions, today,
      });
      // Every claim on record verifies; the ones left off the record are the only unverified ones.
      expect(result.verifiedQualifications.map((q) => q.certificateNo).sort()).toEqual(recognitions.map((r) => r.certificateNo).sort());
      verified += result.verifiedQualifications.length;
      claims += e.qualifications.length;
    }
    expect(verified).toBeGreaterThan(claims * 0.8);
    expect(verified).toBeLessThan(claims);
    // The registry holds every claimed type, not only the flagship ones.
    const typesOnRecord = new Set(seeded.recognitions.flatMap((r) => r.recognitions.map((x) => x.type)));
    expect([...typesOnRecord].sort()).toEqual([...new Set(seeded.enterprises.flatMap((e) => e.qualifications.map((q) => q.type)))].sort());
    expect(typesOnRecord.size).toBe(QUALIFICATION_TYPES.length);
  });

  test('each debtor\'s case is at the court of its city, with that court\'s prefix', () => {
    for (const d of data.dishonestDebtors) {
      const court = courtOf(d.uscc);
      expect(d.court).toBe(court.name);
      expect(d.caseNo).toContain(`)${court.prefix}执`);
      expect(d.listedAt.slice(0, 10) <= TODAY).toBe(true);
    }
    expect(courtOf('91320583MA1XXXXX00')).toEqual({ name: '苏州市中级人民法院', prefix: '苏05' });
  });

  test('names are invented: no stem of a listed company or well-known brand', () => {
    const realStems = ['芯联', '中科', '安捷', '峰岹', '至纯', '晶合', '宏微', '精测', '博腾', '华锐', '思瑞', '智谱', '科沃', '瀚宇', '华夏', '东方明珠', '鹿城'];
    const names = [...data.enterprises.map((e) => e.name), ...data.institutions.map((i) => i.name)];
    for (const stem of realStems) expect(names.filter((n) => n.includes(stem))).toEqual([]);
  });

  test('products state their SLAs in working days', () => {
    for (const p of data.products) {
      expect(p.responseSlaWorkingDays).toBe(Math.round(p.responseSlaHours / 24));
      expect(p.ddSlaWorkingDays).toBeGreaterThanOrEqual(1);
      expect(p.ddSlaWorkingDays).toBeLessThanOrEqual(p.ddSlaDays);
    }
  });
});
