import type { ApplicationRequest, DealDecision, DocumentSubmission, PipelineSettings, ValidationIssue, WithdrawRequest } from '../schemas';
import { DEAL_DECISION_ACTIONS, DOCUMENT_KINDS, FILE_ID_PATTERN, PIPELINE_DEFAULTS } from '../schemas/vocabulary';

// What the workflow checks of its input and of a command before either touches its state.
//
// The contract's full rules are its zod schemas, applied where input enters: the API validates
// every request and `startApplication` every workflow input. The workflow cannot use them (see
// schemas/vocabulary.ts), so it checks what its own code relies on, the same fields with the same
// messages, and answers anything else from another client as ValidationFailed.

export interface WorkflowInput {
  applicationId: string;
  enterpriseUscc: string;
  request: ApplicationRequest;
  submittedAt: string;
  settings: PipelineSettings;
  /** The forum meeting followed up, with its institution (checked when submitted). */
  source?: { forumId: string; meetingId: string; institutionId: string };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

type Fields = Record<string, unknown>;

class Issues {
  readonly list: ValidationIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  result<T>(value: T): Checked<T> {
    return this.list.length === 0 ? { ok: true, value } : { ok: false, issues: this.list };
  }
}

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
const isIsoDateTime = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(value) && !Number.isNaN(Date.parse(value));

/** A trimmed text of 1..max characters, or undefined after recording why not. */
function text(issues: Issues, value: unknown, path: string, max: number, required: string): string | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed.length === 0) issues.add(path, required);
  else if (trimmed.length > max) issues.add(path, `at most ${max} characters`);
  else return trimmed;
  return undefined;
}

function strayFields(issues: Issues, value: Fields, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) issues.add(`${prefix}${key}`, 'unknown field');
}

function optionalNote(issues: Issues, value: Fields): string | undefined {
  return value.reason === undefined ? undefined : text(issues, value.reason, 'reason', 1000, 'reason must not be empty');
}

export function parseDecision(raw: unknown): Checked<DealDecision> {
  const issues = new Issues();
  const value = isFields(raw) ? raw : {};
  const action = value.action as DealDecision['action'];
  if (!DEAL_DECISION_ACTIONS.includes(action)) {
    issues.add('action', `action must be one of ${DEAL_DECISION_ACTIONS.join(', ')}`);
    return issues.result(value as DealDecision);
  }
  const reason = action === 'decline'
    ? text(issues, value.reason, 'reason', 1000, 'reason is required when declining')
    : optionalNote(issues, value);
  const withReason = reason === undefined ? {} : { reason };
  switch (action) {
    case 'request_documents': {
      strayFields(issues, value, ['action', 'documents', 'reason']);
      const documents = value.documents;
      if (!Array.isArray(documents) || documents.length === 0) issues.add('documents', 'request at least one document kind');
      else documents.forEach((kind, i) => {
        if (!DOCUMENT_KINDS.includes(kind)) issues.add(`documents.${i}`, `must be one of ${DOCUMENT_KINDS.join(', ')}`);
      });
      return issues.result({ action, documents: documents as DocumentKinds, ...withReason });
    }
    case 'issue_term_sheet': {
      strayFields(issues, value, ['action', 'termSheet', 'reason']);
      const termSheet = checkTermSheet(issues, value.termSheet);
      return issues.result({ action, termSheet, ...withReason });
    }
    case 'decline':
      strayFields(issues, value, ['action', 'reason']);
      return issues.result({ action, reason: reason ?? '' });
    default:
      strayFields(issues, value, ['action', 'reason']);
      return issues.result({ action, ...withReason });
  }
}

type DocumentKinds = Extract<DealDecision, { action: 'request_documents' }>['documents'];
type TermSheet = Extract<DealDecision, { action: 'issue_term_sheet' }>['termSheet'];

function checkTermSheet(issues: Issues, raw: unknown): TermSheet {
  if (!isFields(raw)) {
    issues.add('termSheet', 'termSheet is required');
    return raw as TermSheet;
  }
  strayFields(issues, raw, ['amountCny', 'rateBps', 'valuationCny', 'termMonths', 'conditions', 'expiresAt'], 'termSheet.');
  if (!isInt(raw.amountCny) || raw.amountCny <= 0) issues.add('termSheet.amountCny', 'must be a positive whole number of yuan');
  if (raw.rateBps !== undefined && (!isInt(raw.rateBps) || raw.rateBps < 0 || raw.rateBps > 10_000)) issues.add('termSheet.rateBps', 'must be a whole number from 0 to 10000');
  if (raw.valuationCny !== undefined && (!isInt(raw.valuationCny) || raw.valuationCny <= 0)) issues.add('termSheet.valuationCny', 'must be a positive whole number of yuan');
  if (!isInt(raw.termMonths) || raw.termMonths < 1 || raw.termMonths > 600) issues.add('termSheet.termMonths', 'must be a whole number from 1 to 600');
  const conditions = raw.conditions ?? [];
  if (!Array.isArray(conditions) || conditions.length > 50 || conditions.some((c) => typeof c !== 'string' || c.trim() === '')) {
    issues.add('termSheet.conditions', 'must be a list of at most 50 non-empty texts');
  }
  if (!isIsoDateTime(raw.expiresAt)) issues.add('termSheet.expiresAt', 'must be an ISO-8601 UTC date-time such as 2025-01-31T08:00:00Z');
  return { ...raw, conditions } as TermSheet;
}

export function parseSubmission(raw: unknown): Checked<DocumentSubmission> {
  const issues = new Issues();
  const value = isFields(raw) ? raw : {};
  strayFields(issues, value, ['dealId', 'documents']);
  if (typeof value.dealId !== 'string' || value.dealId === '') issues.add('dealId', 'dealId is required');
  const documents = value.documents;
  if (!Array.isArray(documents) || documents.length === 0 || documents.length > 100) issues.add('documents', 'submit at least one document');
  else documents.forEach((document: unknown, i) => {
    const doc = isFields(document) ? document : {};
    strayFields(issues, doc, ['kind', 'name', 'sha256', 'fileId'], `documents.${i}.`);
    if (!DOCUMENT_KINDS.includes(doc.kind as DocumentKinds[number])) issues.add(`documents.${i}.kind`, `must be one of ${DOCUMENT_KINDS.join(', ')}`);
    text(issues, doc.name, `documents.${i}.name`, 300, 'name is required');
    if (typeof doc.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(doc.sha256)) issues.add(`documents.${i}.sha256`, 'sha256 must be 64 lower-case hex characters');
    if (doc.fileId !== undefined && (typeof doc.fileId !== 'string' || !FILE_ID_PATTERN.test(doc.fileId))) issues.add(`documents.${i}.fileId`, 'fileId must be "file_" and 32 lower-case hex digits');
  });
  return issues.result(value as DocumentSubmission);
}

export function parseWithdrawal(raw: unknown): Checked<WithdrawRequest> {
  const issues = new Issues();
  const value = isFields(raw) ? raw : {};
  strayFields(issues, value, ['reason']);
  const reason = text(issues, value.reason, 'reason', 1000, 'reason is required');
  return issues.result({ reason: reason ?? '' });
}

/** The workflow's input, with the default of every setting it leaves out. */
export function parseWorkflowInput(raw: unknown): Checked<WorkflowInput> {
  const issues = new Issues();
  const value = isFields(raw) ? raw : {};
  for (const field of ['applicationId', 'enterpriseUscc'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') issues.add(field, `${field} is required`);
  }
  const request = isFields(value.request) ? value.request : {};
  if (typeof request.instrument !== 'string') issues.add('request.instrument', 'instrument is required');
  if (!isInt(request.amountCny) || request.amountCny <= 0) issues.add('request.amountCny', 'must be a positive whole number of yuan');
  if (!isInt(request.termMonths) || request.termMonths < 1) issues.add('request.termMonths', 'must be a whole number of months');
  if (!isIsoDateTime(value.submittedAt)) issues.add('submittedAt', 'must be an ISO-8601 UTC date-time');
  const settings = { ...PIPELINE_DEFAULTS, ...(isFields(value.settings) ? value.settings : {}) } as PipelineSettings;
  for (const [name, setting] of Object.entries(settings)) {
    if (typeof setting !== 'number' || !(setting > 0)) issues.add(`settings.${name}`, 'must be a positive number');
  }
  return issues.result({ ...(value as unknown as WorkflowInput), settings });
}
