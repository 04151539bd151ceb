import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
// Exported from lib only, "for use in tests to register search attributes" (its own comment).
import { encodeSearchAttributeIndexedValueType, type SearchAttributeKey, type SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../../adapters/config';
import { payloadDataConverter } from '../../adapters/payloadCodec';
import { installTemporalRuntime } from '../../adapters/temporal';
import { testLogger } from '../support/stack';
import { searchAttributes as applicationSearchAttributes } from '../../workflows/outbox';

/**
 * The Java time-skipping test server from Maven Central, run through our wrapper: the SDK's own
 * download of the server needs a host this project cannot reach.
 */
export const TEST_SERVER_PATH = path.resolve(__dirname, '../../scripts/test-server/temporal-test-server');

/**
 * For a test file's `beforeAll`: a fresh machine fetches the server's jars from Maven Central first
 * (about 30 s with an empty Maven cache), then the JVM starts in 1-2 s.
 */
export const ENV_SETUP_TIMEOUT_MS = 180_000;

/** Fetches the server's jars if they are not cached; a no-op of a few milliseconds when they are. */
export async function fetchTestServer(): Promise<void> {
  // Done apart from the start because the SDK gives a started server only 5 s to answer.
  // stderr is inherited so the "fetching" line shows while the fetch runs, not after.
  const fetch = spawn(TEST_SERVER_PATH, ['--fetch'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: ENV_SETUP_TIMEOUT_MS });
  const [code, signal] = (await once(fetch, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`${TEST_SERVER_PATH} --fetch failed (exit ${code ?? signal})`);
}

/** The payload codec every client and worker has (adapters/payloadCodec.ts), with the test key: the test server's histories are sealed too. */
export const testDataConverter = payloadDataConverter(loadConfig({ NODE_ENV: 'test' }));

/** The custom search attributes dealflow's workflows upsert. */
export const DEALFLOW_SEARCH_ATTRIBUTES: readonly SearchAttributeKey<SearchAttributeType>[] = Object.values(applicationSearchAttributes);

/**
 * A time-skipping environment: awaiting a workflow's result skips its timers, so a 30-day SLA runs
 * in seconds. One environment per test file, torn down in `afterAll`; tests in it run serially
 * because skipped time is global to the server.
 */
export async function createTimeSkippingEnv(
  searchAttributes: readonly SearchAttributeKey<SearchAttributeType>[] = DEALFLOW_SEARCH_ATTRIBUTES,
  /** Where the server's clock starts (ISO-8601); now when unset. Read by our launcher, LoopbackTestServer.java. */
  startAt?: string,
): Promise<TestWorkflowEnvironment> {
  // Workers log every state change at INFO; a test run shows warnings and up. A file that
  // installed its own runtime first keeps it.
  // Into the test file's log (test/support/stack.ts), not the terminal.
  if (Runtime._instance === undefined) installTemporalRuntime(testLogger());
  await fetchTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    client: { dataConverter: testDataConverter },
    server: {
      executable: { type: 'existing-path', path: TEST_SERVER_PATH },
      ...(startAt !== undefined ? { extraArgs: ['--initial-time', new Date(startAt).toISOString()] } : {}),
    },
  });
  // The test server fails the workflow task that upserts an unregistered attribute ("search attribute
  // DealflowStatus is not defined"), and createTimeSkipping has no option to register them.
  if (searchAttributes.length === 0) return env;
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(searchAttributes.map(({ name, type }) => {
        const indexedType = encodeSearchAttributeIndexedValueType(type);
        if (indexedType === undefined) throw new TypeError(`search attribute ${name} has no indexed type for ${type}`);
        return [name, indexedType];
      })),
    });
    return env;
  } catch (err) {
    await env.teardown();
    throw err;
  }
}
