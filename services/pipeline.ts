import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { ApplicationWorkflowInput, type ApplicationRequest, type PipelineSettings } from '../schemas';
import { applicationWorkflow } from '../workflows/application';
import { applicationWorkflowId } from '../workflows/messages';

// Starting the pipeline for one application: the one place the API (and tests) start workflows,
// and where their input is checked against the contract's schema (the workflow itself can only
// check its shape; see workflows/commandChecks.ts).

export interface SubmitApplication {
  applicationId: string;
  enterpriseUscc: string;
  request: ApplicationRequest;
  submittedAt: string;
  settings?: Partial<PipelineSettings>;
}

export async function startApplication(client: Client, taskQueue: string, submission: SubmitApplication) {
  return client.workflow.start(applicationWorkflow, {
    taskQueue,
    workflowId: applicationWorkflowId(submission.applicationId),
    // A retried submission (same Idempotency-Key) finds the running workflow instead of a second one,
    // and an application id is never reused for another application.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [ApplicationWorkflowInput.parse({ ...submission, settings: submission.settings ?? {} })],
  });
}
