import { APPLICATION_STATUSES, DEAL_STATUSES, EVENT_TYPES } from '../../../schemas';
import type { DealStatus } from '../../../schemas';
import {
  DEAL_ACTIONS, DEAL_OPEN_STATUSES, DEAL_TERMINAL_STATUSES, DEAL_TRANSITIONS, allowedDealActions, isDealOpen,
  isDealTerminal, nextDealStatus,
} from '../../../domain/dealLifecycle';
import type { DealAction } from '../../../domain/dealLifecycle';
import {
  APPLICATION_OPEN_STATUSES, APPLICATION_TERMINAL_STATUSES, APPLICATION_TRANSITIONS, canTransitionApplication,
  isApplicationOpen, nextApplicationStatus,
} from '../../../domain/applicationLifecycle';

describe('deal lifecycle', () => {
  it('walks the happy path proposed → interested → documents_requested → under_review → term_sheet_issued → selected → closed', () => {
    const path: Array<[DealAction, DealStatus]> = [
      ['express_interest', 'interested'],
      ['request_documents', 'documents_requested'],
      ['submit_documents', 'under_review'],
      ['request_documents', 'documents_requested'],
      ['submit_documents', 'under_review'],
      ['issue_term_sheet', 'term_sheet_issued'],
      ['accept_offer', 'selected'],
      ['confirm_close', 'closed'],
    ];
    let status: DealStatus = 'proposed';
    for (const [action, expected] of path) {
      const result = nextDealStatus(status, action);
      expect(result).toEqual({ ok: true, status: expected });
      if (result.ok) status = result.status;
    }
  });

  it('allows a term sheet straight after interest, and decline until a term sheet is issued', () => {
    expect(nextDealStatus('interested', 'issue_term_sheet')).toEqual({ ok: true, status: 'term_sheet_issued' });
    for (const s of ['proposed', 'interested', 'documents_requested', 'under_review'] as const) {
      expect(nextDealStatus(s, 'decline')).toEqual({ ok: true, status: 'declined' });
    }
    expect(nextDealStatus('term_sheet_issued', 'decline').ok).toBe(false);
  });

  it('expires a proposal that got no answer and releases open deals as not_selected', () => {
    expect(nextDealStatus('proposed', 'expire')).toEqual({ ok: true, status: 'expired' });
    expect(nextDealStatus('term_sheet_issued', 'release')).toEqual({ ok: true, status: 'not_selected' });
    expect(nextDealStatus('selected', 'release')).toEqual({ ok: true, status: 'not_selected' });
    expect(nextDealStatus('closed', 'release').ok).toBe(false);
  });

  it('refuses a disallowed action with a reason naming the allowed statuses', () => {
    expect(nextDealStatus('proposed', 'issue_term_sheet')).toEqual({
      ok: false,
      reason: 'cannot issue_term_sheet while deal is proposed; allowed from interested, under_review',
    });
    expect(nextDealStatus('proposed', 'submit_documents')).toMatchObject({ ok: false, reason: expect.stringMatching(/allowed from documents_requested/) });
  });

  it('allows nothing from a terminal status', () => {
    for (const status of DEAL_TERMINAL_STATUSES) {
      for (const action of DEAL_ACTIONS) {
        const result = nextDealStatus(status, action);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toMatch(/finished/);
      }
      expect(allowedDealActions(status)).toEqual([]);
    }
  });

  it('splits every status into exactly one of open or terminal', () => {
    for (const status of DEAL_STATUSES) expect(isDealOpen(status) !== isDealTerminal(status)).toBe(true);
    expect(DEAL_OPEN_STATUSES.size + DEAL_TERMINAL_STATUSES.size).toBe(DEAL_STATUSES.length);
  });

  it('leaves every open status reachable onward and maps each action to a contract event', () => {
    for (const status of DEAL_OPEN_STATUSES) expect(allowedDealActions(status).length).toBeGreaterThan(0);
    for (const action of DEAL_ACTIONS) expect(EVENT_TYPES).toContain(DEAL_TRANSITIONS[action].event);
  });

  it('lists the actions an actor may take', () => {
    expect(allowedDealActions('proposed', 'institution')).toEqual(['express_interest', 'decline']);
    expect(allowedDealActions('documents_requested', 'enterprise')).toEqual(['submit_documents']);
    expect(allowedDealActions('term_sheet_issued', 'enterprise')).toEqual(['accept_offer']);
  });
});

describe('application lifecycle', () => {
  it('walks submitted → screening → matching → in_due_diligence → offers_ready → accepted → closed', () => {
    const path = ['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'accepted', 'closed'] as const;
    for (let i = 1; i < path.length; i += 1) {
      expect(canTransitionApplication(path[i - 1]!, path[i]!)).toBe(true);
    }
  });

  it('rejects at screening, ends with no_match from matching or due diligence, expires unchosen offers', () => {
    expect(canTransitionApplication('screening', 'rejected')).toBe(true);
    expect(canTransitionApplication('matching', 'no_match')).toBe(true);
    expect(canTransitionApplication('in_due_diligence', 'no_match')).toBe(true);
    expect(canTransitionApplication('offers_ready', 'expired')).toBe(true);
  });

  it('allows withdrawal from every open status and from no terminal one', () => {
    for (const status of APPLICATION_OPEN_STATUSES) expect(canTransitionApplication(status, 'withdrawn')).toBe(true);
    for (const status of APPLICATION_TERMINAL_STATUSES) {
      expect(APPLICATION_TRANSITIONS[status]).toEqual([]);
      expect(nextApplicationStatus(status, 'withdrawn')).toEqual({ ok: false, reason: `cannot move application to withdrawn: ${status} is final` });
    }
  });

  it('splits every status into open or terminal', () => {
    for (const status of APPLICATION_STATUSES) {
      expect(isApplicationOpen(status) !== APPLICATION_TERMINAL_STATUSES.has(status)).toBe(true);
    }
  });

  it('explains a skipped step', () => {
    expect(nextApplicationStatus('submitted', 'matching')).toEqual({
      ok: false,
      reason: 'cannot move application from submitted to matching; from submitted it may go to screening, withdrawn, rejected',
    });
    expect(nextApplicationStatus('screening', 'matching')).toEqual({ ok: true, status: 'matching' });
  });
});
