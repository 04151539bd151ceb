import { fileVerdict } from '../../../activities/files';
import type { ApplicationView } from '../../../schemas';

// The retention's rules, without a store: unreferenced files go, submitted ones stay while the
// application is open, for good after a closed deal, and for the retention days after another end.

const DAY = 86_400_000;
const now = Date.parse('2026-11-30T00:00:00Z');
const fileId = `file_${'a'.repeat(32)}`;
const stored = { _id: fileId, state: 'stored' as const };

function application(status: ApplicationView['status'], submitted: boolean, updatedAt = '2026-11-01T00:00:00Z'): ApplicationView {
  const submission = {
    eventId: 'app-1:2', type: 'deal.documents_submitted', version: 1, seq: 2, occurredAt: '2026-10-01T00:00:00Z', applicationId: 'app-1',
    enterpriseUscc: '91310000MA1FL0007C', dealId: 'app-1-d1', institutionId: 'bank-1',
    data: { documents: [{ kind: 'audit_report', name: 'a.pdf', sha256: 'b'.repeat(64), fileId: submitted ? fileId : `file_${'c'.repeat(32)}` }] },
  };
  return { status, updatedAt, timeline: [submission] } as unknown as ApplicationView;
}

test('an upload that never completed goes', () => {
  expect(fileVerdict({ _id: fileId, state: 'uploading' }, application('in_due_diligence', true), now, 180)).toEqual({ action: 'delete', reason: 'upload_incomplete' });
});

test('a file no submission names goes, as does one of an application that is gone', () => {
  expect(fileVerdict(stored, application('in_due_diligence', false), now, 180)).toEqual({ action: 'delete', reason: 'unreferenced' });
  expect(fileVerdict(stored, null, now, 180)).toEqual({ action: 'delete', reason: 'unreferenced' });
});

test('a submitted file of an open application is looked at again a day later', () => {
  expect(fileVerdict(stored, application('in_due_diligence', true), now, 180)).toEqual({ action: 'recheck', atMs: now + DAY });
});

test('a submitted file of an application that closed a deal is kept', () => {
  expect(fileVerdict(stored, application('closed', true), now, 180)).toEqual({ action: 'keep' });
});

test('a submitted file of an application that ended otherwise goes the retention days after the end', () => {
  const ended = '2026-11-01T00:00:00Z';
  expect(fileVerdict(stored, application('withdrawn', true, ended), now, 180)).toEqual({ action: 'recheck', atMs: Date.parse(ended) + 180 * DAY });
  expect(fileVerdict(stored, application('no_match', true, ended), now, 20)).toEqual({ action: 'delete', reason: 'retention_elapsed' });
});
