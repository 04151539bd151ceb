import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Runtime, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../adapters/config';
import { payloadDataConverter } from '../../adapters/payloadCodec';
import { installTemporalRuntime } from '../../adapters/temporal';
import { testLogger } from '../support/stack';
import { historyFromJson } from './historyJson';
import { bundleApplicationWorkflow } from './support';

// Every saved history must replay against today's workflow code: a change that would break a
// running application (a reordered activity, a new timer, a moved upsert) fails here, not in
// production. Histories come from recordHistories.ts and from real runs on the dev server; any
// .json dropped into histories/ is replayed. The replay worker has the payload codec the workers
// have: histories recorded before encryption (all of them so far) pass through it unchanged.

const HISTORIES_DIR = path.resolve(__dirname, 'histories');
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

let workflowBundle: WorkflowBundleWithSourceMap;
const results = new Map<string, ReplayResult>();

beforeAll(async () => {
  // The replay worker logs every state change at INFO; this file shows warnings and up.
  // Into the test file's log (test/support/stack.ts), not the terminal.
  if (Runtime._instance === undefined) installTemporalRuntime(testLogger());
  workflowBundle = await bundleApplicationWorkflow();
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: historyFromJson(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
  }));
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'replay-test', dataConverter: payloadDataConverter(loadConfig({ NODE_ENV: 'test' })) }, histories)) {
    results.set(result.workflowId, result);
  }
}, 120_000);

test('the histories folder holds saved histories to replay', () => {
  expect(files.length).toBeGreaterThan(0);
});

if (files.length > 0) {
  test.each(files)('%s replays against the current workflow code without non-determinism', (file) => {
    const result = results.get(path.basename(file, '.json'));
    expect(result).toBeDefined();
    expect(result?.error).toBeUndefined();
  });
}
