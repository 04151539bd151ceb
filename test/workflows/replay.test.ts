import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Runtime, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { bundleWorkflows, installTemporalRuntime, workerTracing } from '../../adapters/temporal';
import { testLogger } from '../support/stack';
import { historyFromJson } from './historyJson';
import { bundleApplicationWorkflow } from './support';

// Every saved history must replay against today's workflow code: a change that would break a
// running application (a reordered activity, a new timer, a moved upsert) fails here, not in
// production. Histories come from recordHistories.ts and from real runs on the dev server; any
// .json dropped into histories/ is replayed.

const HISTORIES_DIR = path.resolve(__dirname, 'histories');
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

let workflowBundle: WorkflowBundleWithSourceMap;
const results = new Map<string, ReplayResult>();
// The same histories with tracing turned on (its interceptors in the bundle), as for workflows
// that started before an operator turned it on: replayed, they report no span a second time.
const tracedResults = new Map<string, ReplayResult>();
const replayedSpans = new InMemorySpanExporter();

beforeAll(async () => {
  // The replay worker logs every state change at INFO; this file shows warnings and up.
  // Into the test file's log (test/support/stack.ts), not the terminal.
  if (Runtime._instance === undefined) installTemporalRuntime(testLogger());
  workflowBundle = await bundleApplicationWorkflow();
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: historyFromJson(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
  }));
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'replay-test' }, histories)) {
    results.set(result.workflowId, result);
  }
  const tracing = { spanProcessor: new SimpleSpanProcessor(replayedSpans), resource: resourceFromAttributes({ 'service.name': 'replay-test' }) };
  const tracedBundle = await bundleWorkflows(require.resolve('../../workflows'), testLogger(), { traced: true });
  for await (const result of Worker.runReplayHistories({ workflowBundle: tracedBundle, replayName: 'replay-test-traced', ...(await workerTracing(tracing)) }, histories)) {
    tracedResults.set(result.workflowId, result);
  }
}, 180_000);

test('the histories folder holds saved histories to replay', () => {
  expect(files.length).toBeGreaterThan(0);
});

if (files.length > 0) {
  test.each(files)('%s replays against the current workflow code without non-determinism', (file) => {
    const result = results.get(path.basename(file, '.json'));
    expect(result).toBeDefined();
    expect(result?.error).toBeUndefined();
  });

  test.each(files)('%s replays with the tracing interceptors in the bundle', (file) => {
    const result = tracedResults.get(path.basename(file, '.json'));
    expect(result).toBeDefined();
    expect(result?.error).toBeUndefined();
  });

  test('a replay reports no workflow span again', () => {
    expect(replayedSpans.getFinishedSpans()).toEqual([]);
  });
}
