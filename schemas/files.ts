import { z } from 'zod';
import { ApplicationId, DealId, FileId, IsoDateTime } from './common';
import { DocumentKind } from './deal';

// Documents are files (contract): what an upload answers, what a deal's document list shows.

/** The types a file may have, recognised from its content: PDF, PNG, JPEG, DOCX, XLSX. */
export const FILE_CONTENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
export const FileContentType = z.enum(FILE_CONTENT_TYPES);
export type FileContentType = z.infer<typeof FileContentType>;

/** `201` of `POST /v1/applications/:id/files`. */
export const StoredFile = z.object({
  fileId: FileId,
  kind: DocumentKind,
  name: z.string(),
  contentType: FileContentType,
  size: z.int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type StoredFile = z.infer<typeof StoredFile>;

/** One item of `GET /v1/deals/:dealId/documents`. */
export const DealDocument = StoredFile.extend({ submittedAt: IsoDateTime });
export type DealDocument = z.infer<typeof DealDocument>;
export const DealDocuments = z.object({ items: z.array(DealDocument) });

const fileName = z.string()
  .transform((value, ctx) => {
    try {
      return decodeURIComponent(value).trim();
    } catch {
      ctx.addIssue({ code: 'custom', message: 'X-File-Name must be URL-encoded (encodeURIComponent)' });
      return z.NEVER;
    }
  })
  .pipe(z.string().min(1, 'X-File-Name is required').max(300, 'X-File-Name is at most 300 characters').refine(isPlainFileName, 'X-File-Name must not hold control characters or slashes'));

function isPlainFileName(name: string): boolean {
  return ![...name].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** Headers of `POST /v1/applications/:id/files`; the body is the file. */
export const FileUploadHeaders = z.object({
  'x-document-kind': DocumentKind,
  'x-file-name': fileName,
  'content-length': z.coerce.number().int().min(0).optional(),
});

export const ApplicationFileParams = z.strictObject({ id: ApplicationId, fileId: FileId });
export const DealFileParams = z.strictObject({ dealId: DealId, fileId: FileId });
