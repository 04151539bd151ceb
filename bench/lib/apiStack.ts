import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../services/api/app';
import { signToken } from '../../services/api/auth';
import { apiDependencies } from '../../services/api/dependencies';
import { createReadCache, READ_CACHE_DEFAULTS } from '../../services/api/readCache';
import type { Config } from '../../adapters/config';
import { createObjectStore } from '../../adapters/objectStore';
import type { Logger } from '../../adapters/logger';
import { createLiveFeed } from '../../services/api/liveFeed';
import type { Models } from '../../store/models';
import { findApplicationDoc } from '../../store/readModels';
import { sleep } from './report';
import { createTemporalClient } from '../../adapters/temporalClient';
import { seedTestCatalogue, type TestCatalogue } from '../../test/support/catalogue';
import { deleteTopic, openBenchStoreAndTopic } from './stack';

// The API with its real dependencies on the bench's private database, topic and task queue, built
// as services/api/server.ts builds it (apiDependencies: live feed, read cache, ops routes, pipeline
// settings from the environment such as DEALFLOW_SLA_SCALE). The rate limit stays registered (its cost is part of every request) but high enough not to answer 429.

export const BENCH_LIMITS = { rateMax: 1_000_000_000, rateWindowMs: 60_000 };

export async function startApiOnly(config: Config, logger: Logger) {
  const temporal = await createTemporalClient(config);
  const { mongo, models, kafka, admin } = await openBenchStoreAndTopic(config, logger, 'dealflow-bench-api');
  // As in the API process (services/api/server.ts): the feed of the topic keeps the read cache honest.
  // Named after the private topic (server.ts names it after host and pid) so that close() can remove it.
  const feedGroup = `bench-api-feed.${config.kafka.topic}`;
  const feed = createLiveFeed({ kafka, topic: config.kafka.topic, logger, groupId: feedGroup });
  const readCache = createReadCache({ feed, ...READ_CACHE_DEFAULTS });
  await feed.whenConnected(60_000);
  // The documents' store, as server.ts opens it (benchmarks that upload point DEALFLOW_S3_ENDPOINT at one).
  const objectStore = createObjectStore(config.files);
  await objectStore.ensureBucket().catch(() => undefined);
  const app: FastifyInstance = await buildApp({
    ...apiDependencies({ config, logger, temporal: temporal.client, models, objectStore, connectedAdmin: async () => admin, feed, readCache }),
    limits: BENCH_LIMITS,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    models,
    async close(dropData = true) {
      await app.close();
      objectStore.close();
      readCache.close();
      await feed.close();
      await admin.deleteGroups([feedGroup]).catch(() => undefined);
      if (dropData) {
        await mongo.connection.dropDatabase().catch(() => undefined);
        await deleteTopic(admin, config.kafka.topic);
      }
      await admin.disconnect();
      await mongo.close();
      await temporal.close();
    },
  };
}

/** A private catalogue in a region nobody else's data uses, so matching finds exactly these products. */
export async function seedBenchCatalogue(models: Models, products = 5, capacity = 1_000): Promise<TestCatalogue> {
  return seedTestCatalogue(models, 'CN-QH', products, capacity);
}

export const tokens = (config: Config, catalogue: TestCatalogue) => ({
  enterprise: signToken({ sub: `bench-${catalogue.uscc}`, role: 'enterprise', org: catalogue.uscc }, config.jwt, 3_600),
  institution: signToken({ sub: `bench-${catalogue.institution.institutionId}`, role: 'institution', org: catalogue.institution.institutionId }, config.jwt, 3_600),
});

export const benchRequest = { instrument: 'credit_loan', amountCny: 8_000_000, termMonths: 12, purpose: 'New SMT line for automotive sensors' } as const;

/**
 * Submits benchRequest as the enterprise of `enterpriseToken` through the API at `apiUrl`, and
 * resolves with its id once the worker has matched it (in due diligence, with its deals).
 */
export async function submitMatchedBenchApplication(apiUrl: string, models: Models, enterpriseToken: string): Promise<string> {
  const submitted = await fetch(`${apiUrl}/v1/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${enterpriseToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(benchRequest),
  });
  const { applicationId } = (await submitted.json()) as { applicationId: string };
  for (let i = 0; ; i += 1) {
    const doc = await findApplicationDoc(models, applicationId);
    if (doc?.status === 'in_due_diligence') return applicationId;
    if (i > 300) throw new Error(`application ${applicationId} never reached in_due_diligence (${String(doc?.status)})`);
    await sleep(100);
  }
}
