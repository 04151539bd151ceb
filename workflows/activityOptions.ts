import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

// How the application workflow runs its activities, and the patch that chose local activities.
// A change here changes what a running workflow replays: it needs a new patch.

/** Database and catalogue calls: quick, retried until the dependency is back. */
export const defaultActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * Recording events waits out a Kafka or MongoDB outage through retries (the events queue in the
 * workflow meanwhile). A short attempt means an attempt lost with a killed worker is retried soon.
 */
export const publishActivity: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/**
 * Screening, ranking and capacity are quick calls whose answers the workflow needs at once: they
 * run as local activities, inside the workflow task, which spares the Temporal server (what bounds
 * the pipeline's throughput) an activity task, a workflow task and three history events per call.
 * The first workflow task then runs from submission to the first proposals, and its events are
 * recorded as one batch when it ends (see `recording` in applicationState.ts). Workflows started
 * before this change replay with the activity tasks and batches they recorded.
 */
export const LOCAL_STEPS_PATCH = 'local-steps';

/**
 * Proposing skips a candidate whose institution already holds the allowed open deals on the
 * application (`settings.maxOpenDealsPerInstitution`) and puts a forum meeting's institution first.
 * Workflows started before this change replay proposing in plain rank order.
 */
export const ONE_DEAL_PER_INSTITUTION_PATCH = 'one-deal-per-institution';

/**
 * Local steps run only in the orchestration before the first recorded batch; later steps and the
 * command handlers' steps are activity tasks (see steps.ts for why). Workflows started before this
 * change replay with the local steps they recorded.
 */
export const LOCAL_STEPS_FIRST_TASK_ONLY_PATCH = 'local-steps-first-task-only';

export const localActivity: LocalActivityOptions = { startToCloseTimeout: defaultActivity.startToCloseTimeout, retry: defaultActivity.retry };

/**
 * Products' SLAs in working days, the documents deadline and the offer window counted in working
 * days over the China business calendar (loaded through the `loadCalendar` local activity), Beijing
 * dates for "today", and eligibility re-checked before a term sheet and a close. Workflows started
 * before this change keep calendar time and replay with what they recorded.
 */
export const WORKING_DAY_SLAS_PATCH = 'working-day-slas';
