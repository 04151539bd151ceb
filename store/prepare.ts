import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../adapters/logger';
import { collectionOf, isDuplicateKey } from './collection';
import { STORE_VERSION, upgradeStoredDocuments } from './migrations';
import type { Models } from './models';

// The store migration: collections, indexes and upgrades of stored documents. It runs once per
// release, as a command of its own (services/migrate, `npm run migrate`, the Helm chart's
// migration Job), not at every process start: two releases side by side during a rollout would
// otherwise undo each other's work, and `syncIndexes` dropped every index it did not define, a
// DBA's included. Here indexes are only created (our own, as models.ts names them), never dropped:
// retiring one of ours takes a migration that drops it by name.
//
// One run at a time holds the lock, a document of `migrations` by `_id` with its owner and an
// expiry it renews while it works; a run that finds it taken waits, then finds the work done. A
// run that dies leaves the lock to expire. The processes only check at start that the store's
// version is at least the one they were built for (checkStoreVersion).

const LOCK_ID = '@lock';
const VERSION_ID = '@version';

export interface MigrationRun {
  /** The upgrades this run applied; empty when another run had applied them. */
  applied: string[];
  version: number;
}

export interface MigrationLockOptions {
  /** Who holds the lock, for the logs and for whoever waits on it. */
  owner?: string;
  /** How long the lock holds without renewal. */
  lockTtlMs?: number;
  /** How long to wait for a lock another run holds before giving up. */
  waitMs?: number;
}

export class MigrationLockTimeout extends Error {
  override name = 'MigrationLockTimeout';
}

/** The store is older than this code needs: the migration has not run. */
export class StoreNotMigrated extends Error {
  override name = 'StoreNotMigrated';
}

/** Migrates the store (see above): under the lock, creates what is missing and applies what is pending. */
export async function prepareStore(models: Models, logger: Logger, options: MigrationLockOptions = {}): Promise<MigrationRun> {
  const lock = await acquireLock(models, logger, options);
  try {
    for (const model of Object.values(models)) {
      await model.createCollection().catch((error: { codeName?: string }) => {
        if (error.codeName !== 'NamespaceExists') throw error;
      });
      // FerretDB builds none in the background and mongoose's autoIndex is off.
      await model.createIndexes();
    }
    const applied = await upgradeStoredDocuments(models, logger);
    await collectionOf(models.migrations).updateOne(
      { _id: VERSION_ID },
      { $max: { version: STORE_VERSION }, $set: { migratedAt: new Date().toISOString(), by: lock.owner } },
      { upsert: true },
    );
    if (applied.length > 0) logger.info({ applied, version: STORE_VERSION }, 'store migrated');
    return { applied, version: await storeVersion(models) };
  } finally {
    await lock.release();
  }
}

export async function storeVersion(models: Models): Promise<number> {
  const doc = await collectionOf(models.migrations).findOne({ _id: VERSION_ID });
  return Number(doc?.version ?? 0);
}

/** For a process at start: the store is at least at the version this code was built for, or a clear error. */
export async function checkStoreVersion(models: Models): Promise<void> {
  const version = await storeVersion(models);
  if (version < STORE_VERSION) {
    throw new StoreNotMigrated(`the store is at version ${version} and this release needs ${STORE_VERSION}: run the migration first (npm run migrate, or the Helm chart's migration Job, services/migrate/main.js)`);
  }
}

async function acquireLock(models: Models, logger: Logger, options: MigrationLockOptions): Promise<{ owner: string; release: () => Promise<void> }> {
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const ttlMs = options.lockTtlMs ?? 60_000;
  const waitUntil = Date.now() + (options.waitMs ?? 10 * 60_000);
  const locks = collectionOf(models.migrations);
  let waiting = false;
  for (;;) {
    try {
      await locks.insertOne({ _id: LOCK_ID, owner, expiresAt: new Date(Date.now() + ttlMs) });
      break;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const held = await locks.findOne({ _id: LOCK_ID });
    if (held && (held.expiresAt as Date).getTime() < Date.now()) {
      // Its holder died. The extra fields make the delete take exactly that expired lock (the collection holds a handful of documents).
      await locks.deleteOne({ _id: LOCK_ID, owner: held.owner, expiresAt: held.expiresAt });
      logger.warn({ owner: held.owner }, 'took over the expired migration lock of a run that stopped');
      continue;
    }
    if (Date.now() > waitUntil) throw new MigrationLockTimeout(`the migration lock is held by ${String(held?.owner)}; gave up waiting`);
    if (!waiting) logger.info({ owner: held?.owner }, 'another migration is running; waiting for it');
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, ttlMs / 4)));
  }
  const renewal = setInterval(() => {
    locks.updateOne({ _id: LOCK_ID, owner }, { $set: { expiresAt: new Date(Date.now() + ttlMs) } }).then(
      (result) => {
        if (result.matchedCount === 0) logger.error({ owner }, 'lost the migration lock while migrating');
      },
      (error: unknown) => logger.warn({ err: error }, 'could not renew the migration lock'),
    );
  }, ttlMs / 3);
  renewal.unref();
  return {
    owner,
    release: async () => {
      clearInterval(renewal);
      await locks.deleteOne({ _id: LOCK_ID, owner });
    },
  };
}
