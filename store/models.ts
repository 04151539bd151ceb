import { Schema, type Connection, type Model } from 'mongoose';

// The MongoDB collections. Documents are keyed by their natural id in `_id`, so a retried write
// hits the same document. Hot reads and every write go by `_id`: FerretDB 1.x pushes down to
// SQLite only a filter that is exactly `{ _id: value }` and reads the whole collection for any
// other: lists are documents too (see lists.ts).
//
// The shapes are validated by the zod schemas at the boundary (API, activities); mongoose here
// only names the collections and their indexes (`strict: false` keeps one source of truth). The
// worker's hot paths (read models, capacity, screening's look-ups) call `model.collection`, the
// driver's collection: mongoose's document and query layers cost about a millisecond of the main
// thread per call, which bounded the pipeline once the database no longer did (BENCHMARKS.md).

const loose = { strict: false, versionKey: false, _id: false } as const;

function define(connection: Connection, name: string, collection: string, indexes: [Record<string, 1 | -1>, { unique?: boolean }?][]): Model<Record<string, unknown>> {
  const existing = connection.models[name];
  if (existing) return existing as Model<Record<string, unknown>>;
  const schema = new Schema<Record<string, unknown>>({ _id: { type: String, required: true } }, { ...loose, collection });
  for (const [fields, options] of indexes) schema.index(fields, options ?? {});
  return connection.model<Record<string, unknown>>(name, schema);
}

export function defineModels(connection: Connection) {
  return {
    /** _id = uscc */
    enterprises: define(connection, 'Enterprise', 'enterprises', [[{ region: 1 }]]),
    /** _id = institutionId */
    institutions: define(connection, 'Institution', 'institutions', []),
    /** _id = productId */
    products: define(connection, 'Product', 'products', [[{ institutionId: 1 }], [{ active: 1 }]]),
    /** _id = uscc; `recognitions` is the list on record for that enterprise */
    recognitions: define(connection, 'Recognition', 'registry_recognitions', []),
    /** _id = `cn-<year>`: a China business calendar year loaded by ops (see calendars.ts) */
    calendars: define(connection, 'CalendarYear', 'calendars', []),
    /** _id = uscc; present means listed */
    dishonestDebtors: define(connection, 'DishonestDebtor', 'registry_dishonest_debtors', []),
    /** _id = `${productId}#${slot}`: one document per reserved unit of capacity (see capacity.ts) */
    capacitySlots: define(connection, 'CapacitySlot', 'capacity_slots', [[{ productId: 1 }]]),
    /** _id = dealId: the slot a deal holds */
    capacityHolds: define(connection, 'CapacityHold', 'capacity_holds', []),
    /** _id = uscc: `applicationIds`, the enterprise's applications not known to have ended (see openApplications.ts) */
    openApplications: define(connection, 'OpenApplications', 'open_applications', []),
    /** _id = applicationId: the application read model with its timeline and deals (see readModels.ts) */
    applications: define(connection, 'Application', 'applications', []),
    /** _id = dealId: the deal read model, listed in its institution's inbox (see readModels.ts) */
    deals: define(connection, 'Deal', 'deals', []),
    /** _id = `${list}#${n}` (an entry), `${list}@${itemId}` (its marker) or `${list}` (the head): the lists the API pages (see lists.ts) */
    listEntries: define(connection, 'ListEntry', 'list_entries', []),
    /** _id = applicationId: what the ranking pinned to explain the application's matches (see explanations.ts) */
    explanations: define(connection, 'Explanation', 'explanations', []),
    /** _id = `${uscc}:${Idempotency-Key}` */
    idempotencyKeys: define(connection, 'IdempotencyKey', 'idempotency_keys', []),
    /** _id = `${topic}#${partition}`: the ops projection's checkpoint and aggregates of one partition (see opsProjection.ts) */
    opsPartitions: define(connection, 'OpsPartition', 'ops_partitions', []),
    /** _id = applicationId: the ops projection's state of one application (lastSeq, status, dimensions, stage times, deals) */
    opsApplicationStates: define(connection, 'OpsApplicationState', 'ops_application_states', []),
    /** _id = 'seed': the principals `npm run seed` wrote for demos (the development token route offers them first) */
    demoPrincipals: define(connection, 'DemoPrincipals', 'demo_principals', []),
    /** _id = forumId: the forum read model, its registrations and whole agenda (see forums.ts) */
    forums: define(connection, 'Forum', 'forums', []),
    /** _id = `${forumId}#${page}`: a forum's computed schedule, paged for its workflow to read (see forums.ts) */
    forumSchedules: define(connection, 'ForumSchedule', 'forum_schedules', []),
    /** _id = `${forumId}:${uscc or institutionId}`: one participant's meetings at a forum (see forums.ts) */
    forumAgendas: define(connection, 'ForumAgenda', 'forum_agendas', []),
    /** _id = fileId: a document file's record, its object key and encryption (see files.ts) */
    files: define(connection, 'File', 'files', []),
    /** _id = `hour:<n>` (the files to look at in hour n since the epoch) or `cursor` (the next hour to sweep): the retention's buckets (see files.ts) */
    fileSweeps: define(connection, 'FileSweep', 'file_sweeps', []),
    /** _id = the API's rate-limit key (a principal or an address): its request counts per window (see rateLimits.ts) */
    rateLimits: define(connection, 'RateLimit', 'rate_limits', []),
    /** _id = migration name: the upgrades of stored documents that have run (see migrations.ts) */
    migrations: define(connection, 'Migration', 'migrations', []),
  };
}

export type Models = ReturnType<typeof defineModels>;
