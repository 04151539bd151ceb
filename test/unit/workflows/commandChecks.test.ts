import { ApplicationWorkflowInput, DealDecision, DocumentSubmission, WithdrawRequest } from '../../../schemas';
import { parseDecision, parseSubmission, parseWithdrawal, parseWorkflowInput } from '../../../workflows/commandChecks';

// The workflow's own checks (zod-free, see schemas/vocabulary.ts) against the contract's schemas:
// on each example both accept or both reject, and the workflow names the same field.

const future = '2030-01-31T08:00:00Z';
const sha = 'a'.repeat(64);
const termSheet = { amountCny: 5_000_000, rateBps: 385, termMonths: 12, conditions: ['quarterly statements'], expiresAt: future };

const decisions: [string, unknown][] = [
  ['interest', { action: 'express_interest' }],
  ['interest with a reason', { action: 'express_interest', reason: 'fits our appetite' }],
  ['decline', { action: 'decline', reason: 'outside our sectors' }],
  ['documents', { action: 'request_documents', documents: ['audit_report', 'tax_records'] }],
  ['term sheet', { action: 'issue_term_sheet', termSheet }],
  ['term sheet without optional fields', { action: 'issue_term_sheet', termSheet: { amountCny: 1, termMonths: 1, expiresAt: future } }],
  ['close', { action: 'confirm_close' }],
  ['decline without a reason', { action: 'decline' }],
  ['decline with a blank reason', { action: 'decline', reason: '   ' }],
  ['unknown action', { action: 'approve' }],
  ['no action', {}],
  ['not an object', 'express_interest'],
  ['no documents', { action: 'request_documents', documents: [] }],
  ['unknown document kind', { action: 'request_documents', documents: ['horoscope'] }],
  ['term sheet missing', { action: 'issue_term_sheet' }],
  ['negative amount', { action: 'issue_term_sheet', termSheet: { ...termSheet, amountCny: -1 } }],
  ['fractional months', { action: 'issue_term_sheet', termSheet: { ...termSheet, termMonths: 1.5 } }],
  ['rate too high', { action: 'issue_term_sheet', termSheet: { ...termSheet, rateBps: 10_001 } }],
  ['not a date', { action: 'issue_term_sheet', termSheet: { ...termSheet, expiresAt: 'next Tuesday' } }],
  ['stray field', { action: 'express_interest', approvedBy: 'me' }],
  ['stray term sheet field', { action: 'issue_term_sheet', termSheet: { ...termSheet, bonus: 1 } }],
];

test.each(decisions)('a decision: %s', (_name, value) => {
  const contract = DealDecision.safeParse(value);
  const workflow = parseDecision(value);
  expect(workflow.ok).toBe(contract.success);
  if (!contract.success && !workflow.ok) {
    const paths = (issues: { path: PropertyKey[] | string }[]) => issues.map((i) => (Array.isArray(i.path) ? i.path.join('.') : i.path));
    // zod reports unknown fields at the object that holds them (path ''), the workflow at the field itself.
    const field = paths(contract.error.issues)[0]?.split('.')[0];
    if (field) expect(paths(workflow.issues)[0]?.split('.')[0]).toBe(field);
  }
  if (contract.success && workflow.ok) expect(workflow.value).toEqual(contract.data);
});

const submissions: [string, unknown][] = [
  ['one document', { dealId: 'app-1-d1', documents: [{ kind: 'audit_report', name: '2024 audit.pdf', sha256: sha }] }],
  ['no documents', { dealId: 'app-1-d1', documents: [] }],
  ['no deal', { documents: [{ kind: 'audit_report', name: 'a.pdf', sha256: sha }] }],
  ['bad hash', { dealId: 'app-1-d1', documents: [{ kind: 'audit_report', name: 'a.pdf', sha256: 'ABC' }] }],
  ['blank name', { dealId: 'app-1-d1', documents: [{ kind: 'audit_report', name: ' ', sha256: sha }] }],
  ['unknown kind', { dealId: 'app-1-d1', documents: [{ kind: 'selfie', name: 'a.png', sha256: sha }] }],
];

test.each(submissions)('a document submission: %s', (_name, value) => {
  expect(parseSubmission(value).ok).toBe(DocumentSubmission.safeParse(value).success);
});

test.each([
  ['a reason', { reason: 'found other financing' }, true],
  ['a blank reason', { reason: '  ' }, false],
  ['no reason', {}, false],
  ['a stray field', { reason: 'x', urgent: true }, false],
] as [string, unknown, boolean][])('a withdrawal with %s', (_name, value, valid) => {
  expect(WithdrawRequest.safeParse(value).success).toBe(valid);
  expect(parseWithdrawal(value).ok).toBe(valid);
});

test('the workflow input gets the same setting defaults as the contract gives it', () => {
  const input = {
    applicationId: 'app-0123456789abcdef0123',
    enterpriseUscc: '91310000MA1FL0007C',
    request: { instrument: 'credit_loan', amountCny: 8_000_000, termMonths: 12, purpose: 'New SMT line' },
    submittedAt: '2026-11-26T08:00:00Z',
    settings: { topK: 5 },
  };
  const workflow = parseWorkflowInput(input);
  expect(workflow).toEqual({ ok: true, value: ApplicationWorkflowInput.parse(input) });
  expect(parseWorkflowInput({ ...input, submittedAt: 'yesterday' }).ok).toBe(false);
  expect(parseWorkflowInput({ ...input, settings: { slaScale: 0 } }).ok).toBe(false);
});
