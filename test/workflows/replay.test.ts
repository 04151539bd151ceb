import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Runtime, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { loadConfig } from '../../adapters/config';
import { payloadDataConverter } from '../../adapters/payloadCodec';
import { bundleWorkflows, installTemporalRuntime, workerTracing } from '../../adapters/temporal';
import { testLogger } from '../support/stack';
import { historyFromJson } from './historyJson';
import { bundleApplicationWorkflow } from './support';
import { LOCAL_STEPS_FIRST_TASK_ONLY_PATCH } from '../../workflows/activityOptions';

// Every saved history must replay against today's workflow code: a change that would break a
// running application (a reordered activity, a new timer, a moved upsert) fails here, not in
// production. Histories come from recordHistories.ts and from real runs on the dev server; any
// .json dropped into histories/ is replayed. The replay worker has the payload codec the workers
// have: histories recorded before encryption (all of them so far) pass through it unchanged.

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
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'replay-test', dataConverter: payloadDataConverter(loadConfig({ NODE_ENV: 'test' })) }, histories)) {
    results.set(result.workflowId, result);
  }
  const tracing = { spanProcessor: new SimpleSpanProcessor(replayedSpans), resource: resourceFromAttributes({ 'service.name': 'replay-test' }) };
  const tracedBundle = await bundleWorkflows(require.resolve('../../workflows'), testLogger(), { traced: true });
  for await (const result of Worker.runReplayHistories({ workflowBundle: tracedBundle, replayName: 'replay-test-traced', dataConverter: payloadDataConverter(loadConfig({ NODE_ENV: 'test' })), ...(await workerTracing(tracing)) }, histories)) {
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

// The saved JSON, read as written: enough to find markers and activity tasks.
interface SavedEvent {
  eventType: string;
  markerRecordedEventAttributes?: { markerName: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
}

const savedEvents = (file: string): SavedEvent[] =>
  (JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as { events: SavedEvent[] }).events;

function patchesOf(events: SavedEvent[]): string[] {
  return events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data ?? '';
      return (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id;
    });
}

/** Local activities recorded after the first `recordEvents` was scheduled: the ones that could race it on replay. */
function localStepsAfterFirstBatch(events: SavedEvent[]): number {
  const firstBatch = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordEvents');
  if (firstBatch < 0) return 0;
  return events.slice(firstBatch).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
}

describe('local steps after the first batch (workflows/steps.ts)', () => {
  const underPatch = files.filter((file) => patchesOf(savedEvents(file)).includes(LOCAL_STEPS_FIRST_TASK_ONLY_PATCH));

  test('histories recorded under the local-steps-first-task-only patch are among the saved ones', () => {
    expect(underPatch.length).toBeGreaterThanOrEqual(5);
  });

  test.each(underPatch)('%s runs no local step once its first batch is being recorded', (file) => {
    expect(localStepsAfterFirstBatch(savedEvents(file))).toBe(0);
  });

  test('histories recorded before the patch did run local steps after it (the check can fail)', () => {
    expect(localStepsAfterFirstBatch(savedEvents('decline-backfill-no-match.before-first-task-local-steps.json'))).toBeGreaterThan(0);
  });
});
