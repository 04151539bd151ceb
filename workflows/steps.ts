import { condition, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultActivity, localActivity } from './activityOptions';
import type { ApplicationState } from './applicationState';

// How each step of the application runs: as a local activity inside the workflow task, or as an
// activity task of its own.
//
// A local activity's result reaches the workflow in wall-clock order when it runs, but in the
// order of its marker on replay, so it can overtake another coroutine's activity completion and
// the two interleave differently: in a soak, after a cache eviction, the record loop replayed an
// upsert where the history had `recordEvents` scheduled (TMPRL1100), because a capacity step had
// resolved first. Under the local-steps-first-task-only patch a local step runs only in the
// orchestration before the first batch is recorded, while no other coroutine has a step in flight;
// after that, and in every command handler, a step is an activity task, whose completion has its
// own place in the history. Workflows started before the patch replay as they ran.

type Steps = Activities;

const remoteSteps = proxyActivities<Steps>(defaultActivity);
const localSteps = proxyLocalActivities<Steps>(localActivity);

/** Local steps that count themselves in flight, so the record loop waits for them (see outbox.ts). */
const countedLocalSteps = new WeakMap<ApplicationState, Steps>();

function counted(state: ApplicationState): Steps {
  let steps = countedLocalSteps.get(state);
  if (steps === undefined) {
    steps = new Proxy(localSteps, {
      get: (target, name: keyof Steps) => async (...args: unknown[]) => {
        state.localStepsInFlight += 1;
        try {
          return await (target[name] as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          state.localStepsInFlight -= 1;
        }
      },
    });
    countedLocalSteps.set(state, steps);
  }
  return steps;
}

/** The orchestration's steps: local from submission to the first recorded batch (always, before the patch). */
export function orchestrationSteps(state: ApplicationState): Steps {
  if (!state.localSteps) return remoteSteps;
  if (!state.localStepsFirstTaskOnly) return localSteps;
  return state.recording ? remoteSteps : counted(state);
}

/** A command handler's steps: activity tasks under the patch, local before it (working-day SLAs ran them so). */
export function commandSteps(state: ApplicationState): Steps {
  return state.localStepsFirstTaskOnly ? remoteSteps : localSteps;
}

/**
 * Before a command handler's first step: recording starts, so the orchestration's later steps are
 * activity tasks, and the handler waits out a local step in flight (an update that comes during
 * the first workflow task). Nothing to wait for before the patch.
 */
export async function settleLocalSteps(state: ApplicationState): Promise<void> {
  if (!state.localStepsFirstTaskOnly) return;
  state.recording = true;
  await condition(() => state.localStepsInFlight === 0);
}
