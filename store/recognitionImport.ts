import { mergeRecognition, recognitionKey } from '../domain/recognitionRegistry';
import type { Recognition, RecognitionImportReport, RecognitionImportRow, RejectedImportRow } from '../schemas';
import { collectionOf, upsertById } from './collection';
import type { Models } from './models';

const IMPORT_CONCURRENCY = 8;

/** A row that passed validation, with its position in the list. */
export interface ImportableRow {
  row: number;
  data: RecognitionImportRow;
}

/**
 * Merges a published list into the registry: one read and at most one write per enterprise, by
 * `_id`. A row repeating a certificate with the same dates counts as unchanged; one giving an
 * earlier row's certificate other dates is rejected, since the list contradicts itself.
 */
export async function importRecognitions(models: Models, rows: readonly ImportableRow[]): Promise<RecognitionImportReport> {
  const report: RecognitionImportReport = { accepted: 0, unchanged: 0, rejected: [] };
  const byUscc = new Map<string, ImportableRow[]>();
  for (const row of rows) byUscc.set(row.data.uscc, [...(byUscc.get(row.data.uscc) ?? []), row]);

  // Enterprises are independent: a few at a time, since each costs a round trip or two.
  const groups = [...byUscc];
  for (let i = 0; i < groups.length; i += IMPORT_CONCURRENCY) {
    await Promise.all(groups.slice(i, i + IMPORT_CONCURRENCY).map(([uscc, ownRows]) => importForEnterprise(models, uscc, ownRows, report)));
  }
  report.rejected.sort((a, b) => a.row - b.row);
  return report;
}

async function importForEnterprise(models: Models, uscc: string, ownRows: readonly ImportableRow[], report: RecognitionImportReport): Promise<void> {
  // The stored list as it is: an entry that no longer passes a rule stays for ops to correct, an import does not drop it.
  const stored = await collectionOf(models.recognitions).findOne({ _id: uscc });
  let recognitions = (Array.isArray(stored?.recognitions) ? stored.recognitions : []) as Recognition[];
  let changed = false;
  const firstRowOf = new Map<string, { row: number; recognition: Recognition }>();
  for (const { row, data } of ownRows) {
    const recognition: Recognition = { type: data.type, certificateNo: data.certificateNo, validFrom: data.validFrom, validTo: data.validTo };
    const key = recognitionKey(recognition);
    const earlier = firstRowOf.get(key);
    if (earlier && (earlier.recognition.validFrom !== recognition.validFrom || earlier.recognition.validTo !== recognition.validTo)) {
      report.rejected.push(contradiction(row, uscc, earlier.row, earlier.recognition));
      continue;
    }
    if (!earlier) firstRowOf.set(key, { row, recognition });
    const merged = mergeRecognition(recognitions, recognition);
    recognitions = merged.recognitions;
    if (merged.outcome === 'accepted') {
      changed = true;
      report.accepted += 1;
    } else {
      report.unchanged += 1;
    }
  }
  if (changed) await upsertById(collectionOf(models.recognitions), uscc, { uscc, recognitions });
}

function contradiction(row: number, uscc: string, earlierRow: number, earlier: Recognition): RejectedImportRow {
  return {
    row,
    uscc,
    issues: [{ path: 'validTo', message: `row ${earlierRow} gives ${earlier.type} certificate ${earlier.certificateNo} as valid ${earlier.validFrom} to ${earlier.validTo}; one list cannot give it other dates` }],
  };
}
