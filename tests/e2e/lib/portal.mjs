// The demo partner portal (examples/partner-portal) served on an origin of its own, and the
// steps of opening the console in it: for embed.spec.mjs and scripts/bench.mjs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { freePort, ROOT } from './server.mjs';
import { TIMEOUT } from './browser.mjs';

const PORTAL_DIR = path.join(ROOT, 'examples/partner-portal');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * A tiny static server for the partner portal (its files from examples/partner-portal) plus
 * test-only pages given as { '/path': html }. Listens on 127.0.0.1; `host` names the origin.
 */
export async function startStatic(host, pages = {}) {
  const port = await freePort();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (pages[url.pathname]) {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(pages[url.pathname]);
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = path.join(PORTAL_DIR, path.normalize(rel));
    if (!file.startsWith(PORTAL_DIR + path.sep)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://${host}:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** The app's frame once it has a document from the app's origin. */
export async function appFrame(page, appUrl) {
  const end = Date.now() + TIMEOUT;
  for (;;) {
    const f = page.frames().find((fr) => fr !== page.mainFrame() && fr.url().startsWith(appUrl));
    if (f) return f;
    if (Date.now() > end) assert.fail(`no frame from ${appUrl}: ${page.frames().map((fr) => fr.url()).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fills the demo portal's form and presses Open console. */
export async function openConsole(page, { token, start = 'first-account', accent = '#2563eb', mode = 'light', radius = '8', partnerName = 'Acme Partner Portal' }) {
  await page.getByLabel('Session token').fill(token);
  await page.getByLabel('Start with').selectOption(start);
  await page.getByLabel('Partner name').fill(partnerName);
  await page.getByLabel('Accent', { exact: true }).fill(accent);
  await page.getByLabel('Mode').selectOption(mode);
  await page.getByLabel(/Corner radius/).fill(radius);
  await page.getByRole('button', { name: 'Open console' }).click();
}

