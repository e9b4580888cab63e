// First-run wizard, Azure subscription: GUID fields with messages at the field,
// the client secret (reveal by keyboard, the secret-ID warning, never stored), the expiration
// date rule, Export JSON policy (a real download), Validate, reload mid-flow, Connect, and what
// the server then holds; a failing server keeps every answer and offers Try again.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { api, newUser, startServer } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFieldValid, expectFocused, expectHidden,
  expectNoPageProblems, expectText, expectURL, expectValue, expectVisible, holdRequests, screenshot
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const TENANT = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const SUB = '16fd2706-8baf-433b-82eb-8c7fada847da';
const SECRET_ID_LOOKALIKE = 'b7c3e1f2-4d5a-4e6b-9c8d-0a1b2c3d4e5f';
// Shaped like an Azure client secret value (40 characters, `~` and `.` included).
const SECRET = 'Qx8~Zk.p3Rm_Ve2Lw9Nq-Ty4Hb6Js1Dc5Fg7Ku0A';

/** `YYYY-MM-DD` in UTC, `days` from today (the app and the server both use UTC). */
function utcDate({ days = 0, years = 0 } = {}) {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Everything the browser keeps for this origin, plus the URL: the secret must be in none of it. */
async function storedEverywhere(page) {
  return page.evaluate(() => JSON.stringify({
    url: location.href,
    session: { ...sessionStorage },
    local: { ...localStorage },
    cookies: document.cookie,
    history: history.state,
  }));
}

async function chooseAzure(page) {
  await chooseProvider(page, 'Microsoft Azure', 'azure');
}

function azureFields(page) {
  return {
    client: field(page, 'Application (client) ID'),
    tenant: field(page, 'Directory (tenant) ID'),
    secret: field(page, 'Client secret value'),
    expiry: field(page, 'Secret expiration date'),
    sub: field(page, 'Subscription ID'),
    reveal: page.getByRole('button', { name: 'Show Client secret value', exact: true }),
  };
}

async function defaultAccount(server, page) {
  const token = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
  const res = await api(server, 'GET', '/api/setup/account', { token });
  const items = res.body?.response?.items ?? [];
  assert.equal(items.length, 1, `one account after sign-up: ${JSON.stringify(res.body)}`);
  return { token, account: items[0] };
}

describe('first-run wizard: Azure subscription', () => {
  const suite = browserSuite({
    start: () => startServer({ args: ['--fault-control'] }),
    beforeEachTest: (server) => api(server, 'POST', '/api/_faults', { body: { errorRate: 0, only: null } }),
  });
  const { withPage } = suite;

  it('bad GUIDs, the secret checks, the date rule, Export JSON policy, reload, Validate, Connect', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signupViaUi(page, user);
    await chooseAzure(page);
    const f = azureFields(page);

    const panel = button(page, 'Subscription');
    await expectAttr(panel, 'aria-expanded', 'true', 'the "Subscription" panel (open on a first visit)');
    const login = page.getByRole('link', { name: /Log in to Azure portal/ });
    await expectAttr(login, 'href', 'https://portal.azure.com/', 'link "Log in to Azure portal"');
    await expectAttr(login, 'target', '_blank', 'link "Log in to Azure portal"');
    await expectVisible(page.locator('.copy-list code', { hasText: 'https://spot.io' }), 'the redirect URI');
    await expectVisible(button(page, 'Copy redirect URI'), 'the redirect URI copy button');
    await checkA11y(page, 'Azure subscription panel, empty');
    await screenshot(page, 'welcome-connect-azure');

    // Application (client) ID: one digit short, then fixed.
    await f.client.fill(CLIENT.slice(0, -1));
    await f.client.blur();
    await expectFieldError(f.client, /Application \(client\) ID.*8-4-4-4-12/, 'Application (client) ID (35 characters)');
    await checkA11y(page, 'Azure subscription panel, a field in error');
    await f.client.fill(`{${CLIENT.toUpperCase()}}`);
    await expectFieldValid(f.client, 'Application (client) ID (fixed, braces and capitals accepted)');

    // Directory (tenant) ID: the directory's domain name instead of its ID.
    await f.tenant.fill('contoso.onmicrosoft.com');
    await f.tenant.blur();
    await expectFieldError(f.tenant, /domain name.*Directory \(tenant\) ID/, 'Directory (tenant) ID (a domain name)');
    await f.tenant.fill(TENANT);
    await expectFieldValid(f.tenant, 'Directory (tenant) ID (fixed)');

    // Client secret: hidden by default; a GUID gets the "secret ID" warning, which does not block.
    await expectAttr(f.secret, 'type', 'password', 'the client secret input');
    await f.secret.fill(SECRET_ID_LOOKALIKE);
    const warning = page.locator('#azure-client-secret-warning');
    await expectText(warning, /secret's ID, not its value/, 'the secret-ID warning');
    await expectText(page.locator('#azure-client-secret-warning'), /Value column/, 'the warning says where the value is');
    const describedBy = await f.secret.getAttribute('aria-describedby');
    assert.ok(describedBy?.split(' ').includes('azure-client-secret-warning'), `the warning describes the input: ${describedBy}`);
    await f.secret.blur();
    await expectFieldValid(f.secret, 'a GUID-shaped secret (a warning, not an error)');
    await checkA11y(page, 'Azure subscription panel, secret-ID warning');
    await f.secret.fill(` ${SECRET}`);
    await f.secret.blur();
    await expectFieldError(f.secret, /starts or ends with a space/, 'Client secret value (a leading space)');
    await f.secret.fill(SECRET);
    await expectFieldValid(f.secret, 'Client secret value (fixed)');
    await expectText(warning, /^$/, 'no warning for a real secret value');

    // Reveal by keyboard: Tab from the input to the toggle, Space shows, Enter hides.
    await f.secret.focus();
    await page.keyboard.press('Tab');
    await expectFocused(f.reveal, 'the "Show" toggle after Tab from the secret');
    await expectAttr(f.reveal, 'aria-pressed', 'false', 'the "Show" toggle');
    await expectAttr(f.reveal, 'aria-controls', 'azure-client-secret', 'the "Show" toggle');
    await page.keyboard.press('Space');
    await expectAttr(f.reveal, 'aria-pressed', 'true', 'the "Show" toggle after Space');
    await expectAttr(f.secret, 'type', 'text', 'the client secret input once shown');
    await expectAttr(f.secret, 'spellcheck', 'false', 'the shown secret (no spell-check service)');
    await expectFocused(f.reveal, 'the toggle keeps focus');
    await checkA11y(page, 'Azure subscription panel, secret shown');
    await page.keyboard.press('Enter');
    await expectAttr(f.reveal, 'aria-pressed', 'false', 'the "Show" toggle after Enter');
    await expectAttr(f.secret, 'type', 'password', 'the client secret input hidden again');
    await expectValue(f.secret, SECRET, 'the secret after show/hide');

    // Secret expiration date: today, past, more than 2 years ahead, then a good one.
    const latest = utcDate({ years: 2 });
    await expectAttr(f.expiry, 'type', 'date', 'Secret expiration date');
    await expectAttr(f.expiry, 'min', utcDate({ days: 1 }), 'the date input (first allowed day)');
    await expectAttr(f.expiry, 'max', latest, 'the date input (last allowed day)');
    await f.expiry.fill('2020-01-01');
    await f.expiry.blur();
    await expectFieldError(f.expiry, /must be after today/, 'Secret expiration date (in the past)');
    await f.expiry.fill(utcDate({ years: 2, days: 1 }));
    await f.expiry.blur();
    await expectFieldError(f.expiry, new RegExp(`at most 2 years.*${latest}`), 'Secret expiration date (more than 2 years ahead)');
    await checkA11y(page, 'Azure subscription panel, date in error');
    const expiry = utcDate({ days: 180 });
    await f.expiry.fill(expiry);
    await expectFieldValid(f.expiry, 'Secret expiration date (fixed)');

    // Export JSON policy without a subscription: the message is at Subscription ID.
    await expectVisible(page.getByText('Enter the Subscription ID above to see the role definition'), 'the role preview waiting for the subscription');
    await button(page, 'Export JSON policy').click();
    await expectFieldError(f.sub, /Enter the Subscription ID/, 'Subscription ID (empty on export)');
    await expectFocused(f.sub, 'Subscription ID after exporting without it');
    await f.sub.fill(SUB.toUpperCase());
    await expectFieldValid(f.sub, 'Subscription ID');

    // Export JSON policy: a real download of the role definition scoped to the subscription.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      button(page, 'Export JSON policy').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'spot-role-definition.json');
    const role = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.deepEqual(role.AssignableScopes, [`/subscriptions/${SUB}`], JSON.stringify(role));
    assert.equal(role.IsCustom, true);
    assert.ok(role.Actions.includes('Microsoft.Compute/virtualMachines/*'), JSON.stringify(role.Actions));
    await expectText(page.getByRole('status').filter({ hasText: 'Saved spot-role-definition.json' }), new RegExp(SUB),
      'the export status');
    await expectText(page.locator('#azure-role-json-code'), new RegExp(`"/subscriptions/${SUB}"`), 'the role preview');
    await expectText(page.locator('#azure-role-commands-code'),
      new RegExp(`--assignee ${CLIENT} --role "Spot connector \\(${SUB}\\)" --scope /subscriptions/${SUB}`), 'the Cloud Shell commands');
    await checkA11y(page, 'Azure subscription panel, filled, role exported');
    await screenshot(page, 'welcome-connect-azure-filled');

    // The secret is nowhere the browser keeps things, though the rest of the draft is.
    let kept = await storedEverywhere(page);
    assert.ok(kept.includes(TENANT), 'the draft (with the tenant ID) is in sessionStorage, so the scan below means something');
    assert.ok(!kept.includes(SECRET), 'the client secret is not in storage, cookies or the URL');

    // Reload mid-flow: the IDs and the date come back, the secret does not, and the panel says so.
    await page.reload();
    await expectURL(page, '/welcome/connect/azure');
    await expectValue(f.client, `{${CLIENT.toUpperCase()}}`, 'Application (client) ID after the reload');
    await expectValue(f.tenant, TENANT, 'Directory (tenant) ID after the reload');
    await expectValue(f.expiry, expiry, 'Secret expiration date after the reload');
    await expectValue(f.sub, SUB.toUpperCase(), 'Subscription ID after the reload');
    await expectValue(f.secret, '', 'Client secret value after the reload (never kept)');
    await expectText(page.locator('#azure-secret-note'), /paste it again/, 'the note asking for the secret again');
    kept = await storedEverywhere(page);
    assert.ok(!kept.includes(SECRET), 'the client secret is not in storage after the reload');
    await checkA11y(page, 'Azure subscription panel after a reload');

    // Validate without the secret: the message at the field, focus there.
    await button(page, 'Validate').click();
    await expectFieldError(f.secret, /Enter the client secret's value/, 'Client secret value (empty on Validate)');
    await expectFocused(f.secret, 'Client secret value after Validate without it');
    await f.secret.fill(SECRET);
    await expectHidden(page.locator('#azure-secret-note'), 'the note once the secret is typed again');

    // A validation answered after a field changed is about other values: its answer is dropped.
    const validation = await holdRequests(page, /\/api\/azure\/setup\/credentials\/validation\?/);
    await button(page, 'Validate').click();
    await f.tenant.fill(TENANT.toUpperCase());
    validation.release();
    await validation.passed;
    await validation.stop();
    await page.waitForTimeout(300);
    assert.equal(await page.getByText('Validation passed').count(), 0, 'no success for values that were changed meanwhile');
    await f.tenant.fill(TENANT);

    await button(page, 'Validate').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Validation passed' }), /Connect account/, 'the validation success');
    await checkA11y(page, 'Azure subscription panel, validated');
    // A change makes the validation stale.
    await f.tenant.fill(TENANT.toUpperCase());
    await expectHidden(page.getByText('Validation passed'), 'the success after a change');

    await button(page, 'Connect account').click();
    await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
    await expectURL(page, '/dashboard');
    kept = await storedEverywhere(page);
    assert.ok(!kept.includes(SECRET), 'the client secret is not in storage after connecting');

    // The server agrees: the account is connected to Azure, with what was typed.
    const { token, account } = await defaultAccount(suite.server, page);
    assert.equal(account.cloudProvider, 'azure', JSON.stringify(account));
    const creds = await api(suite.server, 'GET', `/api/azure/setup/credentials?accountId=${account.accountId}`, { token });
    const c = creds.body?.response?.items?.[0];
    assert.equal(c?.clientId, CLIENT, JSON.stringify(creds.body));
    assert.equal(c?.tenantId, TENANT);
    assert.equal(c?.subscriptionId, SUB);
    assert.equal(c?.clientSecret, `${SECRET.slice(0, 3)}****`, 'the server masks the secret');
    assert.equal(c?.expirationDate, `${expiry}T00:00:00.000Z`);
    await expectNoPageProblems(page, problems);
  }));

  it('a failing server: Validate and Connect explain it, keep every answer, and Try again connects', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await chooseAzure(page);
    const f = azureFields(page);
    await f.client.fill(CLIENT);
    await f.tenant.fill(TENANT);
    await f.secret.fill(SECRET);
    await f.expiry.fill(utcDate({ days: 30 }));
    await f.sub.fill(SUB);

    const on = await api(suite.server, 'POST', '/api/_faults', { body: { errorRate: 1, only: '/api/azure/setup/credentials' } });
    assert.equal(on.status, 200, JSON.stringify(on.body));

    await button(page, 'Validate').click();
    const alert = page.getByRole('alert');
    await expectText(alert, /Validation failed: Something went wrong/, 'the validation failure');
    await expectText(alert, /Request ID/, 'the request ID for support');
    assert.equal(await button(page, 'Try again').count(), 0, 'no "Try again" (which connects) after a failed Validate');
    await checkA11y(page, 'Azure subscription panel, validation failed');

    await button(page, 'Connect account').click();
    await expectText(alert, /couldn't connect the subscription.*Try again/, 'the connect failure');
    await expectVisible(button(page, 'Try again'), 'button "Try again"');
    await expectURL(page, '/welcome/connect/azure');
    for (const [input, value] of [[f.client, CLIENT], [f.tenant, TENANT], [f.secret, SECRET], [f.sub, SUB]]) {
      await expectValue(input, value, 'an answer after the failure');
    }
    await checkA11y(page, 'Azure subscription panel, connect failed');

    // Try again while the fault lasts: the button goes with the message, and focus stays with
    // the form's buttons, not on the page's body.
    await button(page, 'Try again').click();
    await expectFocused(button(page, 'Connect account'), 'Connect account (Try again went with the message)');
    await expectVisible(button(page, 'Try again'), 'button "Try again", back with the new failure');

    await api(suite.server, 'POST', '/api/_faults', { body: { errorRate: 0, only: null } });
    await button(page, 'Try again').click();
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
    await expectNoPageProblems(page, problems);
  }));
});
