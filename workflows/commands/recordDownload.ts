import type { DealStatus } from '../../schemas';
import { emit, type ApplicationState, type DealState } from '../applicationState';
import { CommandRejection, type DocumentDownload } from '../messages';
import { reject } from '../rejection';
import { checkApplicationOpen, findDeal } from './guards';

// An institution (or ops) downloads a file submitted to a deal: the download is an event on the
// application's stream, recorded before the API serves a byte, so the audit trail has no gaps.
// A deal that ended without the enterprise choosing it (declined, expired, not selected) gives
// its institution no further access to the enterprise's files.

const ENDED_UNCHOSEN: ReadonlySet<DealStatus> = new Set<DealStatus>(['declined', 'expired', 'not_selected']);

export function checkDownload(state: ApplicationState, download: DocumentDownload): DealState {
  const deal = findDeal(state, download?.dealId);
  checkApplicationOpen(state);
  const by = download.by;
  if (typeof by !== 'object' || by === null || (by.role !== 'institution' && by.role !== 'ops') || typeof by.sub !== 'string' || by.sub === '') {
    reject(CommandRejection.invalid, 'by must name the role (institution or ops) and sub of who downloads');
  }
  if (by.role === 'institution' && by.org !== deal.record.institutionId) reject(CommandRejection.notFound, `deal ${deal.record.dealId} not found`);
  if (!deal.record.documentsSubmitted.some((document) => document.fileId === download.fileId)) {
    reject(CommandRejection.notFound, `file ${String(download.fileId)} was not submitted to deal ${deal.record.dealId}`);
  }
  if (ENDED_UNCHOSEN.has(deal.record.status)) reject(CommandRejection.notAllowed, `deal ${deal.record.dealId} is ${deal.record.status}: its files are no longer available to the institution`);
  return deal;
}

export function recordDownload(state: ApplicationState, download: DocumentDownload): DealState {
  const deal = checkDownload(state, download);
  const document = deal.record.documentsSubmitted.find((submitted) => submitted.fileId === download.fileId);
  const { role, sub, org } = download.by;
  emit(state, 'deal.document_downloaded', {
    fileId: download.fileId,
    ...(document ? { kind: document.kind, name: document.name } : {}),
    by: { role, sub, ...(org !== undefined ? { org } : {}) },
  }, deal);
  return deal;
}
