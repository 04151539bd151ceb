import { spawnSync } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import { connectMongo } from '../../adapters/mongo';
import { STORE_VERSION } from '../../store/migrations';
import { defineModels, type Models } from '../../store/models';
import { checkStoreVersion, prepareStore, StoreNotMigrated } from '../../store/prepare';
import { mongoUrlWithDatabase, testConfig, testEnv, testLogger, uniqueSuffix } from '../support/stack';

// The store migration entry point the Helm chart's hook Job runs: it prepares an empty database
// (collections and their indexes) and exits 0, and running it again changes nothing. It runs once
// under a lock however many start at once, never drops an index it does not own, and the
// processes refuse a store it has not migrated.

const root = path.resolve(__dirname, '../..');
const url = mongoUrlWithDatabase(`dealflow_test_migrate_${uniqueSuffix()}`);

function migrate(): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'services/migrate/main.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...testEnv(), MONGO_URL: url, LOG_LEVEL: 'warn' },
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

async function collectionsAndIndexes(connection: mongoose.Connection): Promise<Record<string, string[]>> {
  const db = connection.db as NonNullable<mongoose.Connection['db']>;
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const entries = await Promise.all(names.map(async (name) => [name, (await db.collection(name).indexes()).map((i) => String(i.name)).sort()] as const));
  return Object.fromEntries(entries);
}

describe('services/migrate', () => {
  const connection = mongoose.createConnection(url);
  beforeAll(() => connection.asPromise());
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  test('prepares an empty database and exits, idempotently', async () => {
    expect(migrate()).toMatchObject({ status: 0 });
    const first = await collectionsAndIndexes(connection);
    expect(Object.keys(first).length).toBeGreaterThan(5);
    expect(Object.values(first).some((indexes) => indexes.length > 1)).toBe(true);

    expect(migrate()).toMatchObject({ status: 0 });
    expect(await collectionsAndIndexes(connection)).toEqual(first);
  }, 120_000);
});

describe('the migration lock and versions', () => {
  const database = `dealflow_test_migrate_lock_${uniqueSuffix()}`;
  const config = testConfig({ MONGO_URL: mongoUrlWithDatabase(database) });
  const logger = testLogger();
  const opened: { close: () => Promise<void> }[] = [];
  /** A process's own connection to the test's database. */
  async function storeOfAProcess(): Promise<Models> {
    const mongo = await connectMongo(config, logger);
    opened.push(mongo);
    return defineModels(mongo.connection);
  }
  afterAll(async () => {
    const [first] = opened;
    if (first) await (await storeOfAProcess()).applications.db.dropDatabase();
    for (const mongo of opened) await mongo.close();
  });

  test('a process refuses a store the migration has not reached; two runs at once apply it once; a DBA\'s index survives', async () => {
    const [a, b] = [await storeOfAProcess(), await storeOfAProcess()];
    await expect(checkStoreVersion(a)).rejects.toThrow(StoreNotMigrated);
    await expect(checkStoreVersion(a)).rejects.toThrow(/version 0 .* needs \d+: run the migration first/);

    const runs = await Promise.all([prepareStore(a, logger, { owner: 'run-a' }), prepareStore(b, logger, { owner: 'run-b' })]);
    const applied = runs.map((run) => run.applied.length).sort();
    expect(applied).toEqual([0, STORE_VERSION]);
    expect(runs.map((run) => run.version)).toEqual([STORE_VERSION, STORE_VERSION]);
    await expect(checkStoreVersion(b)).resolves.toBeUndefined();
    expect(await a.migrations.exists({ _id: '@lock' })).toBeNull();

    // A DBA's index, and an index a later release no longer defines: neither is ours to drop.
    await a.applications.collection.createIndex({ enterpriseUscc: 1 }, { name: 'dba_by_enterprise' });
    const again = await prepareStore(b, logger);
    expect(again.applied).toEqual([]);
    expect((await a.applications.collection.indexes()).map((index) => index.name)).toContain('dba_by_enterprise');
  }, 120_000);
});
