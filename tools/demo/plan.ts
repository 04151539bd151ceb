import { hardFilterFailure } from '../../domain/matching';
import { TERM_BOUNDS_MONTHS, type ApplicationRequest, type EnterpriseProfile, type Instrument, type Product } from '../../schemas';
import type { SeedData } from '../seed/generate';
import { enterprisePersona, rngFor, type EnterprisePersona, type Rng } from './personas';

// Which seeded enterprises apply in a demo run and what they ask for. Pure: the seed decides.
// Most requests fit at least one product the enterprise qualifies for, as a real applicant's would;
// a few come from enterprises on the dishonest-debtor list, and a few ask for more than any product
// offers, so the run shows screening rejections and no_match too.

export type PlanIntent = 'fitting' | 'dishonest_debtor' | 'oversized';

export interface PlannedApplication {
  index: number;
  /** Idempotency-Key of the submission; also keys the enterprise's persona. */
  key: string;
  uscc: string;
  enterpriseName: string;
  request: ApplicationRequest;
  intent: PlanIntent;
  persona: EnterprisePersona;
  /** Products that fit the request as the demo sees them (before screening verifies qualifications). */
  fittingProducts: number;
}

const TYPICAL_TERMS: Readonly<Record<Instrument, readonly number[]>> = {
  credit_loan: [12, 12, 24, 36],
  working_capital_loan: [6, 12, 12, 24],
  ip_pledge_loan: [12, 24, 36],
  supply_chain_finance: [3, 6, 6, 12],
  leasing: [24, 36, 48, 60],
  guarantee: [12, 24, 36],
  equity: [36, 60, 84],
  convertible: [24, 36, 48],
};

const PURPOSES: Readonly<Record<Instrument, readonly string[]>> = {
  credit_loan: ['R&D of the next product generation', 'Hiring for a new application engineering team', 'Bridging receivables from a large OEM order'],
  working_capital_loan: ['Raw material purchases for a confirmed order book', 'Seasonal inventory build-up', 'Working capital for a new production line ramp-up'],
  ip_pledge_loan: ['Commercialising patented technology at pilot scale', 'Funding the PCT filings and the pilot line'],
  supply_chain_finance: ['Discounting receivables from a listed core customer', 'Financing payables to upstream suppliers'],
  leasing: ['Five-axis machining centres for a new workshop', 'Clean-room equipment for capacity expansion', 'Automated test equipment'],
  guarantee: ['Guarantee for a bank loan funding capacity expansion', 'Guarantee for a tender performance bond'],
  equity: ['Series B: scale manufacturing and enter overseas markets', 'Growth round to build a second plant', 'Pre-IPO round ahead of a STAR Market listing'],
  convertible: ['Bridge to the next priced round', 'Funding customer qualification of the new product line'],
};

const COLLATERAL: Partial<Readonly<Record<Instrument, string>>> = {
  ip_pledge_loan: 'Pledge of core invention patents',
  leasing: 'The leased equipment',
  supply_chain_finance: 'Receivables confirmed by the core enterprise',
};

export interface PlanInput {
  data: SeedData;
  count: number;
  seed: number;
  /** Distinguishes this run's Idempotency-Keys from an earlier run's on the same database. */
  runId: string;
  /** YYYY-MM-DD, for years since founding in the product filters. */
  today: string;
}

export function planApplications({ data, count, seed, runId, today }: PlanInput): PlannedApplication[] {
  const rng = rngFor(seed, 'plan');
  const debtorSet = new Set(data.dishonestDebtors.map((d) => d.uscc));
  const regionsOf = new Map(data.institutions.map((i) => [i.institutionId, i.regions]));
  const honest = data.enterprises.filter((e) => !debtorSet.has(e.uscc));
  const debtors = data.enterprises.filter((e) => debtorSet.has(e.uscc));
  const debtorCount = count >= 10 ? Math.min(debtors.length, Math.max(1, Math.round(count * 0.04))) : 0;
  const oversizedCount = count >= 10 ? Math.max(1, Math.round(count * 0.04)) : 0;

  const applicants: { enterprise: EnterpriseProfile; intent: PlanIntent }[] = [];
  const pool = rng.sample(honest, honest.length);
  for (let i = 0; applicants.length < count - debtorCount; i += 1) {
    const enterprise = pool[i % pool.length] as EnterpriseProfile;
    applicants.push({ enterprise, intent: applicants.length < oversizedCount ? 'oversized' : 'fitting' });
  }
  for (const enterprise of rng.sample(debtors, debtorCount)) applicants.push({ enterprise, intent: 'dishonest_debtor' });

  return rng.sample(applicants, applicants.length).map(({ enterprise, intent }, index) => {
    const key = `demo-${seed}-${runId}-${String(index + 1).padStart(4, '0')}`;
    const fitting = fittingProducts(data.products, enterprise, regionsOf, today);
    const request = intent === 'oversized' ? oversizedRequest(rng, enterprise) : requestFor(rng, enterprise, fitting);
    return {
      index,
      key,
      uscc: enterprise.uscc,
      enterpriseName: enterprise.name,
      request,
      intent,
      persona: enterprisePersona(seed, key),
      fittingProducts: intent === 'oversized' ? 0 : fitting.filter((p) => fits(p, enterprise, request, regionsOf, today)).length,
    };
  });
}

/** Products whose instrument, region, industry, revenue, age and qualifications this enterprise meets (any amount). */
function fittingProducts(products: readonly Product[], enterprise: EnterpriseProfile, regionsOf: Map<string, readonly string[]>, today: string): Product[] {
  return products.filter((product) => product.active && product.instruments.some((instrument) =>
    fits(product, enterprise, { instrument, amountCny: product.minAmountCny }, regionsOf, today)));
}

function fits(product: Product, enterprise: EnterpriseProfile, request: Pick<ApplicationRequest, 'instrument' | 'amountCny'>, regionsOf: Map<string, readonly string[]>, today: string): boolean {
  const institutionRegions = regionsOf.get(product.institutionId) as Product['regions'] | undefined;
  return hardFilterFailure(
    { request, profile: enterprise, verifiedQualifications: enterprise.qualifications },
    { product, openDeals: 0, ...(institutionRegions ? { institutionRegions } : {}) },
    today,
  ) === null;
}

function requestFor(rng: Rng, enterprise: EnterpriseProfile, fitting: readonly Product[]): ApplicationRequest {
  if (fitting.length === 0) {
    // Nothing fits: it asks for what an SME typically asks for, and learns there is no match.
    return withDetails(rng, 'credit_loan', roundAmount(rng.int(1, 5) * 1_000_000));
  }
  const product = rng.pick(fitting);
  const instrument = rng.pick(product.instruments);
  // Debt sized to revenue (a lender rarely goes past ~40% of sales); equity to the growth story.
  const revenueCap = isEquity(instrument) ? enterprise.revenueCny * 1.5 : enterprise.revenueCny * 0.4;
  const high = Math.max(product.minAmountCny, Math.min(product.maxAmountCny, revenueCap));
  const logAmount = Math.log(product.minAmountCny) + rng.next() * (Math.log(high) - Math.log(product.minAmountCny));
  const amount = Math.min(product.maxAmountCny, Math.max(product.minAmountCny, roundAmount(Math.exp(logAmount))));
  return withDetails(rng, instrument, amount);
}

function oversizedRequest(rng: Rng, enterprise: EnterpriseProfile): ApplicationRequest {
  // Beyond every seeded ticket range (the largest is 300 million).
  const amount = roundAmount(Math.max(500_000_000, Math.min(enterprise.revenueCny * 3, 1_500_000_000)));
  return withDetails(rng, rng.pick(['equity', 'working_capital_loan'] as const), amount);
}

function withDetails(rng: Rng, instrument: Instrument, amountCny: number): ApplicationRequest {
  const bounds = TERM_BOUNDS_MONTHS[instrument];
  const termMonths = Math.min(bounds.max, Math.max(bounds.min, rng.pick(TYPICAL_TERMS[instrument])));
  const collateral = COLLATERAL[instrument];
  return { instrument, amountCny, termMonths, purpose: rng.pick(PURPOSES[instrument]), ...(collateral ? { collateral } : {}) };
}

const isEquity = (instrument: Instrument): boolean => instrument === 'equity' || instrument === 'convertible';

/** Requests are round numbers: 100 thousand below 10 million, 1 million above. */
function roundAmount(amount: number): number {
  const step = amount >= 10_000_000 ? 1_000_000 : 100_000;
  return Math.max(step, Math.round(amount / step) * step);
}
