// Many Azure subscriptions with one app registration (/accounts/new/azure-subscriptions): paste
// 5 subscriptions (one of another directory, shown unchosen with the reason), choose 4, name them
// with a prefix, assign the role on a management group; create with every create answer lost and
// the listing unreachable, reload mid-way (the secret must be pasted again), then exactly 4 new
// Spot accounts; a failing validation shows the server's reason per subscription, Try again
// (one row, then every failed one) connects them, and a subscription whose Spot account was
// meanwhile connected to AWS keeps the server's refusal (the injected 500s stand for a transient
// failure). A subscription on which the app registration has no role (the server's
// `azureRoleMissing` knob, as Azure refuses such a principal) shows why and the exact
// role-assignment command on its row, and Try again connects it once the role is assigned.
// axe at 1280 and 320 px on every step; one keyboard-only pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser } from './lib/server.mjs';
import {
  checkA11y, expectFocused, expectNoPageProblems, expectNoSidewaysScroll, expectText, expectURL,
  expectVisible, waitInteractive
} from './lib/browser.mjs';
import { button, field, signedIn } from './lib/app.mjs';
import { clearFaults, setFaults, startFaultServer } from './lib/faults.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 240_000 };
const BASE = '/accounts/new/azure-subscriptions';
const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const TENANT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const OTHER_TENANT = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const SECRET = 'Qx8~Zk.p3Rm_Ve2Lw9Nq-Ty4Hb6Js1Dc5Fg7Ku0A';
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';
const SUBS = [
  ['16fd2706-8baf-433b-82eb-8c7fada847da', 'Production', TENANT],
  ['26fd2706-8baf-433b-82eb-8c7fada847da', 'Staging', TENANT],
  ['36fd2706-8baf-433b-82eb-8c7fada847da', 'Data', TENANT],
  ['46fd2706-8baf-433b-82eb-8c7fada847da', 'Sandbox', TENANT],
  ['56fd2706-8baf-433b-82eb-8c7fada847da', 'Partner', OTHER_TENANT],
];
// What `az account list` prints.
const LIST = JSON.stringify(SUBS.map(([id, name, tenantId], i) => ({
  cloudName: 'AzureCloud', homeTenantId: tenantId, id, isDefault: i === 0, managedByTenants: [],
  name, state: 'Enabled', tenantId, user: { name: 'ada@example.com', type: 'user' },
})), null, 2);

function utcDate({ days = 0 } = {}) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function accountsOf(server, token) {
  const res = await api(server, 'GET', '/api/setup/account', { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response.items;
}

/** axe at 1280 px, then reflow and axe again at 320 px, back to 1280 px. */
async function checkBothWidths(page, label) {
  await checkA11y(page, `${label} at 1280 px`);
  await page.setViewportSize({ width: 320, height: 800 });
  await page.waitForTimeout(100);
  await expectNoSidewaysScroll(page, `${label} at 320 px`);
  await checkA11y(page, `${label} at 320 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

function summary(page) {
  return page.locator('#azure-subs-summary');
}

/** The status table's row of a subscription. */
function rowOf(page, name) {
  return page.locator('section.status-table tbody tr').filter({ hasText: name });
}

describe('many Azure subscriptions at once', () => {
  const suite = browserSuite({
    start: () => startFaultServer(),
    beforeEachTest: (server) => clearFaults(server),
  });
  const { withPage } = suite;

  it('5 pasted, 4 chosen, lost answers and a reload make exactly 4 accounts; refusals show their reason; Try again connects', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const before = await accountsOf(suite.server, token);

    // The credentials as the app sends them (the local server would accept other forms).
    const sent = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/azure/setup/credentials') sent.push(r.postDataJSON());
    });
    // The entry point on add-account's Azure path.
    await page.goto(BASE);
    await waitInteractive(page);
    await expectVisible(page.getByRole('heading', { name: 'Connect many Azure subscriptions', level: 1 }), 'the page heading');
    await checkBothWidths(page, 'step 1 (app registration and subscriptions)');

    // Nothing typed: every problem in the focused summary.
    await button(page, 'Next').click();
    await expectFocused(page.locator('#azure-subs-problems'), 'the error summary');
    await expectText(page.locator('#azure-subs-problems'), /Enter the client secret's value\./, 'the summary');
    await checkBothWidths(page, 'step 1 with its problems');

    // A bad list: its own message at the field, nothing else lost.
    await field(page, 'Application (client) ID').fill(`{${CLIENT.toUpperCase()}}`);
    // The tenant ID in braces (as PowerShell prints it): the same directory as the list's.
    await field(page, 'Directory (tenant) ID').fill(`{${TENANT}}`);
    await field(page, 'Client secret value').fill(SECRET);
    await field(page, 'Secret expiration date').fill(utcDate({ days: 200 }));
    await field(page, 'Subscriptions').fill('[{"name":"Production"}]');
    await button(page, 'Next').click();
    await expectFocused(field(page, 'Subscriptions'), 'the Subscriptions field');
    await expectText(page.locator('#azure-subs-list-error'), /Entry 1 has no "id"\./, 'the list message');
    await field(page, 'Subscriptions').fill(LIST);
    await button(page, 'Next').click();
    await expectURL(page, `${BASE}/choose`);

    // Step 2: the other directory's subscription is listed, unchosen, with the reason.
    const count = page.locator('#azure-subs-count');
    await expectText(count, /^4 of 5 chosen · 1 cannot be connected$/, 'the counts');
    const partner = page.locator('#azure-subs-choice tbody tr').filter({ hasText: 'Partner' });
    await expectText(partner, /In another directory \(6ba7b810/, 'the Partner row');
    assert.equal(await page.getByLabel('Partner', { exact: true }).isDisabled(), true, 'Partner cannot be ticked');
    await button(page, 'Choose none').click();
    await expectText(count, /^0 of 5 chosen/, 'the counts after Choose none');
    await button(page, 'Next').click();
    await expectText(page.locator('#azure-subs-choose-error'), /Choose at least one subscription\./, 'the choice message');
    await button(page, 'Choose all').click();
    await expectText(count, /^4 of 5 chosen/, 'the counts after Choose all');
    // The filter narrows the table; All / None act on what it shows.
    await field(page, 'Filter subscriptions').fill('sand');
    await expectText(count, /· 1 matches the filter$/, 'the counts with a filter');
    await field(page, 'Filter subscriptions').fill('');

    // Naming with a live preview; the role on a management group.
    await page.getByRole('radio', { name: 'A prefix and its name', exact: true }).check();
    await field(page, 'Prefix').fill('azure-');
    await expectText(page.locator('.name-preview'), /azure-Production[\s\S]*azure-Staging/, 'the preview');
    await page.getByRole('radio', { name: 'A management group that holds them', exact: true }).check();
    await field(page, 'Management group ID').fill('mg platform');
    await button(page, 'Next').click();
    await expectText(page.locator('#azure-subs-group-error'), /A management group ID has only letters/, 'the management group message');
    await field(page, 'Management group ID').fill('mg-platform');
    await expectText(page.locator('#azure-subs-commands-code'),
      /az role assignment create --assignee 0f8fad5b-d9cb-469f-a165-70867728950e --role "Spot connector \(app 0f8fad5b-d9cb-469f-a165-70867728950e\)" --scope \/providers\/Microsoft\.Management\/managementGroups\/mg-platform/,
      'the commands');
    await checkBothWidths(page, 'step 2 (choose, name, role)');
    await button(page, 'Next').click();
    await expectURL(page, `${BASE}/connect`);
    await checkBothWidths(page, 'step 3 before creating');

    // Every create answer is lost, and the listing that would tell which were made is
    // unreachable: nothing is known when the run ends.
    await setFaults(suite.server, { loseAfterWriteRate: 1, only: '/api/setup/account' });
    // The run's first look at the listing passes; the ones after the lost answers fail.
    let gets = 0;
    const blockList = (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      gets += 1;
      return gets === 1 ? route.fallback() : route.abort();
    };
    await page.route('**/api/setup/account', blockList);
    await button(page, 'Create and connect 4 subscriptions').click();
    await expectText(summary(page), /^0 of 4 connected · 4 failed · 0 waiting\.$/, 'the summary after the lost answers');
    await expectText(rowOf(page, 'Production'), /We don't know yet whether its Spot account was created/, 'the Production row');
    let after = await accountsOf(suite.server, token);
    assert.equal(after.length, before.length + 4, `4 accounts made: ${JSON.stringify(after.map((a) => a.name))}`);
    await page.unroute('**/api/setup/account', blockList);

    // A reload: the plan is kept, the secret is not.
    await page.reload();
    await waitInteractive(page);
    await expectURL(page, `${BASE}/connect`);
    await expectVisible(page.getByText('The client secret value is never kept, not even for a reload: paste it again to go on.'), 'the paste-again note');
    await checkBothWidths(page, 'step 3 after a reload');
    const again = button(page, 'Try again for every failed subscription');
    await again.click();
    await expectFocused(field(page, 'Client secret value'), 'the secret field');
    await field(page, 'Client secret value').fill(SECRET);

    // The server fails every validation for a while: each row shows its reason.
    await setFaults(suite.server, { errorRate: 1, only: '/api/azure/setup/credentials/validation' });
    await again.click();
    await expectText(summary(page), /^0 of 4 connected · 4 failed · 0 waiting\.$/, 'the summary after failed validations');
    await expectText(rowOf(page, 'Staging'), /Validation failed: Something went wrong on the server/, 'the Staging row');
    after = await accountsOf(suite.server, token);
    assert.equal(after.length, before.length + 4, 'still 4 new accounts: the lost answers were adopted, not made again');
    await expectVisible(page.getByText('A new role assignment can take a few minutes to apply in Azure.', { exact: false }).last(), 'the propagation note');
    await checkBothWidths(page, 'step 3 with failures');

    // Meanwhile someone connects the Data subscription's Spot account to AWS.
    const data = after.find((a) => a.name === 'azure-Data');
    assert.ok(data, `azure-Data exists: ${JSON.stringify(after.map((a) => a.name))}`);
    let r = await api(suite.server, 'POST', `/api/setup/credentials/aws/externalId?accountId=${data.accountId}`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await api(suite.server, 'POST', `/api/setup/credentials/aws?accountId=${data.accountId}`, { token, body: { credentials: { iamRole: ROLE } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));

    // The fault ends: Try again on one row connects it.
    await clearFaults(suite.server);
    await rowOf(page, 'Production').getByRole('button', { name: 'Try again Production' }).click();
    await expectText(rowOf(page, 'Production'), /Connected/, 'the Production row after Try again');
    await expectFocused(summary(page), 'the summary (the row\'s button is gone)');
    await expectText(summary(page), /^1 of 4 connected · 3 failed · 0 waiting\.$/, 'the summary after one Try again');
    // Then every failed one: Data keeps the server's refusal.
    await again.click();
    await expectText(summary(page), /^3 of 4 connected · 1 failed · 0 waiting\.$/, 'the summary at the end');
    await expectText(rowOf(page, 'Data'), /Validation failed: This account is already connected to AWS\./, 'the Data row');
    // The filter by state.
    await page.getByRole('radio', { name: 'Failed (1)', exact: true }).check();
    assert.equal(await page.locator('section.status-table tbody tr').count(), 1, 'one failed row shown');
    await checkBothWidths(page, 'step 3 filtered to the failed one');

    // What the server holds: exactly 4 new accounts, 3 connected to their subscriptions.
    after = await accountsOf(suite.server, token);
    const made = after.filter((a) => !before.some((b) => b.accountId === a.accountId));
    assert.deepEqual(made.map((a) => a.name).sort(), ['azure-Data', 'azure-Production', 'azure-Sandbox', 'azure-Staging']);
    for (const [id, name] of SUBS.slice(0, 4)) {
      const a = made.find((x) => x.name === `azure-${name}`);
      if (name === 'Data') {
        assert.equal(a.cloudProvider, 'aws');
        continue;
      }
      assert.equal(a.cloudProvider, 'azure', `${name} connected`);
      assert.equal(a.providerExternalId, id, `${name} connected to its subscription`);
      const c = await api(suite.server, 'GET', `/api/azure/setup/credentials?accountId=${a.accountId}`, { token });
      const creds = c.body.response.items[0];
      assert.equal(creds.clientId, CLIENT);
      assert.equal(creds.tenantId, TENANT);
      assert.ok(String(creds.expirationDate).startsWith(utcDate({ days: 200 })), `${name}: expiration ${creds.expirationDate}`);
    }
    // Sent in the validator's forms: plain lowercase GUIDs, the expiration as an ISO date-time.
    assert.ok(sent.length >= 3, `the connects were seen (${sent.length})`);
    for (const body of sent) {
      assert.equal(body.expirationDate, `${utcDate({ days: 200 })}T00:00:00.000Z`, `expiration sent: ${JSON.stringify(body.expirationDate)}`);
      assert.equal(body.tenantId, TENANT, 'tenant ID sent without braces');
    }
    // The secret is in none of the browser's storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage, url: location.href }));
    assert.ok(!stored.includes(SECRET), 'the secret is never stored');
    await expectNoPageProblems(page, problems);
  }));

  it('a subscription on which the app registration has no role: the row says so with its command, and Try again connects it once the role is assigned', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const [staging] = SUBS[1];
    // Azure's refusal of a service principal without a role there (the server's test knob).
    await setFaults(suite.server, { azureRoleMissing: [staging.toUpperCase()] });
    await toConnectStep(page);
    await button(page, 'Create and connect 4 subscriptions').click();
    await expectText(summary(page), /^3 of 4 connected · 1 failed · 0 waiting\.$/, 'the summary with Staging refused');
    const command = `az role assignment create --assignee ${CLIENT} --role "Spot connector (app ${CLIENT})" --scope /subscriptions/${staging}`;
    const row = rowOf(page, 'Staging');
    await expectText(row, /Azure refused the app registration: it has no role on this subscription\./, 'the reason on the Staging row');
    assert.ok((await row.innerText()).includes(command), `the command on the row:\n${await row.innerText()}`);
    const code = page.locator('#azure-subs-missing-roles-code');
    await expectVisible(code, 'the missing assignments to copy');
    assert.equal((await code.innerText()).trim(), command, 'exactly that assignment to copy');
    await checkBothWidths(page, 'step 3 with a role missing');

    // The role is assigned (the knob cleared): Try again on the row connects it.
    await clearFaults(suite.server);
    await row.getByRole('button', { name: 'Try again Staging' }).click();
    await expectText(summary(page), /^All 4 subscriptions are connected\.$/, 'the summary after Try again');
    await expectText(rowOf(page, 'Staging'), /Connected/, 'the Staging row');
    assert.equal(await page.locator('#azure-subs-missing-roles-code').count(), 0, 'no missing assignment left');
    const staged = (await accountsOf(suite.server, token)).find((a) => a.providerExternalId === staging);
    assert.equal(staged?.cloudProvider, 'azure', 'Staging connected to its subscription');
    await expectNoPageProblems(page, problems);
  }));

  /** Steps 1 and 2 filled: on the connect step with 4 subscriptions chosen. */
  async function toConnectStep(page) {
    await page.goto(BASE);
    await waitInteractive(page);
    await field(page, 'Application (client) ID').fill(CLIENT);
    await field(page, 'Directory (tenant) ID').fill(TENANT);
    await field(page, 'Client secret value').fill(SECRET);
    await field(page, 'Secret expiration date').fill(utcDate({ days: 200 }));
    await field(page, 'Subscriptions').fill(LIST);
    await button(page, 'Next').click();
    await expectURL(page, `${BASE}/choose`);
    await expectText(page.locator('#azure-subs-count'), /^4 of 5 chosen/, 'the counts');
    await button(page, 'Next').click();
    await expectURL(page, `${BASE}/connect`);
  }

  /** Holds every account creation at the door until `release()`; `count()` says how many wait. */
  async function holdCreates(page) {
    const gates = [];
    let open = false;
    const re = /\/api\/setup\/account$/;
    await page.route(re, async (r) => {
      if (r.request().method() !== 'POST' || open) return r.continue();
      await new Promise((resolve) => gates.push(resolve));
      await r.continue().catch(() => {});
    });
    return {
      count: () => gates.length,
      release: () => { open = true; gates.forEach((g) => g()); },
      stop: () => page.unroute(re),
    };
  }

  it('Back while accounts are being created, then forward: the run is still going (not started twice) and ends with one account each', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const before = (await accountsOf(suite.server, token)).length;
    await toConnectStep(page);
    const creates = await holdCreates(page);
    await button(page, 'Create and connect 4 subscriptions').click();
    while (creates.count() < 1) await page.waitForTimeout(50);
    await page.goBack();
    await expectURL(page, `${BASE}/choose`);
    await page.goForward();
    await expectURL(page, `${BASE}/connect`);
    await expectText(summary(page), /^Creating Spot accounts: 0 of 4 made\./, 'the run, still going after Back and forward');
    await expectVisible(page.locator('#azure-subs-start[aria-busy="true"]'), 'its button busy: pressing it starts nothing');
    creates.release();
    await expectText(summary(page), /^All 4 subscriptions are connected\.$/, 'the run finished');
    const accounts = await accountsOf(suite.server, token);
    assert.equal(accounts.length, before + 4, 'one new Spot account per subscription');
    assert.equal(new Set(accounts.filter((a) => a.cloudProvider === 'azure').map((a) => a.providerExternalId)).size, 4, 'each subscription connected once');
    await creates.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('leaving the flow while accounts are being created: the late answers change nothing and break nothing', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server, newUser());
    await toConnectStep(page);
    const creates = await holdCreates(page);
    await button(page, 'Create and connect 4 subscriptions').click();
    while (creates.count() < 1) await page.waitForTimeout(50);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expectURL(page, '/dashboard');
    creates.release();
    await page.waitForTimeout(1500);
    // The app still works: the user menu opens.
    await page.locator('#user-menu-button').click();
    await expectVisible(page.getByRole('menuitem', { name: 'Sign out', exact: true }), 'the user menu');
    await creates.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('the entry point on add-account\'s Azure step', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server, newUser());
    await page.getByRole('link', { name: /Connect a Linked Account/ }).click();
    await expectURL(page, '/accounts/new/name');
    await field(page, 'Account name').fill('One subscription');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    await page.getByRole('radio', { name: 'Microsoft Azure', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/accounts/new/connect/azure');
    await page.getByRole('link', { name: 'Connect many subscriptions', exact: true }).click();
    await expectURL(page, BASE);
    await expectVisible(page.getByRole('heading', { name: 'Connect many Azure subscriptions', level: 1 }), 'the page heading');
    await expectNoPageProblems(page, problems);
  }));

  it('keyboard only: fill, choose, create and connect', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const before = await accountsOf(suite.server, token);
    await page.goto(BASE);
    await waitInteractive(page);
    const tabTo = async (locator, what, max = 80) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (await locator.evaluate((el) => el === document.activeElement).catch(() => false)) return;
      }
      assert.fail(`Tab never reached ${what}`);
    };
    await tabTo(field(page, 'Application (client) ID'), 'the client ID');
    await page.keyboard.type(CLIENT);
    await page.keyboard.press('Tab');
    await expectFocused(field(page, 'Directory (tenant) ID'), 'the tenant ID');
    await page.keyboard.type(TENANT);
    await tabTo(field(page, 'Client secret value'), 'the secret');
    await page.keyboard.type(SECRET);
    await tabTo(field(page, 'Secret expiration date'), 'the date');
    // The date control's segments in Chromium's en-US order: month, day, year.
    const [y, m, d] = utcDate({ days: 200 }).split('-');
    await page.keyboard.type(`${m}${d}${y}`);
    await tabTo(field(page, 'Subscriptions'), 'the list');
    await page.keyboard.insertText(LIST);
    await tabTo(button(page, 'Next'), 'Next');
    await page.keyboard.press('Enter');
    await expectURL(page, `${BASE}/choose`);
    await expectFocused(page.locator('#azure-subs-step-2'), 'the step 2 heading');

    // Untick Sandbox with Space: 3 chosen.
    await tabTo(page.getByLabel('Sandbox', { exact: true }), 'the Sandbox checkbox');
    await page.keyboard.press('Space');
    await expectText(page.locator('#azure-subs-count'), /^3 of 5 chosen/, 'the counts');
    await tabTo(button(page, 'Next'), 'Next', 200);
    await page.keyboard.press('Enter');
    await expectURL(page, `${BASE}/connect`);
    await tabTo(button(page, 'Create and connect 3 subscriptions'), 'Create and connect');
    await page.keyboard.press('Enter');
    await expectText(summary(page), /^All 3 subscriptions are connected\.$/, 'the summary');
    // The button that was pressed is gone: focus is on what comes next, not on the page.
    await expectFocused(page.getByRole('link', { name: 'Go to the dashboard' }), 'the dashboard link');
    const after = await accountsOf(suite.server, token);
    assert.equal(after.length, before.length + 3);
    assert.equal(after.filter((a) => a.cloudProvider === 'azure').length, 3);
    await expectNoPageProblems(page, problems);
  }));
});
