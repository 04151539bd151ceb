import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, pipeline } from 'node:stream';
import type { FilesConfig } from '../../adapters/config';
import { decryptFile, encryptFile, FILE_CIPHER } from '../../adapters/fileCipher';
import { sniffContentType, SNIFF_BYTES } from '../../adapters/fileType';
import type { ObjectStore } from '../../adapters/objectStore';
import type { DocumentKind, StoredFile } from '../../schemas';
import { deleteFileRecord, recordUploadStarted, recordUploadStored, type StoredFileRecord } from '../../store/files';
import type { Models } from '../../store/models';
import { ApiError, InvalidInput } from './errors';

// A file's way in and out: streamed from the request through the checks (size, type, SHA-256)
// and the cipher into the object store, and back through the decipher. No step holds the whole
// file: the type is read from its first 64 KiB, everything else passes chunk by chunk.

/** Unreferenced uploads go after this (contract); the sweep looks at each file when it is due. */
export const UNREFERENCED_FILE_TTL_MS = 24 * 3_600_000;

export const newFileId = (): string => `file_${randomBytes(16).toString('hex')}`;
const objectKeyOf = (applicationId: string, fileId: string): string => `applications/${applicationId}/${fileId}`;

export const tooLarge = (maxBytes: number): ApiError =>
  new ApiError(413, 'payload_too_large', `a file may be at most ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(0)} MiB)`, { connection: 'close' });

export interface UploadInput {
  applicationId: string;
  enterpriseUscc: string;
  uploadedBy: string;
  kind: DocumentKind;
  name: string;
  body: Readable;
  /** The request's Content-Length, when it had one (checked against the cap before this). */
  contentLength?: number;
}

/**
 * Streams the body into the store and records the file. Every refusal (too large, not an accepted
 * type, empty) and every failure removes what was written: the object and the record.
 */
export async function storeUpload(deps: { models: Models; objectStore: ObjectStore; files: FilesConfig }, input: UploadInput): Promise<StoredFile> {
  const { models, objectStore, files } = deps;
  const fileId = newFileId();
  const objectKey = objectKeyOf(input.applicationId, fileId);
  const uploadedAt = new Date();
  await recordUploadStarted(models, {
    _id: fileId,
    applicationId: input.applicationId,
    enterpriseUscc: input.enterpriseUscc,
    kind: input.kind,
    name: input.name,
    state: 'uploading',
    objectKey,
    uploadedAt: uploadedAt.toISOString(),
    uploadedBy: input.uploadedBy,
  }, uploadedAt.getTime() + UNREFERENCED_FILE_TTL_MS);

  const checks = new FileChecks(files.maxBytes);
  const encryption = encryptFile(files.encryptionKey, fileId);
  // The checks stop reading the request when they refuse it, but never destroy it: that would reset
  // the connection before the answer (400, 413, 503) is sent.
  const checked = Readable.from(checks.pass(input.body.iterator({ destroyOnReturn: false })));
  const ciphertext = new PassThrough();
  pipeline(checked, encryption.stream, ciphertext, () => undefined);
  try {
    // AES-GCM's ciphertext is as long as the plaintext: a declared length is the object's length.
    await objectStore.put(objectKey, ciphertext, { ...(input.contentLength !== undefined ? { contentLength: input.contentLength } : {}), metadata: { 'dealflow-file-id': fileId } });
  } catch (error) {
    // A store that failed stops reading mid-file: the chain is torn down, and what the client still
    // sends is read into nothing, so its connection can carry its next request.
    checked.destroy();
    discardRest(input.body, files.maxBytes);
    await deleteFileRecord(models, fileId).catch(() => undefined);
    if (checks.refusal) throw checks.refusal;
    if (input.body.readableAborted) throw new ApiError(400, 'upload_interrupted', 'the upload ended before the file was complete; nothing was stored');
    throw error;
  }
  const stored = {
    contentType: checks.contentType as StoredFile['contentType'],
    size: checks.size,
    sha256: checks.sha256(),
    encryption: { cipher: FILE_CIPHER, iv: encryption.iv, tag: encryption.tag() },
  };
  try {
    await recordUploadStored(models, fileId, stored);
  } catch (error) {
    await objectStore.delete(objectKey).catch(() => undefined);
    throw error;
  }
  return { fileId, kind: input.kind, name: input.name, contentType: stored.contentType, size: stored.size, sha256: stored.sha256 };
}

/** How long the rest of a refused upload may take to arrive before its connection is closed. */
const DISCARD_WITHIN_MS = 30_000;

/**
 * Reads the rest of a request body that will not be used, and drops it. An answer sent before the
 * body has been read leaves the client's unsent bytes on the connection: unless they are read, the
 * next request the client sends on that keep-alive connection waits behind them for ever. A body
 * that goes on past `maxBytes` or `DISCARD_WITHIN_MS` is cut off with its connection instead.
 */
function discardRest(body: Readable, maxBytes: number): void {
  if (body.readableEnded || body.destroyed) return;
  let discarded = 0;
  const cutOff = setTimeout(() => body.destroy(), DISCARD_WITHIN_MS);
  cutOff.unref();
  body.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) body.destroy();
  });
  body.once('close', () => clearTimeout(cutOff));
  // Flows once nothing else reads it (a 'readable' listener of a reader being torn down holds it paused).
  body.resume();
}

/** The checks a file passes on its way in: the size cap, the type from its head, the SHA-256 of all of it. */
class FileChecks {
  size = 0;
  contentType: string | null = null;
  /** Why the file was refused, when it was: the answer the client gets instead of the store's error. */
  refusal: Error | null = null;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {}

  sha256(): string {
    return this.hash.digest('hex');
  }

  async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let head: Buffer[] = [];
    let headBytes = 0;
    try {
      for await (const chunk of source) {
        this.size += chunk.length;
        if (this.size > this.maxBytes) throw this.refuse(tooLarge(this.maxBytes));
        this.hash.update(chunk);
        if (this.contentType !== null) {
          yield chunk;
          continue;
        }
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SNIFF_BYTES) {
          await this.recognise(Buffer.concat(head));
          yield* head;
          head = [];
        }
      }
      if (this.contentType === null) {
        if (this.size === 0) throw this.refuse(new InvalidInput([{ path: 'body', message: 'the file is empty' }]));
        await this.recognise(Buffer.concat(head));
        yield* head;
      }
    } catch (error) {
      // The client went away halfway: nothing of the upload may stay.
      throw this.refusal ?? error;
    }
  }

  private async recognise(head: Buffer): Promise<void> {
    const sniffed = await sniffContentType(head);
    if (sniffed.contentType === null) {
      throw this.refuse(new InvalidInput([{
        path: 'body',
        message: `the file's content is ${sniffed.detected === 'unknown' ? 'not a recognised type' : sniffed.detected}; accepted are PDF, PNG, JPEG, DOCX and XLSX, recognised by content, not by name or Content-Type`,
      }]));
    }
    this.contentType = sniffed.contentType;
  }

  private refuse(error: Error): Error {
    this.refusal = error;
    return error;
  }
}

/** The file's plaintext as a stream: the object read from the store through the decipher. */
export async function openStoredFile(deps: { objectStore: ObjectStore; files: FilesConfig }, file: StoredFileRecord): Promise<{ stream: Readable; abort: () => void }> {
  const ciphertext = await deps.objectStore.get(file.objectKey);
  const plaintext = new PassThrough();
  pipeline(ciphertext, decryptFile(deps.files.encryptionKey, file._id, file.encryption), plaintext, () => undefined);
  return { stream: plaintext, abort: () => ciphertext.destroy() };
}

/** `Content-Disposition: attachment` with the name in RFC 6266/5987 form (any script, no header injection). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
