import { ConfigError, loadConfig, type Config } from '../adapters/config';
import { createLogger, type Logger } from '../adapters/logger';
import { startTracing, stopTracing } from '../adapters/tracing';
import type { Registry } from 'prom-client';
import { connectMongo } from '../adapters/mongo';
import { defineModels, type Models } from '../store/models';
import { checkStoreVersion, prepareStore, StoreNotMigrated } from '../store/prepare';
import { observeMongo } from './mongoMetrics';

// What every long-lived process does the same way: read the config, open the store, close what
// it opened in reverse on SIGINT or SIGTERM, and report a failed start in one line.

export interface Closer {
  name: string;
  close: () => Promise<unknown>;
}

/** The things a process opened, closed in reverse order; a failing close is logged, never thrown. */
export class Closers {
  private readonly items: Closer[] = [];

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<unknown>): void {
    this.items.push({ name, close });
  }

  async closeAll(): Promise<void> {
    for (const { name, close } of this.items.splice(0).reverse()) {
      await close().catch((error: unknown) => this.logger.warn({ err: error, dependency: name }, 'close failed'));
    }
  }
}

/**
 * Runs `stop` once on the first SIGINT or SIGTERM, then exits: 0 when it finished, 1 when it threw.
 * A second signal while stopping is ignored, so a slow drain is not cut short by an impatient one.
 */
export function stopOnSignals(logger: Logger, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Spans still buffered are exported, whether the stop went well or not.
    stop(signal).finally(stopTracing).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** A process's entry point: config and logger, then `main`; a failed start exits 1 (a bad setting or an unmigrated store with one line). */
export function runProcess(name: string, main: (config: Config, logger: Logger) => Promise<void>): void {
  const start = async (): Promise<void> => {
    const config = loadConfig();
    // Before any client is built: the Temporal client and worker and the API install their tracing then.
    await startTracing(config, { serviceName: name });
    await main(config, createLogger(config, name));
  };
  start().catch((error: unknown) => {
    // A bad setting or a store the migration has not reached: the one line says what to do.
    if (error instanceof ConfigError || error instanceof StoreNotMigrated) console.error(`${name}: ${error.message}`);
    else console.error(`${name}: failed to start`, error);
    process.exit(1);
  });
}

/**
 * The MongoDB connection and its models. `prepare` migrates the store (store/prepare.ts: the
 * migration command, tests and benchmarks on their own databases); `checkVersion`, what the
 * long-running processes do instead, fails the start when the migration has not run.
 */
/** `metrics`: the process's registry, which then gets the MongoDB command and pool-wait histograms. */
export async function openStore(config: Config, logger: Logger, options: { prepare: boolean; checkVersion?: boolean; metrics?: Registry }): Promise<{ models: Models; close: () => Promise<void> }> {
  const mongo = await connectMongo(config, logger, { monitorCommands: options.metrics !== undefined });
  if (options.metrics) observeMongo(mongo.connection.getClient(), options.metrics);
  try {
    const models = defineModels(mongo.connection);
    if (options.prepare) await prepareStore(models, logger);
    if (options.checkVersion) await checkStoreVersion(models);
    return { models, close: mongo.close };
  } catch (error) {
    await mongo.close();
    throw error;
  }
}
