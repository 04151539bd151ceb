import { DEFAULT_RESPONSE_RATE, fullYearsBetween, MATCH_WEIGHTS, QUALIFICATION_PRESTIGE } from '../../domain/matching';
import type { MatchApplication, ProductWithStats } from '../../domain/matching';

// The straightforward ranking the optimised one is measured against: every product is checked
// against every hard filter and scored, then all are sorted. No index, no pre-filter, no reuse
// between calls. Written from the rules in domain/matching.ts, not from its code, so the property
// test comparing the two is a real cross-check. It returns ids and scores only: reasons are text
// built from the same numbers, and leaving them out only flatters the baseline.

export interface BaselineCandidate {
  productId: string;
  institutionId: string;
  score: number;
}

function matchedPrefixLength(code: string, prefixes: readonly string[]): number {
  return Math.max(0, ...prefixes.filter((p) => code.startsWith(p)).map((p) => p.length));
}

function passes(app: MatchApplication, item: ProductWithStats, today: string): boolean {
  const p = item.product;
  const amount = app.request.amountCny;
  const held = new Set(app.verifiedQualifications.map((q) => q.type));
  return p.active
    && item.openDeals < p.capacity
    && amount >= p.minAmountCny && amount <= p.maxAmountCny
    && p.instruments.includes(app.request.instrument)
    && p.regions.includes(app.profile.region)
    && (p.minRevenueCny === undefined || app.profile.revenueCny >= p.minRevenueCny)
    && (p.minYearsSinceFounding === undefined || fullYearsBetween(app.profile.founded, today) >= p.minYearsSinceFounding)
    && p.requiredQualifications.every((q) => held.has(q))
    && (p.industries.include.length === 0 || matchedPrefixLength(app.profile.industry, p.industries.include) > 0)
    && !(p.industries.exclude.length > 0 && matchedPrefixLength(app.profile.industry, p.industries.exclude) > 0);
}

function score(app: MatchApplication, item: ProductWithStats): number {
  const p = item.product;
  const include = p.industries.include;
  const prefix = matchedPrefixLength(app.profile.industry, include);
  const industry = include.length === 0 ? 0.5 : prefix >= 5 ? 1 : prefix === 4 ? 0.9 : prefix === 3 ? 0.8 : 0.6;

  let position = 0.5;
  if (p.maxAmountCny > p.minAmountCny) {
    const t = (Math.log(app.request.amountCny) - Math.log(p.minAmountCny)) / (Math.log(p.maxAmountCny) - Math.log(p.minAmountCny));
    position = Math.min(1, Math.max(0, t));
  }
  const ticket = 1 - 0.5 * Math.abs(2 * position - 1);

  const local = (p.regions.length === 1 && p.regions[0] === app.profile.region)
    || (item.institutionRegions?.includes(app.profile.region) ?? false);
  const region = local ? 1 : 0.6;

  const prestige = app.verifiedQualifications.map((q) => QUALIFICATION_PRESTIGE[q.type]);
  const qualification = p.requiredQualifications.length > 0 ? 1 : prestige.length === 0 ? 0 : Math.max(...prestige);

  const rate = item.responseRate;
  const responsiveness = rate === undefined || !Number.isFinite(rate) ? DEFAULT_RESPONSE_RATE : Math.min(1, Math.max(0, rate));

  return Math.round(MATCH_WEIGHTS.industry * industry)
    + Math.round(MATCH_WEIGHTS.ticket * ticket)
    + Math.round(MATCH_WEIGHTS.region * region)
    + Math.round(MATCH_WEIGHTS.qualification * qualification)
    + Math.round(MATCH_WEIGHTS.responsiveness * responsiveness);
}

export function baselineRank(
  application: MatchApplication,
  products: readonly ProductWithStats[],
  today: string,
  options: { limit?: number; excludeProductIds?: ReadonlySet<string> } = {},
): BaselineCandidate[] {
  const ranked = products
    .filter((item) => !options.excludeProductIds?.has(item.product.productId) && passes(application, item, today))
    .map((item) => ({ productId: item.product.productId, institutionId: item.product.institutionId, score: score(application, item) }))
    .sort((a, b) => b.score - a.score
      || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0)
      || (a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0));
  return options.limit === undefined ? ranked : ranked.slice(0, Math.max(0, Math.floor(options.limit)));
}
