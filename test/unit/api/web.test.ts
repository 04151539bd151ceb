import Fastify, { type FastifyInstance } from 'fastify';
import { PUBLIC_DIR } from '../../../services/api/app';
import { webRoutes } from '../../../services/api/web';

// The web pages as the API serves them: each page after the head they share, the other files as
// they are, the layout and the pages' sources not on their own.

let app: FastifyInstance;
let base: string;
const get = (path: string) => fetch(`${base}${path}`);

beforeAll(async () => {
  app = Fastify();
  await app.register(webRoutes(PUBLIC_DIR));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

test('a page is the shared head followed by its own title, script and <main>, under the pages\' policy', async () => {
  const answer = await get('/enterprise.html');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
  const html = await answer.text();
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html.match(/<link rel="stylesheet" href="\/style.css">/g)).toHaveLength(1);
  expect(html.indexOf('<meta charset="utf-8">')).toBeLessThan(html.indexOf('<title>Enterprise'));
  expect(html).toContain('<script type="module" src="/enterprise.js"></script>');
  expect(html.trimEnd().endsWith('</main>')).toBe(true);
});

test('the index answers at / too, and the other files as they are', async () => {
  const index = await (await get('/index.html')).text();
  expect(index).toContain('<title>dealflow');
  expect(await (await get('/')).text()).toBe(index);
  const script = await get('/app.js');
  expect(script.status).toBe(200);
  expect(script.headers.get('content-security-policy')).toContain("default-src 'self'");
});

test('the layout and the pages\' sources are not served on their own', async () => {
  for (const path of ['/layout.html', '/pages/enterprise.html', '/pages/index.html', '/pages/']) {
    expect((await get(path)).status).toBe(404);
  }
});
