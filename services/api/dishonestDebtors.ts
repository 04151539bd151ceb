import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { dishonestDebtorListedSignal, applicationWorkflowId } from '../../workflows/messages';
import { withTimeout } from '../../adapters/dependencies';
import type { Models } from '../../store/models';
import { openApplicationIds, removeOpenApplication } from '../../store/openApplications';

/**
 * Tells each open application of a newly listed enterprise that it is listed: the workflow ends it
 * `rejected` (CONTRACT, eligibility). A signal is durable, so a workflow busy with a command
 * handles it next. An id whose workflow has ended is dropped from the enterprise's open list.
 * Temporal not answering fails the request (503) after the listing is stored: a retried PUT
 * signals again, and a workflow takes a second signal as a no-op.
 */
export async function signalListing(deps: { temporal: Client; models: Models }, uscc: string, listedAt: string, timeoutMs: number): Promise<string[]> {
  const signalled: string[] = [];
  for (const applicationId of await openApplicationIds(deps.models, uscc)) {
    const handle = deps.temporal.workflow.getHandle(applicationWorkflowId(applicationId));
    try {
      await withTimeout(handle.signal(dishonestDebtorListedSignal, { listedAt }), timeoutMs, 'temporal', 'signalling a listed enterprise\'s application');
      signalled.push(applicationId);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await removeOpenApplication(deps.models, uscc, applicationId);
    }
  }
  return signalled;
}
