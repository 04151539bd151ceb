import { ApplicationRecord, DealflowEvent, DealRecord } from '../../schemas';
import type { Logger } from '../logger';
import type { Models } from './models';
import { applicationDoc, dealDoc } from './readModels';

// Upgrades of documents stored by earlier versions, each run once per database: its name is
// recorded in `migrations` when it has finished, and a run cut short starts over harmlessly (every
// step rewrites a document by `_id` from data the step does not change).

interface Migration {
  name: string;
  run(models: Models, logger: Logger): Promise<void>;
}

const migrations: Migration[] = [
  {
    // Read models carry their HTTP views (readModels.ts). Before, an application document held
    // only its record, and its timeline was one document per event in `events`, which is now
    // unused and left in place for whoever wants to drop it.
    name: '2026-11-read-model-views',
    async run(models, logger) {
      const events = models.applications.db.collection('events');
      const legacy = await models.applications.find({ view: { $exists: false } }).lean();
      for (const doc of legacy) {
        const record = ApplicationRecord.safeParse(doc);
        if (!record.success) {
          logger.warn({ applicationId: doc._id }, 'stored application does not fit the record schema; left as it was');
          continue;
        }
        const applicationId = record.data.applicationId;
        const timeline = (await events.find({ applicationId }).toArray())
          .flatMap((event) => {
            const parsed = DealflowEvent.safeParse(event);
            return parsed.success ? [parsed.data] : [];
          })
          .sort((a, b) => a.seq - b.seq);
        const deals = (await models.deals.find({ applicationId }).lean()).flatMap((deal) => {
          const parsed = DealRecord.safeParse(deal);
          return parsed.success ? [parsed.data] : [];
        });
        const lastSeq = Number(doc.lastSeq ?? 0);
        for (const deal of deals) await models.deals.replaceOne({ _id: deal.dealId }, dealDoc(deal, record.data, lastSeq));
        await models.applications.replaceOne({ _id: applicationId }, applicationDoc(record.data, timeline, deals, lastSeq));
      }
      if (legacy.length > 0) logger.info({ applications: legacy.length }, 'read models upgraded to stored views');
    },
  },
  {
    // A deal's slot is found through its hold (capacity.ts); slots taken before had none.
    name: '2026-11-capacity-holds',
    async run(models) {
      const slots = await models.capacitySlots.find({}).lean();
      for (const { dealId, productId, slot, reservedAt } of slots) {
        await models.capacityHolds.updateOne({ _id: dealId }, { $setOnInsert: { productId, slot, reservedAt } }, { upsert: true });
      }
    },
  },
  {
    // The ops projection keeps its aggregates per Kafka partition now (opsProjection.ts) and is
    // rebuilt from the topic's beginning under a new consumer group. The collections of the old
    // projector are derived data that nothing reads any more.
    name: '2026-11-ops-projection-by-partition',
    async run(models, logger) {
      const db = models.opsPartitions.db;
      const present = new Set((await db.listCollections()).map((c) => c.name));
      for (const name of ['ops_applications', 'ops_deals', 'ops_counters', 'institution_stats'].filter((n) => present.has(n))) {
        await db.dropCollection(name);
        logger.info({ collection: name }, 'dropped a collection of the old ops projector');
      }
    },
  },
];

export async function upgradeStoredDocuments(models: Models, logger: Logger): Promise<void> {
  for (const migration of migrations) {
    if (await models.migrations.exists({ _id: migration.name })) continue;
    await migration.run(models, logger);
    await models.migrations.updateOne({ _id: migration.name }, { $set: { finishedAt: new Date().toISOString() } }, { upsert: true });
  }
}
