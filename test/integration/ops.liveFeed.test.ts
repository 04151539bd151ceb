import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { OpsMetrics } from '../../schemas';
import { createEventPublisher, type EventPublisher } from '../../adapters/events/publisher';
import { fetchHighWatermarks } from '../../adapters/kafka';
import { createLiveFeed, type LiveFeed } from '../../services/api/liveFeed';
import { opsRoutes } from '../../services/api/routes/ops';
import { eventStream, HOUR, screened, T0, usccOf } from '../support/opsEvents';
import { useOwnTopicAndDatabase } from '../support/ownTopic';
import { testLogger } from '../support/stack';

jest.setTimeout(120_000);

let publisher: EventPublisher;
let feed: LiveFeed;
let app: FastifyInstance;
let base: string;

const { config, logger, suffix, models, kafka, admin, producer } = useOwnTopicAndDatabase('ops.feed', {
  prepare: false,
  beforeClose: async () => {
    await app?.close();
    await feed?.close();
  },
});

// Stands in for the API's `allow('ops')`.
const opsOnly = async (request: { headers: Record<string, unknown> }, reply: { code: (n: number) => { send: (b: unknown) => unknown } }) => {
  if (request.headers['x-role'] !== 'ops') return reply.code(403).send({ error: 'forbidden', message: 'ops only' });
};

beforeAll(async () => {
  publisher = createEventPublisher(producer, config.kafka.topic);
  feed = createLiveFeed({ kafka, topic: config.kafka.topic, logger, groupId: `it-feed-${suffix}` });
  await feed.whenConnected(60_000);
  app = Fastify();
  await app.register(opsRoutes({
    models, feed, preHandler: opsOnly, heartbeatMs: 200, metricsCacheMs: 0,
    watermarks: async () => ({ topic: config.kafka.topic, highWatermarks: await fetchHighWatermarks(admin, config.kafka.topic) }),
  }), { prefix: '/v1/ops' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

interface SseMessage { id?: string; event?: string; data?: string }

/** A minimal SSE client on plain http.get: collects messages and comments until closed. */
function openStream(headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let status = 0;
  let responseHeaders: http.IncomingHttpHeaders = {};
  let buffered = '';
  let req: http.ClientRequest | null = null;
  const opened = new Promise<void>((resolve, reject) => {
    req = http.get(`${base}/v1/ops/events`, { headers: { accept: 'text/event-stream', 'x-role': 'ops', ...headers } }, (res) => {
      status = res.statusCode ?? 0;
      responseHeaders = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) message.data = line.slice(6);
          }
          if (message.data !== undefined) messages.push(message);
        }
        for (const w of [...waiters]) if (messages.length >= w.count) w.resolve();
      });
      resolve();
    });
    req.on('error', reject);
  });
  const stream = {
    messages,
    comments,
    opened,
    status: () => status,
    headers: () => responseHeaders,
    close: () => void req?.destroy(),
    waitFor(count: number, timeoutMs = 30_000): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${messages.length} of ${count} SSE messages`)), timeoutMs);
        waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
  };
  return stream;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uscc = usccOf('91340100MA2N0L8K3');

test('an SSE client receives live events, and reconnecting with Last-Event-ID replays only the missed ones', async () => {
  const e = eventStream(`app-feed-${suffix}`, uscc);
  const events = [
    e(1, 'application.submitted', T0, { request: { instrument: 'credit_loan', amountCny: 3_000_000, termMonths: 12, purpose: 'Working capital' } }),
    e(2, 'application.screened', T0 + HOUR, screened(true, T0 + HOUR)),
    e(3, 'application.matched', T0 + 2 * HOUR, { candidates: [] }),
    e(4, 'application.no_match', T0 + 2 * HOUR, { reason: 'no_eligible_product' }),
    e(5, 'application.withdrawn', T0 + 3 * HOUR, { reason: 'test' }),
  ];

  const first = openStream();
  await first.opened;
  expect(first.status()).toBe(200);
  expect(first.headers()['content-type']).toMatch(/^text\/event-stream/);
  await publisher.publish(events.slice(0, 3));
  await first.waitFor(3);
  expect(first.messages.map((m) => JSON.parse(m.data ?? '{}').eventId)).toEqual(events.slice(0, 3).map((ev) => ev.eventId));
  await sleep(500);
  expect(first.comments).toContain('heartbeat');
  const lastId = first.messages[2]?.id;
  first.close();

  // Published while no client is connected; a watcher on the feed tells when they are buffered.
  let buffered = 0;
  const watcher = feed.subscribe({ onEvent: () => void (buffered += 1), onClose: () => {} });
  await publisher.publish(events.slice(3));
  while (buffered < 2) await sleep(100);
  watcher.unsubscribe();

  const second = openStream({ 'last-event-id': lastId ?? '' });
  await second.opened;
  await second.waitFor(2);
  await sleep(500);
  expect(second.messages.map((m) => JSON.parse(m.data ?? '{}').eventId)).toEqual(events.slice(3).map((ev) => ev.eventId));
  second.close();
});

test('a Last-Event-ID the feed does not know gets a reset notice and the live stream', async () => {
  const stream = openStream({ 'last-event-id': 'deadbeef.42' });
  await stream.opened;
  await stream.waitFor(1);
  expect(stream.messages[0]?.event).toBe('reset');
  expect(JSON.parse(stream.messages[0]?.data ?? '{}')).toMatchObject({ reason: 'last_event_id_unknown', lastEventId: 'deadbeef.42' });
  stream.close();
});

test('the caller\'s preHandler guards both routes', async () => {
  expect((await fetch(`${base}/v1/ops/metrics`)).status).toBe(403);
  expect((await fetch(`${base}/v1/ops/events`)).status).toBe(403);
});

test('GET /v1/ops/metrics answers the OpsMetrics shape', async () => {
  const response = await fetch(`${base}/v1/ops/metrics`, { headers: { 'x-role': 'ops' } });
  expect(response.status).toBe(200);
  const body = OpsMetrics.parse(await response.json());
  expect(body.funnel.all.byStatus.closed).toBe(0);
});

test('the event stream answers 503 with Retry-After while its consumer is not connected to Kafka', async () => {
  // Nothing listens on port 1; no retries, so the failed connect leaves no timers behind.
  const unreachable = new Kafka({ clientId: 'it-dead', brokers: ['127.0.0.1:1'], retry: { retries: 0 }, logLevel: logLevel.NOTHING });
  const silent = testLogger();
  silent.level = 'silent';
  const deadFeed = createLiveFeed({ kafka: unreachable, topic: config.kafka.topic, logger: silent, groupId: `it-dead-${suffix}`, retryMs: 60_000 });
  const other = Fastify();
  try {
    await other.register(opsRoutes({ models, feed: deadFeed, watermarks: async () => ({ topic: config.kafka.topic, highWatermarks: [] }) }), { prefix: '/v1/ops' });
    await other.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`http://127.0.0.1:${(other.server.address() as AddressInfo).port}/v1/ops/events`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error: 'unavailable' });
  } finally {
    await other.close();
    await deadFeed.close();
  }
});
