import v8 from 'node:v8';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';

// What one cached workflow costs before it does anything: in the SDK's reusable V8 context (the
// default) each workflow evaluates its own copy of every module the workflow code imports. Creates
// N workflows of the worker's bundle in that context, as the worker does, and reports the heap per
// workflow after a full GC. `--traced` bundles the tracing interceptors in, as a worker with
// tracing on does (adapters/temporal.ts). Not part of `npm run bench`:
//   node --expose-gc --import tsx bench/memory/workflowModules.ts [--traced] [workflowsPath] [workflowType]

const COUNT = 200;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const traced = process.argv.includes('--traced');
  const [workflowsPath = require.resolve('../../workflows'), workflowType = 'applicationWorkflow'] = process.argv.slice(2).filter((arg) => arg !== '--traced');
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: new DefaultLogger('WARN'),
    ...(traced ? { workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] } : {}),
  });
  const creator = await ReusableVMWorkflowCreator.create(parseWorkflowCode(bundle.code), 5_000, new Set(), undefined);
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const workflows: unknown[] = [];
  for (let i = 0; i < COUNT; i += 1) {
    const now = new Date();
    workflows.push(await creator.createWorkflow({
      // Only what initRuntime reads; no activation runs.
      info: { workflowType, workflowId: `wf-${i}`, runId: `run-${i}`, firstExecutionRunId: `run-${i}`, taskQueue: 'memory', namespace: 'default', attempt: 1, historyLength: 1, historySize: 0, continueAsNewSuggested: false, startTime: now, runStartTime: now, searchAttributes: {}, memo: {}, unsafe: { isReplaying: false, now: Date.now } } as unknown as Parameters<typeof creator.createWorkflow>[0]['info'],
      randomnessSeed: [1, 2],
      now: now.getTime(),
      showStackTraceSources: false,
    }));
  }
  gc();
  const perWorkflow = (v8.getHeapStatistics().used_heap_size - before) / workflows.length;
  console.log(`${workflowsPath}${traced ? ' (traced)' : ''}: bundle ${(bundle.code.length / 1e6).toFixed(2)} MB, ${(perWorkflow / 1024).toFixed(0)} KB of heap per workflow (${workflows.length} workflows)`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
