import { ApplicationRecord, DealflowEvent, DealRecord } from '../schemas';
import type { Logger } from '../adapters/logger';
import { collectionOf, type StoredDoc } from './collection';
import { listApplications, listDeals } from './lists';
import type { Models } from './models';
import { applicationDoc, dealDoc } from './readModels';

// Upgrades of documents stored by earlier versions, each run once per database: its name is
// recorded in `migrations` when it has finished, and a run cut short starts over harmlessly (every
// step rewrites a document by `_id` from data the step does not change). Only the migration
// command runs them, under a lock (prepare.ts); append new ones at the end: their count is the
// store's version.

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
      const legacy = await models.applications.find({ view: { $exists: false }, current: { $exists: false } }).lean();
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
  {
    // Lists are documents keyed by `_id` (lists.ts); before, they were queries that FerretDB
    // answered by reading the whole collection. Listed oldest first, so pages read newest first.
    name: '2026-11-lists',
    async run(models, logger) {
      const applications = await createdOrder(models.applications, (doc) => ({ applicationId: doc._id, enterpriseUscc: String(doc.enterpriseUscc) }));
      for (const chunk of chunksOf(applications, MIGRATION_CHUNK)) await listApplications(models, chunk);
      const deals = await createdOrder(models.deals, (doc) => ({ dealId: doc._id, institutionId: String(doc.institutionId) }));
      for (const chunk of chunksOf(deals, MIGRATION_CHUNK)) await listDeals(models, chunk);
      if (applications.length + deals.length > 0) logger.info({ applications: applications.length, deals: deals.length }, 'lists built from the stored read models');
    },
  },
];

// Each chunk reads its markers in parallel: small enough to stay far from the pool's wait-queue timeout on a busy store.
const MIGRATION_CHUNK = 50;

/** Every document of a read model, reduced by `pick`, oldest first by its view's `createdAt`. */
async function createdOrder<T>(model: Models['applications'], pick: (doc: StoredDoc) => T): Promise<T[]> {
  const picked: { createdAt: string; id: string; value: T }[] = [];
  for await (const doc of collectionOf(model).find({}, { projection: { enterpriseUscc: 1, institutionId: 1, view: 1 } })) {
    if (typeof doc.view !== 'string') continue; // left as it was by the upgrade above: not served, not listed
    const { createdAt } = JSON.parse(doc.view) as { createdAt: string };
    picked.push({ createdAt, id: doc._id, value: pick(doc) });
  }
  picked.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return picked.map(({ value }) => value);
}

function chunksOf<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

/** The store's version: how many of the upgrades above it has had (recorded by prepare.ts). */
export const STORE_VERSION = migrations.length;

/** Runs the upgrades not recorded yet, in order, and answers their names. The caller holds the migration lock (prepare.ts). */
export async function upgradeStoredDocuments(models: Models, logger: Logger): Promise<string[]> {
  const applied: string[] = [];
  for (const migration of migrations) {
    if (await models.migrations.exists({ _id: migration.name })) continue;
    await migration.run(models, logger);
    await models.migrations.updateOne({ _id: migration.name }, { $set: { finishedAt: new Date().toISOString() } }, { upsert: true });
    applied.push(migration.name);
  }
  return applied;
}
