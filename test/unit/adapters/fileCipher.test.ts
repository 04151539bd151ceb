import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { decryptFile, encryptFile } from '../../../adapters/fileCipher';

// The files' encryption as streams: what goes in comes out, and a changed byte or another file's
// id (its own key) fails the stream instead of handing back wrong bytes.

const key = randomBytes(32);
const fileId = `file_${'d'.repeat(32)}`;

async function through(stream: NodeJS.ReadWriteStream, input: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([input.subarray(0, 1000), input.subarray(1000)]), stream, new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk); done(); } }));
  return Buffer.concat(chunks);
}

test('a file encrypts to ciphertext of its length and decrypts to itself', async () => {
  const plain = randomBytes(300_000);
  const encryption = encryptFile(key, fileId);
  const cipher = await through(encryption.stream, plain);
  expect(cipher.length).toBe(plain.length);
  expect(cipher.equals(plain)).toBe(false);
  const back = await through(decryptFile(key, fileId, { iv: encryption.iv, tag: encryption.tag() }), cipher);
  expect(back.equals(plain)).toBe(true);
});

test('a changed byte or another file\'s key fails the stream', async () => {
  const plain = randomBytes(5_000);
  const encryption = encryptFile(key, fileId);
  const cipher = await through(encryption.stream, plain);
  const meta = { iv: encryption.iv, tag: encryption.tag() };
  const tampered = Buffer.from(cipher);
  tampered[10] = (tampered[10] ?? 0) ^ 1;
  await expect(through(decryptFile(key, fileId, meta), tampered)).rejects.toThrow(/authenticate/);
  await expect(through(decryptFile(key, `file_${'e'.repeat(32)}`, meta), cipher)).rejects.toThrow(/authenticate/);
});
