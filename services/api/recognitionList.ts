import { parse } from 'csv-parse/sync';
import {
  RECOGNITION_IMPORT_COLUMNS, RECOGNITION_IMPORT_MAX_ROWS, RecognitionImportRow, toValidationIssues, type RejectedImportRow,
} from '../../schemas';
import type { ImportableRow } from '../../store/recognitionImport';
import { InvalidInput } from './errors';

// A published recognition list as ops upload it: CSV with the contract's header, or a JSON array
// of the same rows. Each row is checked on its own, so one bad row is reported and the rest load;
// only a list that cannot be read as rows at all is a 400.

export interface ReadList {
  rows: ImportableRow[];
  rejected: RejectedImportRow[];
}

export function readRecognitionList(body: unknown): ReadList {
  const records = typeof body === 'string' ? csvRecords(body) : body;
  if (!Array.isArray(records)) throw new InvalidInput([{ path: '', message: 'send a CSV (text/csv) or a JSON array of rows' }]);
  if (records.length === 0) throw new InvalidInput([{ path: '', message: 'the list has no rows' }]);
  if (records.length > RECOGNITION_IMPORT_MAX_ROWS) {
    throw new InvalidInput([{ path: '', message: `at most ${RECOGNITION_IMPORT_MAX_ROWS} rows per import, got ${records.length}; split the list` }]);
  }
  const out: ReadList = { rows: [], rejected: [] };
  records.forEach((record: unknown, index) => {
    const row = index + 1;
    const parsed = RecognitionImportRow.safeParse(record);
    if (parsed.success) out.rows.push({ row, data: parsed.data });
    else out.rejected.push({ row, uscc: usccOf(record), issues: toValidationIssues(parsed.error) });
  });
  return out;
}

function usccOf(record: unknown): string {
  const value = (record as { uscc?: unknown } | null)?.uscc;
  return typeof value === 'string' ? value : '';
}

/** The CSV's data rows as objects keyed by the header; a row with too few or too many fields keeps them as they are, for its row report. */
function csvRecords(text: string): Record<string, string>[] {
  let table: string[][];
  try {
    table = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    throw new InvalidInput([{ path: '', message: `not readable as CSV: ${(error as Error).message}` }]);
  }
  const [header, ...data] = table;
  if (header === undefined || header.join(',') !== RECOGNITION_IMPORT_COLUMNS.join(',')) {
    throw new InvalidInput([{ path: '', message: `the CSV header must be ${RECOGNITION_IMPORT_COLUMNS.join(',')}, got ${header?.join(',') ?? 'nothing'}` }]);
  }
  return data.map((fields) => {
    const record: Record<string, string> = {};
    RECOGNITION_IMPORT_COLUMNS.forEach((column, i) => {
      const value = fields[i];
      if (value !== undefined) record[column] = value;
    });
    // Extra fields become a key the strict row schema names as unrecognised.
    if (fields.length > RECOGNITION_IMPORT_COLUMNS.length) record[`column${RECOGNITION_IMPORT_COLUMNS.length + 1}`] = fields.slice(RECOGNITION_IMPORT_COLUMNS.length).join(',');
    return record;
  });
}
