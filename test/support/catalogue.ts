import { USCC_CHARSET, usccCheckCharacter, type EnterpriseProfile, type Institution, type Product, type Region } from '../../schemas';
import type { Models } from '../../services/store/models';
import { uniqueSuffix } from './stack';

// A small private catalogue for one integration test. Each test uses a region no other test (and
// not the seed, which covers the Yangtze River Delta) uses, so matching sees only its products.

/** A valid USCC no other test uses: random body, computed check character. */
export function randomUscc(regionDigits = '64'): string {
  let body = `91${regionDigits}0000`;
  while (body.length < 17) body += USCC_CHARSET.charAt(Math.floor(Math.random() * USCC_CHARSET.length));
  return body + usccCheckCharacter(body);
}

export interface TestCatalogue {
  uscc: string;
  institution: Institution;
  products: Product[];
}

export async function seedTestCatalogue(models: Models, region: Region, productCount = 2, capacity = 5): Promise<TestCatalogue> {
  const suffix = uniqueSuffix();
  const uscc = randomUscc();
  const profile: EnterpriseProfile = {
    uscc,
    name: `测试精密制造有限公司 ${suffix}`,
    region,
    city: 'Yinchuan',
    industry: 'C3911',
    founded: '2012-05-01',
    employees: 220,
    revenueCny: 150_000_000,
    rdRatioBps: 900,
    qualifications: [],
  };
  const institution: Institution = { institutionId: `it-bank-${suffix}`, name: `Test Bank ${suffix}`, kind: 'bank', regions: [region] };
  const products: Product[] = Array.from({ length: productCount }, (_, i) => ({
    productId: `it-p-${suffix}-${i + 1}`,
    institutionId: institution.institutionId,
    name: `Tech credit ${i + 1}`,
    instruments: ['credit_loan'],
    minAmountCny: 1_000_000,
    maxAmountCny: 50_000_000 - i * 1_000_000,
    regions: [region],
    industries: { include: ['C'], exclude: [] },
    requiredQualifications: [],
    responseSlaHours: 72,
    ddSlaDays: 30,
    capacity,
    active: true,
  }));
  await models.enterprises.create({ _id: uscc, ...profile });
  await models.institutions.create({ _id: institution.institutionId, ...institution });
  for (const product of products) await models.products.create({ _id: product.productId, ...product });
  return { uscc, institution, products };
}

/** Takes the test's products out of matching, so later runs of other tests never see them. */
export async function retireTestCatalogue(models: Models, catalogue: TestCatalogue): Promise<void> {
  await models.products.updateMany({ institutionId: catalogue.institution.institutionId }, { $set: { active: false } });
}
