import { USCC_CHARSET, composeUscc, type EnterpriseProfile, type Institution, type Product, type Region } from '../../schemas';
import { divisionPrefixOf } from '../../schemas/uscc';
import type { Models } from '../../store/models';
import { uniqueSuffix } from './stack';

// A small private catalogue for one integration test. Each test uses a region no other test (and
// not the seed, which covers the Yangtze River Delta) uses, so matching sees only its products.

/**
 * A valid enterprise USCC no other test uses, registered in `region`: the division names the
 * region's province, the organisation code is random with its GB 11714 check digit.
 */
export function randomUscc(region: Region): string {
  let organisationBody = '';
  // The organisation code is drawn from the USCC charset, which GB 32100 allows in positions 9-17.
  while (organisationBody.length < 8) organisationBody += USCC_CHARSET.charAt(Math.floor(Math.random() * USCC_CHARSET.length));
  return composeUscc('91', `${divisionPrefixOf(region)}0000`, organisationBody);
}

export interface TestCatalogue {
  uscc: string;
  institution: Institution;
  products: Product[];
}

export async function seedTestCatalogue(models: Models, region: Region, productCount = 2, capacity = 5): Promise<TestCatalogue> {
  const suffix = uniqueSuffix();
  const uscc = randomUscc(region);
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
