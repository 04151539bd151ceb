import type { ApplicationStatus } from '../schemas';
import type { TransitionResult } from './dealLifecycle';

export const APPLICATION_TERMINAL_STATUSES: ReadonlySet<ApplicationStatus> = new Set<ApplicationStatus>([
  'rejected', 'closed', 'no_match', 'withdrawn', 'expired',
]);

export const APPLICATION_OPEN_STATUSES: ReadonlySet<ApplicationStatus> = new Set<ApplicationStatus>([
  'submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'accepted',
]);

/**
 * Where each status may go next. `withdrawn` is reachable from every open state (CONTRACT);
 * `rejected` too: a listing as a dishonest debtor ends any open application (CONTRACT, eligibility);
 * offers_ready may fall back to in_due_diligence or no_match when its only term sheet lapses.
 */
export const APPLICATION_TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  submitted: ['screening', 'withdrawn', 'rejected'],
  screening: ['rejected', 'matching', 'withdrawn'],
  matching: ['in_due_diligence', 'no_match', 'withdrawn', 'rejected'],
  in_due_diligence: ['offers_ready', 'no_match', 'withdrawn', 'rejected'],
  offers_ready: ['accepted', 'expired', 'in_due_diligence', 'no_match', 'withdrawn', 'rejected'],
  accepted: ['closed', 'withdrawn', 'rejected'],
  rejected: [],
  closed: [],
  no_match: [],
  withdrawn: [],
  expired: [],
};

export function isApplicationTerminal(status: ApplicationStatus): boolean {
  return APPLICATION_TERMINAL_STATUSES.has(status);
}

export function isApplicationOpen(status: ApplicationStatus): boolean {
  return APPLICATION_OPEN_STATUSES.has(status);
}

export function canTransitionApplication(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return APPLICATION_TRANSITIONS[from].includes(to);
}

export function nextApplicationStatus(from: ApplicationStatus, to: ApplicationStatus): TransitionResult<ApplicationStatus> {
  if (canTransitionApplication(from, to)) return { ok: true, status: to };
  const allowed = APPLICATION_TRANSITIONS[from];
  if (allowed.length === 0) return { ok: false, reason: `cannot move application to ${to}: ${from} is final` };
  return { ok: false, reason: `cannot move application from ${from} to ${to}; from ${from} it may go to ${allowed.join(', ')}` };
}
