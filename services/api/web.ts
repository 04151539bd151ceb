import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

// The web pages (`web/`): plain HTML, CSS and ES modules, no build step. The head every page
// shares is written once, in `web/layout.html`; a page of `web/pages/` holds only its own title,
// scripts and <main>, and is served as the layout followed by the page, both read at each request
// as the other files are. `web/app.js` adds the header, the sign-in bar and the banner.

/** The web pages at `/name.html` (the index also at `/`) and the other files of `web/` as they are. */
export function webRoutes(publicDir: string): FastifyPluginAsync {
  const layoutFile = path.join(publicDir, 'layout.html');
  const pagesDir = path.join(publicDir, 'pages');
  return async (app) => {
    // One route per page and per file found at start (no wildcard), so an unknown path still gets
    // the API's 404.
    for (const page of (await readdir(pagesDir)).filter((file) => file.endsWith('.html'))) {
      const serve = async (_request: unknown, reply: FastifyReply) => {
        const [layout, body] = await Promise.all([readFile(layoutFile, 'utf8'), readFile(path.join(pagesDir, page), 'utf8')]);
        setWebHeaders(reply);
        return reply.type('text/html; charset=utf-8').send(layout + body);
      };
      app.get(`/${page}`, { schema: { hide: true } }, serve);
      if (page === 'index.html') app.get('/', { schema: { hide: true } }, serve);
    }
    // swagger-ui registered @fastify/static first and decorated the reply already.
    await app.register(fastifyStatic, {
      root: publicDir,
      wildcard: false,
      index: false,
      // The layout and the pages' sources are served only as pages.
      allowedPath: (pathName) => pathName !== '/layout.html' && !pathName.startsWith('/pages/'),
      decorateReply: false,
      cacheControl: false,
      setHeaders: setWebHeaders,
    });
  };
}

// Pages render API data as text only; the policy keeps it that way should one slip.
function setWebHeaders(reply: Pick<FastifyReply, 'header'>): void {
  reply.header('cache-control', 'no-cache');
  reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  reply.header('x-content-type-options', 'nosniff');
}
