import { openStore } from '../../services/process';
import type { Models } from '../../store/models';
import { startedLater } from './startedLater';
import { testConfig, testLogger } from './stack';

/** For a test file: the models on the tests' database, opened (and prepared) before its tests and closed after them. */
export function useTestStore(options: { prepare: boolean }): Models {
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  beforeAll(async () => {
    store = await openStore(testConfig(), testLogger(), options);
  });
  afterAll(async () => store?.close());
  return startedLater(() => store?.models, 'test store');
}
