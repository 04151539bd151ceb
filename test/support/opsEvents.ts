import { buildEventId, DealflowEvent, EVENT_VERSION, usccCheckCharacter, type EventData, type EventType } from '../../schemas';

// Builds contract-valid events for the ops tests: one application's stream, seq by seq.

export const T0 = Date.parse('2025-06-02T01:00:00Z');
export const HOUR = 3_600_000;

export function usccOf(body17: string): string {
  return body17 + usccCheckCharacter(body17);
}

export function eventStream(applicationId: string, enterpriseUscc: string) {
  return function event<T extends EventType>(
    seq: number,
    type: T,
    atMs: number,
    data: EventData<T>,
    deal?: { dealId: string; institutionId: string },
  ): DealflowEvent {
    return DealflowEvent.parse({
      eventId: buildEventId(applicationId, seq),
      type,
      version: EVENT_VERSION,
      seq,
      occurredAt: new Date(atMs).toISOString(),
      applicationId,
      enterpriseUscc,
      ...(deal ?? {}),
      data,
    });
  };
}

export const screened = (eligible: boolean, atMs: number) => ({
  eligible,
  reasons: [{ code: eligible ? 'screening_passed' : 'dishonest_debtor', message: eligible ? 'passed' : 'listed as a dishonest debtor' }],
  verifiedQualifications: [],
  unverifiedQualifications: [],
  screenedAt: new Date(atMs).toISOString(),
});

export const proposal = (productId: string) => ({ productId, score: 80, reasons: [{ code: 'region_match', message: 'serves the region', weight: 20 }] });

export const termSheet = (atMs: number) => ({
  termSheet: { amountCny: 5_000_000, rateBps: 385, termMonths: 12, conditions: [], expiresAt: new Date(atMs + 14 * 24 * HOUR).toISOString() },
});
