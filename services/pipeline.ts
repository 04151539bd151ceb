import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { ApplicationWorkflowInput, type ApplicationRequest, type ApplicationSource, type ApplicationStatus, type PipelineSettings } from '../schemas';
import type { applicationWorkflow } from '../workflows/application';
import { applicationWorkflowId, applicationWorkflowType } from '../workflows/messages';
import { withTimeout } from '../adapters/dependencies';
import { claimSubmission } from '../store/idempotency';
import type { Models } from '../store/models';
import { addOpenApplication } from '../store/openApplications';
import { findApplicationDoc, storeSubmittedApplication } from '../store/readModels';

// Starting the pipeline for one application: the one place the API (and tests) start workflows,
// and where their input is checked against the contract's schema (the workflow itself can only
// check its shape; see workflows/commandChecks.ts).

export interface SubmitApplication {
  applicationId: string;
  enterpriseUscc: string;
  request: ApplicationRequest;
  submittedAt: string;
  settings?: Partial<PipelineSettings>;
  /** The forum meeting followed up, with its institution (checked by the caller). */
  source?: SourceMeeting;
}

export type SourceMeeting = ApplicationSource & { institutionId: string };

export async function startApplication(client: Client, taskQueue: string, submission: SubmitApplication) {
  // By type name: the API loads the workflow's messages, never its body.
  return client.workflow.start<typeof applicationWorkflow>(applicationWorkflowType, {
    taskQueue,
    workflowId: applicationWorkflowId(submission.applicationId),
    // A retried submission (same Idempotency-Key) finds the running workflow instead of a second one,
    // and an application id is never reused for another application.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [ApplicationWorkflowInput.parse({ ...submission, settings: submission.settings ?? {} })],
  });
}

export interface SubmissionDeps {
  temporal: Client;
  models: Models;
  taskQueue: string;
  /** Passed to the workflow; tests and demos shorten SLAs with it. */
  settings?: Partial<PipelineSettings>;
  /** How long starting the workflow may take before Temporal counts as unavailable. */
  startTimeoutMs: number;
}

export interface Submitted {
  applicationId: string;
  status: ApplicationStatus;
  /** The Idempotency-Key was seen before: this is the application it created. */
  repeat: boolean;
}

/**
 * An enterprise's financing request, from its Idempotency-Key to a running workflow and a read
 * model to answer from. Each step is safe to repeat, so a client that retries after any failure
 * (or after an API restart) ends with exactly one application.
 */
export async function submitApplication(
  deps: SubmissionDeps,
  submission: { enterpriseUscc: string; idempotencyKey: string | undefined; request: ApplicationRequest; source?: SourceMeeting; now: Date },
): Promise<Submitted> {
  const { enterpriseUscc, request, source } = submission;
  const recordedSource = source && { forumId: source.forumId, meetingId: source.meetingId };
  // The key is claimed first: of two concurrent submissions with one key, one mints the application id.
  const { applicationId, submittedAt, repeat } = await claimSubmission(
    deps.models, enterpriseUscc, submission.idempotencyKey, recordedSource ? { ...request, source: recordedSource } : request, submission.now,
  );
  if (repeat) {
    // Its read model is written only once its workflow has started: that application is the answer,
    // never a new run, even once Temporal has dropped the closed workflow (retention) and would
    // start the id again.
    const existing = await findApplicationDoc(deps.models, applicationId);
    if (existing) return { applicationId, status: existing.status, repeat };
  }
  // Before the start: a listing as a dishonest debtor either finds this application or is seen by its screening.
  await addOpenApplication(deps.models, enterpriseUscc, applicationId);
  try {
    // Started on a repeat too when no read model says it ran: the first attempt may have claimed the key and then failed to start.
    await withTimeout(startApplication(deps.temporal, deps.taskQueue, {
      applicationId,
      enterpriseUscc,
      request,
      submittedAt,
      ...(deps.settings ? { settings: deps.settings } : {}),
      ...(source ? { source } : {}),
    }), deps.startTimeoutMs, 'temporal', 'starting the application workflow');
  } catch (error) {
    // The workflow of this key ran and ended already: nothing to start.
    if (!(repeat && error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  // After the start, so a failed start leaves no orphan; the workflow's own writes (seq >= 1) win over this one.
  await storeSubmittedApplication(deps.models, {
    applicationId,
    enterpriseUscc,
    status: 'submitted',
    request,
    ...(recordedSource ? { source: recordedSource } : {}),
    screening: null,
    region: null,
    offerDeadline: null,
    createdAt: submittedAt,
    updatedAt: submittedAt,
  });
  if (!repeat) return { applicationId, status: 'submitted', repeat };
  const current = await findApplicationDoc(deps.models, applicationId);
  return { applicationId, status: current?.status ?? 'submitted', repeat };
}
