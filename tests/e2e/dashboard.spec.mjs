// Dashboard and additional accounts: the cards, the accounts table
// (statuses, sorting, filter), both entry points to a second account, resume setup, rename,
// delete (and the default account's refusal), the Azure expiry badge and banner, the account
// menu (search by partial ID, switching, keyboard), a lost Create account answer, axe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, startServer } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFocused, expectHidden, expectNoPageProblems,
  expectText, expectURL, expectValue, expectVisible, holdFirstAnswer, holdRequests, loseFirstAnswer, open,
  refuseGets, screenshot
} from './lib/browser.mjs';
import { button, field, signedIn } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const GUID = (n) => `${String(n).repeat(8).slice(0, 8)}-1111-4111-8111-111111111111`;

async function accountsOf(server, token) {
  const r = await api(server, 'GET', '/api/setup/account', { token });
  return r.body?.response?.items ?? [];
}

async function createAccount(server, token, name) {
  const r = await api(server, 'POST', '/api/setup/account', { token, body: { account: { name } } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.response.items[0].id;
}

function isoDaysFromNow(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

async function connectAzureViaApi(server, token, accountId, days) {
  const r = await api(server, 'POST', `/api/azure/setup/credentials?accountId=${accountId}`, {
    token,
    body: {
      clientId: GUID(2), clientSecret: 'Qx8~abcdefghijklmnopqrstuvwxyz0123456789', tenantId: GUID(3),
      subscriptionId: GUID(4), expirationDate: isoDaysFromNow(days),
    },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

function row(page, name) {
  return page.locator('.accounts-table tbody tr').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
}

/** A linked account named `name` started from /accounts/new, AWS picked and `arn` typed the
 *  manual way: created, not connected, the connect step on screen. */
async function halfDoneAws(page, name, arn) {
  await page.goto('/accounts/new?kind=linked');
  await expectURL(page, '/accounts/new/name');
  await field(page, 'Account name').fill(name);
  await button(page, 'Create account').click();
  await expectURL(page, '/accounts/new/provider');
  await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
  await button(page, 'Next').click();
  await expectURL(page, '/accounts/new/connect/aws');
  await openManualAws(page);
  await field(page, 'Role ARN').fill(arn);
}

/** Opens AWS's manual way unless it is open: once the panel (a lazily loaded chunk) is there. */
async function openManualAws(page) {
  const manual = button(page, 'Manually (IAM console)');
  await expectVisible(manual, 'the AWS panel');
  if ((await manual.getAttribute('aria-expanded')) !== 'true') await manual.click();
}

/** On the connect step of an AWS account: the manual way, a role ARN, Connect. */
async function connectAwsManually(page, roleArn) {
  const arn = field(page, 'Role ARN');
  await openManualAws(page);
  await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID for the new account');
  await arn.fill(roleArn);
  await page.locator('form').filter({ has: arn }).getByRole('button', { name: 'Connect', exact: true }).click();
}

describe('dashboard and additional accounts', () => {
  const suite = browserSuite();
  const withPage = (fn, server) => suite.withPage(fn, { server });

  it('a new organization: cards, honest savings empty state, the default account not connected (axe)', T, () => withPage(async (page, problems) => {
    const { user } = await signedIn(page, suite.server);
    await expectVisible(page.getByRole('link', { name: /Connect a Linked Account/ }), 'card "Connect a Linked Account"');
    await expectVisible(page.getByRole('link', { name: /Connect a Management Account/ }), 'card "Connect a Management Account"');
    await expectVisible(page.getByText('No billing data connected', { exact: true }), 'the savings empty state');
    await expectVisible(page.getByRole('link', { name: 'Connect a management account', exact: true }), 'the empty state\'s link');
    assert.equal(await page.locator('.savings-figure').count(), 0, 'no figure is invented');
    const first = row(page, user.company);
    await expectVisible(first, 'the default account row');
    await expectText(first.locator('[data-status]'), /^Not connected$/, 'the default account status');
    await expectVisible(first.getByRole('link', { name: `Resume setup for ${user.company}` }), 'Resume setup');
    await expectVisible(first.getByRole('button', { name: /^Copy account ID/ }), 'the ID copy button');
    await checkA11y(page, 'the dashboard of a new organization');
    await screenshot(page, 'dashboard-new-organization');
    await expectNoPageProblems(page, problems);
  }));

  it('accounts that failed to load: Retry by keyboard keeps focus on the page heading, never <body>', T, () => withPage(async (page, problems) => {
    const { user } = await signedIn(page, suite.server);
    const list = await refuseGets(page, /\/api\/setup\/account$/);
    await page.goto('/dashboard');
    const retry = page.getByRole('button', { name: 'Retry', exact: true });
    await expectVisible(retry, 'Retry after the failure');
    list.allow();
    await retry.focus();
    await page.keyboard.press('Enter');
    await expectVisible(row(page, user.company), 'the accounts after Retry');
    await expectFocused(page.locator('#dashboard-heading'), 'the dashboard heading, not <body>');
    await list.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('a delete answered after its dialog was closed and reopened for another account: that dialog stays open', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    await createAccount(suite.server, token, 'Alpha');
    await createAccount(suite.server, token, 'Beta');
    await open(page, '/dashboard');
    const del = await holdRequests(page, /\/api\/setup\/account\/act-[0-9a-f]{8}$/, { method: 'DELETE' });
    await row(page, 'Alpha').getByRole('button', { name: 'Delete Alpha' }).click();
    const alpha = page.getByRole('dialog', { name: 'Delete “Alpha”?' });
    await alpha.getByRole('button', { name: 'Delete account' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(alpha, 'the first dialog, closed while its delete is on its way');
    await row(page, 'Beta').getByRole('button', { name: 'Delete Beta' }).click();
    const beta = page.getByRole('dialog', { name: 'Delete “Beta”?' });
    await expectVisible(beta, 'the delete dialog of another account');
    del.release();
    await del.passed;
    await expectHidden(row(page, 'Alpha'), 'the deleted row');
    await expectVisible(page.getByText('“Alpha” was deleted.'), 'the deletion, said on the page');
    await page.waitForTimeout(300);
    await expectVisible(beta, 'Beta\'s dialog, still open: the answer was about Alpha');
    await expectVisible(row(page, 'Beta'), 'Beta, not deleted');
    await del.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('a reload answered by the server before a rename, delivered after it: the new name stays', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    const az = await createAccount(suite.server, token, 'Azure subscription');
    await connectAzureViaApi(suite.server, token, az, 10);
    await createAccount(suite.server, token, 'Beta');
    await open(page, '/dashboard');
    await expectVisible(row(page, 'Beta'), 'Beta listed');
    // The next list of accounts is read on the server at once, and reaches the page when released.
    const list = await holdFirstAnswer(page, /\/api\/setup\/account$/);
    // A new secret saved: the page loads the accounts again (the list is held).
    await page.getByRole('button', { name: 'Update credentials for Azure subscription' }).click();
    const creds = page.getByRole('dialog', { name: 'Update credentials of “Azure subscription”' });
    await creds.getByLabel('Client secret value', { exact: true }).fill('Zy7~newsecretvalue-abcdefghijklmnopqrstu');
    await creds.getByLabel('Secret expiration date', { exact: true }).fill(isoDaysFromNow(200).slice(0, 10));
    await creds.getByRole('button', { name: 'Save credentials' }).click();
    await expectHidden(creds, 'the credentials dialog after saving');
    await list.served;
    // Meanwhile, Beta is renamed.
    await page.getByRole('button', { name: 'Rename Beta' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename “Beta”' });
    await rename.getByLabel('Account name', { exact: true }).fill('Gamma');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await expectHidden(rename, 'the rename dialog after saving');
    await expectVisible(row(page, 'Gamma'), 'the renamed row');
    list.release();
    await expectText(row(page, 'Azure subscription').locator('[data-status]'), /^Connected$/, 'the reload shown: the new secret is far from expiry');
    await page.waitForTimeout(300);
    await expectVisible(row(page, 'Gamma'), 'the new name, not brought back to the old one by the late list');
    assert.equal(await row(page, 'Beta').count(), 0, 'no row called Beta');
    await list.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('Sign out chosen twice from the menu while the first is on its way: one request, then the sign-in screen', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    const out = await holdRequests(page, /\/api\/auth\/signout$/, { method: 'POST' });
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && /\/api\/auth\/signout$/.test(r.url())) posts += 1; });
    for (let i = 0; i < 2; i += 1) {
      await page.locator('#user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    }
    out.release();
    await expectURL(page, '/signin');
    await page.waitForTimeout(300);
    assert.equal(posts, 1, 'one sign-out request');
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token })).status, 401, 'the session ended on the server');
    await out.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('dashboard card → Linked → name → Create account → AWS → connected second account', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    await page.getByRole('link', { name: /Connect a Linked Account/ }).click();
    await expectURL(page, '/accounts/new/name');
    await checkA11y(page, 'the add-account name step');
    const name = field(page, 'Account name');
    await name.fill('   ');
    await button(page, 'Create account').click();
    await expectFieldError(name, /letter|name/i, 'Account name (blank)');
    await name.fill('Production');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    const created = (await accountsOf(suite.server, token)).filter((a) => a.name === 'Production');
    assert.equal(created.length, 1, 'the account exists from Create account on');
    await expectVisible(page.locator('.stepper-done code', { hasText: created[0].accountId }), 'the new account ID in the done step');
    await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/accounts/new/connect/aws');
    await checkA11y(page, 'the add-account connect step');
    await connectAwsManually(page, 'arn:aws:iam::210987654321:role/Spot-Role');
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success toast');
    const r = row(page, 'Production');
    await expectText(r.locator('[data-status]'), /^Pending$/, 'the new account, data being collected');
    await expectVisible(page.locator('[data-banner="collecting"]').getByText(/Production: data can take up to 24 hours/), 'the data-collection banner');
    await button(page, 'Dismiss message').click();
    await expectHidden(page.getByText('Your account has been successfully connected!'), 'the dismissed toast');
    const items = await accountsOf(suite.server, token);
    assert.equal(items.find((a) => a.name === 'Production')?.cloudProvider, 'aws');
    assert.equal(items.length, 2, 'no duplicate account');
    await expectNoPageProblems(page, problems);
  }));

  it('user menu → Add account; search by partial ID; switching account; keyboard', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser({ fullName: 'émilie du Châtelet' }));
    const menuButton = page.locator('#user-menu-button');
    // The avatar shows the name's initial as a capital (drawn so by the stylesheet).
    await expectText(menuButton.locator('.menu-label'), /^émilie du Châtelet$/, 'the name in the menu button');
    assert.equal(await menuButton.locator('.menu-avatar').evaluate((el) => el.innerText), 'É', 'the avatar initial, as drawn');
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await expectAttr(menuButton, 'aria-expanded', 'true', 'the menu button after Enter');
    const search = page.getByRole('searchbox', { name: 'Search accounts by name or ID' });
    await expectFocused(search, 'the account search box (first in the menu)');
    await page.keyboard.press('ArrowDown');
    await expectFocused(page.getByRole('menuitemradio').first(), 'the first account item after ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expectFocused(search, 'the search box after ArrowUp from the first item');
    await page.keyboard.press('Escape');
    await expectAttr(menuButton, 'aria-expanded', 'false', 'the menu after Escape');
    await expectFocused(menuButton, 'the menu button after Escape');
    await page.keyboard.press('ArrowUp');
    await expectFocused(page.getByRole('menuitem', { name: 'Sign out' }), 'ArrowUp opens on the last item');
    await page.keyboard.press('Escape');

    // Accounts → Add account, by keyboard.
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expectFocused(page.getByRole('menuitem', { name: 'Add account' }), 'menu item "Add account"');
    await page.keyboard.press('Enter');
    await expectURL(page, '/accounts/new/kind');
    await checkA11y(page, 'the add-account kind step');
    await page.getByLabel(/Linked account/).check();
    await button(page, 'Next').click();
    await expectURL(page, '/accounts/new/name');
    await field(page, 'Account name').fill('Staging');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(page, 'Next').click();
    await connectAwsManually(page, 'arn:aws:iam::333333333333:role/Spot-Role');
    await expectURL(page, '/dashboard');
    await expectText(row(page, 'Staging').locator('[data-status]'), /^Pending$/, 'Staging after connecting');

    // Search by a partial ID, then switch to it.
    const staging = (await accountsOf(suite.server, token)).find((a) => a.name === 'Staging');
    await menuButton.click();
    await search.fill(staging.accountId.slice(5, 10));
    const item = page.getByRole('menuitemradio', { name: /Staging/ });
    await expectVisible(item, 'Staging found by part of its ID');
    assert.equal(await page.getByRole('menuitemradio').count(), 1, 'only the matching account is listed');
    await expectVisible(item.locator('img.menu-icon[src="/logos/aws.svg"]'), 'the provider icon');
    await checkA11y(page, 'the account menu with a search');
    await search.fill('zzz-no-such');
    await expectVisible(page.getByText('No account matches “zzz-no-such”.'), 'the no-match note');
    await search.fill(staging.accountId.slice(5, 10));
    await item.click();
    await expectText(menuButton, /Account: Staging/, 'the menu button names the current account');
    await expectVisible(row(page, 'Staging').getByText('Current', { exact: true }), 'the current account marked in the table');
    await menuButton.click();
    await search.fill('');
    await expectAttr(page.getByRole('menuitemradio', { name: /Staging/ }), 'aria-checked', 'true', 'Staging checked in the menu');
    await page.keyboard.press('Escape');
    await page.reload();
    await expectText(menuButton, /Account: Staging/, 'the current account survives a reload');
    await expectNoPageProblems(page, problems);
  }));

  it('the user menu lists the accounts once per screen, not once per wizard step, and again when opened', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    await page.waitForLoadState('networkidle');
    let lists = 0;
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/setup/account') lists += 1;
    });
    // /welcome (which lists nothing itself) moves on to its first step at once.
    await open(page, '/welcome');
    await expectURL(page, '/welcome/provider');
    await page.waitForLoadState('networkidle');
    assert.equal(lists, 1, 'the new screen: one list, for the menu');
    await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/welcome/connect/aws');
    await page.waitForLoadState('networkidle');
    assert.equal(lists, 1, 'a step of the same wizard asks for no list');
    // An account made elsewhere shows once the menu opens.
    await createAccount(suite.server, token, 'Made elsewhere');
    await page.locator('#user-menu-button').click();
    await expectVisible(page.getByRole('menuitemradio', { name: /Made elsewhere/ }), 'the new account in the opened menu');
    assert.equal(lists, 2, 'opening the menu asks again');
    await page.keyboard.press('Escape');
    await expectNoPageProblems(page, problems);
  }));

  it('management card disappears once a management account exists; kind and status follow', T, () => withPage(async (page, problems) => {
    const { token, user } = await signedIn(page, suite.server);
    const [first] = await accountsOf(suite.server, token);
    let r = await api(suite.server, 'POST', `/api/setup/credentials/aws/externalId?accountId=${first.accountId}`, { token });
    assert.equal(r.status, 200);
    r = await api(suite.server, 'POST', '/api/onramp/management/aws', {
      token,
      body: {
        accountId: first.accountId, environment: 'commercial', bucketName: 'onramp-cur-reports',
        products: ['costAnalysis'], roleArns: { costAnalysis: 'arn:aws:iam::123456789012:role/SpotFinOps' },
      },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await page.reload();
    await expectVisible(page.getByRole('link', { name: /Connect a Linked Account/ }), 'the linked card');
    const mgmt = row(page, user.company);
    await expectText(mgmt.locator('td').nth(2), /^Management account$/, 'the kind column');
    // The data is on screen now (the card is decided by the same load): no management card.
    assert.equal(await page.getByRole('link', { name: /Connect a Management Account/ }).count(), 0, 'the management card is gone');
    await expectText(mgmt.locator('[data-status]'), /^Pending$/, 'a new management account is pending');
    await expectVisible(page.getByText(/data can take up to 72 hours/), 'the 72-hour banner');
    await expectHidden(page.getByText('No billing data connected', { exact: true }), 'no "no billing data" once it is connected');
    await expectVisible(page.locator('.savings-card').first().getByText(/No savings found yet/), 'an honest empty card');
    // The add-account flow no longer offers a management account.
    await page.goto('/accounts/new');
    await expectURL(page, '/accounts/new/kind');
    await expectVisible(page.getByLabel(/Linked account/), 'the linked choice');
    await expectVisible(page.getByText(/already has its management account/), 'why management is not offered');
    assert.equal(await page.getByLabel(/Management account/).count(), 0, 'no management choice');
    await expectNoPageProblems(page, problems);
  }));

  it('leaving midway leaves a Not connected account; Resume setup continues at the right step', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await halfDoneAws(page, 'Half done', 'arn:aws:iam::444444444444:role/Spot-Role');

    // Leave: the dashboard lists it as not connected.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).first().click();
    await expectURL(page, '/dashboard');
    const r = row(page, 'Half done');
    await expectText(r.locator('[data-status]'), /^Not connected$/, 'the half-done account');
    await r.getByRole('link', { name: 'Resume setup for Half done' }).click();
    await expectURL(page, '/accounts/new/connect/aws');
    await expectValue(field(page, 'Role ARN'), 'arn:aws:iam::444444444444:role/Spot-Role', 'Role ARN after resuming');

    // Without this browser's draft (another tab, a new session): the provider step.
    await page.evaluate(() => sessionStorage.removeItem('onramp.draft.addaccount'));
    await open(page, '/dashboard');
    await row(page, 'Half done').getByRole('link', { name: 'Resume setup for Half done' }).click();
    await expectURL(page, '/accounts/new/provider');
    await expectVisible(page.locator('.stepper-done').getByText('Half done'), 'the account name, done');
    // Kind and name are done and locked: their URLs lead to the provider step.
    await page.goto('/accounts/new/name');
    await expectURL(page, '/accounts/new/provider');
    await expectNoPageProblems(page, problems);
  }));

  it('a Resume setup still on its way when the user starts a new flow: no stale error, no detour, and the draft set aside keeps its answers', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    const ARN = 'arn:aws:iam::666666666666:role/Spot-Role';
    await halfDoneAws(page, 'Typed first', ARN);
    const other = await createAccount(suite.server, token, 'Resumed late');

    // Resume setup for the other account, its answer held back.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const accountUrl = new RegExp(`/api/setup/account/${other}$`);
    await page.route(accountUrl, async (route) => { await held; await route.continue().catch(() => {}); });
    const settled = new Promise((resolve) => {
      const done = (r) => { if (accountUrl.test(r.url())) resolve(); };
      page.on('requestfinished', done);
      page.on('requestfailed', done);
    });
    await open(page, '/dashboard');
    const asked = page.waitForRequest(accountUrl);
    await row(page, 'Resumed late').getByRole('link', { name: 'Resume setup for Resumed late' }).click();
    await expectURL(page, `/accounts/${other}/setup`);
    await asked;
    // Before it comes, the user starts a new flow: the first account's draft is set aside.
    await page.evaluate(() => { history.pushState(null, '', '/accounts/new?kind=linked'); dispatchEvent(new PopStateEvent('popstate')); });
    await expectURL(page, '/accounts/new/name');
    release();
    await settled;
    await page.waitForTimeout(500);
    assert.equal(new URL(page.url()).pathname, '/accounts/new/name', 'the user stays where they went');
    assert.equal(await page.getByRole('alert').count(), 0, `no error for a request the user left behind: ${await page.getByRole('alert').allTextContents()}`);
    const aside = await page.evaluate(() => Object.entries(sessionStorage).filter(([k]) => k.startsWith('onramp.draft.addaccount.')));
    assert.ok(aside.some(([k, v]) => k.endsWith('/aws') && v.includes(ARN)), `the Role ARN waits with the first account: ${JSON.stringify(aside)}`);
    await expectNoPageProblems(page, problems);
  }));

  it('add account: a failed management check or Resume setup has Try again, which loads what failed', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    const id = await createAccount(suite.server, token, 'Later');
    // The management check fails once: the Management choice comes back with Try again.
    const check = await refuseGets(page, /\/api\/onramp\/management$/);
    await page.goto('/accounts/new');
    const retry = button(page, 'Try again');
    await expectVisible(retry, 'Try again after the failed check');
    assert.equal(await page.locator('#add-kind-management').count(), 0, 'no Management choice while unknown');
    check.allow();
    await retry.focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.locator('#add-kind-management'), 'the Management choice after Try again');
    await expectFocused(page.locator('#add-account-heading'), 'the heading, not <body>');
    await check.stop();

    // Resume setup whose account cannot be read at first.
    const one = await refuseGets(page, new RegExp(`/api/setup/account/${id}$`));
    await page.goto(`/accounts/${id}/setup`);
    await expectVisible(retry, 'Try again after the failed Resume');
    one.allow();
    await retry.click();
    await expectURL(page, '/accounts/new/provider');
    await expectVisible(page.locator('.stepper-done').getByText('Later'), 'the account resumed');
    await one.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('a new add-account flow sets a half-done one aside: Resume setup brings back what was typed', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    const ARN = 'arn:aws:iam::555555555555:role/Spot-Role';
    const CLIENT_ID = '0b7d5c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
    await halfDoneAws(page, 'First half', ARN);

    // Another account, from the start: a fresh flow; the first one is set aside.
    await page.goto('/accounts/new?kind=linked');
    await expectURL(page, '/accounts/new/name');
    await expectValue(field(page, 'Account name'), '', 'a fresh flow');
    await field(page, 'Account name').fill('Second half');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    await page.getByRole('radio', { name: 'Microsoft Azure', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/accounts/new/connect/azure');
    await field(page, 'Application (client) ID').fill(CLIENT_ID);

    // Back to the first: what was typed is there; the second is set aside in turn.
    await open(page, '/dashboard');
    await row(page, 'First half').getByRole('link', { name: 'Resume setup for First half' }).click();
    await expectURL(page, '/accounts/new/connect/aws');
    await expectValue(field(page, 'Role ARN'), ARN, 'Role ARN, kept while another flow ran');
    await open(page, '/dashboard');
    await row(page, 'Second half').getByRole('link', { name: 'Resume setup for Second half' }).click();
    await expectURL(page, '/accounts/new/connect/azure');
    await expectValue(field(page, 'Application (client) ID'), CLIENT_ID, 'the client ID, kept too');
    // One draft waits aside now: the first account's (the second's is the current one).
    const aside = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('onramp.draft.addaccount.')));
    const left = aside.filter((k) => !k.includes('/'));
    assert.equal(left.length, 1, `the first account's draft waits (${aside})`);
    // With its AWS panel's part beside it; the second account's Azure part is the current one.
    const part = await page.evaluate((k) => sessionStorage.getItem(`${k}/aws`), left[0]);
    assert.ok(part?.includes(ARN), `the Role ARN waits with it: ${part}`);
    assert.deepEqual(aside.filter((k) => k.includes('/')), [`${left[0]}/aws`], 'no other part is set aside');
    assert.ok((await page.evaluate(() => sessionStorage.getItem('onramp.draft.addaccount/azure')))?.includes(CLIENT_ID), 'the current Azure part');
    await expectNoPageProblems(page, problems);
  }));

  it('Add account from the menu in the middle of a flow: the new flow\'s provider step starts with no provider chosen', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await halfDoneAws(page, 'First half', 'arn:aws:iam::555555555555:role/Spot-Role');
    // The same screen stays: only the route changes.
    await page.locator('#user-menu-button').click();
    // Once the menu's account list is in (it moves the items below it).
    await expectVisible(page.getByRole('menuitemradio', { name: /First half/ }), 'the new account in the menu');
    await page.getByRole('menuitem', { name: 'Add account' }).click();
    await expectURL(page, '/accounts/new/kind');
    await page.getByLabel(/Linked account/).check();
    await button(page, 'Next').click();
    await expectURL(page, '/accounts/new/name');
    await expectValue(field(page, 'Account name'), '', 'a fresh name');
    await field(page, 'Account name').fill('Second half');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    const aws = page.getByRole('radio', { name: 'Amazon Web Services', exact: true });
    await expectAttr(aws, 'aria-checked', 'false', 'AWS, the first flow\'s choice, not chosen for the second');
    await button(page, 'Next').click();
    await expectText(page.locator('#add-provider-error'), /Choose a cloud provider/, 'Next with no provider');
    await expectURL(page, '/accounts/new/provider');
    await expectNoPageProblems(page, problems);
  }));

  it('rename, delete with confirmation, and the default account cannot be deleted', T, () => withPage(async (page, problems) => {
    const { token, user } = await signedIn(page, suite.server);
    const id = await createAccount(suite.server, token, 'Old name');
    await page.reload();
    await page.getByRole('button', { name: 'Rename Old name' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename “Old name”' });
    await expectVisible(dialog, 'the rename dialog');
    const input = dialog.getByLabel('Account name', { exact: true });
    await expectValue(input, 'Old name', 'the current name, ready to edit');
    await input.fill('12345');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await expectFieldError(input, /letter/i, 'Account name without a letter');
    await checkA11y(page, 'the rename dialog with an error');
    await input.fill('New name');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await expectHidden(dialog, 'the rename dialog after saving');
    await expectVisible(row(page, 'New name'), 'the renamed row');
    assert.equal((await accountsOf(suite.server, token)).find((a) => a.accountId === id)?.name, 'New name');

    // Delete: a confirmation naming the account; Escape keeps it.
    const del = page.getByRole('button', { name: 'Delete New name' });
    await del.click();
    const confirm = page.getByRole('dialog', { name: 'Delete “New name”?' });
    await expectVisible(confirm, 'the delete confirmation');
    await checkA11y(page, 'the delete confirmation');
    await page.keyboard.press('Escape');
    await expectHidden(confirm, 'the confirmation after Escape');
    await expectFocused(del, 'focus back on the Delete button');
    await del.click();
    await confirm.getByRole('button', { name: 'Delete account' }).click();
    await expectHidden(row(page, 'New name'), 'the deleted row');
    await expectVisible(page.getByText('“New name” was deleted.'), 'the deletion note');
    await expectFocused(page.locator('#accounts-heading'), 'focus on the Accounts heading: its row and button are gone');
    assert.ok(!(await accountsOf(suite.server, token)).some((a) => a.accountId === id), 'gone on the server');

    // The default account: explained, no way to delete it.
    await page.getByRole('button', { name: `Delete ${user.company}` }).click();
    const refused = page.getByRole('dialog', { name: `“${user.company}” can't be deleted` });
    await expectVisible(refused, 'the refusal for the default account');
    await expectVisible(refused.getByText(/default account/), 'why');
    assert.equal(await refused.getByRole('button', { name: 'Delete account' }).count(), 0, 'no delete button');
    await refused.getByRole('button', { name: 'Close' }).click();
    // The server refuses too.
    const [first] = await accountsOf(suite.server, token);
    const r = await api(suite.server, 'DELETE', `/api/setup/account/${first.accountId}`, { token });
    assert.equal(r.status, 400);
    await expectNoPageProblems(page, problems);
  }));

  it('an Azure secret 10 days from expiry: badge, banner, Update credentials; sorting and filter (axe)', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    const az = await createAccount(suite.server, token, 'Azure subscription');
    await connectAzureViaApi(suite.server, token, az, 10);
    await createAccount(suite.server, token, 'Another one');
    await page.reload();
    const r = row(page, 'Azure subscription');
    await expectText(r.locator('[data-status]'), /^Credentials expire in 10 days$/, 'the expiry badge');
    await expectVisible(page.locator('[data-banner="expiry"]').getByText(/Azure subscription: the client secret expires in 10 days/), 'the expiry banner');
    await checkA11y(page, 'the dashboard with several accounts and an expiring secret');
    await screenshot(page, 'dashboard-expiring');

    // Sorting: buttons in the headings, aria-sort follows.
    const nameHeader = page.getByRole('columnheader', { name: /Name/ });
    await nameHeader.getByRole('button').click();
    await expectAttr(nameHeader, 'aria-sort', 'ascending', 'Name after one click');
    let names = await page.locator('.accounts-table tbody th').allTextContents();
    assert.ok(names[0].startsWith('Analytical') && names[1].startsWith('Another') && names[2].startsWith('Azure'), names.join(' | '));
    await nameHeader.getByRole('button').click();
    await expectAttr(nameHeader, 'aria-sort', 'descending', 'Name after two clicks');
    names = await page.locator('.accounts-table tbody th').allTextContents();
    assert.ok(names[0].startsWith('Azure'), names.join(' | '));
    await page.getByRole('columnheader', { name: /Status/ }).getByRole('button').click();
    names = await page.locator('.accounts-table tbody th').allTextContents();
    assert.ok(names[0].startsWith('Azure'), `what needs attention first: ${names.join(' | ')}`);

    // Filter.
    const filter = page.getByLabel('Filter accounts');
    await filter.fill('azure');
    await expectText(page.getByText(/^Showing 1 of 3 accounts\.$/), /Showing 1 of 3/, 'the filter count');
    assert.equal(await page.locator('.accounts-table tbody tr').count(), 1);
    await filter.fill(az.slice(4, 9));
    assert.equal(await page.locator('.accounts-table tbody tr').count(), 1, 'filter by part of the ID');
    await filter.fill('');

    // Update credentials: a new secret and date; the secret is never stored in the browser.
    await page.getByRole('button', { name: 'Update credentials for Azure subscription' }).click();
    const dialog = page.getByRole('dialog', { name: 'Update credentials of “Azure subscription”' });
    const secret = 'Zy7~newsecretvalue-abcdefghijklmnopqrstu';
    // The secret's ID pasted by mistake: a warning at the field; Show reveals what was pasted.
    await dialog.getByLabel('Client secret value', { exact: true }).fill('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    await expectText(dialog.locator('#creds-secret-warning'), /looks like the secret's ID, not its value/, 'the secret-ID warning');
    const show = dialog.getByRole('button', { name: 'Show Client secret value' });
    await show.click();
    assert.equal(await show.getAttribute('aria-pressed'), 'true', 'the secret is shown');
    await dialog.getByLabel('Client secret value', { exact: true }).fill(secret);
    await expectText(dialog.locator('#creds-secret-warning'), /^\s*$/, 'no warning for a value (the live region stays, empty)');
    // The date picker offers only the days the rule accepts: from tomorrow (UTC).
    await expectAttr(dialog.getByLabel('Secret expiration date', { exact: true }), 'min', isoDaysFromNow(1).slice(0, 10), 'the first day the picker offers');
    await dialog.getByLabel('Secret expiration date', { exact: true }).fill(isoDaysFromNow(-3).slice(0, 10));
    await dialog.getByRole('button', { name: 'Save credentials' }).click();
    await expectFieldError(dialog.getByLabel('Secret expiration date', { exact: true }), /after today/, 'a past date');
    await dialog.getByLabel('Secret expiration date', { exact: true }).fill(isoDaysFromNow(200).slice(0, 10));
    await dialog.getByRole('button', { name: 'Save credentials' }).click();
    await expectHidden(dialog, 'the dialog after saving');
    await expectText(r.locator('[data-status]'), /^Connected$/, 'connected again, far from expiry');
    await expectHidden(page.locator('[data-banner="expiry"]'), 'no expiry banner any more');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!stored.includes(secret), 'the client secret is not in storage');
    const creds = await api(suite.server, 'GET', `/api/azure/setup/credentials?accountId=${az}`, { token });
    assert.equal(creds.body.response.items[0].expirationDate.slice(0, 10), isoDaysFromNow(200).slice(0, 10));
    await expectNoPageProblems(page, problems);
  }));

  it('a lost Create account answer is looked up, adopted, and never sent again', T, async () => {
    const faulty = await startServer({ args: ['--fault-control', '--fault-only', '/api/setup/account'] });
    const knobs = (body) => api(faulty, 'POST', '/api/_faults', { body });
    try {
      await withPage(async (page) => {
        const { token } = await signedIn(page, faulty);
        await page.goto('/accounts/new?kind=linked');
        await field(page, 'Account name').fill('Lost answer');
        // Every write to /api/setup/account is done, then its answer is lost.
        assert.equal((await knobs({ loseAfterWriteRate: 1 })).status, 200);
        await button(page, 'Create account').click();
        await expectURL(page, '/accounts/new/provider');
        assert.equal((await knobs({ loseAfterWriteRate: 0 })).status, 200);
        // Chromium itself resends a request whose reused connection closed without an answer;
        // the repeat carries the same Idempotency-Key, so the server made the account once.
        const made = (await accountsOf(faulty, token)).filter((a) => a.name === 'Lost answer');
        assert.equal(made.length, 1, `exactly one account was created: ${JSON.stringify(made)}`);
        const draft = await page.evaluate(() => JSON.parse(sessionStorage.getItem('onramp.draft.addaccount')));
        assert.equal(draft.createdAccountId, made[0].accountId, 'the app adopted that account');
        assert.equal(draft.createKey, undefined, 'the spent key is gone from the draft');
        await expectVisible(page.locator('.stepper-done code', { hasText: draft.createdAccountId }), 'the adopted account ID');
        // Going back to the name step cannot create another one: the step is locked.
        await page.goto('/accounts/new/name');
        await expectURL(page, '/accounts/new/provider');
        await page.reload();
        await expectURL(page, '/accounts/new/provider');
        const after = (await accountsOf(faulty, token)).filter((a) => a.name === 'Lost answer');
        assert.equal(after.length, made.length, 'nothing more was created');
      }, faulty);
    } finally {
      await faulty.stop();
    }
  });

  it('a lost Create account answer, then the name edited before pressing again: the first account is adopted, not a second made', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server);
    await page.goto('/accounts/new?kind=linked');
    await field(page, 'Account name').fill('Prod');
    // The server makes it, its answer is lost, and the look-up right after fails too.
    const list = await refuseGets(page, /\/api\/setup\/account$/);
    const seen = await loseFirstAnswer(page, /\/api\/setup\/account$/);
    await button(page, 'Create account').click();
    await expectVisible(page.getByRole('alert').filter({ hasText: /We don't know yet whether the account was created/ }), 'the doubt said');
    assert.equal(seen.lost, 1);
    list.allow();
    await field(page, 'Account name').fill('Prod EU');
    await button(page, 'Create account').click();
    await expectURL(page, '/accounts/new/provider');
    const mine = (await accountsOf(suite.server, token)).filter((a) => a.name.startsWith('Prod'));
    assert.deepEqual(mine.map((a) => a.name), ['Prod'], 'the account the first press made, and no other');
    await expectVisible(page.locator('.stepper-done p').filter({ hasText: /^Prod · act-[0-9a-f]{8}$/ }), 'shown under the name it has');
    await list.stop();
    await page.unroute(/\/api\/setup\/account$/);
    await expectNoPageProblems(page, problems);
  }));

  it('--demo: a labelled demo organization with expired and expiring secrets and demo savings (axe)', T, async () => {
    const demo = await startServer({ args: ['--demo'] });
    try {
      assert.match(demo.output(), /DEMO DATA/, 'the server says it holds demo data');
      await withPage(async (page, problems) => {
        const r = await api(demo, 'POST', '/api/auth/token', { body: { email: 'demo@onramp.example', password: 'Demo-organization-1' } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const token = r.body.response.items[0].accessToken;
        assert.match(r.body.response.items[0].user.organizationName, /Demo/);
        await page.goto('/signin');
        await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
        // The savings fail at first: the accounts do not wait for them, and they have their own Try again.
        const SAVINGS = /\/api\/aws\/potentialSavings\?/;
        await page.route(SAVINGS, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{}' }));
        await open(page, '/dashboard');
        const retrySavings = page.getByRole('button', { name: 'Try again loading savings', exact: true });
        await expectVisible(retrySavings, 'Try again in the savings card');
        await page.unroute(SAVINGS);
        await retrySavings.focus();
        await page.keyboard.press('Enter');
        await expectText(page.locator('.savings-card[data-category="containers"] .savings-figure'), /^\$4,396/, 'the savings after Try again');
        await expectFocused(page.locator('#savings-heading'), 'the savings heading, not <body>');
        await expectText(row(page, 'Demo legacy').locator('[data-status]'), /^Expired$/, 'the expired Azure account');
        await expectText(row(page, 'Demo analytics').locator('[data-status]'), /^Credentials expire in 10 days$/, 'the expiring one');
        await expectText(row(page, 'Demo sandbox').locator('[data-status]'), /^Not connected$/, 'the unconnected one');
        await expectText(row(page, 'Demo production').locator('[data-status]'), /^Connected$/, 'the connected one');
        await expectVisible(page.locator('[data-banner="expiry"]').getByText(/Demo legacy: the client secret has expired/), 'the banner names the expired one');
        await expectVisible(page.getByText(/^Demo data: these figures are made up/), 'the savings are labelled as demo data');
        await expectText(page.locator('.savings-card[data-category="containers"] .savings-figure'), /^\$4,396/, 'containers: 3,120 + 1,275.5');
        await expectVisible(page.getByText(/Saved in the last 30 days/), 'the savings series');
        await expectHidden(page.getByRole('link', { name: /Connect a Management Account/ }), 'no management card (the demo has one)');
        await checkA11y(page, 'the dashboard with an expired secret (demo organization)');
        await screenshot(page, 'dashboard-demo');
        await expectNoPageProblems(page, problems);
      }, demo);
    } finally {
      await demo.stop();
    }
  });
});
