import { openStore, runProcess } from '../process';

// The store migration as a process of its own (`npm run migrate`, the Helm chart's
// pre-install/pre-upgrade Job, the compose file's `migrate` service): creates the collections and
// indexes and upgrades stored documents under a lock (store/prepare.ts), then exits. The
// long-running processes only check that it ran, so a release's index builds and upgrades happen
// once, before any replica of that release starts.
runProcess('dealflow-migrate', async (config, logger) => {
  const store = await openStore(config, logger, { prepare: true });
  await store.close();
  logger.info('store prepared');
});
