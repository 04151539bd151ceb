import { spawnSync } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import { mongoUrlWithDatabase, testEnv, uniqueSuffix } from '../support/stack';

// The store migration entry point the Helm chart's hook Job runs: it prepares an empty database
// (collections and their indexes) and exits 0, and running it again changes nothing.

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
