import { condition, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { publishActivity } from './activityOptions';
import { takeUnrecorded, type ApplicationState } from './applicationState';

// How the application's changes leave the workflow: its events through the outbox, recorded in
// seq order by one loop, and its search attributes, sent with each recorded batch.

export const searchAttributes = {
  status: defineSearchAttributeKey('DealflowStatus', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('DealflowRegion', SearchAttributeType.KEYWORD),
  instrument: defineSearchAttributeKey('DealflowInstrument', SearchAttributeType.KEYWORD),
  institutionIds: defineSearchAttributeKey('DealflowInstitutionIds', SearchAttributeType.KEYWORD_LIST),
  enterpriseUscc: defineSearchAttributeKey('DealflowEnterpriseUscc', SearchAttributeType.KEYWORD),
};

const { recordEvents } = proxyActivities<Activities>(publishActivity);

/**
 * Search attributes follow the events: changed ones are sent in one upsert with each recorded
 * batch, not one upsert per change (each is a history event and a visibility write on the
 * server, about eight per application before its first proposals). Workflows started before
 * local steps upserted at every change and replay that way.
 */
export function setSearchAttributes(state: ApplicationState, pairs: SearchAttributeUpdatePair[]): void {
  if (!state.localSteps) {
    upsertSearchAttributes(pairs);
    return;
  }
  for (const pair of pairs) state.pendingSearchAttributes.set(pair.key.name, pair);
}

export function flushSearchAttributes(state: ApplicationState): void {
  if (state.pendingSearchAttributes.size === 0) return;
  upsertSearchAttributes([...state.pendingSearchAttributes.values()]);
  state.pendingSearchAttributes.clear();
}

/** Records the outbox in seq order, one batch at a time, for the workflow's whole life. */
export async function recordLoop(state: ApplicationState): Promise<void> {
  for (;;) {
    // Never beside a local step: its result could overtake this activity's on replay (steps.ts).
    await condition(() => state.recording && state.outbox.length > 0 && state.localStepsInFlight === 0);
    const batch = takeUnrecorded(state);
    flushSearchAttributes(state);
    await recordEvents(batch);
    state.persistedSeq = batch.events[batch.events.length - 1]?.seq ?? state.persistedSeq;
  }
}
