// Security headers of the served app (docs/contracts.md "Local server") and a boot under that CSP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUser, startServer } from './lib/server.mjs';
import { expectNoPageProblems, expectVisible, newPage, open, screenshot } from './lib/browser.mjs';
import { field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 60_000 };

/** Parse a CSP header into { directive: [sources] }. */
function parseCsp(header) {
  const out = {};
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = values;
  }
  return out;
}

describe('security headers', () => {
  const suite = browserSuite({ start: () => startServer({ args: ['--embed-origins', 'https://partner.example'] }) });

  for (const route of ['/', '/signin', '/signup/password', '/no/such/page']) {
    it(`GET ${route}: strict CSP, nosniff, referrer policy`, T, async () => {
      const res = await fetch(suite.server.url + route);
      assert.equal(res.status, 200, `${route} answered ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, 'the SPA fallback serves index.html');
      const header = res.headers.get('content-security-policy');
      assert.ok(header, `${route}: no Content-Security-Policy header`);
      const csp = parseCsp(header);
      const scriptSrc = csp['script-src'] ?? csp['default-src'];
      assert.ok(scriptSrc, `CSP has neither script-src nor default-src: ${header}`);
      assert.ok(!scriptSrc.includes("'unsafe-inline'"), `script-src allows 'unsafe-inline': ${header}`);
      assert.ok(!scriptSrc.includes("'unsafe-eval'"), `script-src allows 'unsafe-eval': ${header}`);
      assert.ok(!scriptSrc.includes('*'), `script-src allows any origin: ${header}`);
      assert.ok(csp['frame-ancestors'], `CSP has no frame-ancestors: ${header}`);
      assert.ok(csp['frame-ancestors'].includes("'self'") && csp['frame-ancestors'].includes('https://partner.example'),
        `frame-ancestors should be 'self' + the embed origins: ${csp['frame-ancestors'].join(' ')}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    });
  }

  it('every inline script of both pages (auth.html, index.html) is allowed by a sha256 hash, none by unsafe-inline', T, async () => {
    const { createHash } = await import('node:crypto');
    for (const route of ['/signin', '/dashboard']) {
      const res = await fetch(`${suite.server.url}${route}`);
      const html = await res.text();
      const csp = parseCsp(res.headers.get('content-security-policy') ?? '');
      const scriptSrc = csp['script-src'] ?? csp['default-src'] ?? [];
      const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]);
      assert.ok(inline.length > 0, `${route}: the page has its inline loader`);
      for (const body of inline) {
        const hash = `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
        assert.ok(scriptSrc.includes(hash), `${route}: inline script not allowed by the CSP (${hash} missing): ${body.slice(0, 120)}`);
      }
    }
  });

  it('the sign-in screens load the small sign-in bundle; signing up moves to the console', T, async () => {
    const { context, page, problems } = await newPage(suite.browser, suite.server);
    try {
      // Distinct modules in request order (a preload and the loader may both ask for one).
      const wasm = [];
      page.on('request', (r) => {
        const p = new URL(r.url()).pathname;
        if (p.endsWith('.wasm') && !wasm.includes(p)) wasm.push(p);
      });
      await open(page, '/signup');
      await expectVisible(field(page, 'Full name'), 'the sign-up form');
      // Main modules (<bin>-<hash>_bg.wasm); the rest are the screen's lazily loaded chunks.
      const mains = () => wasm.filter((p) => p.endsWith('_bg.wasm'));
      assert.equal(mains().length, 1, `one main module: ${wasm}`);
      assert.match(mains()[0], /^\/onramp-auth-[0-9a-f]+_bg\.wasm$/, 'the sign-in bundle, not the console');
      await signupViaUi(page, newUser());
      assert.equal(mains().length, 2, `the console was loaded after sign-up: ${wasm}`);
      assert.match(mains()[1], /^\/onramp-[0-9a-f]+_bg\.wasm$/, 'the console bundle');
      await expectNoPageProblems(page, problems);
    } finally {
      await context.close();
    }
  });

  it('static assets and /config.json carry nosniff and the right types', T, async () => {
    const html = await (await fetch(`${suite.server.url}/`)).text();
    const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+\.(?:js|wasm|css))"/g)].map((m) => m[1]);
    // The wasm is referenced from the JS glue / a preload link; Trunk names it <name>-<hash>_bg.wasm.
    assert.ok(assets.some((a) => a.endsWith('.js')), `no script asset referenced by index.html: ${assets.join(', ')}`);
    for (const asset of [...new Set(assets), '/config.json']) {
      const r = await fetch(suite.server.url + asset);
      assert.equal(r.status, 200, `${asset} answered ${r.status}`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${asset}: X-Content-Type-Options`);
      const type = r.headers.get('content-type') ?? '';
      const want = { js: /javascript/, wasm: /^application\/wasm/, css: /^text\/css/, json: /json/ }[asset.split('.').pop()];
      assert.match(type, want, `${asset}: Content-Type ${type}`);
    }
    const config = await (await fetch(`${suite.server.url}/config.json`)).json();
    assert.equal(config.apiBaseUrl, '/api');
    assert.deepEqual(config.embedOrigins, ['https://partner.example']);
  });

  it('the app boots under that CSP with no violation, page error or console error', T, async () => {
    const { context, page, problems } = await newPage(suite.browser, suite.server);
    try {
      const violations = [];
      page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text()); });
      await open(page, '/signin');
      await expectVisible(field(page, 'Email'), 'the sign-in form (the app booted)');
      await screenshot(page, 'headers-boot');
      assert.deepEqual(violations, [], `CSP messages in the console:\n${violations.join('\n')}`);
      await expectNoPageProblems(page, problems);
    } finally {
      await context.close();
    }
  });
});
