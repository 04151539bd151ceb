import type { Logger } from '../adapters/logger';
import { upgradeStoredDocuments } from './migrations';
import type { Models } from './models';

/**
 * Run once at start by every process that writes: creates the collections and their indexes
 * (FerretDB builds none in the background and mongoose's autoIndex is off), then upgrades the
 * documents an earlier version stored.
 */
export async function prepareStore(models: Models, logger: Logger): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch((error: { codeName?: string }) => {
      if (error.codeName !== 'NamespaceExists') throw error;
    });
    await model.syncIndexes();
  }
  await upgradeStoredDocuments(models, logger);
}
