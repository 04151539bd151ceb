// Fixed values of the contract as plain constants, without zod. The workflow bundle imports only
// these from schemas/ (types aside): Temporal evaluates every module a workflow imports again for
// each workflow it runs, to keep workflows apart, and building the zod schemas there cost about
// 70 ms of CPU and a megabyte per workflow (BENCHMARKS.md).

export const EVENT_VERSION = 1 as const;

/** Deterministic so a consumer that sees an id twice can drop the copy. */
export function buildEventId(applicationId: string, seq: number): string {
  return `${applicationId}:${seq}`;
}

export const DOCUMENT_KINDS = [
  'business_license', 'articles_of_association', 'financial_statements', 'audit_report', 'tax_records',
  'bank_statements', 'credit_report', 'qualification_certificates', 'ip_certificates', 'contracts_invoices',
  'collateral_documents', 'business_plan', 'cap_table', 'other',
] as const;

export const DEAL_DECISION_ACTIONS = ['express_interest', 'decline', 'request_documents', 'issue_term_sheet', 'confirm_close'] as const;

/** The pipeline's settings when a deployment sets none (see PipelineSettings). */
export const PIPELINE_DEFAULTS = {
  topK: 3,
  candidateLimit: 30,
  maxOpenDealsPerInstitution: 1,
  documentsDeadlineDays: 14,
  offerWindowDays: 14,
  slaScale: 1,
} as const;

/** A stored file (contract, "Documents are files"): `file_` and 32 hex digits, minted by the API. */
export const FILE_ID_PATTERN = /^file_[0-9a-f]{32}$/;
