import type { DealDecisionAction, DealStatus, EventType } from '../schemas';

/** Actions by the enterprise through the application endpoints. */
export type EnterpriseDealAction = 'submit_documents' | 'accept_offer';
/**
 * Actions the workflow takes itself: `expire` when an SLA or a term sheet lapses, `release` when the
 * application no longer needs the deal (another offer accepted, withdrawn, application expired).
 */
export type SystemDealAction = 'expire' | 'release';
export type DealAction = DealDecisionAction | EnterpriseDealAction | SystemDealAction;
export type DealActor = 'institution' | 'enterprise' | 'system';

interface DealTransition {
  from: readonly DealStatus[];
  to: DealStatus;
  by: DealActor;
  event: EventType;
}

/**
 * The deal state machine. `expire` also covers due diligence beyond the product's ddSlaDays and a
 * term sheet past its expiresAt (the contract only names the response SLA), so no deal waits forever.
 */
export const DEAL_TRANSITIONS: Readonly<Record<DealAction, DealTransition>> = {
  express_interest: { from: ['proposed'], to: 'interested', by: 'institution', event: 'deal.interest_expressed' },
  decline: {
    from: ['proposed', 'interested', 'documents_requested', 'under_review'],
    to: 'declined',
    by: 'institution',
    event: 'deal.declined',
  },
  // From documents_requested too, so an institution can widen a request before the documents arrive.
  request_documents: {
    from: ['interested', 'documents_requested', 'under_review'],
    to: 'documents_requested',
    by: 'institution',
    event: 'deal.documents_requested',
  },
  submit_documents: { from: ['documents_requested'], to: 'under_review', by: 'enterprise', event: 'deal.documents_submitted' },
  issue_term_sheet: { from: ['interested', 'under_review'], to: 'term_sheet_issued', by: 'institution', event: 'deal.term_sheet_issued' },
  accept_offer: { from: ['term_sheet_issued'], to: 'selected', by: 'enterprise', event: 'deal.selected' },
  confirm_close: { from: ['selected'], to: 'closed', by: 'institution', event: 'deal.closed' },
  expire: {
    from: ['proposed', 'interested', 'documents_requested', 'under_review', 'term_sheet_issued'],
    to: 'expired',
    by: 'system',
    event: 'deal.expired',
  },
  // `selected` too: an enterprise that withdraws after accepting must tell the chosen institution.
  release: {
    from: ['proposed', 'interested', 'documents_requested', 'under_review', 'term_sheet_issued', 'selected'],
    to: 'not_selected',
    by: 'system',
    event: 'deal.not_selected',
  },
};

export const DEAL_ACTIONS = Object.keys(DEAL_TRANSITIONS) as DealAction[];

export const DEAL_TERMINAL_STATUSES: ReadonlySet<DealStatus> = new Set<DealStatus>(['declined', 'expired', 'not_selected', 'closed']);
/** Open deals hold one unit of their product's capacity. */
export const DEAL_OPEN_STATUSES: ReadonlySet<DealStatus> = new Set<DealStatus>([
  'proposed', 'interested', 'documents_requested', 'under_review', 'term_sheet_issued', 'selected',
]);

export function isDealTerminal(status: DealStatus): boolean {
  return DEAL_TERMINAL_STATUSES.has(status);
}

export function isDealOpen(status: DealStatus): boolean {
  return DEAL_OPEN_STATUSES.has(status);
}

export type TransitionResult<S> = { ok: true; status: S } | { ok: false; reason: string };

export function nextDealStatus(status: DealStatus, action: DealAction): TransitionResult<DealStatus> {
  const transition = DEAL_TRANSITIONS[action];
  if (transition === undefined) return { ok: false, reason: `unknown deal action ${String(action)}` };
  if (transition.from.includes(status)) return { ok: true, status: transition.to };
  if (isDealTerminal(status)) {
    return { ok: false, reason: `cannot ${action} while deal is ${status}; the deal is finished` };
  }
  return { ok: false, reason: `cannot ${action} while deal is ${status}; allowed from ${transition.from.join(', ')}` };
}

/** Actions a given actor may take on a deal in this status, e.g. to render buttons or document a 409. */
export function allowedDealActions(status: DealStatus, actor?: DealActor): DealAction[] {
  return DEAL_ACTIONS.filter((action) => {
    const t = DEAL_TRANSITIONS[action];
    return t.from.includes(status) && (actor === undefined || t.by === actor);
  });
}
