import fc from 'fast-check';
import { INSTRUMENTS, QUALIFICATION_TYPES } from '../../../schemas';
import type { Instrument, Product, QualificationType, Region } from '../../../schemas';
import type { MatchApplication, ProductWithStats } from '../../../domain/matching';

// Random applications and products for the matching properties. A test file draws the product
// fields with its own distribution (how often a filter bites) or takes `passingProductArb`; the
// vocabulary, the application and the product built from the drawn fields are the same for all.

export const REGIONS: Region[] = ['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH', 'CN-GD'];
export const INDUSTRIES = ['C', 'C39', 'C391', 'C3911', 'C3912', 'C38', 'I65', 'I6510', 'M73'];
export const qualArb = fc.constantFrom<QualificationType>(...QUALIFICATION_TYPES);

/** The first `count` instruments of the vocabulary. */
export const instrumentArb = (count: number) => fc.constantFrom<Instrument>(...INSTRUMENTS.slice(0, count));

export function applicationArb(instruments: fc.Arbitrary<Instrument>): fc.Arbitrary<MatchApplication> {
  return fc.record({
    request: fc.record({ instrument: instruments, amountCny: fc.integer({ min: 500_000, max: 50_000_000 }) }),
    profile: fc.record({
      region: fc.constantFrom(...REGIONS),
      industry: fc.constantFrom('C3911', 'C3912', 'C3811', 'I6510', 'M7310'),
      revenueCny: fc.integer({ min: 0, max: 500_000_000 }),
      founded: fc.integer({ min: 1990, max: 2025 }).map((y) => `${y}-06-15`),
    }),
    verifiedQualifications: fc.uniqueArray(qualArb, { maxLength: 3 }).map((ts) => ts.map((type) => ({ type }))),
  });
}

/** What a test draws for one product. */
export interface ProductFields {
  institutionId: string;
  instruments: Instrument[];
  range: [number, number];
  regions: Region[];
  include: string[];
  exclude: readonly string[];
  required: readonly QualificationType[];
  minRevenueCny: number | undefined;
  minYearsSinceFounding: number | undefined;
  capacity: number;
  active: boolean;
  openDeals: number;
  responseRate: number | undefined;
  institutionRegions: Region[] | undefined;
}

export function productFrom(productId: string, g: ProductFields): ProductWithStats {
  const product: Product = {
    productId,
    institutionId: g.institutionId,
    name: productId,
    instruments: g.instruments,
    minAmountCny: Math.min(...g.range),
    maxAmountCny: Math.max(...g.range),
    regions: g.regions,
    industries: { include: g.include, exclude: [...g.exclude] },
    requiredQualifications: [...g.required],
    ...(g.minRevenueCny === undefined ? {} : { minRevenueCny: g.minRevenueCny }),
    ...(g.minYearsSinceFounding === undefined ? {} : { minYearsSinceFounding: g.minYearsSinceFounding }),
    responseSlaHours: 72,
    ddSlaDays: 30,
    capacity: g.capacity,
    active: g.active,
  };
  return { product, openDeals: g.openDeals, responseRate: g.responseRate, institutionRegions: g.institutionRegions };
}

/** A catalogue of products with distinct ids, each drawn by `productArb`. */
export function catalogueArb(productArb: (productId: string) => fc.Arbitrary<ProductWithStats>, size: { minLength: number; maxLength: number; size?: fc.SizeForArbitrary }): fc.Arbitrary<ProductWithStats[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 9999 }), size)
    .chain((ids) => fc.tuple(...ids.map((id) => productArb(`p-${String(id).padStart(4, '0')}`))));
}

/**
 * Products over a small vocabulary, weighted towards passing the filters, so random products often
 * match and the filters are exercised both ways; up to `maxOpenDeals` deals already open on each.
 */
export function passingProductArb(instrumentArb: fc.Arbitrary<Instrument>, maxOpenDeals: number): (productId: string) => fc.Arbitrary<ProductWithStats> {
  return (productId) => fc.record<ProductFields>({
    institutionId: fc.constantFrom('bank-1', 'bank-2', 'fund-1'),
    instruments: fc.uniqueArray(instrumentArb, { minLength: 1, maxLength: 2 }),
    range: fc.tuple(fc.integer({ min: 100_000, max: 10_000_000 }), fc.integer({ min: 1_000_000, max: 100_000_000 })),
    regions: fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 5 }),
    include: fc.uniqueArray(fc.constantFrom(...INDUSTRIES), { maxLength: 3 }),
    exclude: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.tuple(fc.constantFrom(...INDUSTRIES)), weight: 1 }),
    required: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.tuple(qualArb), weight: 1 }),
    minRevenueCny: fc.option(fc.integer({ min: 0, max: 200_000_000 }), { nil: undefined, freq: 2 }),
    minYearsSinceFounding: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined, freq: 2 }),
    capacity: fc.integer({ min: 1, max: 5 }),
    active: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
    openDeals: fc.integer({ min: 0, max: maxOpenDeals }),
    responseRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    institutionRegions: fc.option(fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }).map((fields) => productFrom(productId, fields));
}
