// Resilience (issue 7), against a server whose faults the test switches live (`--fault-control`):
// on the AWS manual path, every injected fault on Connect (a slow answer past the client's time
// limit, 500s, 429 with a reset, a dropped connection, broken JSON, a write whose answer is lost)
// shows words and Try again, keeps the typed Role ARN, and the flow completes once the fault
// clears. Safe requests (GET /api/auth/me on a reload) recover by themselves, a bounded number of
// times. A token revoked mid-flow, or a session that expired unused, sends the user to sign in
// and back to the same step with the ARN; offline shows a banner; no double submit; and no secret reaches storage, URLs or the
// console.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  checkA11y, expectNoPageProblems, expectText, expectURL, expectValue, expectVisible, open,
  screenshot
} from './lib/browser.mjs';
import { button, chooseProvider, field, signOutViaMenu, signupViaUi } from './lib/app.mjs';
import { armSequence, clearFaults, setFaults, startFaultServer } from './lib/faults.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 120_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';
const CONNECT_PATH = '/api/setup/credentials/aws';
/** The client's own time limit (src/api/client.rs DEFAULT_TIMEOUT_MS). */
const CLIENT_TIMEOUT_MS = 15_000;

/** The user menu's button (its name is the signed-in user's, once /api/auth/me answered). */
function userMenu(page) {
  return page.locator('button[aria-haspopup="menu"]').first();
}

describe('resilience: faults, sessions, offline, secrets', () => {
  const suite = browserSuite({ start: startFaultServer, beforeEachTest: clearFaults, cleanup: clearFaults });
  const { withPage } = suite;

  /** A user signed up through the API, whose token the tab takes as its session. */
  async function signedIn(page) {
    const user = newUser();
    const token = await signupViaApi(suite.server, user);
    await open(page, '/signin');
    await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
    return { user, token };
  }

  /** From /welcome to the AWS Connect step with the Role ARN typed. */
  async function toConnectStep(page) {
    await open(page, '/welcome');
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
    await field(page, 'Role ARN').fill(ROLE);
    await field(page, 'Role ARN').press('Shift+Tab');
  }

  async function expectConnected(page, token) {
    await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
    await expectURL(page, '/dashboard');
    const accounts = await api(suite.server, 'GET', '/api/setup/account', { token });
    const items = accounts.body?.response?.items ?? [];
    assert.ok(items.some((a) => a.cloudProvider === 'aws'), `an account connected to AWS: ${JSON.stringify(items)}`);
  }

  /** Connect requests (POST) the page sent. */
  function countConnects(page) {
    const seen = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === CONNECT_PATH) seen.push(Date.now());
    });
    return seen;
  }

  // ---- one test per fault on Connect (a write: never retried behind the user's back) ----

  const writeFaults = [
    {
      name: 'a slow answer past the client time limit',
      knobs: { latencyMs: CLIENT_TIMEOUT_MS + 3_000 },
      message: /took too long to answer/,
      wait: CLIENT_TIMEOUT_MS + 10_000,
    },
    { name: '500s', knobs: { errorRate: 1 }, message: /couldn't connect the account/ },
    { name: '429 with a reset', knobs: { rateLimitEvery: 1, resetSecs: 2 }, message: /Wait 2 seconds, then try again/ },
    { name: 'a dropped connection', knobs: { dropRate: 1 }, message: /couldn't reach the server/ },
    { name: 'broken JSON', knobs: { malformedRate: 1 }, message: /answer could not be read/ },
    { name: 'a write whose answer is lost', knobs: { loseAfterWriteRate: 1 }, message: /couldn't reach the server/, happened: true },
  ];
  for (const f of writeFaults) {
    it(`Connect meets ${f.name}: words, Try again, nothing retyped, connected once it clears`, T, () => withPage(async (page, problems) => {
      const { token } = await signedIn(page);
      await toConnectStep(page);
      const connects = countConnects(page);
      await setFaults(suite.server, { ...f.knobs, only: CONNECT_PATH });

      await button(page, 'Connect').click();
      const alert = page.getByRole('alert').filter({ hasText: f.message });
      await alert.first().waitFor({ state: 'visible', timeout: f.wait ?? 10_000 })
        .catch((e) => assert.fail(`expected an alert matching ${f.message}: ${e.message.split('\n')[0]}`));
      await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the fault');
      await expectVisible(button(page, 'Try again'), 'button "Try again"');
      assert.equal(connects.length, 1, 'a write is sent once: no automatic retry');
      await checkA11y(page, `Connect after ${f.name}`);
      if (f.happened) {
        // The write did happen; only its answer was lost.
        const accounts = await api(suite.server, 'GET', '/api/setup/account', { token });
        assert.ok((accounts.body?.response?.items ?? []).some((a) => a.cloudProvider === 'aws'),
          'the lost write was committed on the server');
      }
      await screenshot(page, `resilience-${f.name.replace(/[^a-z0-9]+/gi, '-')}`);

      await clearFaults(suite.server);
      await button(page, 'Try again').click();
      await expectConnected(page, token);
      await expectNoPageProblems(page, problems);
    }));
  }

  // ---- safe requests recover by themselves ----

  // (A dropped connection is left to the browser tests, tests/browser/client.rs: Chromium itself
  // resends a GET whose reused connection closed unanswered, so the page may never see it.)
  const readFaults = [
    { name: 'a 500', knobs: { errorRate: 0.5 } },
    { name: 'broken JSON', knobs: { malformedRate: 0.5 } },
  ];
  for (const f of readFaults) {
    it(`a reload whose GET /api/auth/me meets ${f.name} retries by itself and keeps the step`, T, () => withPage(async (page) => {
      const { user } = await signedIn(page);
      await toConnectStep(page);
      const me = [];
      page.on('response', (r) => { if (new URL(r.url()).pathname === '/api/auth/me') me.push(r.status()); });
      // The first two requests fail, the third passes (a seed found by probing, then re-armed):
      // the client's two retries are needed.
      await armSequence(suite.server, f.knobs, '/api/auth/me', [true, true, false]);
      await page.reload();
      await expectURL(page, '/welcome/connect/aws');
      await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the reload');
      await expectText(userMenu(page), new RegExp(user.fullName), 'the user menu, filled from /api/auth/me');
      assert.equal(me.length, 3, `two failed GETs, then the second automatic retry: ${JSON.stringify(me)}`);
      assert.equal(me[2], 200);
    }));
  }

  it('a GET that keeps failing is tried 3 times, no more', T, () => withPage(async (page) => {
    await signedIn(page);
    await toConnectStep(page);
    const me = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/auth/me') me.push(Date.now()); });
    await setFaults(suite.server, { errorRate: 1, only: '/api/auth/me' });
    await page.reload();
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the reload');
    await page.waitForTimeout(3_000);
    assert.equal(me.length, 3, `3 tries in all: ${me.length}`);
    assert.ok(me[1] - me[0] >= 200, `backoff before the first retry: ${me[1] - me[0]} ms`);
  }));

  it('a GET answered 429 waits for the announced reset, says so, and carries on', T, () => withPage(async (page) => {
    const { user } = await signedIn(page);
    await toConnectStep(page);
    const me = [];
    page.on('response', (r) => { if (new URL(r.url()).pathname === '/api/auth/me') me.push([Date.now(), r.status(), r.request()]); });
    // Every 2nd request to /api/auth/me is a 429 with a 3 s reset: one probe takes the 1st.
    await setFaults(suite.server, { rateLimitEvery: 2, resetSecs: 3, only: '/api/auth/me' });
    await fetch(`${suite.server.url}/api/auth/me`);
    await page.reload();
    const status = page.locator('#network-status');
    await expectText(status, /slow down\. Trying again in 3 seconds/, 'the status line during the wait');
    await checkA11y(page, 'the rate-limit wait');
    await expectText(userMenu(page), new RegExp(user.fullName), 'the user menu after the wait');
    await expectText(status, /^\s*$/, 'the status line after the wait');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the wait');
    assert.deepEqual(me.map(([, s]) => s), [429, 200]);
    // Timed by the browser (the requests' own timing): the test runner hears of responses late
    // when the machine is busy, which made the gap look shorter than it was.
    const [first, second] = me.map(([, , request]) => request.timing());
    const gap = second.startTime - (first.startTime + first.responseStart);
    assert.ok(gap >= 2_990, `retried ${Math.round(gap)} ms after the 429 arrived (reset: 3 s)`);
  }));

  // ---- sessions, offline, double submit ----

  /** Connect after the session ended: the sign-in screen says so; signing in again returns to
   * the AWS step with the Role ARN, and Connect then works with the new session. */
  async function signInAgainAndConnect(page, problems, { user, token }, { afterEnded } = {}) {
    await button(page, 'Connect').click();
    await expectURL(page, '/signin');
    await expectVisible(page.getByRole('status').filter({ hasText: /session has ended/ }), 'the session-ended message');
    await afterEnded?.();
    await field(page, 'Email').fill(user.email);
    await field(page, 'Password').fill(user.password);
    await button(page, 'Sign in').click();
    await expectURL(page, '/welcome/connect/aws');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after signing in again');
    const newToken = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
    assert.ok(newToken && newToken !== token, 'a new session');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.return_to')), null, 'the way back is used once');
    await button(page, 'Connect').click();
    await expectConnected(page, newToken);
    await expectNoPageProblems(page, problems);
  }

  it('a token revoked mid-flow: sign in again, back at the same step with the Role ARN', T, () => withPage(async (page, problems) => {
    const session = await signedIn(page);
    await toConnectStep(page);
    const revoked = await api(suite.server, 'POST', '/api/auth/signout', { token: session.token });
    assert.ok(revoked.status === 200 || revoked.status === 204, `sign-out answered ${revoked.status}`);
    await signInAgainAndConnect(page, problems, session, {
      afterEnded: async () => {
        const stored = await page.evaluate(() => ({ ...sessionStorage }));
        assert.equal(stored['onramp.session'], undefined, 'the dead token is gone');
        assert.ok(stored['onramp.draft.firstrun'], 'the wizard\'s draft is kept');
        assert.ok(stored['onramp.draft.firstrun/aws']?.includes(ROLE), 'the AWS panel\'s part, with the Role ARN, is kept');
        assert.match(stored['onramp.return_to'] ?? '', /\/welcome\/connect\/aws/, 'the way back is remembered');
        await checkA11y(page, 'sign-in after the session ended');
        await screenshot(page, 'resilience-session-ended');
      },
    });
  }));

  it('a session that expired while unused: sign in again, back at the same step with the Role ARN', T, () => withPage(async (page, problems) => {
    const session = await signedIn(page);
    await toConnectStep(page);
    // The server's idle lifetime drops to one second (12 hours by default): the tab sits unused.
    await setFaults(suite.server, { sessionIdleSecs: 1 });
    await page.waitForTimeout(1_500);
    const me = await api(suite.server, 'GET', '/api/auth/me', { token: session.token });
    assert.equal(me.status, 401, 'the server ended the unused session');
    // Back to the normal lifetime once the tab has met the end (the new session must live).
    await signInAgainAndConnect(page, problems, session, { afterEnded: () => clearFaults(suite.server) });
  }));

  it('signing out clears the drafts (an expired session keeps them)', T, () => withPage(async (page) => {
    await signedIn(page);
    await toConnectStep(page);
    assert.ok(await page.evaluate(() => sessionStorage.getItem('onramp.draft.firstrun')), 'a draft while signed in');
    await signOutViaMenu(page);
    const stored = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('onramp.')));
    assert.deepEqual(stored, [], `nothing of the session is left: ${stored}`);
  }));

  it('a session that ended before its page loaded again: someone else signing in in that tab gets neither its page nor its drafts', T, () => withPage(async (page, problems) => {
    const session = await signedIn(page);
    await toConnectStep(page);
    const revoked = await api(suite.server, 'POST', '/api/auth/signout', { token: session.token });
    assert.ok(revoked.status === 200 || revoked.status === 204, `sign-out answered ${revoked.status}`);
    // A reload: the server refuses the token before the page knows whose it was.
    await page.reload();
    await expectURL(page, '/signin');
    assert.match(await page.evaluate(() => sessionStorage.getItem('onramp.return_to')) ?? '', /\/welcome\/connect\/aws/, 'the way back, kept for its own user');
    const other = newUser();
    await signupViaApi(suite.server, other);
    await field(page, 'Email').fill(other.email);
    await field(page, 'Password').fill(other.password);
    await button(page, 'Sign in').click();
    await expectURL(page, '/welcome/provider');
    const left = await page.evaluate(() => Object.entries(sessionStorage).filter(([k, v]) => k.startsWith('onramp.') && v.includes('arn:aws')));
    assert.deepEqual(left, [], 'none of the first user\'s answers');
    await expectNoPageProblems(page, problems);
  }));

  it('offline: a banner says so, Connect fails with words, back online it completes', T, () => withPage(async (page, problems, context) => {
    const { token } = await signedIn(page);
    await toConnectStep(page);
    const status = page.locator('#network-status');
    await expectText(status, /^\s*$/, 'the status line while online');
    // The wizard prefetches the next chunks in the background: let that finish, so that going
    // offline tests the Connect request, not a prefetch cut off mid-way.
    await page.waitForLoadState('networkidle');

    await context.setOffline(true);
    await expectText(status, /You're offline/, 'the offline banner');
    assert.equal(await status.getAttribute('role'), 'status');
    await checkA11y(page, 'offline banner');
    await screenshot(page, 'resilience-offline');
    await button(page, 'Connect').click();
    await expectVisible(page.getByRole('alert').filter({ hasText: /couldn't reach the server/ }), 'the network message');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN while offline');

    await context.setOffline(false);
    await expectText(status, /^\s*$/, 'the banner gone once online');
    await button(page, 'Try again').click();
    await expectConnected(page, token);
    await expectNoPageProblems(page, problems);
  }));

  it('no double submit: Connect pressed again and Enter while in flight send one request', T, () => withPage(async (page) => {
    const { token } = await signedIn(page);
    await toConnectStep(page);
    const connects = countConnects(page);
    await setFaults(suite.server, { latencyMs: 1_500, only: CONNECT_PATH });
    const connect = button(page, 'Connect');
    await connect.click();
    await expectVisible(page.locator('button[aria-busy="true"][aria-disabled="true"]'), 'Connect busy and aria-disabled');
    await connect.click({ force: true });
    await field(page, 'Role ARN').press('Enter');
    await connect.click({ force: true });
    await expectConnected(page, token);
    assert.equal(connects.length, 1, `one Connect request, not ${connects.length}`);
  }));

  // ---- the Google Cloud path ----

  /** From /welcome to the GCP Connect step with a real-shaped key chosen; returns its PEM. */
  async function toGcpConnectStep(page) {
    await open(page, '/welcome');
    await chooseProvider(page, 'Google Cloud Platform', 'gcp');
    const { privateKey: pem } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const key = {
      type: 'service_account',
      project_id: 'acme-prod-42',
      private_key_id: '5f1e2d3c4b5a69788796a5b4c3d2e1f001234567',
      private_key: pem,
      client_email: 'spot-connector@acme-prod-42.iam.gserviceaccount.com',
      client_id: '104823452134567890123',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: 'https://www.googleapis.com/robot/v1/metadata/x509/spot-connector%40acme-prod-42.iam.gserviceaccount.com',
      universe_domain: 'googleapis.com',
    };
    await field(page, 'Service account key (JSON)').setInputFiles({
      name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(key)),
    });
    await expectText(page.locator('#gcp-key-summary'), /acme-prod-42/, 'the key summary');
    return pem;
  }

  // The same faults on the GCP path: the chosen key (held in memory only) survives each one.
  const GCP_CONNECT_PATH = '/api/gcp/setup/credentials';
  for (const f of writeFaults) {
    it(`GCP: Connect account meets ${f.name}: the key stays chosen, Try again connects; no private key kept`, T,
      () => withPage(async (page, problems) => {
        const { token } = await signedIn(page);
        const consoleLines = [];
        const urls = [];
        page.on('console', (m) => consoleLines.push(m.text()));
        page.on('request', (r) => urls.push(r.url()));
        const pem = await toGcpConnectStep(page);
        let sent = 0;
        page.on('request', (r) => {
          if (r.method() === 'POST' && new URL(r.url()).pathname === GCP_CONNECT_PATH) sent += 1;
        });

        await setFaults(suite.server, { ...f.knobs, only: GCP_CONNECT_PATH });
        await button(page, 'Connect account').click();
        const alert = page.getByRole('alert').filter({ hasText: f.message });
        await alert.first().waitFor({ state: 'visible', timeout: f.wait ?? 10_000 })
          .catch((e) => assert.fail(`expected an alert matching ${f.message}: ${e.message.split('\n')[0]}`));
        await expectText(page.locator('#gcp-key-summary'), /acme-prod-42/, 'the key still chosen after the fault');
        assert.equal(sent, 1, 'a write is sent once: no automatic retry');
        await checkA11y(page, `GCP connect after ${f.name}`);
        await clearFaults(suite.server);
        await button(page, 'Try again').click();
        await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
        await expectURL(page, '/dashboard');
        const accounts = await api(suite.server, 'GET', '/api/setup/account', { token });
        assert.ok((accounts.body?.response?.items ?? []).some((a) => a.cloudProvider === 'gcp'), 'connected to GCP');

        const body = pem.split('\n')[1];
        const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
        for (const [where, text] of Object.entries({ storage: stored, urls: urls.join('\n'), console: consoleLines.join('\n') })) {
          assert.ok(!text.includes('PRIVATE KEY') && !text.includes(body), `the private key appears in ${where}`);
        }
        await expectNoPageProblems(page, problems);
      }));
  }

  // ---- secrets ----

  it('the password and token never reach storage (beyond the session key), URLs or the console', T, () => withPage(async (page) => {
    const consoleLines = [];
    const urls = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('request', (r) => urls.push(r.url()));
    page.on('framenavigated', (f) => urls.push(f.url()));
    const user = newUser();
    await signupViaUi(page, user);
    await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/welcome/connect/aws');
    // Connect before the external ID shows only says it is still loading.
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
    await field(page, 'Role ARN').fill(ROLE);
    // A fault on the way, so error paths are scanned too.
    await setFaults(suite.server, { errorRate: 1, only: CONNECT_PATH });
    await button(page, 'Connect').click();
    await expectVisible(page.getByRole('alert').filter({ hasText: /couldn't connect/ }), 'the error');
    await clearFaults(suite.server);
    const token = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
    assert.ok(token && token.length >= 20, 'signed in');
    await button(page, 'Try again').click();
    await expectConnected(page, token);
    await page.reload();
    await expectURL(page, '/dashboard');

    const storage = await page.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage } }));
    const cookies = JSON.stringify(await page.context().cookies());
    const history = await page.evaluate(() => location.href);
    const places = {
      console: consoleLines.join('\n'),
      urls: [...urls, history].join('\n'),
      localStorage: JSON.stringify(storage.local),
      'sessionStorage (other than onramp.session)': JSON.stringify(
        Object.entries(storage.session).filter(([k]) => k !== 'onramp.session')),
      cookies,
    };
    for (const [where, text] of Object.entries(places)) {
      assert.ok(!text.includes(user.password), `the password appears in ${where}`);
      assert.ok(!text.includes(token), `the token appears in ${where}`);
    }
    assert.ok(!JSON.stringify(storage.session).includes(user.password), 'the password is not in sessionStorage');
    assert.ok(urls.length > 5 && consoleLines.length >= 0, `scanned ${urls.length} URLs and ${consoleLines.length} console lines`);
  }));
});
