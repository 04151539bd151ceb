import { EVENT_DATA, EVENT_TYPES, EventType, buildEventId, parseEvent } from '../../../schemas';
import type { EventData } from '../../../schemas';
import { request, uscc } from '../fixtures';

const termSheet = { amountCny: 4_000_000, rateBps: 385, termMonths: 12, conditions: [], expiresAt: '2025-07-31T00:00:00Z' };
const reason = { code: 'industry_fit', message: 'fits', weight: 24 };

/** One valid `data` per event type, so every type is proven to parse. */
const SAMPLE_DATA: { [T in EventType]: EventData<T> } = {
  'application.submitted': { request: request(), region: 'CN-SH', industry: 'C3911', qualificationTypes: ['little_giant'] },
  'application.screened': { eligible: true, reasons: [{ code: 'screening_passed', message: 'ok' }], verifiedQualifications: [], unverifiedQualifications: [], screenedAt: '2025-06-30T00:00:00Z' },
  'application.matched': { candidates: [{ productId: 'p-1', institutionId: 'bank-1', score: 80, reasons: [reason] }] },
  'application.no_match': { reason: 'no_eligible_product' },
  'application.withdrawn': { reason: 'Funded elsewhere' },
  'application.expired': {},
  'application.closed': { dealId: 'd-1', amountCny: 4_000_000 },
  'application.rejected': { reason: 'dishonest_debtor' },
  'deal.proposed': { productId: 'p-1', score: 80, reasons: [reason], rank: 1 },
  'deal.interest_expressed': {},
  'deal.declined': { reason: 'Outside appetite' },
  'deal.expired': { reason: 'response_sla_elapsed' },
  'deal.documents_requested': { documents: ['financial_statements'] },
  'deal.documents_submitted': { documents: [{ kind: 'financial_statements', name: 'fs.pdf', sha256: 'b'.repeat(64) }] },
  'deal.term_sheet_issued': { termSheet },
  'deal.selected': {},
  'deal.not_selected': { reason: 'other_offer_accepted' },
  'deal.closed': { amountCny: 4_000_000 },
  'deal.document_downloaded': { fileId: `file_${'c'.repeat(32)}`, kind: 'financial_statements', name: 'fs.pdf', by: { role: 'institution', sub: 'analyst-1', org: 'bank-1' } },
};

function envelope(type: EventType, seq = 3, extra: Record<string, unknown> = {}) {
  const isDeal = type.startsWith('deal.');
  return {
    eventId: buildEventId('app-1', seq),
    type,
    version: 1,
    seq,
    occurredAt: '2025-06-30T08:00:00Z',
    applicationId: 'app-1',
    enterpriseUscc: uscc(),
    ...(isDeal ? { dealId: 'd-1', institutionId: 'bank-1' } : {}),
    data: SAMPLE_DATA[type],
    ...extra,
  };
}

describe('event schemas', () => {
  it('cover exactly the 18 contract event types, each with a data schema', () => {
    expect(EVENT_TYPES).toHaveLength(19);
    expect(Object.keys(EVENT_DATA).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES)('parses a valid %s event', (type) => {
    const result = parseEvent(envelope(type));
    if (!result.success) throw new Error(JSON.stringify(result.error.issues));
    expect(result.data.type).toBe(type);
  });

  it('checks data against the schema of the event type', () => {
    const wrongData = { ...envelope('deal.term_sheet_issued'), data: { reason: 'x' } };
    const result = parseEvent(wrongData);
    expect(result.success).toBe(false);
    expect(result.error?.issues.some((i) => i.path.join('.') === 'data.termSheet')).toBe(true);
    const screened = { ...envelope('application.screened'), data: { eligible: 'yes' } };
    expect(parseEvent(screened).error?.issues.some((i) => i.path.join('.') === 'data.eligible')).toBe(true);
  });

  it('requires eventId to be <applicationId>:<seq>', () => {
    const result = parseEvent(envelope('application.submitted', 3, { eventId: 'app-1:4' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['eventId'], message: expect.stringContaining('app-1:3') });
  });

  it('requires dealId and institutionId on deal events', () => {
    const { dealId: _d, institutionId: _i, ...bare } = envelope('deal.proposed') as Record<string, unknown>;
    const paths = parseEvent(bare).error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['dealId', 'institutionId']));
  });

  it('rejects unknown types, version 2, seq 0, a bad USCC and non-UTC times', () => {
    expect(parseEvent({ ...envelope('deal.closed'), type: 'deal.reopened' }).error?.issues[0]?.path).toEqual(['type']);
    expect(parseEvent(envelope('deal.closed', 3, { version: 2 })).success).toBe(false);
    expect(parseEvent(envelope('deal.closed', 0)).success).toBe(false);
    expect(parseEvent(envelope('deal.closed', 3, { enterpriseUscc: '91310115MA1K4A2B90' })).success).toBe(false);
    expect(parseEvent(envelope('deal.closed', 3, { occurredAt: '2025-06-30T16:00:00+08:00' })).success).toBe(false);
    expect(parseEvent('not an object').success).toBe(false);
  });

  it('lets a consumer read an event with fields added by a newer producer', () => {
    const newer = { ...envelope('deal.declined'), traceId: 'abc', data: { reason: 'x', category: 'risk' } };
    const result = parseEvent(newer);
    expect(result.success).toBe(true);
  });
});
