import type { ApplicationRecord, DealflowEvent, DealRecord } from '../../schemas';
import type { Models } from './models';

// Writes of the read models, done by the workflow's `recordEvents` activity. Each document carries
// `lastSeq`, the seq of the newest event it reflects, and a write only lands if it is newer: a late
// retry of an older write can never roll a read model back.

export async function storeEvents(models: Models, events: readonly DealflowEvent[]): Promise<void> {
  await models.events.bulkWrite(
    events.map((event) => ({
      updateOne: { filter: { _id: event.eventId }, update: { $setOnInsert: { ...event } }, upsert: true },
    })),
    { ordered: true },
  );
}

export async function storeApplication(models: Models, record: ApplicationRecord, lastSeq: number): Promise<void> {
  await writeIfNewer(models.applications, record.applicationId, { ...record, lastSeq });
}

export async function storeDeals(models: Models, deals: readonly DealRecord[], lastSeq: number): Promise<void> {
  await Promise.all(deals.map((deal) => writeIfNewer(models.deals, deal.dealId, { ...deal, lastSeq })));
}

async function writeIfNewer(model: Models['applications'], id: string, doc: Record<string, unknown> & { lastSeq: number }): Promise<void> {
  const updated = await model.updateOne({ _id: id, lastSeq: { $lt: doc.lastSeq } }, { $set: doc });
  if (updated.matchedCount > 0) return;
  try {
    await model.create({ _id: id, ...doc });
  } catch (error) {
    // The document exists with the same or a newer seq: this write is a retry, nothing to do.
    if ((error as { code?: number }).code !== 11000) throw error;
  }
}
