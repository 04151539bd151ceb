import { QUALIFICATION_LABELS, QUALIFICATION_TYPES } from '../schemas';
import type {
  ApplicationRequest, EnterpriseProfile, Exclusion, MatchReason, Product, QualificationType, Region,
} from '../schemas';

/**
 * The matching rules an explanation was answered with: bump it whenever a weight, a score
 * component or a hard filter changes, so an explanation says which rules ranked the application.
 * 2: one open deal per institution per application.
 */
export const RULES_VERSION = 'matching-2';

/** Points each score component can add; they sum to 100 so a score reads as a percentage. */
export const MATCH_WEIGHTS = {
  industry: 30,
  ticket: 25,
  region: 15,
  qualification: 15,
  responsiveness: 15,
} as const;

/** Used when an institution has no answered proposals yet: neither rewarded nor punished. */
export const DEFAULT_RESPONSE_RATE = 0.5;

/** How strongly each recognition signals creditworthiness to lenders and funds (national lists rank highest). */
export const QUALIFICATION_PRESTIGE: Readonly<Record<QualificationType, number>> = {
  little_giant: 1,
  single_champion_national: 1,
  single_champion_municipal: 0.7,
  srdi_sme: 0.6,
  high_tech: 0.5,
  innovative_sme: 0.4,
};

export interface MatchApplication {
  request: Pick<ApplicationRequest, 'instrument' | 'amountCny'>;
  profile: Pick<EnterpriseProfile, 'region' | 'industry' | 'revenueCny' | 'founded'>;
  /** From screening: only verified qualifications satisfy a product's requirements. */
  verifiedQualifications: ReadonlyArray<{ type: QualificationType }>;
}

export interface ProductWithStats {
  product: Product;
  /** Share (0..1) of this institution's past proposals answered within SLA; undefined when unknown. */
  responseRate?: number;
  /** Deals of this product currently open; capacity is how many it reviews at once. */
  openDeals: number;
  /** The institution's home regions, when known; a local institution scores higher on region. */
  institutionRegions?: readonly Region[];
}

export interface RankedCandidate {
  productId: string;
  institutionId: string;
  score: number;
  reasons: MatchReason[];
}

export type HardFilterCode =
  | 'product_inactive'
  | 'no_capacity'
  | 'instrument_not_offered'
  | 'amount_out_of_range'
  | 'region_not_served'
  | 'revenue_below_minimum'
  | 'too_few_years_since_founding'
  | 'qualification_missing'
  | 'industry_not_included'
  | 'industry_excluded';

export interface RankInput {
  application: MatchApplication;
  products: readonly ProductWithStats[];
  /** YYYY-MM-DD, for years since founding. */
  today: string;
  /** Products already proposed or declined for this application, skipped when backfilling. */
  excludeProductIds?: ReadonlySet<string>;
  /** Build reasons for the best `limit` only; scoring still covers every product. */
  limit?: number;
  /**
   * `indexProducts` of these same products (same order), built once per catalogue version: only
   * the products it can't rule out are looked at. The ranking is the same with or without it.
   */
  index?: ProductIndex;
}

// ---------------------------------------------------------------------------
// Per-application values, computed once per ranking rather than once per product.
// ---------------------------------------------------------------------------

interface Prepared {
  instrument: string;
  amount: number;
  logAmount: number;
  amountText: string;
  region: string;
  industry: string;
  revenue: number;
  years: number;
  qualMask: number;
  bestQualification: QualificationType | null;
}

const QUAL_BIT: Readonly<Record<QualificationType, number>> = Object.fromEntries(
  QUALIFICATION_TYPES.map((t, i) => [t, 1 << i]),
) as Record<QualificationType, number>;

/** Whole years from `founded` to `today`, both YYYY-MM-DD, without Date so it is clock- and zone-free. */
export function fullYearsBetween(founded: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(founded.slice(0, 4));
  return today.slice(5) < founded.slice(5) ? years - 1 : years;
}

function prepare(application: MatchApplication, today: string): Prepared {
  let qualMask = 0;
  let best: QualificationType | null = null;
  for (const q of application.verifiedQualifications) {
    qualMask |= QUAL_BIT[q.type];
    if (best === null || QUALIFICATION_PRESTIGE[q.type] > QUALIFICATION_PRESTIGE[best]) best = q.type;
  }
  const amount = application.request.amountCny;
  return {
    instrument: application.request.instrument,
    amount,
    logAmount: Math.log(amount),
    amountText: cny(amount),
    region: application.profile.region,
    industry: application.profile.industry,
    revenue: application.profile.revenueCny,
    years: fullYearsBetween(application.profile.founded, today),
    qualMask,
    bestQualification: best,
  };
}

// ---------------------------------------------------------------------------
// Hard filters, cheapest first.
// ---------------------------------------------------------------------------

function failedFilter(app: Prepared, candidate: ProductWithStats): HardFilterCode | null {
  const p = candidate.product;
  if (!p.active) return 'product_inactive';
  if (!(candidate.openDeals < p.capacity)) return 'no_capacity';
  if (app.amount < p.minAmountCny || app.amount > p.maxAmountCny) return 'amount_out_of_range';
  if (!(p.instruments as readonly string[]).includes(app.instrument)) return 'instrument_not_offered';
  if (!(p.regions as readonly string[]).includes(app.region)) return 'region_not_served';
  if (p.minRevenueCny !== undefined && app.revenue < p.minRevenueCny) return 'revenue_below_minimum';
  if (p.minYearsSinceFounding !== undefined && app.years < p.minYearsSinceFounding) return 'too_few_years_since_founding';
  for (const required of p.requiredQualifications) {
    if ((app.qualMask & QUAL_BIT[required]) === 0) return 'qualification_missing';
  }
  const { include, exclude } = p.industries;
  if (include.length > 0 && longestPrefix(app.industry, include) === 0) return 'industry_not_included';
  if (exclude.length > 0 && longestPrefix(app.industry, exclude) > 0) return 'industry_excluded';
  return null;
}

/** Length of the longest prefix in `prefixes` that `code` starts with; 0 when none. */
function longestPrefix(code: string, prefixes: readonly string[]): number {
  let best = 0;
  for (const prefix of prefixes) {
    if (prefix.length > best && code.startsWith(prefix)) best = prefix.length;
  }
  return best;
}

/** Every hard filter the product fails for this application, each with a sentence naming the values; empty when it passes all. */
export function hardFilterFailures(application: MatchApplication, candidate: ProductWithStats, today: string): Exclusion[] {
  return exclusionsOf(prepare(application, today), candidate);
}

function exclusionsOf(app: Prepared, candidate: ProductWithStats): Exclusion[] {
  const p = candidate.product;
  const out: Exclusion[] = [];
  const fail = (code: HardFilterCode, message: string) => out.push({ code, message });
  if (!p.active) fail('product_inactive', 'The product is not offered at the moment');
  if (!(candidate.openDeals < p.capacity)) fail('no_capacity', `The product reviews ${p.capacity} deal(s) at once and all are taken`);
  if (app.amount < p.minAmountCny || app.amount > p.maxAmountCny) fail('amount_out_of_range', `${app.amountText} is outside the product's range ${cny(p.minAmountCny)}-${cny(p.maxAmountCny)}`);
  if (!(p.instruments as readonly string[]).includes(app.instrument)) fail('instrument_not_offered', `The product does not offer ${app.instrument}`);
  if (!(p.regions as readonly string[]).includes(app.region)) fail('region_not_served', `The product does not serve ${app.region}`);
  if (p.minRevenueCny !== undefined && app.revenue < p.minRevenueCny) fail('revenue_below_minimum', `Revenue ${cny(app.revenue)} is below the product's minimum ${cny(p.minRevenueCny)}`);
  if (p.minYearsSinceFounding !== undefined && app.years < p.minYearsSinceFounding) fail('too_few_years_since_founding', `Founded ${app.years} year(s) ago; the product needs ${p.minYearsSinceFounding}`);
  const missing = p.requiredQualifications.filter((required) => (app.qualMask & QUAL_BIT[required]) === 0);
  if (missing.length > 0) fail('qualification_missing', `Needs the verified qualification(s) ${missing.map((t) => QUALIFICATION_LABELS[t]).join(', ')}`);
  const { include, exclude } = p.industries;
  if (include.length > 0 && longestPrefix(app.industry, include) === 0) fail('industry_not_included', `Industry ${app.industry} is outside the product's focus ${include.join(', ')} (GB/T 4754)`);
  if (exclude.length > 0 && longestPrefix(app.industry, exclude) > 0) fail('industry_excluded', `The product excludes industry ${app.industry} (GB/T 4754)`);
  return out;
}

/** The first hard filter the product fails for this application, or null when it passes all. */
export function hardFilterFailure(application: MatchApplication, candidate: ProductWithStats, today: string): HardFilterCode | null {
  return failedFilter(prepare(application, today), candidate);
}

export function passesHardFilters(application: MatchApplication, candidate: ProductWithStats, today: string): boolean {
  return hardFilterFailure(application, candidate, today) === null;
}

// ---------------------------------------------------------------------------
// Score components, each a fraction 0..1 of its weight.
// ---------------------------------------------------------------------------

/** A narrower matched prefix means the product was designed for this industry. */
function industryFraction(matchedPrefixLength: number, includeEmpty: boolean): number {
  if (includeEmpty) return 0.5;
  if (matchedPrefixLength >= 5) return 1;
  if (matchedPrefixLength === 4) return 0.9;
  if (matchedPrefixLength === 3) return 0.8;
  return 0.6;
}

/** Position of the amount in the ticket range on a log scale (0 = min, 1 = max); ranges span orders of magnitude. */
function ticketPosition(logAmount: number, min: number, max: number): number {
  if (max <= min) return 0.5;
  const t = (logAmount - Math.log(min)) / (Math.log(max) - Math.log(min));
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** 1 at the middle of the range, 0.5 at its edges: products sized for the ticket fit best. */
function ticketFraction(position: number): number {
  return 1 - 0.5 * Math.abs(2 * position - 1);
}

function isLocal(app: Prepared, candidate: ProductWithStats): boolean {
  const regions = candidate.product.regions;
  if (regions.length === 1 && regions[0] === app.region) return true;
  return candidate.institutionRegions !== undefined && (candidate.institutionRegions as readonly string[]).includes(app.region);
}

function regionFraction(local: boolean): number {
  return local ? 1 : 0.6;
}

/** A product that requires a qualification is a programme built for holders, so holders fit it fully. */
function qualificationFraction(app: Prepared, product: Product): number {
  if (product.requiredQualifications.length > 0) return 1;
  return app.bestQualification === null ? 0 : QUALIFICATION_PRESTIGE[app.bestQualification];
}

function responseRateOf(candidate: ProductWithStats): number {
  const rate = candidate.responseRate;
  if (rate === undefined || !Number.isFinite(rate)) return DEFAULT_RESPONSE_RATE;
  return rate < 0 ? 0 : rate > 1 ? 1 : rate;
}

function points(weight: number, fraction: number): number {
  return Math.round(weight * fraction);
}

// Rounding each component and summing keeps the score an integer that equals the sum of reason weights.
function scoreOf(app: Prepared, candidate: ProductWithStats): number {
  const p = candidate.product;
  const include = p.industries.include;
  return (
    points(MATCH_WEIGHTS.industry, industryFraction(longestPrefix(app.industry, include), include.length === 0)) +
    points(MATCH_WEIGHTS.ticket, ticketFraction(ticketPosition(app.logAmount, p.minAmountCny, p.maxAmountCny))) +
    points(MATCH_WEIGHTS.region, regionFraction(isLocal(app, candidate))) +
    points(MATCH_WEIGHTS.qualification, qualificationFraction(app, p)) +
    points(MATCH_WEIGHTS.responsiveness, responseRateOf(candidate))
  );
}

/** Thousands separators without Intl, so output is identical in every runtime (including the workflow sandbox). */
function cny(amount: number): string {
  const digits = String(amount);
  let out = '';
  for (let i = 0; i < digits.length; i += 1) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits.charAt(i);
  }
  return `CNY ${out}`;
}

function reasonsOf(app: Prepared, candidate: ProductWithStats): MatchReason[] {
  const p = candidate.product;
  const include = p.industries.include;
  const matched = longestPrefix(app.industry, include);
  const matchedPrefix = include.find((prefix) => prefix.length === matched && app.industry.startsWith(prefix));
  const position = ticketPosition(app.logAmount, p.minAmountCny, p.maxAmountCny);
  const local = isLocal(app, candidate);
  const rate = candidate.responseRate;
  const knownRate = rate !== undefined && Number.isFinite(rate);
  const best = app.bestQualification;

  return [
    {
      code: 'industry_fit',
      message: include.length === 0
        ? `The product is open to all industries, including ${app.industry}`
        : `Industry ${app.industry} is within the product's focus ${matchedPrefix ?? ''} (GB/T 4754)`,
      weight: points(MATCH_WEIGHTS.industry, industryFraction(matched, include.length === 0)),
    },
    {
      code: 'ticket_fit',
      message: `${app.amountText} sits at ${Math.round(position * 100)}% of the product's range ${cny(p.minAmountCny)}-${cny(p.maxAmountCny)} (log scale; the middle fits best)`,
      weight: points(MATCH_WEIGHTS.ticket, ticketFraction(position)),
    },
    {
      code: 'region_fit',
      message: local
        ? `The institution focuses on the enterprise's province ${app.region}`
        : `${app.region} is one of the ${p.regions.length} regions the product serves`,
      weight: points(MATCH_WEIGHTS.region, regionFraction(local)),
    },
    {
      code: 'qualification_boost',
      message: p.requiredQualifications.length > 0
        ? `Holds the verified qualification(s) the product is built for: ${p.requiredQualifications.map((t) => QUALIFICATION_LABELS[t]).join(', ')}`
        : best === null
          ? 'No verified qualification'
          : `Holds the verified qualification ${QUALIFICATION_LABELS[best]}`,
      weight: points(MATCH_WEIGHTS.qualification, qualificationFraction(app, p)),
    },
    {
      code: 'institution_responsiveness',
      message: knownRate
        ? `The institution answered ${Math.round(responseRateOf(candidate) * 100)}% of past proposals within its SLA`
        : `The institution has no response history yet; ${Math.round(DEFAULT_RESPONSE_RATE * 100)}% assumed`,
      weight: points(MATCH_WEIGHTS.responsiveness, responseRateOf(candidate)),
    },
  ];
}

// ---------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------

/** Plain code-unit comparison: localeCompare depends on the runtime's ICU data, which would break determinism. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every product that passes the hard filters, best first: score descending, then productId, then
 * institutionId ascending, so the order does not depend on the input order.
 */
export function rankProducts(input: RankInput): RankedCandidate[] {
  const { products, excludeProductIds } = input;
  const app = prepare(input.application, input.today);

  // Typed arrays keep a ranking to a few allocations before the result is built. Scores are
  // integers 0..100, so a count per score finds the lowest score the top `limit` reach, and only
  // products at or above it are sorted: reasons and tie-breaks are paid for `limit`, not for all.
  const { index } = input;
  if (index !== undefined && index.size !== products.length) {
    throw new Error(`the index was built from ${index.size} products, not from these ${products.length}`);
  }
  const positions = index?.positions(app.instrument, app.region);
  const industryFit = index?.industryFit(app.industry);
  const total = positions === undefined ? products.length : positions.length;
  const passing = new Uint32Array(total);
  const scores = new Uint8Array(products.length);
  const perScore = new Uint32Array(101);
  let count = 0;
  for (let k = 0; k < total; k += 1) {
    const i = positions === undefined ? k : (positions[k] as number);
    if (index !== undefined) {
      if (app.amount < (index.minAmount[i] as number) || app.amount > (index.maxAmount[i] as number)) continue;
      if (app.revenue < (index.minRevenue[i] as number) || app.years < (index.minYears[i] as number)) continue;
      if (((index.requiredMask[i] as number) & ~app.qualMask) !== 0) continue;
      if (industryFit?.[i] !== 1) continue;
    }
    const candidate = products[i];
    if (candidate === undefined) continue;
    if (index === undefined ? failedFilter(app, candidate) !== null : !(candidate.openDeals < (index.capacity[i] as number))) continue;
    if (excludeProductIds !== undefined && excludeProductIds.has(candidate.product.productId)) continue;
    const score = scoreOf(app, candidate);
    passing[count] = i;
    scores[i] = score;
    perScore[score] = (perScore[score] ?? 0) + 1;
    count += 1;
  }

  const n = input.limit === undefined ? count : Math.max(0, Math.min(count, Math.floor(input.limit)));
  let threshold = 100;
  for (let reached = perScore[100] ?? 0; reached < n && threshold > 0; reached += perScore[threshold] ?? 0) threshold -= 1;
  let kept = 0;
  for (let r = 0; r < count; r += 1) {
    const index = passing[r] as number;
    if ((scores[index] ?? 0) >= threshold) passing[kept++] = index;
  }

  const order = passing.subarray(0, kept).sort((a, b) => {
    const byScore = (scores[b] ?? 0) - (scores[a] ?? 0);
    if (byScore !== 0) return byScore;
    const pa = products[a]?.product;
    const pb = products[b]?.product;
    if (pa === undefined || pb === undefined) return a - b;
    return compareText(pa.productId, pb.productId) || compareText(pa.institutionId, pb.institutionId);
  });

  const ranked: RankedCandidate[] = new Array<RankedCandidate>(n);
  for (let r = 0; r < n; r += 1) {
    const index = order[r] ?? 0;
    const candidate = products[index] as ProductWithStats;
    ranked[r] = {
      productId: candidate.product.productId,
      institutionId: candidate.product.institutionId,
      score: scores[index] ?? 0,
      reasons: reasonsOf(app, candidate),
    };
  }
  return ranked;
}

// ---------------------------------------------------------------------------
// Index: the static hard filters, decided without touching the product objects
// ---------------------------------------------------------------------------

/**
 * The active products of a catalogue grouped by each instrument and region they offer, with the
 * product fields the static hard filters read copied into typed arrays. A product outside an
 * application's group fails `product_inactive`, `instrument_not_offered` or `region_not_served`;
 * inside it, the ticket, revenue, age and qualification filters read the arrays, so a product
 * object (and its cache misses) is only touched once those pass. Build it once per catalogue
 * version: the worker's catalogue cache does.
 */
export interface ProductIndex {
  /** How many products the index was built from; it may only be used with that list, in that order. */
  readonly size: number;
  /** Ascending positions of the active products offering `instrument` in `region`. */
  positions(instrument: string, region: string): Uint32Array;
  readonly minAmount: Float64Array;
  readonly maxAmount: Float64Array;
  /** -Infinity where the product sets no minimum, so the comparison always passes. */
  readonly minRevenue: Float64Array;
  readonly minYears: Float64Array;
  readonly requiredMask: Uint8Array;
  readonly capacity: Float64Array;
  /** Per position, 1 when a product's industry include and exclude lists admit `industry`, else 0; memoised per code. */
  industryFit(industry: string): Uint8Array;
}

const NO_POSITIONS = new Uint32Array(0);

type IndexedFields = Pick<Product, 'active' | 'capacity' | 'industries' | 'instruments' | 'regions' | 'minAmountCny' | 'maxAmountCny' | 'minRevenueCny' | 'minYearsSinceFounding' | 'requiredQualifications'>;

export function indexProducts(products: readonly IndexedFields[]): ProductIndex {
  const n = products.length;
  const groups = new Map<string, number[]>();
  const minAmount = new Float64Array(n);
  const maxAmount = new Float64Array(n);
  const minRevenue = new Float64Array(n);
  const minYears = new Float64Array(n);
  const requiredMask = new Uint8Array(n);
  const capacity = new Float64Array(n);
  products.forEach((product, position) => {
    capacity[position] = product.capacity;
    minAmount[position] = product.minAmountCny;
    maxAmount[position] = product.maxAmountCny;
    minRevenue[position] = product.minRevenueCny ?? Number.NEGATIVE_INFINITY;
    minYears[position] = product.minYearsSinceFounding ?? Number.NEGATIVE_INFINITY;
    let mask = 0;
    for (const required of product.requiredQualifications) mask |= QUAL_BIT[required];
    requiredMask[position] = mask;
    if (!product.active) return;
    for (const instrument of product.instruments) {
      for (const region of product.regions) {
        const key = `${instrument} ${region}`;
        const group = groups.get(key);
        if (group === undefined) groups.set(key, [position]);
        else if (group[group.length - 1] !== position) group.push(position); // a repeated instrument or region
      }
    }
  });
  const frozen = new Map<string, Uint32Array>();
  for (const [key, positions] of groups) frozen.set(key, Uint32Array.from(positions));
  const industries = products.map((product) => product.industries);
  // Applicants' industries are a few hundred GB/T 4754 codes; a bounded memo keeps the hot ones.
  const fits = new Map<string, Uint8Array>();
  const industryFit = (industry: string): Uint8Array => {
    let fit = fits.get(industry);
    if (fit !== undefined) return fit;
    fit = new Uint8Array(n);
    for (let position = 0; position < n; position += 1) {
      const { include, exclude } = industries[position] as Product['industries'];
      const admitted = (include.length === 0 || longestPrefix(industry, include) > 0)
        && !(exclude.length > 0 && longestPrefix(industry, exclude) > 0);
      fit[position] = admitted ? 1 : 0;
    }
    if (fits.size >= INDUSTRY_MEMO_SIZE) fits.clear();
    fits.set(industry, fit);
    return fit;
  };
  return {
    size: n,
    positions: (instrument, region) => frozen.get(`${instrument} ${region}`) ?? NO_POSITIONS,
    minAmount,
    maxAmount,
    minRevenue,
    minYears,
    requiredMask,
    capacity,
    industryFit,
  };
}

const INDUSTRY_MEMO_SIZE = 256;

// ---------------------------------------------------------------------------
// Near misses: the products an explanation names as "why not"
// ---------------------------------------------------------------------------

export interface ExcludedCandidate extends RankedCandidate {
  exclusions: Exclusion[];
}

/**
 * The active products offering the requested instrument in the enterprise's region that fail a
 * hard rule, closest first (fewest failed rules, then score, then productId), at most `limit`:
 * the products an enterprise may wonder about. Products that do not offer the instrument there
 * are left out; naming every lender that does not lease, or not in Anhui, explains nothing. With
 * `index`, only that group of products is looked at.
 */
export function nearMisses(input: Omit<RankInput, 'excludeProductIds'> & { limit: number }): ExcludedCandidate[] {
  const { products, index } = input;
  const app = prepare(input.application, input.today);
  const positions: Iterable<number> = index !== undefined ? index.positions(app.instrument, app.region) : products.keys();
  // Failed rules are counted without building their sentences; only the shown products get those.
  const counted: { candidate: ProductWithStats; failures: number }[] = [];
  const perCount = new Uint32Array(HARD_FILTER_COUNT + 1);
  const industryFit = index?.industryFit(app.industry);
  for (const position of positions) {
    const candidate = products[position];
    if (candidate === undefined) continue;
    // The index's group holds only active products offering the instrument in the region.
    if (index === undefined && !(candidate.product.active && offeredHere(app, candidate.product))) continue;
    const failures = index === undefined || industryFit === undefined
      ? failureCount(app, candidate)
      : indexedFailureCount(app, candidate, index, industryFit, position);
    if (failures === 0) continue;
    counted.push({ candidate, failures });
    perCount[failures] = (perCount[failures] ?? 0) + 1;
  }
  // The fewest failures that reach `limit` products: only those are scored and sorted.
  const limit = Math.max(0, Math.floor(input.limit));
  let most = 1;
  for (let reached = perCount[1] ?? 0; reached < limit && most < HARD_FILTER_COUNT; reached += perCount[most] ?? 0) most += 1;
  const closest = counted
    .filter(({ failures }) => failures <= most)
    .map(({ candidate, failures }) => ({ candidate, failures, score: scoreOf(app, candidate) }))
    .sort((a, b) => a.failures - b.failures || b.score - a.score
      || compareText(a.candidate.product.productId, b.candidate.product.productId));
  return closest.slice(0, limit).map(({ candidate, score }) => ({
    productId: candidate.product.productId,
    institutionId: candidate.product.institutionId,
    score,
    reasons: reasonsOf(app, candidate),
    exclusions: exclusionsOf(app, candidate),
  }));
}

const HARD_FILTER_COUNT = 10;

function offeredHere(app: Prepared, product: Product): boolean {
  return (product.instruments as readonly string[]).includes(app.instrument) && (product.regions as readonly string[]).includes(app.region);
}

/** `failureCount` of a product in the index's group for this instrument and region, from its typed arrays. */
function indexedFailureCount(app: Prepared, candidate: ProductWithStats, index: ProductIndex, industryFit: Uint8Array, i: number): number {
  let count = 0;
  if (!(candidate.openDeals < (index.capacity[i] as number))) count += 1;
  if (app.amount < (index.minAmount[i] as number) || app.amount > (index.maxAmount[i] as number)) count += 1;
  if (app.revenue < (index.minRevenue[i] as number)) count += 1;
  if (app.years < (index.minYears[i] as number)) count += 1;
  if (((index.requiredMask[i] as number) & ~app.qualMask) !== 0) count += 1;
  if (industryFit[i] !== 1) {
    // Rare: the include and the exclude list may both fail, which counts twice.
    const { include, exclude } = candidate.product.industries;
    if (include.length > 0 && longestPrefix(app.industry, include) === 0) count += 1;
    if (exclude.length > 0 && longestPrefix(app.industry, exclude) > 0) count += 1;
  }
  return count;
}

/** How many hard filters the product fails: `exclusionsOf(...).length` without the sentences. */
function failureCount(app: Prepared, candidate: ProductWithStats): number {
  const p = candidate.product;
  let count = 0;
  if (!p.active) count += 1;
  if (!(candidate.openDeals < p.capacity)) count += 1;
  if (app.amount < p.minAmountCny || app.amount > p.maxAmountCny) count += 1;
  if (!(p.instruments as readonly string[]).includes(app.instrument)) count += 1;
  if (!(p.regions as readonly string[]).includes(app.region)) count += 1;
  if (p.minRevenueCny !== undefined && app.revenue < p.minRevenueCny) count += 1;
  if (p.minYearsSinceFounding !== undefined && app.years < p.minYearsSinceFounding) count += 1;
  for (const required of p.requiredQualifications) {
    if ((app.qualMask & QUAL_BIT[required]) === 0) {
      count += 1;
      break;
    }
  }
  const { include, exclude } = p.industries;
  if (include.length > 0 && longestPrefix(app.industry, include) === 0) count += 1;
  if (exclude.length > 0 && longestPrefix(app.industry, exclude) > 0) count += 1;
  return count;
}

export interface SelectOptions {
  /** At most this many deals with one institution, so one lender cannot crowd out the rest. */
  maxPerInstitution?: number;
}

/** The first `k` of an already ranked list, keeping rank order. */
export function selectTopK(ranked: readonly RankedCandidate[], k: number, options: SelectOptions = {}): RankedCandidate[] {
  const limit = Math.max(0, Math.floor(k));
  const perInstitution = options.maxPerInstitution;
  if (perInstitution === undefined) return ranked.slice(0, limit);
  const taken = new Map<string, number>();
  const out: RankedCandidate[] = [];
  for (const candidate of ranked) {
    if (out.length >= limit) break;
    const already = taken.get(candidate.institutionId) ?? 0;
    if (already >= perInstitution) continue;
    taken.set(candidate.institutionId, already + 1);
    out.push(candidate);
  }
  return out;
}
