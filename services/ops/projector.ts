import type { Kafka } from 'kafkajs';
import type { DealflowEvent } from '../../schemas';
import { decode } from '../events/decode';
import { startConsumer, type ConsumerHandle } from '../kafka';
import type { Logger } from '../logger';
import { isDuplicateKey } from '../store/collection';
import type { Models } from '../store/models';
import { applyEvent, dealOutcomeOf, initialState, MAX_MISSING, responseRate, type OpsApplicationState } from './projection';

// The ops projector: consumes the event topic in its own group and keeps the ops projections.
//
// Exactly-once effect without transactions (FerretDB has none):
// - Per application, `ops_applications` holds the projected state with `lastSeq`. Writing it,
//   conditioned on the lastSeq it was read with, is the commit point of an event. An event with
//   seq <= lastSeq is a duplicate (eventId is `<applicationId>:<seq>`, so this is dedup by eventId)
//   and is dropped.
// - Effects outside that document are made idempotent and run before the commit: a deal's answer
//   is a conditional write on its `ops_deals` document (only from `pending`), and an institution's
//   `institutionStats` is recounted from `ops_deals`, not incremented. A crash between an effect
//   and the commit redelivers the event, which redoes the effects harmlessly.
// - Counters (`ops_counters`) are operational telemetry, incremented after the commit: a crash
//   right there can lose one increment, never a projected fact.
//
// Gaps: an event with seq > lastSeq + 1 is applied at once (the dashboard stays live; a lost
// event must not freeze an application), the gap is logged with the missing range and counted,
// and the missing seqs are remembered. If one arrives later, its deal answer still counts, but it
// does not move the application's status back (that would undo newer facts).

/** One group per topic: projectors of two topics in one group would be handed each other's partitions. */
export const opsGroupId = (topic: string): string => `dealflow-ops.${topic}`;
const COUNTERS_ID = 'projector';

export type ProjectOutcome = 'applied' | 'duplicate' | 'late' | 'malformed';

export interface Projector {
  /** Projects one Kafka message value; throws only when MongoDB fails, so the message is retried. */
  handle(value: Buffer | string | null, where?: { partition?: number; offset?: string }): Promise<ProjectOutcome>;
}

export function createProjector(deps: { models: Models; logger: Logger }): Projector {
  const { models } = deps;
  const log = deps.logger.child({ component: 'ops-projector' });

  async function count(fields: Partial<Record<'eventsSeen' | 'eventsApplied' | 'duplicatesDropped' | 'gaps' | 'missingEvents' | 'lateEvents' | 'malformedSkipped', number>>): Promise<void> {
    await models.opsCounters.updateOne({ _id: COUNTERS_ID }, { $inc: fields }, { upsert: true });
  }

  async function applyDealEffect(event: DealflowEvent): Promise<void> {
    const { dealId, institutionId } = event;
    if (dealId === undefined || institutionId === undefined) return;
    await models.opsDeals.updateOne(
      { _id: dealId },
      { $setOnInsert: { institutionId, applicationId: event.applicationId, outcome: 'pending', proposedAt: event.occurredAt } },
      { upsert: true },
    );
    const outcome = dealOutcomeOf(event.type);
    if (outcome !== null) {
      await models.opsDeals.updateOne({ _id: dealId, outcome: 'pending' }, { $set: { outcome, answeredAt: event.occurredAt } });
    }
    await recountInstitution(institutionId);
  }

  // Recounted rather than incremented, so redoing it is harmless. `version` counts the deal
  // transitions seen (each new deal or answer adds one), so a slower concurrent recount that read
  // fewer of them cannot overwrite a newer one.
  async function recountInstitution(institutionId: string): Promise<void> {
    const [proposed, responded, expired, withdrawn] = await Promise.all([
      models.opsDeals.countDocuments({ institutionId }),
      models.opsDeals.countDocuments({ institutionId, outcome: 'responded' }),
      models.opsDeals.countDocuments({ institutionId, outcome: 'expired' }),
      models.opsDeals.countDocuments({ institutionId, outcome: 'withdrawn' }),
    ]);
    const version = proposed + responded + expired + withdrawn;
    const rate = responseRate(responded, expired);
    const doc = { proposed, responded, expired, withdrawn, version, updatedAt: new Date().toISOString(), ...(rate === null ? {} : { responseRate: rate }) };
    const updated = await models.institutionStats.updateOne({ _id: institutionId, version: { $lt: version } }, { $set: doc });
    if (updated.matchedCount > 0) return;
    try {
      await models.institutionStats.create({ _id: institutionId, ...doc });
    } catch (error) {
      // Already there with the same or a newer count.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  // Dimensions the submission event lacks come from the enterprise's profile, read once per application.
  async function fillDimensions(state: OpsApplicationState): Promise<void> {
    if (state.profileChecked) return;
    const profile = await models.enterprises.findById(state.enterpriseUscc, { region: 1, industry: 1, qualifications: 1 }).lean();
    state.profileChecked = true;
    if (!profile) return;
    if (state.region === null && typeof profile.region === 'string') state.region = profile.region;
    if (state.industry === null && typeof profile.industry === 'string') state.industry = profile.industry;
    if (state.qualificationTypes.length === 0 && Array.isArray(profile.qualifications)) {
      const types = (profile.qualifications as { type?: unknown }[]).map((q) => q.type).filter((t): t is string => typeof t === 'string');
      state.qualificationTypes = [...new Set(types)];
    }
  }

  /** Writes `next` if the stored lastSeq is still `expectedSeq` (0 = no document yet). */
  async function commit(next: OpsApplicationState, expectedSeq: number): Promise<boolean> {
    const doc = { ...next, updatedAt: new Date().toISOString() };
    if (expectedSeq === 0) {
      try {
        await models.opsApplications.create({ _id: next.applicationId, ...doc });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const updated = await models.opsApplications.updateOne({ _id: next.applicationId, lastSeq: expectedSeq }, { $set: doc });
    return updated.matchedCount > 0;
  }

  async function project(event: DealflowEvent): Promise<Exclude<ProjectOutcome, 'malformed'>> {
    const logFields = { applicationId: event.applicationId, eventId: event.eventId, type: event.type, dealId: event.dealId, institutionId: event.institutionId };
    // Another projector instance may commit between our read and write (a rebalance); re-read then.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await models.opsApplications.findById(event.applicationId).lean();
      const state = stored ? fromDocument(stored) : initialState(event);
      const expectedSeq = state.lastSeq;

      if (event.seq <= state.lastSeq) {
        if (!state.missing.includes(event.seq)) return 'duplicate';
        await applyDealEffect(event);
        if (!(await commit({ ...state, missing: state.missing.filter((s) => s !== event.seq) }, expectedSeq))) continue;
        log.info(logFields, 'event from an earlier gap arrived late; deal answer counted, status not moved back');
        return 'late';
      }

      let missing = state.missing;
      let gap: { from: number; to: number } | null = null;
      if (event.seq > state.lastSeq + 1) {
        gap = { from: state.lastSeq + 1, to: event.seq - 1 };
        const skipped = Array.from({ length: gap.to - gap.from + 1 }, (_, i) => gap!.from + i);
        missing = [...missing, ...skipped].slice(-MAX_MISSING);
      }

      await applyDealEffect(event);
      const next = applyEvent(state, event);
      next.lastSeq = event.seq;
      next.missing = missing;
      await fillDimensions(next);
      if (!(await commit(next, expectedSeq))) continue;

      if (gap) {
        log.warn({ ...logFields, missingFrom: gap.from, missingTo: gap.to, lastSeq: expectedSeq }, 'seq gap: events missing for this application');
        await count({ gaps: 1, missingEvents: gap.to - gap.from + 1 });
      }
      return 'applied';
    }
    throw new Error(`ops projection of ${event.eventId}: lastSeq kept changing under concurrent writers`);
  }

  return {
    async handle(value, where = {}) {
      const parsed = decode(value);
      if (!parsed.ok) {
        log.warn({ ...where, problem: parsed.problem }, 'skipped a message that is not a dealflow event');
        await count({ malformedSkipped: 1 });
        return 'malformed';
      }
      const outcome = await project(parsed.event);
      await count({
        eventsSeen: 1,
        ...(outcome === 'duplicate' ? { duplicatesDropped: 1 } : {}),
        ...(outcome === 'applied' ? { eventsApplied: 1 } : {}),
        ...(outcome === 'late' ? { eventsApplied: 1, lateEvents: 1 } : {}),
      });
      if (outcome === 'duplicate') log.debug({ ...where, eventId: parsed.event.eventId }, 'duplicate event dropped');
      return outcome;
    },
  };
}

function fromDocument(doc: Record<string, unknown>): OpsApplicationState {
  const { _id, updatedAt, ...state } = doc;
  void _id;
  void updatedAt;
  return state as unknown as OpsApplicationState;
}

/** Runs the projector as a consumer of `topic` in group `dealflow-ops`, from the topic's beginning for a new group. */
export async function startProjector(deps: { kafka: Kafka; models: Models; logger: Logger; topic: string; groupId?: string }): Promise<ConsumerHandle> {
  const projector = createProjector(deps);
  return startConsumer(deps.kafka, {
    groupId: deps.groupId ?? opsGroupId(deps.topic),
    topic: deps.topic,
    fromBeginning: true,
    eachMessage: async ({ partition, message }) => {
      await projector.handle(message.value, { partition, offset: message.offset });
    },
  });
}
