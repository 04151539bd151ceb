import { condition, setHandler } from '@temporalio/workflow';
import { snapshot, type ApplicationState, type DealState } from '../applicationState';
import { acceptOfferUpdate, decideUpdate, getApplicationQuery, recordDownloadUpdate, submitDocumentsUpdate, withdrawUpdate, type CommandResult } from '../messages';
import { acceptOffer, checkAcceptance } from './acceptOffer';
import { refreshCalendar } from '../deadlines';
import { registerDishonestDebtorSignal } from '../dishonestDebtor';
import { checkDecision, decide } from './decide';
import { checkStillEligible } from './eligibility';
import { commandSteps, settleLocalSteps } from '../steps';
import { checkDownload, recordDownload } from './recordDownload';
import { checkSubmission, submitDocuments } from './submitDocuments';
import { checkWithdrawal, withdraw } from './withdraw';

// Each command is an update: its check runs as the validator, so a rejected command is never
// recorded, and again in its effect, against the state the effect changes.

export function registerHandlers(state: ApplicationState): void {
  setHandler(getApplicationQuery, () => snapshot(state));

  registerDishonestDebtorSignal(state);

  setHandler(decideUpdate, async (command) => {
    await settleLocalSteps(state);
    await refreshCalendar(state, commandSteps(state));
    await checkStillEligible(state, command);
    return applied(state, decide(state, command));
  }, {
    validator: (command) => void checkDecision(state, command),
  });
  setHandler(submitDocumentsUpdate, async (submission) => {
    await settleLocalSteps(state);
    await refreshCalendar(state, commandSteps(state));
    return applied(state, submitDocuments(state, submission));
  }, {
    validator: (submission) => void checkSubmission(state, submission),
  });
  setHandler(acceptOfferUpdate, (acceptance) => applied(state, acceptOffer(state, acceptance)), {
    validator: (acceptance) => void checkAcceptance(state, acceptance),
  });
  setHandler(withdrawUpdate, (request) => applied(state, withdraw(state, request)), {
    validator: (request) => void checkWithdrawal(state, request),
  });
  setHandler(recordDownloadUpdate, (download) => applied(state, recordDownload(state, download)), {
    validator: (download) => void checkDownload(state, download),
  });
}

/** A command answers once its events are in the read models, so a read right after shows it. */
async function applied(state: ApplicationState, deal: DealState | null): Promise<CommandResult> {
  const seq = state.seq;
  // The answer is the state the command left, as of `seq`: what a read that sends `seq` back sees
  // at least. Changes the orchestration makes while this waits come with later seqs.
  const result = { application: { ...state.record }, deal: deal ? { ...deal.record } : null, seq };
  state.needsReconcile = true;
  state.recording = true;
  await condition(() => state.persistedSeq >= seq);
  return result;
}
