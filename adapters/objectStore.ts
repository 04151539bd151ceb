import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { FilesConfig } from './config';
import { DependencyUnavailable } from './dependencies';

// The object store the documents live in: any S3-compatible service (the local SeaweedFS, or a
// cloud one in production) through the AWS SDK. Bodies are streams both ways; nothing here holds
// a whole file in memory.

/** Parts of a multipart upload: the SDK buffers at most `queueSize` of them per upload. */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
/** Every call is bounded, so a sick store answers 503 soon and never holds a request. */
export interface ObjectStoreDeadlines {
  /** Connecting, and waiting for a pooled connection. */
  connectMs: number;
  /** A connection that carries nothing either way for this long fails its request, and its body mid-stream. */
  stallMs: number;
  /** A call without a body to stream (head, delete, create) has this long for all of it. */
  callMs: number;
  /** A read whose answer has not begun in this time is given up: a store that is starting may accept and wait. */
  firstByteMs: number;
}
export const OBJECT_STORE_DEADLINES: ObjectStoreDeadlines = { connectMs: 3_000, stallMs: 15_000, callMs: 10_000, firstByteMs: 10_000 };
// The SDK logs a failed streaming request with console.warn; the failure is thrown to us anyway and
// answered (and logged) by the API, so its own log line would only be noise.
const quietSdkLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface ObjectStore {
  /**
   * Streams `body` to `key`: as one PUT when its length is known (nothing buffered), else as a
   * multipart upload (5 MiB parts). On any failure (the body's included) the upload is aborted and
   * the key deleted, so nothing stays.
   */
  put(key: string, body: Readable, options?: { contentLength?: number; metadata?: Record<string, string> }): Promise<void>;
  get(key: string): Promise<Readable>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Resolves when the bucket answers; creates it when it does not exist yet. */
  ensureBucket(): Promise<void>;
  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
  readonly bucket: string;
  readonly client: S3Client;
  close(): void;
}

export function createObjectStore(config: FilesConfig, deadlines: ObjectStoreDeadlines = OBJECT_STORE_DEADLINES): ObjectStore {
  /** The options of a call without a streamed body: aborted when its deadline passes (then a 503). */
  const callDeadline = (): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(deadlines.callMs) });
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // The API retries nothing itself: a store that is down answers 503 quickly, the client retries.
    maxAttempts: 2,
    // The SDK's `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set, and it
    // would cut off a long upload the client sends slowly: the bounds are the idle connection
    // (`socketTimeout`, which fails a stalled body too) and each call's own deadline below.
    requestHandler: { connectionTimeout: deadlines.connectMs, socketTimeout: deadlines.stallMs },
    // Checksums only when the operation requires one: S3-compatible stores differ in what they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    logger: quietSdkLogger,
  });
  const { bucket } = config;
  return {
    bucket,
    client,
    async put(key, body, { contentLength, metadata } = {}) {
      const params = { Bucket: bucket, Key: key, Body: body, ...(metadata ? { Metadata: metadata } : {}) };
      // A known length streams straight through in one request (the SDK signs it UNSIGNED-PAYLOAD);
      // an unknown one (a chunked request) needs parts, which the SDK buffers one at a time.
      const upload = contentLength !== undefined
        ? null
        : new Upload({ client, params, partSize: PART_BYTES, queueSize: PARTS_IN_FLIGHT, leavePartsOnError: false });
      // A body that fails (size cap, wrong type, client gone) must stop the upload, not let it wait.
      const abortController = new AbortController();
      const abort = (): void => {
        abortController.abort();
        if (upload) void upload.abort().catch(() => undefined);
      };
      body.once('error', abort);
      try {
        if (upload) await upload.done();
        else await client.send(new PutObjectCommand({ ...params, ContentLength: contentLength }), { abortSignal: abortController.signal });
      } catch (error) {
        // A single-part upload (a small file) is a plain PUT that may already have landed.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), callDeadline()).catch(() => undefined);
        // Stopped by its body's failure: the caller knows why (a refusal, the client gone).
        if (abortController.signal.aborted) throw error;
        throw storeError(error, `uploading ${key}`);
      } finally {
        body.off('error', abort);
      }
    },
    async get(key) {
      // The deadline covers the answer's start only: a long file then streams for as long as it takes.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), deadlines.firstByteMs);
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: deadline.signal });
        const body = answer.Body as Readable;
        // A store that has just started may send the headers and then stall (seen: SeaweedFS while
        // its volume server registers): the first bytes must come within the deadline too, before
        // the API commits to a 200.
        await firstBytes(body, deadline.signal);
        return body;
      } catch (error) {
        if (deadline.signal.aborted) throw new DependencyUnavailable('objectStore', `the object store did not answer reading ${key} within ${deadlines.firstByteMs} ms`, { cause: error });
        throw storeError(error, `reading ${key}`);
      } finally {
        clearTimeout(timer);
      }
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), callDeadline());
      } catch (error) {
        throw storeError(error, `deleting ${key}`);
      }
    },
    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), callDeadline());
        return;
      } catch (error) {
        if (!isNotFound(error)) throw storeError(error, `looking up bucket ${bucket}`);
      }
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }), callDeadline());
      } catch (error) {
        const code = error instanceof S3ServiceException ? error.name : '';
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw storeError(error, `creating bucket ${bucket}`);
      }
    },
    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), callDeadline());
      } catch (error) {
        throw storeError(error, `looking up bucket ${bucket}`);
      }
    },
    close() {
      client.destroy();
    },
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchBucket');
}

/** An object the store says is missing. */
export class ObjectMissing extends Error {
  override name = 'ObjectMissing';
}

/**
 * The store answered with a client error (a missing object): that error as it is. Anything else
 * (no answer, a 5xx, a deadline passed, a body aborted by the store) means the store is down: 503.
 */
function storeError(error: unknown, what: string): Error {
  if (error instanceof S3ServiceException) {
    if (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404) return new ObjectMissing(`${what}: not found`, { cause: error });
    const status = error.$metadata.httpStatusCode ?? 0;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return error;
  }
  return new DependencyUnavailable('objectStore', `the object store did not answer ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Resolves once `body` has data to read (or has ended); rejects when `signal` aborts first. */
function firstBytes(body: Readable, signal: AbortSignal): Promise<void> {
  if (body.readableLength > 0 || body.readableEnded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      body.off('readable', onReadable);
      body.off('end', onReadable);
      body.off('error', done);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onReadable = () => done();
    const onAbort = () => {
      body.destroy();
      done(new Error('no bytes before the deadline'));
    };
    body.once('readable', onReadable);
    body.once('end', onReadable);
    body.once('error', done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
