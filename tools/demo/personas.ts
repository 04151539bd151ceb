import { createHash } from 'node:crypto';
import type {
  ApplicationRequest, DealDecision, DealStatus, DocumentKind, Instrument, SubmittedDocument, TermSheet,
} from '../../schemas';
import { mulberry32 } from '../seed/generate';

// The demo's simulated parties and what they decide. Pure: every choice comes from a PRNG seeded by
// the run's seed and the object's id, so one seed replays the same decisions, whatever the timing.

// ---------------------------------------------------------------------------
// Seeded randomness keyed by ids
// ---------------------------------------------------------------------------

/** FNV-1a over the text: turns (seed, id, stage) into a PRNG seed. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface Rng {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  /** Draws a key with probability proportional to its weight. */
  weighted: <K extends string>(weights: Readonly<Record<K, number>>) => K;
  sample: <T>(items: readonly T[], count: number) => T[];
}

export function rngFor(...parts: (string | number)[]): Rng {
  const next = mulberry32(hashSeed(...parts));
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  };
  const weighted = <K extends string>(weights: Readonly<Record<K, number>>): K => {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = next() * total;
    for (const [key, w] of entries) {
      roll -= w;
      if (roll < 0) return key;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  };
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, Math.max(0, count));
  };
  return { next, int, pick, weighted, sample };
}

// ---------------------------------------------------------------------------
// Institutions
// ---------------------------------------------------------------------------

export const INSTITUTION_PERSONAS = ['eager', 'diligent', 'cautious', 'silent'] as const;
export type InstitutionPersonaKind = (typeof INSTITUTION_PERSONAS)[number];

export interface InstitutionPersona {
  institutionId: string;
  kind: InstitutionPersonaKind;
  /** How long a loan officer or analyst takes to act on a deal in the inbox, ms. */
  thinkMs: readonly [number, number];
  /** First answer to a proposed deal; `silent` lets the response SLA lapse. */
  onProposed: Readonly<Record<'interest' | 'decline' | 'silent', number>>;
  /** After expressing interest. */
  onInterested: Readonly<Record<'documents' | 'term_sheet' | 'decline', number>>;
  /** After the requested documents arrived. */
  onUnderReview: Readonly<Record<'term_sheet' | 'decline', number>>;
  /** Added to the instrument's base rate: a cautious lender prices risk higher. */
  spreadBps: readonly [number, number];
  /** Share of the requested amount offered. */
  amountShare: readonly [number, number];
}

const PERSONA_MIX: Readonly<Record<InstitutionPersonaKind, number>> = { eager: 30, diligent: 35, cautious: 20, silent: 15 };

const PERSONA_TRAITS: Readonly<Record<InstitutionPersonaKind, Omit<InstitutionPersona, 'institutionId' | 'kind'>>> = {
  eager: {
    thinkMs: [1_000, 4_000],
    onProposed: { interest: 88, decline: 7, silent: 5 },
    onInterested: { term_sheet: 70, documents: 25, decline: 5 },
    onUnderReview: { term_sheet: 90, decline: 10 },
    spreadBps: [0, 60],
    amountShare: [0.85, 1],
  },
  diligent: {
    thinkMs: [2_000, 6_000],
    onProposed: { interest: 78, decline: 12, silent: 10 },
    onInterested: { documents: 85, term_sheet: 10, decline: 5 },
    onUnderReview: { term_sheet: 75, decline: 25 },
    spreadBps: [20, 100],
    amountShare: [0.7, 1],
  },
  cautious: {
    thinkMs: [2_000, 8_000],
    onProposed: { decline: 50, interest: 40, silent: 10 },
    onInterested: { documents: 65, decline: 25, term_sheet: 10 },
    onUnderReview: { term_sheet: 50, decline: 50 },
    spreadBps: [60, 180],
    amountShare: [0.5, 0.8],
  },
  silent: {
    thinkMs: [3_000, 10_000],
    onProposed: { silent: 85, interest: 10, decline: 5 },
    onInterested: { documents: 50, term_sheet: 40, decline: 10 },
    onUnderReview: { term_sheet: 70, decline: 30 },
    spreadBps: [30, 120],
    amountShare: [0.6, 0.9],
  },
};

export function institutionPersona(seed: number, institutionId: string): InstitutionPersona {
  const kind = rngFor(seed, 'institution', institutionId).weighted(PERSONA_MIX);
  return { institutionId, kind, ...PERSONA_TRAITS[kind] };
}

/** What an institution does about one deal in one status: act (after thinking), or never. */
export type InstitutionMove =
  | { kind: 'act'; decision: DealDecision; afterMs: number }
  | { kind: 'silent' };

/** What the institution sees of a deal in its inbox that the decision depends on. */
export interface InboxDeal {
  dealId: string;
  status: DealStatus;
  request?: Pick<ApplicationRequest, 'instrument' | 'amountCny' | 'termMonths'>;
}

export interface DecideContext {
  seed: number;
  /** Now, ms since the epoch: term sheets expire relative to it. */
  now: number;
  /** How long a term sheet stays open; a real one runs about 30 days, a demo a few minutes. */
  termSheetValidityMs: number;
}

/** Statuses in which an institution owes an answer; the others wait on the enterprise or are over. */
export const INSTITUTION_TURN_STATUSES = ['proposed', 'interested', 'under_review', 'selected'] as const satisfies readonly DealStatus[];

export function decideDeal(persona: InstitutionPersona, deal: InboxDeal, context: DecideContext): InstitutionMove {
  const rng = rngFor(context.seed, 'deal', deal.dealId, deal.status);
  const afterMs = rng.int(persona.thinkMs[0], persona.thinkMs[1]);
  const act = (decision: DealDecision): InstitutionMove => ({ kind: 'act', decision, afterMs });
  const instrument = deal.request?.instrument ?? 'credit_loan';
  switch (deal.status) {
    case 'proposed': {
      const choice = rng.weighted(persona.onProposed);
      if (choice === 'silent') return { kind: 'silent' };
      if (choice === 'decline') return act({ action: 'decline', reason: declineReason(rng, instrument) });
      return act({ action: 'express_interest', reason: rng.pick(INTEREST_NOTES) });
    }
    case 'interested': {
      const choice = rng.weighted(persona.onInterested);
      if (choice === 'decline') return act({ action: 'decline', reason: declineReason(rng, instrument) });
      if (choice === 'documents') {
        return act({ action: 'request_documents', documents: documentsFor(rng, instrument), reason: 'Needed for the credit committee / investment committee memo' });
      }
      return act(termSheetDecision(rng, persona, deal, context));
    }
    case 'under_review': {
      const choice = rng.weighted(persona.onUnderReview);
      if (choice === 'decline') return act({ action: 'decline', reason: declineReason(rng, instrument) });
      return act(termSheetDecision(rng, persona, deal, context));
    }
    case 'selected':
      return act({ action: 'confirm_close', reason: 'Contract signed; first drawdown scheduled' });
    default:
      return { kind: 'silent' };
  }
}

const INTEREST_NOTES = [
  'Fits our sci-tech lending programme; assigning a relationship manager',
  'Within mandate; opening due diligence',
  'Strong qualification profile; we would like to proceed',
] as const;

const LENDER_DECLINES = [
  'Debt service coverage below our 1.25x threshold',
  'Sector concentration limit reached for this quarter',
  'Customer concentration too high: top client above 50% of revenue',
  'Insufficient collateral coverage for the requested amount',
  'Operating cash flow negative in the last two years',
] as const;
const INVESTOR_DECLINES = [
  'Outside the fund\'s current investment thesis',
  'Valuation expectations too far apart',
  'Addressable market below our threshold for this fund',
  'Team and governance not yet ready for institutional capital',
] as const;

const isEquityLike = (instrument: Instrument): boolean => instrument === 'equity' || instrument === 'convertible';

function declineReason(rng: Rng, instrument: Instrument): string {
  return rng.pick(isEquityLike(instrument) ? INVESTOR_DECLINES : LENDER_DECLINES);
}

const DOCUMENTS_BY_INSTRUMENT: Readonly<Record<Instrument, readonly DocumentKind[]>> = {
  credit_loan: ['financial_statements', 'bank_statements', 'tax_records', 'credit_report'],
  working_capital_loan: ['financial_statements', 'bank_statements', 'contracts_invoices', 'tax_records'],
  ip_pledge_loan: ['ip_certificates', 'financial_statements', 'qualification_certificates', 'credit_report'],
  supply_chain_finance: ['contracts_invoices', 'financial_statements', 'bank_statements'],
  leasing: ['financial_statements', 'contracts_invoices', 'collateral_documents', 'audit_report'],
  guarantee: ['financial_statements', 'credit_report', 'collateral_documents', 'tax_records'],
  equity: ['business_plan', 'cap_table', 'audit_report', 'financial_statements', 'articles_of_association'],
  convertible: ['business_plan', 'cap_table', 'financial_statements', 'ip_certificates'],
};

function documentsFor(rng: Rng, instrument: Instrument): DocumentKind[] {
  return rng.sample(DOCUMENTS_BY_INSTRUMENT[instrument], rng.int(2, 3));
}

/** Annual rate around the 1-year LPR (about 3.1%) for loans; an annual fee for guarantees; a coupon for convertibles. */
const BASE_RATE_BPS: Readonly<Record<Instrument, number | null>> = {
  credit_loan: 345,
  working_capital_loan: 330,
  ip_pledge_loan: 380,
  supply_chain_finance: 300,
  leasing: 480,
  guarantee: 110,
  convertible: 300,
  equity: null,
};

const CONDITIONS: Readonly<Record<Instrument, readonly string[]>> = {
  credit_loan: [
    'Joint and several guarantee by the actual controller',
    'Settlement account with the lender; at least 30% of sales receipts routed through it',
    'Debt-to-asset ratio not above 65% at each quarter end',
    'Proceeds used only for the stated purpose',
  ],
  working_capital_loan: [
    'Drawdowns against purchase contracts or invoices',
    'Quarterly management accounts within 30 days of quarter end',
    'Joint and several guarantee by the actual controller',
  ],
  ip_pledge_loan: [
    'Pledge of the core invention patents registered with CNIPA',
    'Patent valuation by an appraiser on the lender\'s panel',
    'Patent annuities kept paid for the life of the loan',
  ],
  supply_chain_finance: [
    'Receivables confirmed by the core enterprise',
    'Notice of assignment served on the debtor',
    'Recourse to the supplier if the debtor pays late by more than 30 days',
  ],
  leasing: [
    'Title to the equipment stays with the lessor until the final instalment',
    'Security deposit of 10% of the principal',
    'Equipment insured with the lessor as first beneficiary',
  ],
  guarantee: [
    'Counter-guarantee by the actual controller and spouse',
    'Guarantee fee paid annually in advance',
    'Pledge of accounts receivable as counter-security',
  ],
  equity: [
    'One board seat of five',
    'Broad-based weighted-average anti-dilution',
    'Redemption right if no IPO filing within five years',
    'Completion of legal, financial and technical due diligence',
  ],
  convertible: [
    'Converts at the next priced round with a 20% discount',
    'Information rights: quarterly accounts and annual audit',
    'Redemption at par plus coupon after the term',
  ],
};

function termSheetDecision(rng: Rng, persona: InstitutionPersona, deal: InboxDeal, context: DecideContext): DealDecision {
  return { action: 'issue_term_sheet', termSheet: termSheetFor(rng, persona, deal, context) };
}

export function termSheetFor(rng: Rng, persona: InstitutionPersona, deal: InboxDeal, context: DecideContext): TermSheet {
  const request = deal.request ?? { instrument: 'credit_loan' as const, amountCny: 1_000_000, termMonths: 12 };
  const share = persona.amountShare[0] + rng.next() * (persona.amountShare[1] - persona.amountShare[0]);
  const amountCny = Math.max(10_000, Math.round((request.amountCny * share) / 10_000) * 10_000);
  const base = BASE_RATE_BPS[request.instrument];
  const sheet: TermSheet = {
    amountCny,
    termMonths: request.termMonths,
    conditions: rng.sample(CONDITIONS[request.instrument], rng.int(2, 3)),
    expiresAt: new Date(context.now + context.termSheetValidityMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  if (base !== null) {
    const spread = rng.int(persona.spreadBps[0], persona.spreadBps[1]);
    // Guarantee fees move far less than loan spreads.
    sheet.rateBps = request.instrument === 'guarantee' ? base + Math.round(spread / 4) : base + spread;
  }
  if (isEquityLike(request.instrument)) {
    // The stake the fund asks for sets the valuation: post-money = amount / stake.
    const stake = rng.int(8, 25) / 100;
    sheet.valuationCny = Math.round(amountCny / stake / 1_000_000) * 1_000_000 || amountCny * 4;
  }
  return sheet;
}

// ---------------------------------------------------------------------------
// Enterprises
// ---------------------------------------------------------------------------

export const ENTERPRISE_PERSONAS = ['decisive', 'dawdler', 'withdrawer'] as const;
export type EnterprisePersonaKind = (typeof ENTERPRISE_PERSONAS)[number];

export interface EnterprisePersona {
  kind: EnterprisePersonaKind;
  /** Chance of answering each document request; a miss lets the documents deadline lapse. */
  documentsReliability: number;
  /** Time to gather and upload requested documents, ms. */
  documentsMs: readonly [number, number];
  /** A withdrawer gives up this long after submitting, ms. */
  withdrawAfterMs: number;
}

const ENTERPRISE_MIX: Readonly<Record<EnterprisePersonaKind, number>> = { decisive: 86, dawdler: 7, withdrawer: 7 };

export function enterprisePersona(seed: number, applicationKey: string): EnterprisePersona {
  const rng = rngFor(seed, 'enterprise', applicationKey);
  const kind = rng.weighted(ENTERPRISE_MIX);
  return {
    kind,
    documentsReliability: 0.92,
    documentsMs: [1_000, 5_000],
    withdrawAfterMs: rng.int(15_000, 60_000),
  };
}

/** Whether (and after how long) the enterprise answers one deal's document request. */
export function answerDocuments(seed: number, persona: EnterprisePersona, dealId: string): { answer: boolean; afterMs: number } {
  const rng = rngFor(seed, 'documents', dealId);
  return { answer: rng.next() < persona.documentsReliability, afterMs: rng.int(persona.documentsMs[0], persona.documentsMs[1]) };
}

/** Plausible uploads for the requested kinds; the hash is of the file name, standing in for the file. */
export function documentsToSubmit(uscc: string, kinds: readonly DocumentKind[]): SubmittedDocument[] {
  return kinds.map((kind) => {
    const name = `${uscc}-${kind}-2024.pdf`;
    return { kind, name, sha256: createHash('sha256').update(name).digest('hex') };
  });
}

export interface Offer {
  dealId: string;
  termSheet: Pick<TermSheet, 'amountCny' | 'rateBps' | 'valuationCny'>;
}

/**
 * The offer a sensible enterprise takes: the cheapest money for debt, leases and guarantees (lowest
 * rate, then the larger amount); the highest valuation for equity (least dilution); for a
 * convertible the valuation cap first, then the coupon.
 */
export function bestOffer(instrument: Instrument, offers: readonly Offer[]): Offer | null {
  const rate = (o: Offer) => o.termSheet.rateBps ?? Number.MAX_SAFE_INTEGER;
  const valuation = (o: Offer) => o.termSheet.valuationCny ?? 0;
  const compare = (a: Offer, b: Offer): number => {
    if (instrument === 'equity') return valuation(b) - valuation(a) || b.termSheet.amountCny - a.termSheet.amountCny;
    if (instrument === 'convertible') return valuation(b) - valuation(a) || rate(a) - rate(b);
    return rate(a) - rate(b) || b.termSheet.amountCny - a.termSheet.amountCny;
  };
  return [...offers].sort((a, b) => compare(a, b) || a.dealId.localeCompare(b.dealId))[0] ?? null;
}

/** Deal statuses in which an institution may still come back with a term sheet. */
const PENDING_ANSWER: ReadonlySet<DealStatus> = new Set<DealStatus>(['proposed', 'interested', 'documents_requested', 'under_review']);

export interface OfferSituation {
  instrument: Instrument;
  deals: readonly { dealId: string; status: DealStatus; termSheet?: Offer['termSheet'] }[];
  /** When the enterprise first saw a term sheet, ms since the epoch. */
  firstOfferSeenAt: number | null;
  now: number;
  /** How long the enterprise waits for the other institutions once it holds an offer. */
  patienceMs: number;
}

export type EnterpriseMove = { kind: 'accept'; dealId: string } | { kind: 'wait' };

/**
 * A decisive enterprise accepts the best term sheet once every other deal has answered, or once
 * its patience runs out; a dawdler never chooses (the offer window lapses); a withdrawer does not
 * shop offers at all.
 */
export function offerMove(persona: EnterprisePersona, situation: OfferSituation): EnterpriseMove {
  if (persona.kind !== 'decisive') return { kind: 'wait' };
  const offers = situation.deals.filter((d): d is typeof d & { termSheet: Offer['termSheet'] } => d.status === 'term_sheet_issued' && d.termSheet !== undefined);
  if (offers.length === 0 || situation.firstOfferSeenAt === null) return { kind: 'wait' };
  const othersPending = situation.deals.some((d) => PENDING_ANSWER.has(d.status));
  if (othersPending && situation.now - situation.firstOfferSeenAt < situation.patienceMs) return { kind: 'wait' };
  const best = bestOffer(situation.instrument, offers);
  return best ? { kind: 'accept', dealId: best.dealId } : { kind: 'wait' };
}

export function shouldWithdraw(persona: EnterprisePersona, submittedAt: number, now: number): boolean {
  return persona.kind === 'withdrawer' && now - submittedAt >= persona.withdrawAfterMs;
}

export const WITHDRAW_REASONS = [
  'Secured a government guidance-fund grant that covers the need',
  'Board postponed the expansion project',
  'Existing house bank extended the current facility',
] as const;
