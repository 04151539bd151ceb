import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { DependencyUnavailable } from '../../../adapters/dependencies';
import { createObjectStore, type ObjectStore } from '../../../adapters/objectStore';

// A sick store never holds a request: against a loopback HTTP server that accepts and then goes
// silent (before its answer, or halfway through a body), every call fails within its deadline as
// the store being down, and a stalled body fails its stream instead of leaving it open.

const deadlines = { connectMs: 500, stallMs: 600, callMs: 800, firstByteMs: 700 };

let server: http.Server;
let store: ObjectStore;
/** What the fake store does with each request. */
let behave: (response: http.ServerResponse) => void;
const open = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    open.add(response);
    response.once('close', () => open.delete(response));
    request.resume();
    behave(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  store = createObjectStore({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'files',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' },
    encryptionKey: Buffer.alloc(32),
    retentionDays: 1,
    maxBytes: 1024,
  }, deadlines);
});

afterEach(() => {
  for (const response of open) response.destroy();
});

afterAll(async () => {
  store.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** How long `work` took to reject, and with what. */
async function rejection(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await work.then(() => null, (caught: unknown) => caught);
  return { error, ms: Date.now() - started };
}

test('a store that accepts and never answers: each call without a body is a 503 within its deadline', async () => {
  behave = () => undefined;
  for (const call of [() => store.ping(), () => store.delete('a/key'), () => store.ensureBucket()]) {
    const { error, ms } = await rejection(call());
    expect(error).toBeInstanceOf(DependencyUnavailable);
    expect(ms).toBeLessThan(3_000);
  }
});

test('a read whose answer never begins is a 503 within the first-byte deadline', async () => {
  behave = (response) => response.writeHead(200, { 'content-length': '1000' }).flushHeaders();
  const { error, ms } = await rejection(store.get('a/key'));
  expect(error).toBeInstanceOf(DependencyUnavailable);
  expect(ms).toBeLessThan(3_000);
});

test('a read that stalls halfway fails its stream within the stall deadline, instead of staying open', async () => {
  behave = (response) => {
    response.writeHead(200, { 'content-length': '1000' });
    response.write(Buffer.alloc(100));
  };
  const body: Readable = await store.get('a/key');
  const started = Date.now();
  const failed = await new Promise<Error | undefined>((resolve) => {
    body.on('data', () => undefined);
    body.once('error', resolve);
    body.once('end', () => resolve(undefined));
  });
  expect(failed).toBeInstanceOf(Error);
  expect(body.destroyed).toBe(true);
  expect(Date.now() - started).toBeLessThan(3_000);
});
