import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { ValidationIssue } from '../../schemas';
import { applicationWorkflowId, CommandRejection } from '../../workflows/messages';
import { withTimeout } from '../../adapters/dependencies';
import { ApiError, conflict, InvalidInput, notFound } from './errors';

// Sends a command to an application's workflow as an Update and maps its outcome to HTTP: the
// workflow decides; the API only translates.

export type CommandOutcome<T> = { applied: true; result: T } | { applied: false };

/**
 * Runs the update; answers `{ applied: false }` when the workflow accepted it but has not finished
 * applying it within the timeout (its events wait for Kafka or MongoDB): it will still apply.
 */
export async function runCommand<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  applicationId: string,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  timeoutMs: number,
): Promise<CommandOutcome<Ret>> {
  return runWorkflowCommand(client, applicationWorkflowId(applicationId), update, args, timeoutMs, () => finished(applicationId));
}

/** `runCommand` for any workflow: `ended` is the answer when the workflow has finished (a forum's, say). */
export async function runWorkflowCommand<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  timeoutMs: number,
  ended: () => ApiError,
): Promise<CommandOutcome<Ret>> {
  const deadline = Date.now() + timeoutMs;
  const handle = client.workflow.getHandle(workflowId);
  try {
    const started = handle.startUpdate(update, { args, waitForStage: WorkflowUpdateStage.ACCEPTED });
    started.catch(() => undefined); // a late rejection after the timeout answered is only logged by nobody
    const accepted = await withTimeout(started, timeoutMs, 'temporal', 'the workflow taking the command');
    const result = accepted.result();
    result.catch(() => undefined);
    const remaining = Math.max(1, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<CommandOutcome<Ret>>((resolve) => {
      timer = setTimeout(() => resolve({ applied: false }), remaining);
    });
    return await Promise.race([result.then((value): CommandOutcome<Ret> => ({ applied: true, result: value })), slow]).finally(() => clearTimeout(timer));
  } catch (error) {
    throw commandError(error, ended);
  }
}

function commandError(error: unknown, ended: () => ApiError): unknown {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      switch (cause.type) {
        case CommandRejection.notFound:
          return notFound(cause.message);
        case CommandRejection.notAllowed:
          return conflict(cause.message);
        case CommandRejection.notEligible:
          return conflict(cause.message, 'enterprise_not_eligible');
        case CommandRejection.invalid: {
          const issues = cause.details?.[0] as ValidationIssue[] | undefined;
          return new InvalidInput(Array.isArray(issues) && issues.length > 0 ? issues : [{ path: '', message: cause.message }]);
        }
      }
    }
    if (/already completed|workflow.*(closed|completed)/i.test(`${error.message} ${cause?.message ?? ''}`)) return ended();
    return error;
  }
  // The read model says the application exists, so a workflow Temporal cannot find has ended.
  if (error instanceof WorkflowNotFoundError) return ended();
  if (error instanceof Error && /workflow execution already completed/i.test(error.message)) return ended();
  return error;
}

const finished = (applicationId: string): ApiError =>
  conflict(`application ${applicationId} has ended and takes no more commands`);
