import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from './processes';

// What stands in front of the API replicas in a deployment: a round-robin load balancer. A request
// goes to the next replica; one refused by a replica that is down (nothing was sent) goes to the
// other; one cut off mid-flight (the replica died with it) answers 503 with Retry-After, as a
// gateway does, and the client retries.
//
// It also measures read-your-writes across replicas: each command one replica answered 200 (202
// for a submission) is followed at once by the acting party's read of what it changed, on the
// other replica and on the same one, carrying the command's `X-Dealflow-Seq` back in
// `X-Dealflow-Min-Seq` as a client should, compared by `updatedAt` with the command's answer.

export interface ReadYourWrites {
  /** Commands followed by a read on both replicas. */
  checked: number;
  /** Reads on the other replica that did not show the command's effect yet. */
  staleOnOther: number;
  /** Reads on the replica that answered the command that did not show it (the baseline). */
  staleOnSame: number;
  /** Stale on the other replica while the same replica showed it: what only the second replica adds. */
  staleOnlyOnOther: number;
  /** Longest time until the other replica showed the effect, ms (polled every 250 ms up to 15 s). */
  longestStaleMs: number;
  /** Stale reads on the other replica that still did not show it after 15 s. */
  neverShown: number;
  byCommand: Record<string, { checked: number; staleOnOther: number; staleOnSame: number; staleOnlyOnOther: number }>;
  examples: string[];
}

export interface Balancer {
  url: string;
  /** Requests answered 503 because the replica died with them in flight, and those sent to the other replica after a refusal. */
  stats: { requests: number; cutOff: number; failedOver: number; noReplica: number };
  /** When each cut-off request failed. */
  cutOffAt: number[];
  readYourWrites: ReadYourWrites;
  /** Waits for the read-your-writes checks in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface Upstream {
  name: string;
  port: number;
  up(): boolean;
}

/** Which read shows a command's effect, and how to tell from the read's body. */
interface EffectProbe {
  command: string;
  readPath: string;
  shows(body: unknown): boolean;
}

const STALE_POLL_MS = 250;
const STALE_GIVE_UP_MS = 15_000;

export async function startBalancer(upstreams: readonly Upstream[]): Promise<Balancer> {
  let next = 0;
  const stats = { requests: 0, cutOff: 0, failedOver: 0, noReplica: 0 };
  const ryw: ReadYourWrites = { checked: 0, staleOnOther: 0, staleOnSame: 0, staleOnlyOnOther: 0, longestStaleMs: 0, neverShown: 0, byCommand: {}, examples: [] };
  const checks = new Set<Promise<void>>();
  const cutOffAt: number[] = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void forward(request, Buffer.concat(chunks), response).catch(() => {
        if (!response.headersSent) response.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'unavailable', message: 'balancer failure' }));
      });
    });
  });

  async function forward(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): Promise<void> {
    stats.requests += 1;
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(name)) headers[name] = value;
    }
    const start = next;
    next += 1;
    for (let tried = 0; tried < upstreams.length; tried += 1) {
      const upstream = upstreams[(start + tried) % upstreams.length] as Upstream;
      if (!upstream.up()) continue;
      let answer: Response;
      try {
        answer = await fetch(`http://127.0.0.1:${upstream.port}${path}`, {
          method,
          headers,
          ...(body.length > 0 ? { body } : {}),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        if (refused(error)) {
          stats.failedOver += 1;
          continue;
        }
        stats.cutOff += 1;
        cutOffAt.push(Date.now());
        response.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'unavailable', message: `replica ${upstream.name} did not answer: ${(error as Error).message}` }));
        return;
      }
      const text = Buffer.from(await answer.arrayBuffer());
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) out[name] = value;
      });
      response.writeHead(answer.status, out);
      response.end(text);
      if (method === 'POST') {
        const probe = effectProbe(path, answer.status, text);
        const other = upstreams.find((u) => u !== upstream && u.up());
        if (probe && other) {
          // The acting party's next read carries the command's seq back (README, "Running with more than one replica").
          const seq = answer.headers.get('x-dealflow-seq') ?? undefined;
          const check = checkReadYourWrites(probe, headers.authorization ?? '', seq, upstream, other).catch(() => undefined);
          checks.add(check);
          void check.finally(() => checks.delete(check));
        }
      }
      return;
    }
    stats.noReplica += 1;
    response.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'unavailable', message: 'no API replica is up' }));
  }

  async function read(upstream: Upstream, path: string, authorization: string, seq: string | undefined): Promise<{ status: number; body: unknown }> {
    const headers = { authorization, ...(seq !== undefined ? { 'x-dealflow-min-seq': seq } : {}) };
    const answer = await fetch(`http://127.0.0.1:${upstream.port}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await answer.text();
    return { status: answer.status, body: answer.status === 200 ? JSON.parse(text) : null };
  }

  async function checkReadYourWrites(probe: EffectProbe, authorization: string, seq: string | undefined, same: Upstream, other: Upstream): Promise<void> {
    const started = Date.now();
    const [onOther, onSame] = await Promise.all([read(other, probe.readPath, authorization, seq), read(same, probe.readPath, authorization, seq)]);
    // A replica that died meanwhile answers nothing: not a measurement.
    const shownOnOther = onOther.status === 200 && probe.shows(onOther.body);
    const shownOnSame = onSame.status === 200 && probe.shows(onSame.body);
    const tally = (ryw.byCommand[probe.command] ??= { checked: 0, staleOnOther: 0, staleOnSame: 0, staleOnlyOnOther: 0 });
    ryw.checked += 1;
    tally.checked += 1;
    if (!shownOnSame) {
      ryw.staleOnSame += 1;
      tally.staleOnSame += 1;
    }
    if (shownOnOther) return;
    ryw.staleOnOther += 1;
    tally.staleOnOther += 1;
    if (shownOnSame) {
      ryw.staleOnlyOnOther += 1;
      tally.staleOnlyOnOther += 1;
    }
    if (ryw.examples.length < 5) ryw.examples.push(`${probe.command} ${probe.readPath}: other replica answered ${onOther.status}${onOther.status === 200 ? ' without the effect' : ''}, the same one ${shownOnSame ? 'with' : 'without'} it`);
    while (Date.now() - started < STALE_GIVE_UP_MS) {
      await sleep(STALE_POLL_MS);
      if (!other.up()) return;
      const again = await read(other, probe.readPath, authorization, seq).catch(() => null);
      if (again?.status === 200 && probe.shows(again.body)) {
        ryw.longestStaleMs = Math.max(ryw.longestStaleMs, Date.now() - started);
        return;
      }
    }
    ryw.neverShown += 1;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    cutOffAt,
    readYourWrites: ryw,
    async settle() {
      await Promise.allSettled([...checks]);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

interface Stamped { updatedAt?: string; dealId?: string; applicationId?: string; deals?: { dealId: string; updatedAt: string }[] }

/** The read that shows a command's effect, by route; null for anything else (or a command that did not apply). */
export function effectProbe(path: string, status: number, body: Buffer): EffectProbe | null {
  const route = path.split('?')[0] ?? '';
  let answer: Stamped;
  try {
    answer = JSON.parse(body.toString('utf8')) as Stamped;
  } catch {
    return null;
  }
  const newerOrSame = (seen: string | undefined) => seen !== undefined && answer.updatedAt !== undefined && seen >= answer.updatedAt;
  if (route === '/v1/applications' && (status === 200 || status === 202) && answer.applicationId) {
    return { command: 'submit', readPath: `/v1/applications/${answer.applicationId}`, shows: () => true };
  }
  if (status !== 200) return null;
  let match = /^\/v1\/applications\/([^/]+)\/withdraw$/.exec(route);
  if (match) return { command: 'withdraw', readPath: `/v1/applications/${match[1]}`, shows: (read) => newerOrSame((read as Stamped).updatedAt) };
  match = /^\/v1\/applications\/([^/]+)\/(documents|offers\/[^/]+\/accept)$/.exec(route);
  if (match) {
    const command = match[2] === 'documents' ? 'documents' : 'accept';
    return { command, readPath: `/v1/applications/${match[1]}`, shows: (read) => newerOrSame((read as Stamped).deals?.find((d) => d.dealId === answer.dealId)?.updatedAt) };
  }
  match = /^\/v1\/deals\/([^/]+)\/decision$/.exec(route);
  if (match) return { command: 'decision', readPath: `/v1/deals/${match[1]}`, shows: (read) => newerOrSame((read as Stamped).updatedAt) };
  return null;
}
