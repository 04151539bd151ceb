import {
  DishonestDebtor, EnterpriseProfile, Institution, isValidUscc, Product, RecognitionList, YRD_REGIONS,
} from '../../schemas';
import { demoPrincipals, generateSeed, mulberry32 } from '../../tools/seed/generate';

const data = generateSeed();

test('the generator is deterministic: two runs give equal data, another seed other data', () => {
  expect(generateSeed()).toEqual(data);
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
