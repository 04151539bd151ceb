import { pairScores, type EnterpriseForScoring, type InstitutionForScoring } from '../../../domain/forums/pairScores';
import { workingDayBefore, reminderMoment } from '../../../domain/forums/reminder';
import { rankProducts } from '../../../domain/matching';
import { provisionalCalendarYear, SHIPPED_CN_CALENDARS } from '../../../domain/calendar';
import type { Product } from '../../../schemas';
import { TODAY, product, profile } from '../fixtures';

const enterprise = (uscc: string, overrides: Partial<EnterpriseForScoring> = {}): EnterpriseForScoring => ({
  enterpriseUscc: uscc,
  instruments: ['credit_loan'],
  amountCny: 5_000_000,
  profile: profile({ region: 'CN-JS', industry: 'C3911', revenueCny: 80_000_000, founded: '2018-07-01' }),
  verifiedQualifications: [],
  ...overrides,
});

const institution = (institutionId: string, products: Partial<Product>[]): InstitutionForScoring => ({
  institutionId,
  products: products.map((p, i) => ({ product: product({ productId: `${institutionId}-p${i}`, institutionId, ...p }), openDeals: 0 })),
});

describe('pairScores', () => {
  test('a pair scores its best product, with that product\'s reasons, as the application ranking does', () => {
    const bank = institution('bank-a', [
      { instruments: ['credit_loan'], regions: ['CN-JS'], industries: { include: ['C39'], exclude: [] } },
      { instruments: ['credit_loan'], regions: ['CN-JS'], industries: { include: [], exclude: [] } },
    ]);
    const [pair, ...rest] = pairScores([enterprise('E1')], [bank], TODAY);
    expect(rest).toEqual([]);
    const ranked = rankProducts({
      application: { request: { instrument: 'credit_loan', amountCny: 5_000_000 }, profile: enterprise('E1').profile, verifiedQualifications: [] },
      products: bank.products,
      today: TODAY,
    });
    expect(pair).toEqual({
      enterpriseUscc: 'E1', institutionId: 'bank-a', score: ranked[0]?.score, reasons: ranked[0]?.reasons, productId: ranked[0]?.productId, instrument: 'credit_loan',
    });
  });

  test('a pair that fails a hard rule with every product and instrument never meets', () => {
    const pairs = pairScores(
      [enterprise('E1', { instruments: ['credit_loan', 'equity'] })],
      [
        institution('wrong-region', [{ instruments: ['credit_loan', 'equity'], regions: ['CN-ZJ'] }]),
        institution('too-small', [{ instruments: ['credit_loan'], regions: ['CN-JS'], maxAmountCny: 1_000_000 }]),
        institution('inactive', [{ instruments: ['credit_loan'], regions: ['CN-JS'], active: false }]),
        institution('needs-qualification', [{ instruments: ['credit_loan'], regions: ['CN-JS'], requiredQualifications: ['little_giant'] }]),
      ],
      TODAY,
    );
    expect(pairs).toEqual([]);
  });

  test('only registry-verified qualifications unlock a product', () => {
    const bank = institution('bank-q', [{ instruments: ['credit_loan'], regions: ['CN-JS'], requiredQualifications: ['high_tech'] }]);
    expect(pairScores([enterprise('E1')], [bank], TODAY)).toEqual([]);
    expect(pairScores([enterprise('E1', { verifiedQualifications: [{ type: 'high_tech' }] })], [bank], TODAY)).toHaveLength(1);
  });

  test('each instrument the enterprise names is tried; the better one wins', () => {
    const fund = institution('fund', [{ instruments: ['equity'], regions: ['CN-JS'] }]);
    const [pair] = pairScores([enterprise('E1', { instruments: ['credit_loan', 'equity'] })], [fund], TODAY);
    expect(pair?.instrument).toBe('equity');
  });

  test('a product counts only for the institution that offers it', () => {
    const borrowed: InstitutionForScoring = { institutionId: 'other', products: institution('bank-a', [{ regions: ['CN-JS'] }]).products };
    expect(pairScores([enterprise('E1')], [borrowed], TODAY)).toEqual([]);
  });

  test('the result is sorted by score then ids and does not depend on input order', () => {
    const institutions = [
      institution('bank-b', [{ regions: ['CN-JS'] }]),
      institution('bank-a', [{ regions: ['CN-JS'], industries: { include: ['C3911'], exclude: [] } }]),
    ];
    const enterprises = [enterprise('E2'), enterprise('E1')];
    const forward = pairScores(enterprises, institutions, TODAY);
    expect(forward).toHaveLength(4);
    expect(pairScores([...enterprises].reverse(), [...institutions].reverse(), TODAY)).toEqual(forward);
    for (let i = 1; i < forward.length; i += 1) expect((forward[i - 1]?.score ?? 0) >= (forward[i]?.score ?? 0)).toBe(true);
  });
});

describe('the forum reminder day', () => {
  const y2025 = SHIPPED_CN_CALENDARS.find((c) => c.year === 2025);
  if (!y2025) throw new Error('the 2025 notice ships with the project');

  test('after a holiday it is the last working day before it, not the calendar day before', () => {
    // National Day 2025: 1-8 October off; Saturday 11 October is a worked day (调休).
    expect(workingDayBefore('2025-10-09', [y2025])).toBe('2025-09-30');
    expect(reminderMoment('2025-10-09T01:30:00Z', [y2025])).toBe('2025-09-30T01:00:00.000Z');
  });

  test('a weekend day made a working day counts; a plain weekend does not', () => {
    expect(workingDayBefore('2025-10-12', [y2025])).toBe('2025-10-11');
    expect(workingDayBefore('2025-06-16', [y2025])).toBe('2025-06-13');
  });

  test('the day is the Beijing date\'s: a forum at 07:00 Beijing time starts the day before in UTC', () => {
    // 2025-10-08T23:00Z is 07:00 on 9 October in Beijing.
    expect(reminderMoment('2025-10-08T23:00:00Z', [y2025])).toBe('2025-09-30T01:00:00.000Z');
  });

  test('across a new year it reads the year before', () => {
    const y2027 = provisionalCalendarYear(2027);
    const y2026 = SHIPPED_CN_CALENDARS.find((c) => c.year === 2026) ?? provisionalCalendarYear(2026);
    const day = workingDayBefore('2027-01-04', [y2026, y2027]);
    expect(day < '2027-01-04').toBe(true);
    expect([...y2026.holidays, ...y2027.holidays]).not.toContain(day);
  });
});
