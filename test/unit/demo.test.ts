import { DealDecision, TERM_BOUNDS_MONTHS, type DealStatus } from '../../schemas';
import {
  bestOffer, decideDeal, documentsToSubmit, enterprisePersona, institutionPersona, offerMove, shouldWithdraw,
  type InstitutionPersona, type InstitutionPersonaKind,
} from '../../tools/demo/personas';
import { planApplications } from '../../tools/demo/plan';
import { median, milestones, renderSummary, summarize, type ReportedApplication } from '../../tools/demo/summary';
import { generateSeed } from '../../tools/seed/generate';

const data = generateSeed();
const context = { seed: 42, now: Date.parse('2026-01-15T08:00:00Z'), termSheetValidityMs: 10 * 60_000 };
const request = { instrument: 'credit_loan' as const, amountCny: 3_000_000, termMonths: 12 };

function movesOf(persona: InstitutionPersona, status: DealStatus, n = 200) {
  return Array.from({ length: n }, (_, i) => decideDeal(persona, { dealId: `app-${i}-d1`, status, request }, context));
}

function personaOfKind(kind: InstitutionPersonaKind): InstitutionPersona {
  for (let i = 0; i < 1_000; i += 1) {
    const persona = institutionPersona(42, `inst-${i}`);
    if (persona.kind === kind) return persona;
  }
  throw new Error(`no ${kind} persona in 1000 institutions`);
}

describe('institution personas', () => {
  test('the same seed gives every institution the same persona and every deal the same decision', () => {
    for (const institution of data.institutions) {
      expect(institutionPersona(42, institution.institutionId)).toEqual(institutionPersona(42, institution.institutionId));
    }
    const persona = personaOfKind('diligent');
    expect(movesOf(persona, 'proposed', 50)).toEqual(movesOf(persona, 'proposed', 50));
    expect(movesOf(persona, 'interested', 50)).toEqual(movesOf(persona, 'interested', 50));
  });

  test('the seeded institutions include eager, diligent, cautious and silent ones', () => {
    const kinds = new Set(data.institutions.map((i) => institutionPersona(42, i.institutionId).kind));
    expect([...kinds].sort()).toEqual(['cautious', 'diligent', 'eager', 'silent']);
  });

  test('proposed deals are declined with a reason, taken up, or left to lapse; silent institutions mostly stay silent', () => {
    const cautious = movesOf(personaOfKind('cautious'), 'proposed');
    const declines = cautious.flatMap((m) => (m.kind === 'act' && m.decision.action === 'decline' ? [m.decision] : []));
    expect(declines.length).toBeGreaterThan(50);
    for (const decline of declines) expect(decline.reason.length).toBeGreaterThan(10);
    expect(cautious.some((m) => m.kind === 'act' && m.decision.action === 'express_interest')).toBe(true);

    const silent = movesOf(personaOfKind('silent'), 'proposed');
    expect(silent.filter((m) => m.kind === 'silent').length).toBeGreaterThan(140);
  });

  test('interested deals get document requests or term sheets, each a valid decision body', () => {
    const moves = [...movesOf(personaOfKind('diligent'), 'interested'), ...movesOf(personaOfKind('eager'), 'interested')];
    const actions = new Set(moves.flatMap((m) => (m.kind === 'act' ? [m.decision.action] : [])));
    expect(actions).toEqual(new Set(['request_documents', 'issue_term_sheet', 'decline']));
    for (const move of moves) {
      expect(move.kind).toBe('act');
      if (move.kind === 'act') {
        expect(DealDecision.safeParse(move.decision).success).toBe(true);
        expect(move.afterMs).toBeGreaterThan(0);
      }
    }
  });

  test('term sheets are realistic: rate near the LPR plus a spread, amount at most the request, expiry in the future', () => {
    for (const kind of ['eager', 'diligent', 'cautious'] as const) {
      const sheets = movesOf(personaOfKind(kind), 'under_review').flatMap((m) => (m.kind === 'act' && m.decision.action === 'issue_term_sheet' ? [m.decision.termSheet] : []));
      expect(sheets.length).toBeGreaterThan(0);
      for (const sheet of sheets) {
        expect(sheet.rateBps).toBeGreaterThanOrEqual(300);
        expect(sheet.rateBps).toBeLessThanOrEqual(600);
        expect(sheet.amountCny).toBeLessThanOrEqual(request.amountCny);
        expect(sheet.amountCny % 10_000).toBe(0);
        expect(sheet.termMonths).toBe(request.termMonths);
        expect(sheet.conditions.length).toBeGreaterThanOrEqual(2);
        expect(Date.parse(sheet.expiresAt)).toBe(context.now + context.termSheetValidityMs);
      }
    }
    const equity = decideDeal(personaOfKind('eager'), { dealId: 'eq-d1', status: 'selected', request }, context);
    expect(equity).toMatchObject({ kind: 'act', decision: { action: 'confirm_close' } });
  });

  test('an equity term sheet carries a valuation and no rate', () => {
    const eager = personaOfKind('eager');
    const sheets = Array.from({ length: 100 }, (_, i) => decideDeal(eager, { dealId: `eq-${i}`, status: 'under_review', request: { instrument: 'equity', amountCny: 20_000_000, termMonths: 60 } }, context))
      .flatMap((m) => (m.kind === 'act' && m.decision.action === 'issue_term_sheet' ? [m.decision.termSheet] : []));
    expect(sheets.length).toBeGreaterThan(0);
    for (const sheet of sheets) {
      expect(sheet.rateBps).toBeUndefined();
      expect(sheet.valuationCny).toBeGreaterThan(sheet.amountCny);
    }
  });
});

describe('enterprise personas', () => {
  test('the best offer is the lowest rate for credit and the highest valuation for equity', () => {
    const offers = [
      { dealId: 'a', termSheet: { amountCny: 2_000_000, rateBps: 420, valuationCny: 90_000_000 } },
      { dealId: 'b', termSheet: { amountCny: 1_500_000, rateBps: 365, valuationCny: 60_000_000 } },
      { dealId: 'c', termSheet: { amountCny: 3_000_000, rateBps: 365, valuationCny: 80_000_000 } },
    ];
    expect(bestOffer('credit_loan', offers)?.dealId).toBe('c');
    expect(bestOffer('equity', offers)?.dealId).toBe('a');
    expect(bestOffer('leasing', [])).toBeNull();
  });

  test('a decisive enterprise waits for pending institutions until its patience runs out; a dawdler never chooses', () => {
    const decisive = { ...enterprisePersona(42, 'k'), kind: 'decisive' as const };
    const deals = [
      { dealId: 'a', status: 'term_sheet_issued' as const, termSheet: { amountCny: 1_000_000, rateBps: 400 } },
      { dealId: 'b', status: 'under_review' as const },
    ];
    const situation = { instrument: 'credit_loan' as const, deals, firstOfferSeenAt: 1_000, now: 2_000, patienceMs: 45_000 };
    expect(offerMove(decisive, situation)).toEqual({ kind: 'wait' });
    expect(offerMove(decisive, { ...situation, now: 50_000 })).toEqual({ kind: 'accept', dealId: 'a' });
    expect(offerMove(decisive, { ...situation, deals: [deals[0] as (typeof deals)[0], { dealId: 'b', status: 'declined' as const }] })).toEqual({ kind: 'accept', dealId: 'a' });
    expect(offerMove({ ...decisive, kind: 'dawdler' }, { ...situation, now: 10_000_000 })).toEqual({ kind: 'wait' });
    expect(shouldWithdraw({ ...decisive, kind: 'withdrawer', withdrawAfterMs: 20_000 }, 0, 25_000)).toBe(true);
    expect(shouldWithdraw(decisive, 0, 10_000_000)).toBe(false);
  });

  test('submitted documents carry the requested kinds and a sha256', () => {
    const docs = documentsToSubmit('91310114MAU6B12Y0T', ['financial_statements', 'tax_records']);
    expect(docs.map((d) => d.kind)).toEqual(['financial_statements', 'tax_records']);
    for (const doc of docs) expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the plan', () => {
  const plans = planApplications({ data, count: 50, seed: 42, runId: 'r1', today: '2026-01-15' });

  test('is deterministic for a seed and differs for another', () => {
    expect(planApplications({ data, count: 50, seed: 42, runId: 'r1', today: '2026-01-15' })).toEqual(plans);
    expect(planApplications({ data, count: 50, seed: 7, runId: 'r1', today: '2026-01-15' }).map((p) => p.uscc)).not.toEqual(plans.map((p) => p.uscc));
  });

  test('requests fit the enterprise: most match a product, terms within the instrument bounds, unique keys', () => {
    expect(plans).toHaveLength(50);
    expect(new Set(plans.map((p) => p.key)).size).toBe(50);
    for (const plan of plans) {
      const bounds = TERM_BOUNDS_MONTHS[plan.request.instrument];
      expect(plan.request.termMonths).toBeGreaterThanOrEqual(bounds.min);
      expect(plan.request.termMonths).toBeLessThanOrEqual(bounds.max);
    }
    const fitting = plans.filter((p) => p.intent === 'fitting');
    expect(fitting.filter((p) => p.fittingProducts > 0).length).toBeGreaterThanOrEqual(fitting.length * 0.9);
    expect(plans.some((p) => p.intent === 'dishonest_debtor')).toBe(true);
    expect(plans.some((p) => p.intent === 'oversized')).toBe(true);
    const debtors = new Set(data.dishonestDebtors.map((d) => d.uscc));
    for (const plan of plans) expect(debtors.has(plan.uscc)).toBe(plan.intent === 'dishonest_debtor');
  });
});

describe('the summary', () => {
  const t = (s: number) => new Date(Date.parse('2026-01-15T08:00:00Z') + s * 1_000).toISOString();
  const closed: ReportedApplication = {
    applicationId: 'a1',
    status: 'closed',
    timeline: [
      { type: 'application.submitted', occurredAt: t(0) },
      { type: 'application.screened', occurredAt: t(1) },
      { type: 'application.matched', occurredAt: t(2) },
      { type: 'deal.proposed', occurredAt: t(2), dealId: 'a1-d1' },
      { type: 'deal.proposed', occurredAt: t(2), dealId: 'a1-d2' },
      { type: 'deal.interest_expressed', occurredAt: t(6), dealId: 'a1-d1' },
      { type: 'deal.term_sheet_issued', occurredAt: t(10), dealId: 'a1-d1' },
      { type: 'deal.expired', occurredAt: t(54), dealId: 'a1-d2', data: { reason: 'response_sla_elapsed' } },
      { type: 'application.closed', occurredAt: t(70) },
    ],
    deals: [{ dealId: 'a1-d1', productId: 'p1', status: 'closed' }, { dealId: 'a1-d2', productId: 'p72', status: 'expired' }],
  };
  const rejected: ReportedApplication = {
    applicationId: 'a2',
    status: 'rejected',
    timeline: [{ type: 'application.submitted', occurredAt: t(0) }, { type: 'application.screened', occurredAt: t(3) }],
    deals: [],
  };
  const open: ReportedApplication = { applicationId: 'a3', status: 'in_due_diligence', timeline: [], deals: [{ dealId: 'a3-d1', productId: 'p1', status: 'proposed' }] };

  test('counts outcomes and deals, times each stage from the timeline, and infers the SLA scale', () => {
    const summary = summarize({ applications: [closed, rejected, open], startedAt: 0, finishedAt: 90_000, responseSlaHours: new Map([['p72', 72]]) });
    expect(summary.outcomes).toEqual({ closed: 1, no_match: 0, rejected: 1, expired: 0, withdrawn: 0, open: 1 });
    expect(summary.complete).toBe(false);
    expect(summary.stillOpen).toEqual([{ applicationId: 'a3', status: 'in_due_diligence' }]);
    expect(summary.dealsByStatus).toEqual({ closed: 1, expired: 1, proposed: 1 });
    expect(summary.expiredDealsByReason).toEqual({ response_sla_elapsed: 1 });
    expect(summary.stages.screened).toMatchObject({ reached: 2, medianMs: 2_000, medianSinceSubmittedMs: 2_000 });
    expect(summary.stages.firstAnswer).toMatchObject({ reached: 1, medianMs: 4_000, medianSinceSubmittedMs: 6_000 });
    expect(summary.stages.closed).toMatchObject({ reached: 1, medianMs: 60_000, medianSinceSubmittedMs: 70_000 });
    expect(summary.observedSlaScale).toBe(0.0002);
    expect(milestones(closed).termSheet).toBe(Date.parse(t(10)));
    expect(renderSummary(summary)).toContain('still open when the demo stopped (1)');
  });

  test('median of an even count is the mean of the middle two; of nothing, null', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
