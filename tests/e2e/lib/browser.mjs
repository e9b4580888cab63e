// Playwright helpers: Debian's Chromium through playwright-core (never `playwright install`),
// axe-core scans, small waiting assertions, screenshots.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './server.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without these Chromium floods the closed network with refused connections.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
];
export const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 10_000);

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * A new context + page on `server`, with everything the page reports collected:
 * page errors, console errors and CSP violations (recorded by an init script, which CDP injects
 * without being subject to the page's CSP).
 */
export async function newPage(browser, server, { colorScheme = 'light', viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ baseURL: server.url, colorScheme, viewport });
  context.setDefaultTimeout(TIMEOUT);
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  const problems = { pageErrors: [], consoleErrors: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(String(e?.stack ?? e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url;
    // Chromium asks for /favicon.ico on its own; a missing one is not an app failure.
    if (/Failed to load resource/.test(m.text()) && /\/favicon\.ico$/.test(where ?? '')) return;
    // API errors (401 on a wrong password, 409 on a taken email) are part of the flows under test;
    // the app shows them, Chromium also logs them.
    if (/Failed to load resource/.test(m.text()) && where && new URL(where).pathname.startsWith('/api/')) return;
    problems.consoleErrors.push(where ? `${m.text()} (${where})` : m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !/\/favicon\.ico$/.test(r.url()) && !new URL(r.url()).pathname.startsWith('/api/')) {
      problems.consoleErrors.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
    }
  });
  return { context, page, problems };
}

/** Wait until the app says it is interactive (`performance.mark('onramp:interactive')`). */
export async function waitInteractive(page, timeout = TIMEOUT) {
  try {
    // Polled on a timer: a frame the portal has not sized yet gets no animation frames.
    await page.waitForFunction(() => performance.getEntriesByName('onramp:interactive').length > 0, null, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`performance mark "onramp:interactive" not set within ${timeout} ms on ${page.url()}`, { cause: e });
  }
}

/** Go to `route` and wait for the app to be interactive. */
export async function open(page, route) {
  await page.goto(route);
  await waitInteractive(page);
}

/**
 * On a failed test: a screenshot, the page's text and what it reported, under artifacts/FAILED-*.
 * Returns a short note to append to the error.
 */
export async function saveFailure(page, problems, name) {
  const slug = `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}`;
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${slug}.png`), fullPage: true, timeout: 5000 });
    const text = await page.evaluate(() => document.body?.innerText ?? '', null);
    const csp = await page.evaluate(() => window.__cspViolations ?? []).catch(() => []);
    writeFileSync(path.join(ARTIFACTS, `${slug}.txt`), [
      `url: ${page.url()}`,
      `page errors:\n${problems?.pageErrors.join('\n') || '(none)'}`,
      `console errors:\n${problems?.consoleErrors.join('\n') || '(none)'}`,
      `CSP violations:\n${csp.join('\n') || '(none)'}`,
      `page text:\n${text}`,
    ].join('\n\n'));
    return `(screenshot and page text: tests/e2e/artifacts/${slug}.png/.txt; url ${page.url()}; `
      + `${problems?.pageErrors.length ?? 0} page error(s): ${(problems?.pageErrors[0] ?? '').split('\n')[0]})`;
  } catch (e) {
    return `(could not save the failure artifacts: ${e.message.split('\n')[0]})`;
  }
}

/**
 * Runs `fn(page, problems, context)` in a fresh browser context, which is always closed after.
 * A failure saves its artifacts (saveFailure) and names where they are in the error.
 * `prepare(context, page)` runs first (routes, recorders); `cleanup()` runs last, even on failure.
 */
export async function inNewPage({ browser, server, name, options, prepare, cleanup }, fn) {
  const { context, page, problems } = await newPage(browser, server, options);
  try {
    await prepare?.(context, page);
    await fn(page, problems, context);
  } catch (e) {
    const note = await saveFailure(page, problems, name);
    const err = new Error(`${e.message}\n${note}`);
    err.stack = `${err.message}\n${(e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 3).join('\n')}`;
    throw err;
  } finally {
    await cleanup?.();
    await context.close();
  }
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// ---------- requests held or lost on the way ----------

/**
 * Holds the page's requests that `re` matches (only `method`'s, when given) until `release()`;
 * `passed` resolves once the held one has gone on to the server. `stop()` ends the routing.
 */
export async function holdRequests(page, re, { method } = {}) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let passedOn;
  const passed = new Promise((resolve) => { passedOn = resolve; });
  await page.route(re, async (r) => {
    if (method && r.request().method() !== method) return r.continue();
    await held;
    await r.continue();
    passedOn();
  });
  return { release, passed, stop: () => page.unroute(re) };
}

/**
 * Answers every GET `re` matches with a 500 until `allow()` (a load that fails, then works on
 * Try again). `stop()` removes the route.
 */
export async function refuseGets(page, re) {
  let refusing = true;
  await page.route(re, (r) => (refusing && r.request().method() === 'GET'
    ? r.fulfill({ status: 500, contentType: 'application/json', body: '{}' })
    : r.fallback()));
  return { allow: () => { refusing = false; }, stop: () => page.unroute(re) };
}

/**
 * The first `method` request `re` matches is answered by the server at once, but its answer
 * reaches the page only when released (an answer overtaken by later changes); later ones go
 * through. `served` resolves once the server has answered it.
 */
export async function holdFirstAnswer(page, re, { method = 'GET' } = {}) {
  let armed = true;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let answered;
  const served = new Promise((resolve) => { answered = resolve; });
  await page.route(re, async (r) => {
    if (!armed || r.request().method() !== method) return r.continue();
    armed = false;
    const response = await r.fetch();
    answered();
    await held;
    await r.fulfill({ response });
  });
  return { release, served, stop: () => page.unroute(re) };
}

/**
 * Lets the first `method` request `re` matches reach the server, then loses its answer (the
 * page sees a network error); later ones go through. `seen.lost` counts the lost answers.
 */
export async function loseFirstAnswer(page, re, { method = 'POST' } = {}) {
  const seen = { lost: 0 };
  await page.route(re, async (r) => {
    if (r.request().method() !== method || seen.lost) return r.fallback();
    seen.lost += 1;
    await r.fetch();
    await r.abort('failed');
  });
  return seen;
}

// ---------- waiting assertions (playwright-core has no `expect`) ----------

async function poll(fn, { timeout = TIMEOUT, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last.ok) return last;
    } catch (e) {
      last = { ok: false, got: `(error: ${e.message.split('\n')[0]})` };
    }
    if (Date.now() > end) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function expectVisible(locator, what = String(locator)) {
  try {
    await locator.first().waitFor({ state: 'visible' });
  } catch (e) {
    assert.fail(`expected visible: ${what}\n${e.message.split('\n')[0]}`);
  }
}

export async function expectHidden(locator, what = String(locator)) {
  try {
    await locator.first().waitFor({ state: 'hidden' });
  } catch (e) {
    assert.fail(`expected hidden: ${what}\n${e.message.split('\n')[0]}`);
  }
}

export async function expectURL(page, pathOrRegex) {
  const want = (u) => {
    const p = new URL(u).pathname;
    return pathOrRegex instanceof RegExp ? pathOrRegex.test(p) : p === pathOrRegex;
  };
  const r = await poll(async () => ({ ok: want(page.url()), got: page.url() }));
  assert.ok(r.ok, `expected the path to be ${pathOrRegex}, got ${r.got}`);
}

export async function expectAttr(locator, name, value, what = String(locator)) {
  const r = await poll(async () => {
    const got = await locator.getAttribute(name, { timeout: 1000 });
    return { ok: got === value, got };
  });
  assert.ok(r.ok, `expected ${what} to have ${name}="${value}", got ${JSON.stringify(r.got)}`);
}

export async function expectValue(locator, value, what = String(locator)) {
  const r = await poll(async () => {
    const got = await locator.inputValue({ timeout: 1000 });
    return { ok: got === value, got };
  });
  assert.ok(r.ok, `expected ${what} to keep the value ${JSON.stringify(value)}, got ${JSON.stringify(r.got)}`);
}

export async function expectText(locator, re, what = String(locator)) {
  const r = await poll(async () => {
    const got = (await locator.first().textContent({ timeout: 1000 })) ?? '';
    return { ok: re.test(got), got };
  });
  assert.ok(r.ok, `expected ${what} text to match ${re}, got ${JSON.stringify(r.got)}`);
}

/** The text of the elements an input's aria-describedby points to (its message / hint). */
export async function describedBy(locator) {
  return locator.evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? `(missing #${id})`).join(' | ');
  });
}

/**
 * A field shows a specific validation error: aria-invalid="true" and an aria-describedby message
 * matching `re`, placed at the field.
 */
export async function expectFieldError(locator, re, what = String(locator)) {
  await expectAttr(locator, 'aria-invalid', 'true', what);
  const r = await poll(async () => {
    const got = await describedBy(locator);
    return { ok: re.test(got), got };
  });
  assert.ok(r.ok, `expected ${what} to be described by an error matching ${re}, got ${JSON.stringify(r.got)}`);
}

export async function expectFieldValid(locator, what = String(locator)) {
  const r = await poll(async () => {
    const got = await locator.getAttribute('aria-invalid', { timeout: 1000 });
    return { ok: got === null || got === 'false', got };
  });
  assert.ok(r.ok, `expected ${what} not to be aria-invalid, got ${JSON.stringify(r.got)}`);
}

export async function expectFocused(locator, what = String(locator)) {
  const r = await poll(async () => ({ ok: await locator.evaluate((el) => el === document.activeElement), got: 'not focused' }));
  assert.ok(r.ok, `expected ${what} to have focus`);
}

/** Page errors, console errors and CSP violations collected so far must be empty. */
export async function expectNoPageProblems(page, problems) {
  const csp = await page.evaluate(() => window.__cspViolations ?? []);
  const all = [
    ...problems.pageErrors.map((e) => `page error: ${e}`),
    ...problems.consoleErrors.map((e) => `console error: ${e}`),
    ...csp.map((e) => `CSP violation: ${e}`),
  ];
  const short = all.map((p) => p.split('\n').slice(0, 4).join('\n      '));
  assert.ok(all.length === 0, `the page reported ${all.length} problem(s):\n${short.join('\n')}`);
}

// ---------- axe-core ----------

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Run axe-core (WCAG 2.0/2.1/2.2 A + AA) on the page and fail with a readable list of violations.
 * axe is injected with page.evaluate (CDP Runtime.evaluate), which the app's CSP does not govern,
 * so the CSP stays as strict as in production.
 */
export async function checkA11y(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  const text = result
    .map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    at ${n.target}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}`)
    .join('\n');
  assert.equal(result.length, 0, `axe found ${result.length} WCAG violation(s) on ${label} (${page.url()}):\n${text}`);
}

// ---------- reflow and text spacing (WCAG 1.4.10, 1.4.12) ----------

/**
 * The page itself never scrolls sideways (content may scroll inside its own region). On failure,
 * names the widest element sticking out of the window and the innermost one (usually the cause).
 */
export async function expectNoSidewaysScroll(page, label) {
  const got = await page.evaluate(() => {
    const html = document.documentElement;
    const width = html.clientWidth;
    if (html.scrollWidth <= width) return null;
    const describe = (el, r) => `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`
      + `${[...el.classList].map((c) => `.${c}`).join('')}> ${Math.round(r.width)} px wide, right edge at ${Math.round(r.right)} px`;
    // Inside a scroll container (or a clipping box) an element cannot widen the page.
    const contained = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const sticking = [...document.body.querySelectorAll('*')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ el, r }) => r.width > 0 && r.right > width + 0.5 && !contained(el));
    const widest = sticking.reduce((a, b) => (b.r.width > a.r.width ? b : a), sticking[0]);
    const innermost = sticking.filter(({ el }) => !sticking.some((o) => o.el !== el && el.contains(o.el)));
    return {
      scrollWidth: html.scrollWidth,
      width,
      widest: widest ? describe(widest.el, widest.r) : '(none found)',
      innermost: innermost.slice(0, 3).map(({ el, r }) => describe(el, r)),
    };
  });
  assert.ok(got === null, got && `${label}: the page is ${got.scrollWidth} px wide in a ${got.width} px window; `
    + `widest element sticking out: ${got.widest}; innermost: ${got.innermost.join('; ')}`);
}

/**
 * The text-spacing overrides of WCAG 1.4.12 (line height 1.5, paragraph spacing 2em, letter
 * spacing 0.12em, word spacing 0.16em), as the usual bookmarklet applies them. A constructed
 * style sheet: the app's CSP refuses inline <style> elements, and a user's style is not the
 * page's to refuse.
 */
export async function applyTextSpacing(page) {
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }'
      + ' p { margin-bottom: 2em !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });
}

/**
 * No text is cut off: no visible element that hides its overflow has more content than room
 * (visually hidden text, 1 px boxes, is meant to be clipped).
 */
export async function expectNoClippedText(page, label) {
  const clipped = await page.evaluate(() => [...document.body.querySelectorAll('*')]
    .filter((el) => {
      if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.textContent.trim()) return false;
      const s = getComputedStyle(el);
      const hides = (o) => o === 'hidden' || o === 'clip';
      return (hides(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
        || (hides(s.overflowX) && el.scrollWidth > el.clientWidth + 1);
    })
    .map((el) => `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}>`
      + ` ${el.scrollWidth}×${el.scrollHeight} of content in ${el.clientWidth}×${el.clientHeight}: "${el.textContent.trim().slice(0, 60)}"`));
  assert.deepEqual(clipped, [], `${label}: text cut off in ${clipped.length} element(s):\n${clipped.join('\n')}`);
}
