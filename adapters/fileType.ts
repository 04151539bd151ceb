import { fileTypeFromBuffer } from 'file-type/core';
import { FILE_CONTENT_TYPES, type FileContentType } from '../schemas/files';

// What a file is, from its first bytes (file-type: magic numbers, and for DOCX and XLSX the
// entries of the ZIP container), never from its name or the Content-Type the client sent.

/** Enough of the head for every accepted type: a DOCX or XLSX names its parts in the first ZIP entries. */
export const SNIFF_BYTES = 64 * 1024;

/** The accepted content type of a file starting with `head`, or null (with what it looked like). */
export async function sniffContentType(head: Uint8Array): Promise<{ contentType: FileContentType } | { contentType: null; detected: string }> {
  const found = await fileTypeFromBuffer(head);
  const mime = found?.mime;
  if (mime !== undefined && (FILE_CONTENT_TYPES as readonly string[]).includes(mime)) return { contentType: mime as FileContentType };
  return { contentType: null, detected: mime ?? 'unknown' };
}
