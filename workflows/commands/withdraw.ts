import type { WithdrawRequest } from '../../schemas';
import { emit, setOfferDeadline, type ApplicationState } from '../applicationState';
import { parseWithdrawal } from '../commandChecks';
import { CommandRejection } from '../messages';
import { acceptOrReject, reject } from '../rejection';
import { changeStatus, isOpen, releaseOpenDeals } from '../transitions';

// The enterprise withdraws its open application; every open deal is released.

export function checkWithdrawal(state: ApplicationState, raw: WithdrawRequest): WithdrawRequest {
  const request = acceptOrReject(parseWithdrawal(raw), 'withdrawal');
  if (!isOpen(state)) reject(CommandRejection.notAllowed, `cannot withdraw an application that is ${state.record.status}`);
  return request;
}

export function withdraw(state: ApplicationState, raw: WithdrawRequest): null {
  const request = checkWithdrawal(state, raw);
  setOfferDeadline(state, null);
  changeStatus(state, 'withdrawn');
  emit(state, 'application.withdrawn', { reason: request.reason });
  releaseOpenDeals(state, 'application_withdrawn');
  return null;
}
