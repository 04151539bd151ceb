import { openStore, runProcess } from '../process';

// The store migration as a process of its own (the Helm chart's pre-install/pre-upgrade Job):
// creates the collections and indexes and upgrades stored documents, then exits. The long-running
// processes prepare the store at start as well; running it first means a new version's index
// builds and upgrades happen once, before any replica of that version starts.
runProcess('dealflow-migrate', async (config, logger) => {
  const store = await openStore(config, logger, { prepare: true });
  await store.close();
  logger.info('store prepared');
});
