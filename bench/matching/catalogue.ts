import { mulberry32 } from '../../tools/seed/generate';
import { INSTRUMENTS, QUALIFICATION_TYPES, REGION_CODES, YRD_REGIONS } from '../../schemas';
import type { Instrument, Product, QualificationType, Region } from '../../schemas';
import type { MatchApplication, ProductWithStats } from '../../domain/matching';

// Deterministic synthetic catalogues and applications at the sizes the issue asks about. Shapes
// follow the seed: most products serve a few delta provinces, some serve many; about a third are
// open to every industry; a few require a qualification or a revenue floor.

const INDUSTRY_PREFIXES = ['C', 'C34', 'C35', 'C38', 'C39', 'C391', 'C3911', 'C3985', 'C27', 'C2710', 'I', 'I65', 'I6510', 'M73', 'M7310', 'C36', 'C3670'];
const APPLICANT_INDUSTRIES = ['C3911', 'C3985', 'C3670', 'C3811', 'C2710', 'C3562', 'I6510', 'M7310', 'C3411'];

function tools(seed: number) {
  const next = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const some = <T>(list: readonly T[], min: number, max: number): T[] => {
    const count = int(min, Math.min(max, list.length));
    const pool = [...list];
    const out: T[] = [];
    while (out.length < count) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0] as T);
    return out;
  };
  const logInt = (min: number, max: number): number => Math.round(Math.exp(Math.log(min) + next() * (Math.log(max) - Math.log(min))));
  return { next, int, pick, some, logInt };
}

export function syntheticCatalogue(size: number, seed = 7): ProductWithStats[] {
  const rng = tools(seed);
  const institutions = Math.max(1, Math.round(size / 20));
  return Array.from({ length: size }, (_, i): ProductWithStats => {
    const institutionId = `inst-${String(i % institutions).padStart(4, '0')}`;
    const national = rng.next() < 0.15;
    const regions: Region[] = national ? rng.some(REGION_CODES, 10, 34) : rng.some(YRD_REGIONS, 1, 4);
    const min = rng.logInt(200_000, 20_000_000);
    const product: Product = {
      productId: `p-${String(i).padStart(5, '0')}`,
      institutionId,
      name: `Product ${i}`,
      instruments: rng.some<Instrument>(INSTRUMENTS, 1, 3),
      minAmountCny: min,
      maxAmountCny: min * rng.int(2, 50),
      regions,
      industries: {
        include: rng.next() < 0.35 ? [] : rng.some(INDUSTRY_PREFIXES, 1, 3),
        exclude: rng.next() < 0.2 ? [rng.pick(['C25', 'B', 'C3911', 'I65'])] : [],
      },
      requiredQualifications: rng.next() < 0.15 ? [rng.pick<QualificationType>(QUALIFICATION_TYPES)] : [],
      ...(rng.next() < 0.3 ? { minRevenueCny: rng.logInt(1_000_000, 200_000_000) } : {}),
      ...(rng.next() < 0.3 ? { minYearsSinceFounding: rng.int(1, 8) } : {}),
      responseSlaHours: 72,
      ddSlaDays: 30,
      capacity: rng.int(5, 50),
      active: rng.next() < 0.95,
    };
    return {
      product,
      openDeals: rng.int(0, 4),
      ...(rng.next() < 0.7 ? { responseRate: rng.next() } : {}),
      ...(rng.next() < 0.8 ? { institutionRegions: rng.some(YRD_REGIONS, 1, 2) } : {}),
    };
  });
}

export function syntheticApplications(count: number, seed = 11): MatchApplication[] {
  const rng = tools(seed);
  return Array.from({ length: count }, (): MatchApplication => ({
    request: { instrument: rng.pick(INSTRUMENTS.slice(0, 4)), amountCny: rng.logInt(1_000_000, 80_000_000) },
    profile: {
      region: rng.pick(YRD_REGIONS),
      industry: rng.pick(APPLICANT_INDUSTRIES),
      revenueCny: rng.logInt(5_000_000, 800_000_000),
      founded: `${rng.int(2000, 2021)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
    },
    verifiedQualifications: rng.some<QualificationType>(QUALIFICATION_TYPES, 0, 2).map((type) => ({ type })),
  }));
}
