// Embedding (docs/embedding.md): the demo partner portal (examples/partner-portal) on origin A
// embeds the app served from origin B; a third origin C is on no allow-list.
// A = http://localhost:<port>, B = http://127.0.0.1:<port> (cross-site, like a real portal),
// C = http://127.0.0.1:<another port>.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { api, newUser, signupViaApi, startServer } from './lib/server.mjs';
import {
  checkA11y, expectFieldError, expectHidden, expectNoPageProblems, expectText, expectURL, expectVisible,
  launchBrowser, loseFirstAnswer, screenshot, TIMEOUT, inNewPage
} from './lib/browser.mjs';
import { button, field } from './lib/app.mjs';
import { modules } from './lib/chunks.mjs';
import { appFrame, openConsole, startStatic } from './lib/portal.mjs';

const T = { timeout: 120_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';

/** An unlisted page on origin C: frames `src` if given, records every message it receives. */
function foreignPage(src) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not a partner</title></head>
<body><h1>Not a partner</h1>${src ? `<iframe id="victim" title="Onramp" src="${src}"></iframe>` : ''}
<script>
  window.__received = [];
  window.addEventListener('message', function (e) { window.__received.push({ origin: e.origin, data: e.data }); });
</script></body></html>`;
}

/** Records, in the top page only, every message it receives (origin + data, in order). */
async function recordMessages(context) {
  await context.addInitScript(() => {
    if (window !== window.top) return;
    window.__messages = [];
    window.addEventListener('message', (e) => { window.__messages.push({ origin: e.origin, data: e.data }); });
  });
}

const onramp = (page) => page.evaluate(() => (window.__messages ?? []).filter((m) => m.data && m.data.source === 'onramp'));

async function waitForMessage(page, type, what = type) {
  const end = Date.now() + TIMEOUT;
  for (;;) {
    const all = await onramp(page);
    const found = all.find((m) => m.data.type === type);
    if (found) return found;
    if (Date.now() > end) assert.fail(`no "${what}" message reached the partner page; got ${JSON.stringify(all.map((m) => m.data.type))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Chooses a provider in the wizard inside the frame and connects AWS the manual way. */
async function connectAwsManually(fl, frame) {
  await expectURL(frame, '/welcome/connect/aws');
  await expectText(fl.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
  await field(fl, 'Role ARN').fill(ROLE);
  await button(fl, 'Connect').click();
}

describe('embedding in a partner portal', () => {
  let app;
  let portal;
  let portal2;
  let foreign;
  let browser;
  before(async () => {
    portal = await startStatic('localhost');
    // A second partner origin, same-site with the app (another port): the frame gets storage.
    portal2 = await startStatic('127.0.0.1');
    // C gets its pages once B's URL is known.
    const pages = {};
    foreign = await startStatic('127.0.0.1', pages);
    app = await startServer({ args: ['--embed-origins', `${portal.url} ${portal2.url}`] });
    pages['/frames-app'] = foreignPage(`${app.url}/embed?parent=${encodeURIComponent(foreign.url)}`);
    pages['/frames-app-lying'] = foreignPage(`${app.url}/embed?parent=${encodeURIComponent(portal.url)}`);
    pages['/frames-app-home'] = foreignPage(`${app.url}/`);
    pages['/sibling'] = foreignPage('');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await portal?.close();
    await portal2?.close();
    await foreign?.close();
  });

  let currentTest = '';
  beforeEach((t) => { currentTest = t.name; });
  const withPage = (fn) => inNewPage({ browser, server: app, name: currentTest, prepare: recordMessages }, fn);

  it('first account: ready → init → resize → account-connected → close, themed, self-sizing, token never stored', T, () => withPage(async (page, problems) => {
    const user = newUser({ company: 'Embedded Engines' });
    const token = await signupViaApi(app, user);
    const me = await api(app, 'GET', '/api/auth/me', { token });
    const defaultAccountId = me.body.response.items[0].defaultAccountId;
    assert.match(defaultAccountId, /^act-[0-9a-f]{8}$/);

    await page.goto(`${portal.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token, accent: '#2563eb', radius: '12' });
    const iframe = page.locator('iframe.onramp-frame');
    const src = await iframe.getAttribute('src');
    assert.equal(src, `${app.url}/embed?parent=${encodeURIComponent(portal.url)}`, 'only the parent origin goes in the URL');
    assert.ok(!src.includes(token), 'the token is never in the iframe URL');

    const ready = await waitForMessage(page, 'ready');
    assert.deepEqual(ready.data, { source: 'onramp', version: 1, type: 'ready', payload: { version: 1 } });
    const frame = await appFrame(page, app.url);
    const fl = page.frameLocator('iframe.onramp-frame');

    // The wizard, without the app's chrome, with the partner's name, accent and radius.
    await expectURL(frame, '/welcome/provider');
    await expectVisible(fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'the provider choice in the frame');
    await expectVisible(fl.getByText('Acme Partner Portal', { exact: true }), "the partner's name");
    assert.equal(await fl.locator('.topbar').isVisible(), false, 'no app top bar in embed mode');
    const theme = await frame.evaluate(() => {
      const root = getComputedStyle(document.documentElement);
      const btn = document.getElementById('welcome-next');
      return {
        accent: root.getPropertyValue('--accent').trim(),
        radius: root.getPropertyValue('--radius').trim(),
        primaryBg: getComputedStyle(btn).backgroundColor,
        btnRadius: getComputedStyle(btn).borderTopLeftRadius,
        mode: document.documentElement.getAttribute('data-theme'),
        styleAttr: document.documentElement.getAttribute('style'),
      };
    });
    assert.equal(theme.accent, '#2563eb');
    assert.equal(theme.radius, '12px');
    assert.equal(theme.primaryBg, 'rgb(37, 99, 235)', 'the primary button wears the accent');
    assert.equal(theme.btnRadius, '9px', 'small controls get 3/4 of the radius');
    assert.equal(theme.mode, 'light');
    await checkA11y(frame, 'embedded wizard, provider step');

    await fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(fl, 'Next').click();

    // The frame follows the content: a taller panel sends a larger height, and the snippet applies it.
    await expectURL(frame, '/welcome/connect/aws');
    await expectText(fl.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
    // The frame is for one linked account: no way out to the AWS Organization flow (a page load
    // there would start the portal's flow again and drop what was typed).
    assert.equal(await fl.getByRole('link', { name: 'Connect a whole AWS Organization' }).count(), 0, 'no AWS Organization link in the frame');
    const heightNow = async () => (await onramp(page)).filter((m) => m.data.type === 'resize').at(-1)?.data.payload.height ?? 0;
    const before = await heightNow();
    await button(fl, 'View policy').click();
    await poll(async () => ((await heightNow()) > before + 100 ? true : null), 'a resize for the opened policy');
    // The policy may grow in more than one step (its first lines are drawn first), so the frame
    // must follow the latest height the console sent, whichever that is.
    let grown = 0;
    const frameBox = await poll(async () => {
      grown = await heightNow();
      const h = await iframe.evaluate((el) => el.getBoundingClientRect().height);
      return Math.abs(h - grown) < 1 ? h : null;
    }, 'the iframe to become as tall as the last resize said');
    const contentHeight = await frame.evaluate(() => document.body.getBoundingClientRect().height);
    assert.ok(Math.abs(frameBox - Math.ceil(contentHeight)) <= 1, `iframe ${frameBox}px fits the content ${contentHeight}px`);
    assert.equal(await frame.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1), true, 'no scrolling inside the frame');
    await button(fl, 'View policy').click();
    await poll(async () => ((await heightNow()) < grown ? true : null), 'a smaller height once the policy is closed');
    await checkA11y(frame, 'embedded wizard, AWS connect step');

    await connectAwsManually(fl, frame);
    const connected = await waitForMessage(page, 'account-connected');
    assert.deepEqual(connected.data.payload, { accountId: defaultAccountId, provider: 'aws' });
    await expectVisible(fl.getByRole('heading', { name: 'Account connected' }), 'the finish screen');
    await expectText(fl.locator('.embed-done'), new RegExp(`Amazon Web Services account is connected to Onramp as ${defaultAccountId}`), 'the finish screen names the account');
    assert.equal(await fl.locator('#main').isVisible(), false, 'the flow gives way to the finish screen');
    await expectVisible(fl.getByText('Choose Done to go back to Acme Partner Portal.'), "the partner's name in the copy");
    await checkA11y(frame, 'embedded finish screen');
    await screenshot(page, 'embed-done');

    // Cross-site, this Chromium denies the frame any storage (the console keeps its drafts in
    // memory then); where storage exists, the token is not in it (next test, same-site portal).
    const stored = await frame.evaluate(() => { try { return JSON.stringify({ ...sessionStorage, ...localStorage }); } catch { return null; } });
    assert.ok(stored === null || !stored.includes(token), `the token is not in the frame's storage: ${stored}`);

    await button(fl, 'Done').click();
    await waitForMessage(page, 'close');
    await expectVisible(page.getByText(/The console closed \(completed\)/), 'the portal closed the frame');
    assert.equal(await page.locator('iframe.onramp-frame').count(), 0, 'the iframe is gone');

    // The whole conversation, in order, only from the app's origin.
    const all = await onramp(page);
    for (const m of all) assert.equal(m.origin, app.url, `every message comes from the app's origin: ${JSON.stringify(m)}`);
    const types = all.map((m) => m.data.type);
    assert.deepEqual(types.filter((t) => t !== 'resize'), ['ready', 'account-connected', 'close'], `message order: ${types.join(', ')}`);
    const firstResize = types.indexOf('resize');
    assert.ok(firstResize > 0 && firstResize < types.indexOf('account-connected'), `a resize before the connection: ${types.join(', ')}`);
    for (const m of all.filter((x) => x.data.type === 'resize')) {
      // The first one is the short "Getting ready…" line, before init.
      assert.ok(Number.isInteger(m.data.payload.height) && m.data.payload.height > 40, `resize height ${m.data.payload.height}`);
    }
    assert.deepEqual(all.at(-1).data, { source: 'onramp', version: 1, type: 'close', payload: { reason: 'completed' } });
    assert.ok(!JSON.stringify(all).includes(token), 'no message carries the token');

    // The server agrees.
    const accounts = await api(app, 'GET', '/api/setup/account', { token });
    const acct = accounts.body.response.items.find((a) => a.accountId === defaultAccountId);
    assert.equal(acct?.cloudProvider, 'aws');
    await expectNoPageProblems(page, problems);
  }));

  it('a cold load of /embed in the portal: the console and the embed pack, then the wizard and, once a provider is picked, its prefetch in packs, nothing twice', T, () => withPage(async (page, problems) => {
    const token = await signupViaApi(app, newUser({ company: 'Cold Embed' }));
    // Every frame's requests to the app's origin (the page's own DevTools session would not see
    // those of a cross-site frame).
    const rows = [];
    page.on('requestfinished', (r) => {
      const url = new URL(r.url());
      if (url.origin === app.url) rows.push({ path: url.pathname });
    });
    await page.goto(`${portal.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token });
    const frame = await appFrame(page, app.url);
    await expectURL(frame, '/welcome/provider');
    const fl = page.frameLocator('iframe.onramp-frame');
    await expectVisible(fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'the provider choice in the frame');
    // Picking a provider prefetches its connect panel and the dashboard.
    await fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    for (const start = Date.now(); !['aws', 'dashboard'].every((c) => modules(rows).chunks.includes(c)) && Date.now() - start < 10_000;) {
      await page.waitForTimeout(100);
    }
    await page.waitForLoadState('networkidle');
    const got = modules(rows);
    assert.deepEqual(got.main, ['/onramp'], 'the console\'s main module, once (never the sign-in bundle)');
    for (const c of ['embed', 'welcome', 'aws', 'dashboard']) assert.ok(got.chunks.includes(c), `the ${c} chunk (got ${got.chunks})`);
    for (const c of ['gcp', 'azure']) assert.ok(!got.chunks.includes(c), `no provider's panel but the picked one's (got ${got.chunks})`);
    assert.deepEqual(got.shared, [], 'no shared chunk is fetched on its own: the code comes in packs');
    assert.equal(got.packs, 2, `the embed pack and the wizard's prefetch pack (got ${got.chunks})`);
    assert.ok(!got.chunks.includes('user_menu'), 'embedded, the user menu (hidden) is never fetched');
    const paths = rows.map((r) => r.path).filter((p) => !p.startsWith('/api/'));
    assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) !== i), [], 'no file is fetched twice');
    // The frame connects a linked account: the panels that lead to the management and FinOps
    // pages (a chunk of their own) are neither drawn nor fetched.
    await button(fl, 'Next').click();
    await expectURL(frame, '/welcome/connect/aws');
    await expectVisible(fl.locator('#aws-linked-button'), 'the AWS panel');
    await page.waitForTimeout(500);
    await page.waitForLoadState('networkidle');
    assert.ok(!modules(rows).chunks.includes('other_kinds'), `no other kinds of account in the frame (got ${modules(rows).chunks})`);
    assert.equal(await fl.locator('#welcome-finops-button').count(), 0, 'no FinOps panel in the frame');
    await expectNoPageProblems(page, problems);
  }));

  it('the embed code refused: one message with Try again; pressed once, the partner flow starts and no message stays behind', T, () => withPage(async (page, problems, context) => {
    const token = await signupViaApi(app, newUser({ company: 'Refused Embed' }));
    let refusing = true;
    await context.route(/\/(pack_embed-[0-9a-f]{16}\.wasmpack|split_embed-[0-9a-f]{16}\.wasm)$/,
      (r) => (refusing ? r.fulfill({ status: 503, body: 'unavailable' }) : r.continue()));
    await page.goto(`${portal.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token });
    const frame = await appFrame(page, app.url);
    const fl = page.frameLocator('iframe.onramp-frame');
    const failed = fl.locator('.chunk-failed');
    await expectVisible(failed.first(), 'the message in the frame');
    assert.equal(await failed.count(), 1, 'one message, not one more for each screen waiting on the same code');
    await checkA11y(frame, 'embedded, the code refused');
    refusing = false;
    await failed.getByRole('button', { name: 'Try again' }).click();
    await expectURL(frame, '/welcome/provider');
    await expectVisible(fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'the wizard after one Try again');
    assert.equal(await failed.count(), 0, 'no message stays behind, shown or hidden');
  }));

  it('add account (same-site portal, storage on): account-created, account-connected for the new account; token never stored; Cancel closes', T, () => withPage(async (page, problems) => {
    const token = await signupViaApi(app, newUser());
    await page.goto(`${portal2.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token, start: 'add-account', mode: 'dark', accent: '#2563eb', partnerName: 'Globex Cloud Hub' });
    const frame = await appFrame(page, app.url);
    const fl = page.frameLocator('iframe.onramp-frame');
    await expectVisible(fl.getByRole('heading', { name: 'Add a cloud account' }), 'the add-account form');
    assert.equal(await frame.evaluate(() => document.documentElement.getAttribute('data-theme')), 'dark');
    await checkA11y(frame, 'embedded add-account form (dark)');

    await button(fl, 'Continue').click();
    await expectFieldError(field(fl, 'Account name'), /account name/i, 'Account name (empty)');
    await field(fl, 'Account name').fill('Production');
    await fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(fl, 'Continue').click();

    const created = await waitForMessage(page, 'account-created');
    const newId = created.data.payload.accountId;
    assert.match(newId, /^act-[0-9a-f]{8}$/);
    const list = await api(app, 'GET', '/api/setup/account', { token });
    assert.ok(list.body.response.items.some((a) => a.accountId === newId && a.name === 'Production'), 'the account exists');
    // The connect step names no "first account" and greets no newcomer: this is another account.
    await expectVisible(fl.getByRole('heading', { name: 'Connect a cloud account', level: 1 }), 'the embedded wizard heading');
    assert.equal(await fl.getByText(/first account|Let's get started/).count(), 0, 'no first-run wording in the frame');

    await connectAwsManually(fl, frame);
    const connected = await waitForMessage(page, 'account-connected');
    assert.deepEqual(connected.data.payload, { accountId: newId, provider: 'aws' });
    const after = await api(app, 'GET', '/api/setup/account', { token });
    const items = after.body.response.items;
    assert.equal(items.find((a) => a.accountId === newId)?.cloudProvider, 'aws', 'the new account is connected');
    assert.equal(items.filter((a) => a.cloudProvider).length, 1, 'only the new account');

    const types = (await onramp(page)).map((m) => m.data.type).filter((t) => t !== 'resize');
    assert.deepEqual(types, ['ready', 'account-created', 'account-connected']);
    const storage = await frame.evaluate(() => ({ all: JSON.stringify({ ...sessionStorage, ...localStorage }), session: sessionStorage.getItem('onramp.session') }));
    assert.equal(storage.session, null, 'no standalone session key in embed mode');
    assert.ok(!storage.all.includes(token), `the token is not in the frame's storage: ${storage.all}`);
    await expectVisible(fl.getByRole('heading', { name: 'Account connected' }), 'the finish screen');
    await checkA11y(frame, 'embedded finish screen (dark)');

    // A second init (the same portal, a new flow) and Cancel.
    await page.getByLabel('Start with').selectOption('provider:aws');
    await page.getByRole('button', { name: 'Open console' }).click();
    const frame2 = await poll(async () => page.frames().find((f) => f !== frame && f !== page.mainFrame() && f.url().startsWith(app.url)) ?? null, 'the new frame');
    await expectURL(frame2, '/welcome/connect/aws');
    await button(fl, 'Cancel').click();
    await poll(async () => ((await onramp(page)).some((m) => m.data.type === 'close' && m.data.payload.reason === 'cancelled') ? true : null), 'close {cancelled}');
    await expectVisible(page.getByText(/The console closed \(cancelled\)/), 'the portal closed the frame');
    await expectNoPageProblems(page, problems);
  }));

  /** Add account in the portal: `name` and AWS, Continue; the create reaches the server and its
   * answer is lost on the way back (the form says so). */
  async function lostCreate(page, name) {
    const token = await signupViaApi(app, newUser());
    const seen = await loseFirstAnswer(page, /\/api\/setup\/account$/);
    await page.goto(`${portal2.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token, start: 'add-account', partnerName: 'Globex Cloud Hub' });
    const fl = page.frameLocator('iframe.onramp-frame');
    await field(fl, 'Account name').fill(name);
    await fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(fl, 'Continue').click();
    await expectVisible(fl.getByRole('alert').first(), 'the lost answer, said');
    assert.equal(seen.lost, 1);
    return { token, fl };
  }

  it('add account: an answer lost after the server made the account → Continue again goes on with that account, none made twice', T, () => withPage(async (page, problems) => {
    const { token, fl } = await lostCreate(page, 'Production');
    const made = (await api(app, 'GET', '/api/setup/account', { token })).body.response.items.filter((a) => a.name === 'Production');
    assert.equal(made.length, 1, 'the server made the account');

    await button(fl, 'Continue').click();
    const created = await waitForMessage(page, 'account-created');
    assert.equal(created.data.payload.accountId, made[0].accountId, 'the account the lost answer was about');
    await expectVisible(fl.getByRole('heading', { name: 'Connect a cloud account', level: 1 }), 'the connect step');
    const after = (await api(app, 'GET', '/api/setup/account', { token })).body.response.items.filter((a) => a.name === 'Production');
    assert.equal(after.length, 1, `one "Production" account, not two: ${JSON.stringify(after)}`);
    const types = (await onramp(page)).map((m) => m.data.type).filter((t) => t === 'account-created');
    assert.equal(types.length, 1, 'one account-created message');
    await expectNoPageProblems(page, problems);
  }));

  it('add account: the name edited after a lost answer → Continue goes on with the account the lost request made, under its own name', T, () => withPage(async (page, problems) => {
    const { token, fl } = await lostCreate(page, 'Prod');
    await field(fl, 'Account name').fill('Prod EU');
    await button(fl, 'Continue').click();
    const created = await waitForMessage(page, 'account-created');
    await expectVisible(fl.getByRole('heading', { name: 'Connect a cloud account', level: 1 }), 'the connect step');
    const names = (await api(app, 'GET', '/api/setup/account', { token })).body.response.items.map((a) => a.name).filter((n) => n.startsWith('Prod'));
    assert.deepEqual(names, ['Prod'], 'one account, the one the lost request made');
    const prod = (await api(app, 'GET', '/api/setup/account', { token })).body.response.items.find((a) => a.name === 'Prod');
    assert.equal(created.data.payload.accountId, prod.accountId, 'account-created names it');
    await expectNoPageProblems(page, problems);
  }));

  it('a refused init is answered with error invalid-init, and the console keeps waiting', T, () => withPage(async (page) => {
    const token = await signupViaApi(app, newUser());
    await page.goto(`${portal.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token, accent: '#ffcc00' });
    const err = await waitForMessage(page, 'error');
    assert.equal(err.data.payload.code, 'invalid-init');
    assert.match(err.data.payload.message, /^payload\.theme\.accent: #ffcc00 has a contrast of only 1\.51:1/);
    assert.ok(!JSON.stringify(err.data).includes(token));
    const frame = await appFrame(page, app.url);
    const fl = page.frameLocator('iframe.onramp-frame');
    await expectVisible(fl.getByRole('alert').getByText(/could not start the setup/), 'the problem, in words');
    assert.equal(await fl.locator('#main').isVisible(), false, 'no flow without an accepted init');
    await checkA11y(frame, 'embedded console after a refused init');

    // An expired token: error unauthorized.
    await page.getByLabel('Use an accent colour').uncheck();
    await page.getByLabel('Session token').fill('x'.repeat(43));
    await page.getByRole('button', { name: 'Open console' }).click();
    await poll(async () => ((await onramp(page)).some((m) => m.data.type === 'error' && m.data.payload.code === 'unauthorized') ? true : null),
      'an error "unauthorized" for a token the API refuses');
  }));

  it('an unlisted origin gets no message and its init is ignored', T, () => withPage(async (page, problems) => {
    const victimToken = await signupViaApi(app, newUser());
    const attackerToken = await signupViaApi(app, newUser());
    await page.goto(`${portal.url}/?app=${encodeURIComponent(app.url)}`);
    await openConsole(page, { token: victimToken });
    const frame = await appFrame(page, app.url);
    const fl = page.frameLocator('iframe.onramp-frame');
    await expectVisible(fl.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'the wizard');
    const countBefore = (await onramp(page)).length;

    // A frame from origin C on the same page posts its own init to the console.
    await page.evaluate((url) => {
      const f = document.createElement('iframe');
      f.id = 'intruder';
      f.title = 'Intruder';
      f.src = url;
      document.body.appendChild(f);
    }, `${foreign.url}/sibling`);
    const intruder = await poll(async () => page.frames().find((f) => f.url().startsWith(foreign.url)) ?? null, 'the intruder frame');
    await intruder.waitForFunction(() => Array.isArray(window.__received));
    await intruder.evaluate(({ appOrigin, token }) => {
      const target = window.parent.frames[0];
      const init = { source: 'onramp', version: 1, type: 'init', payload: { token, start: 'provider:gcp', partnerName: 'Evil' } };
      target.postMessage(init, appOrigin);
      target.postMessage(init, '*');
      target.postMessage(JSON.stringify({ ...init, payload: { token, start: 'nonsense' } }), '*');
    }, { appOrigin: app.url, token: attackerToken });
    // The partner page itself posting from its own window but pretending nothing: fine. Wait a moment.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await intruder.evaluate(() => window.__received), [], 'the console never posts to origin C');
    const after = (await onramp(page)).slice(countBefore).map((m) => m.data.type);
    assert.ok(after.every((t) => t === 'resize'), `no answer to C's init reached the partner either: ${after.join(', ')}`);
    assert.equal(await fl.getByText('Evil', { exact: true }).count(), 0, "C's partner name is not shown");
    await expectURL(frame, '/welcome/provider');
    const who = await frame.evaluate(() => document.body.innerText);
    assert.ok(!/Google Cloud/.test(await fl.locator('.stepper-done').allInnerTexts().then((t) => t.join(' '))), `still the first flow: ${who.slice(0, 200)}`);
    await expectNoPageProblems(page, problems);
  }));

  it('framing from an unlisted origin is blocked by CSP: the app never loads', T, () => withPage(async (page) => {
    for (const route of ['/frames-app', '/frames-app-lying', '/frames-app-home']) {
      await page.goto(`${foreign.url}${route}`);
      const victim = await (await page.locator('#victim').elementHandle()).contentFrame();
      await new Promise((r) => setTimeout(r, 1500));
      const loaded = await victim.evaluate(() => !!document.querySelector('#main, .embed-bar')).catch(() => false);
      assert.equal(loaded, false, `${route}: the app rendered inside origin C's frame (${victim.url()})`);
      assert.deepEqual(await page.evaluate(() => window.__received), [], `${route}: origin C got a message`);
    }
  }));

  it('without the CSP header, the app itself refuses an unlisted framer', T, () => withPage(async (page, problems, context) => {
    // A static host that does not send frame-ancestors: strip it, and check the client's own check.
    await context.route(`${app.url}/**`, async (route) => {
      const res = await route.fetch();
      const headers = { ...res.headers() };
      headers['content-security-policy'] = (headers['content-security-policy'] ?? '').replace(/frame-ancestors[^;]*;?/, '');
      await route.fulfill({ response: res, headers });
    });
    for (const route of ['/frames-app', '/frames-app-home']) {
      await page.goto(`${foreign.url}${route}`);
      const fl = page.frameLocator('#victim');
      await expectVisible(fl.getByRole('heading', { name: "Onramp can't be shown here" }), `${route}: the refusal`);
      assert.equal(await fl.locator('#main').isVisible(), false, `${route}: no app behind the refusal`);
      assert.equal(await fl.locator('.topbar').isVisible(), false, `${route}: no top bar`);
      const victim = await (await page.locator('#victim').elementHandle()).contentFrame();
      await checkA11y(victim, `refusal (${route})`);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(await page.evaluate(() => window.__received), [], `${route}: origin C got a message`);
    }
    void problems;
  }));
});

/** Polls `fn` until it answers non-null; fails with `what` after the e2e timeout. */
async function poll(fn, what) {
  const end = Date.now() + TIMEOUT;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

