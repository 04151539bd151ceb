import type { DocumentKind, FileContentType } from '../schemas';
import type { mongo } from 'mongoose';
import { collectionOf, isDuplicateKey, type StoredDoc } from './collection';
import type { Models } from './models';

// The document files' records (`files`, by fileId) and the retention's buckets (`file_sweeps`):
// every file is put in the bucket of the hour it is next due to be looked at, and the sweep reads
// the buckets of the hours that have passed, one `_id` each, from a cursor. No query scans.

export interface FileRecord {
  _id: string;
  applicationId: string;
  enterpriseUscc: string;
  kind: DocumentKind;
  name: string;
  /** `uploading` until the object is in the store and checked; a record left `uploading` is swept. */
  state: 'uploading' | 'stored';
  objectKey: string;
  uploadedAt: string;
  uploadedBy: string;
  contentType?: FileContentType;
  size?: number;
  sha256?: string;
  /** AES-256-GCM (adapters/fileCipher.ts): the IV and tag, base64. */
  encryption?: { cipher: string; iv: string; tag: string };
}

export type StoredFileRecord = FileRecord & Required<Pick<FileRecord, 'contentType' | 'size' | 'sha256' | 'encryption'>>;

const HOUR_MS = 3_600_000;
const CURSOR_ID = 'cursor';
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
const bucketId = (hour: number): string => `hour:${hour}`;

/** The record of an upload that starts, already due for the sweep: a crash halfway leaves nothing for long. */
export async function recordUploadStarted(models: Models, record: FileRecord, dueAtMs: number): Promise<void> {
  await scheduleFileSweep(models, record._id, dueAtMs);
  await collectionOf(models.files).insertOne({ ...record });
}

export async function recordUploadStored(models: Models, fileId: string, fields: Required<Pick<FileRecord, 'contentType' | 'size' | 'sha256' | 'encryption'>>): Promise<void> {
  await collectionOf(models.files).updateOne({ _id: fileId }, { $set: { ...fields, state: 'stored' } });
}

export async function findFileRecord(models: Models, fileId: string): Promise<FileRecord | null> {
  return (await collectionOf(models.files).findOne({ _id: fileId })) as FileRecord | null;
}

export async function findStoredFile(models: Models, fileId: string): Promise<StoredFileRecord | null> {
  const record = await findFileRecord(models, fileId);
  return record?.state === 'stored' ? (record as StoredFileRecord) : null;
}

export async function deleteFileRecord(models: Models, fileId: string): Promise<void> {
  await collectionOf(models.files).deleteOne({ _id: fileId });
}

/** Puts the file in the bucket of the hour `atMs` falls in; the cursor moves back to it if it was past. */
export async function scheduleFileSweep(models: Models, fileId: string, atMs: number): Promise<void> {
  const hour = hourOf(atMs);
  const sweeps = collectionOf(models.fileSweeps);
  await retryDuplicate(() => sweeps.updateOne({ _id: bucketId(hour) }, { $addToSet: { fileIds: fileId } } as unknown as mongo.UpdateFilter<StoredDoc>, { upsert: true }));
  await retryDuplicate(() => sweeps.updateOne({ _id: CURSOR_ID }, { $min: { nextHour: hour } }, { upsert: true }));
}

/** The hours from the cursor up to `nowMs` and the files due in each, oldest first (at most `maxHours`). */
export async function dueFileSweeps(models: Models, nowMs: number, maxHours = 24 * 14): Promise<{ hour: number; fileIds: string[] }[]> {
  const sweeps = collectionOf(models.fileSweeps);
  const cursor = (await sweeps.findOne({ _id: CURSOR_ID })) as { nextHour?: number } | null;
  if (typeof cursor?.nextHour !== 'number') return [];
  const due: { hour: number; fileIds: string[] }[] = [];
  const last = Math.min(hourOf(nowMs), cursor.nextHour + maxHours - 1);
  for (let hour = cursor.nextHour; hour <= last; hour += 1) {
    const bucket = (await sweeps.findOne({ _id: bucketId(hour) })) as { fileIds?: string[] } | null;
    due.push({ hour, fileIds: bucket?.fileIds ?? [] });
  }
  return due;
}

/** The hour is done: its bucket goes and the cursor moves past it (unless a file was put before it since). */
export async function finishFileSweep(models: Models, hour: number): Promise<void> {
  const sweeps = collectionOf(models.fileSweeps);
  await sweeps.deleteOne({ _id: bucketId(hour) });
  // One sweep runs at a time (the schedule skips an overlap): read, then write by `_id`.
  const cursor = (await sweeps.findOne({ _id: CURSOR_ID })) as { nextHour?: number } | null;
  if (cursor?.nextHour === hour) await sweeps.updateOne({ _id: CURSOR_ID }, { $set: { nextHour: hour + 1 } });
}

// Two first writes of one bucket may both try the insert; the loser finds the document there.
async function retryDuplicate(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await write();
  }
}
