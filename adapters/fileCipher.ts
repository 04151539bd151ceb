import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';

// The files at rest: AES-256-GCM, applied as a stream while the file passes through the API, so
// the object store (ours or a provider's) only ever holds ciphertext. Each file has its own key,
// derived from the configured key and the file's id (HKDF-SHA256), and a random 96-bit IV; the
// authentication tag is kept in the file's record, not in the store.

export const FILE_CIPHER = 'aes-256-gcm/hkdf-sha256/v1';

function fileKey(masterKey: Buffer, fileId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.from(fileId, 'utf8'), FILE_CIPHER, 32));
}

export interface FileEncryption {
  /** A Transform stream: plaintext in, ciphertext out. */
  stream: CipherGCM;
  iv: string;
  /** The authentication tag (base64), once the stream has ended. */
  tag: () => string;
}

export function encryptFile(masterKey: Buffer, fileId: string): FileEncryption {
  const iv = randomBytes(12);
  const stream = createCipheriv('aes-256-gcm', fileKey(masterKey, fileId), iv);
  return { stream, iv: iv.toString('base64'), tag: () => stream.getAuthTag().toString('base64') };
}

/**
 * A Transform stream: ciphertext in, plaintext out. A file whose bytes or tag do not match fails
 * the stream at its end (GCM checks the tag last), so a reader sees an error, not a quiet success.
 */
export function decryptFile(masterKey: Buffer, fileId: string, encryption: { iv: string; tag: string }): DecipherGCM {
  const stream = createDecipheriv('aes-256-gcm', fileKey(masterKey, fileId), Buffer.from(encryption.iv, 'base64'));
  stream.setAuthTag(Buffer.from(encryption.tag, 'base64'));
  return stream;
}
