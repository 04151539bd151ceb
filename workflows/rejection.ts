import { ApplicationFailure } from '@temporalio/workflow';
import type { ValidationIssue } from '../schemas';
import type { Checked } from './commandChecks';
import { CommandRejection } from './messages';

// A refused input or command ends as a non-retryable ApplicationFailure typed by CommandRejection:
// an update's validator then rejects it before anything is recorded, and the API answers it.

export function reject(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** The checked value, or a ValidationFailed rejection listing every issue. */
export function acceptOrReject<T>(checked: Checked<T>, what: string): T {
  if (checked.ok) return checked.value;
  const issues: ValidationIssue[] = checked.issues;
  throw ApplicationFailure.create({
    type: CommandRejection.invalid,
    message: `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    details: [issues],
    nonRetryable: true,
  });
}
