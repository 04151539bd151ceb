import type { Config } from '../../adapters/config';
import { startAppWith, useApiStack, type Api } from './support';

// The rate limit behind a proxy and across replicas: which address a caller has is configured
// (DEALFLOW_TRUST_PROXY), and so is where requests are counted (DEALFLOW_RATE_LIMIT_STORE).

const { stack } = useApiStack({ worker: false });
/** The test calls over loopback: to the API, the proxy is 127.0.0.1. */
const PROXY = '127.0.0.1';
const apps: Api[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function replica(api: Config['api']): Promise<Api> {
  const app = await startAppWith(stack, { config: { ...stack.config, api }, limits: { rateMax: 2, rateWindowMs: 60_000 } });
  apps.push(app);
  return app;
}

/** An address no other run of this test used within the window (the shared store keeps counts). */
const clientAddress = (): string => `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** An anonymous request (a web page) that reached the API through the proxy, as that client. */
async function statusVia(api: Api, client: string): Promise<number> {
  return (await api.call('GET', '/index.html', { headers: { 'x-forwarded-for': client } })).status;
}

test('behind a trusted proxy two clients have a bucket each', async () => {
  const api = await replica({ trustProxy: [PROXY], rateLimitStore: 'memory' });
  const [first, second] = [clientAddress(), clientAddress()];
  expect([await statusVia(api, first), await statusVia(api, first), await statusVia(api, first)]).toEqual([200, 200, 429]);
  expect(await statusVia(api, second)).toBe(200);
});

test('without trusting the proxy every client behind it shares its bucket', async () => {
  const api = await replica({ trustProxy: false, rateLimitStore: 'memory' });
  const [first, second] = [clientAddress(), clientAddress()];
  expect([await statusVia(api, first), await statusVia(api, first)]).toEqual([200, 200]);
  expect(await statusVia(api, second)).toBe(429);
});

test('with the MongoDB store the replicas count one client\'s requests together', async () => {
  const [a, b] = [await replica({ trustProxy: true, rateLimitStore: 'mongo' }), await replica({ trustProxy: true, rateLimitStore: 'mongo' })];
  const client = clientAddress();
  expect([await statusVia(a, client), await statusVia(b, client)]).toEqual([200, 200]);
  expect([await statusVia(a, client), await statusVia(b, client)]).toEqual([429, 429]);
  expect(await statusVia(b, clientAddress())).toBe(200);
});

test('a request refused for want of a token counts like any other', async () => {
  const api = await replica({ trustProxy: [PROXY], rateLimitStore: 'memory' });
  const client = clientAddress();
  const anonymous = async () => (await api.call('GET', '/v1/applications', { headers: { 'x-forwarded-for': client } })).status;
  expect([await anonymous(), await anonymous(), await anonymous()]).toEqual([401, 401, 429]);
  expect((await api.call('GET', '/health/live', { headers: { 'x-forwarded-for': client } })).status).toBe(200);
});
