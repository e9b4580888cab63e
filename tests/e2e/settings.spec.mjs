// The settings screens. Members (/settings/members): an admin makes an invited viewer an admin,
// then removes them by keyboard alone (Tab, Enter, Space) with focus kept off <body>; the
// removed member's open tab is signed out at its next request; a viewer sees the list without
// controls; the only admin cannot leave (LAST_ADMIN said in the dialog). Security
// (/settings/security): an API token created with a wrong then the right password, shown once
// with Copy, listed and revoked (axe at 1280 and 320 px); changing the password, then signing
// in with the new one; Sign out everywhere ending another tab's session.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  checkA11y, expectFieldError, expectFocused, expectHidden, expectNoPageProblems, expectText,
  expectURL, expectValue, expectVisible, holdFirstAnswer, holdRequests, loseFirstAnswer, newPage, open,
  refuseGets, screenshot,
} from './lib/browser.mjs';
import { WELCOME_PATH, button, field, signedIn, signOutViaMenu } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };

/** Invites `fullName` into the admin's organization as `role` and accepts; returns their session. */
async function join(server, adminToken, fullName, role) {
  const email = newUser().email.replace(/^ada\./, `${fullName.split(' ')[0].toLowerCase()}.`);
  const made = await api(server, 'POST', '/api/onramp/invitations', { token: adminToken, body: { email, role } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const link = made.body.response.items[0].acceptPath.split('/').pop();
  const password = 'Builder-Bob-42';
  const accepted = await api(server, 'POST', `/api/onramp/invitations/token/${link}/accept`, {
    body: { fullName, country: 'GB', password },
  });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  return { email, password, token: accepted.body.response.items[0].accessToken };
}

/** Signs in through the API: a session of its own. */
async function tokenFor(server, { email, password }) {
  const res = await api(server, 'POST', '/api/auth/token', { body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response.items[0].accessToken;
}

/** Another tab (its own context, so its own sessionStorage) signed in with `token` on `route`. */
async function otherTab(suite, token, route) {
  const tab = await newPage(suite.browser, suite.server);
  await tab.page.goto('/favicon.svg');
  await tab.page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
  await open(tab.page, route);
  return tab;
}

/** Everything the page keeps in storage, as one string (to look for a secret in it). */
function storedText(page) {
  return page.evaluate(() => {
    const dump = (s) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i))}`).join('\n');
    return `${dump(sessionStorage)}\n${dump(localStorage)}`;
  });
}

/** Signed in, with the API tokens "Alpha CI" and "Beta CI", on /settings/security. */
async function twoTokens(page, server) {
  const user = newUser();
  const { token } = await signedIn(page, server, user);
  for (const name of ['Alpha CI', 'Beta CI']) {
    const made = await api(server, 'POST', '/api/onramp/tokens', { token, body: { name, expiresInDays: 30, password: user.password } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
  }
  await open(page, '/settings/security');
  return { user, token };
}

describe('settings', () => {
  const suite = browserSuite();
  const withPage = (fn, options) => suite.withPage(fn, { options });

  it('members: a viewer sees the list read-only; the admin promotes them, then removes them by keyboard, which signs their open tab out (axe)', T, () => withPage(async (page, problems) => {
    const admin = newUser({ fullName: 'Grace Hopper' });
    const { token: adminToken } = await signedIn(page, suite.server, admin);
    const bob = await join(suite.server, adminToken, 'Bob Builder', 'viewer');

    // Bob's own tab, open on the members list: read-only for a viewer.
    const bobTab = await otherTab(suite, bob.token, '/settings/members');
    try {
      const bobTable = bobTab.page.locator('.members-table');
      await expectVisible(bobTable.getByRole('rowheader', { name: /Grace Hopper/ }), 'the admin in Bob\'s list');
      assert.equal(await bobTable.getByRole('button').count(), 0, 'no controls for a viewer');
      await expectHidden(bobTable.getByRole('columnheader', { name: 'Actions' }), 'no Actions column for a viewer');
      await expectVisible(bobTab.page.getByText('Only admins can change roles or remove members.'), 'why there are no controls');
      await checkA11y(bobTab.page, 'the members list of a viewer');

      // The admin reaches Members from the user menu.
      await page.locator('#user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Members', exact: true }).click();
      await expectURL(page, '/settings/members');
      await expectVisible(page.getByRole('heading', { level: 1, name: 'Members' }), 'the Members heading');
      await expectVisible(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }), 'the settings navigation');
      const table = page.locator('.members-table');
      const bobRow = table.getByRole('row').filter({ hasText: bob.email });
      await expectText(bobRow, /Viewer/, 'Bob, a viewer');
      await expectText(table.getByRole('row').filter({ hasText: admin.email }), /You/, 'the admin\'s own row');
      await checkA11y(page, 'the members list of an admin');
      await screenshot(page, 'settings-members-admin');

      // Promote Bob: in place, announced, focus kept on his role button.
      await bobRow.getByRole('button', { name: 'Make admin Bob Builder' }).click();
      await expectText(bobRow, /Admin/, 'Bob, now an admin');
      await expectVisible(page.getByRole('status').filter({ hasText: 'Bob Builder is now an admin.' }), 'the change announced');
      const roleButton = bobRow.getByRole('button', { name: 'Make viewer Bob Builder' });
      await expectFocused(roleButton, 'Bob\'s role button after the change');
      const listed = await api(suite.server, 'GET', '/api/onramp/members', { token: adminToken });
      assert.equal(listed.body.response.items.find((m) => m.email === bob.email).role, 'admin', 'the server agrees');

      // Remove him by keyboard alone: Tab to Remove, Enter opens the dialog on its safe choice,
      // Tab to the confirmation, Space confirms.
      await page.keyboard.press('Tab');
      await expectFocused(bobRow.getByRole('button', { name: 'Remove Bob Builder' }), 'Remove, after Tab');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Remove Bob Builder?' });
      await expectVisible(dialog, 'the confirmation naming Bob');
      await expectText(dialog, new RegExp(bob.email.replace(/[.+]/g, '\\$&')), 'his email in the dialog');
      await expectFocused(dialog.getByRole('button', { name: 'Cancel' }), 'Cancel, the safe choice');
      await checkA11y(page, 'the remove-member dialog');
      await page.keyboard.press('Tab');
      await expectFocused(dialog.getByRole('button', { name: 'Remove member' }), 'Remove member, after Tab');
      await page.keyboard.press('Space');
      await expectHidden(dialog, 'the dialog after confirming');
      await expectHidden(bobRow, 'Bob\'s row');
      await expectVisible(page.getByRole('status').filter({ hasText: 'Bob Builder was removed from the organization.' }), 'the removal announced');
      await expectFocused(page.getByRole('heading', { level: 1, name: 'Members' }), 'the heading after the removal');
      assert.equal(await page.evaluate(() => document.activeElement === document.body), false, 'focus is not on <body>');
      await checkA11y(page, 'the members list after a removal');

      // Bob's tab: his next request ends the session and sends him to sign in; his next page
      // load shows the sign-in screen.
      await bobTab.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
      await expectURL(bobTab.page, '/signin');
      assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: bob.token })).status, 401, 'Bob\'s token is dead');
      await open(bobTab.page, '/settings/members');
      await expectURL(bobTab.page, '/signin');
      await expectVisible(bobTab.page.getByRole('heading', { level: 1, name: 'Sign in to Onramp' }), 'the sign-in screen in Bob\'s tab');
    } finally {
      await bobTab.context.close();
    }
    await expectNoPageProblems(page, problems);
  }));

  it('members: a removal answered after its dialog was closed and another member\'s opened: that dialog stays open', T, () => withPage(async (page, problems) => {
    const admin = newUser({ fullName: 'Grace Hopper' });
    const { token: adminToken } = await signedIn(page, suite.server, admin);
    await join(suite.server, adminToken, 'Bob Builder', 'viewer');
    await join(suite.server, adminToken, 'Carol Coder', 'viewer');
    await open(page, '/settings/members');
    const removal = await holdRequests(page, /\/api\/onramp\/members\/[^/]+$/, { method: 'DELETE' });
    await page.getByRole('button', { name: 'Remove Bob Builder' }).click();
    const bob = page.getByRole('dialog', { name: 'Remove Bob Builder?' });
    await bob.getByRole('button', { name: 'Remove member' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(bob, 'Bob\'s dialog, closed while his removal is on its way');
    await page.getByRole('button', { name: 'Remove Carol Coder' }).click();
    const carol = page.getByRole('dialog', { name: 'Remove Carol Coder?' });
    await expectVisible(carol, 'Carol\'s dialog');
    removal.release();
    await removal.passed;
    await expectVisible(page.getByRole('status').filter({ hasText: 'Bob Builder was removed from the organization.' }), 'Bob\'s removal, said on the page');
    await page.waitForTimeout(300);
    await expectVisible(carol, 'Carol\'s dialog, still open');
    // The list was drawn again under the dialog: Cancel still brings focus back to Carol's
    // Remove button, not to <body>.
    await carol.getByRole('button', { name: 'Cancel' }).click();
    await expectFocused(page.getByRole('button', { name: 'Remove Carol Coder' }), 'Carol\'s Remove button after Cancel');
    await removal.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('members: while one removal is on its way, another member\'s dialog is not busy and removes them', T, () => withPage(async (page, problems) => {
    const admin = newUser({ fullName: 'Grace Hopper' });
    const { token: adminToken } = await signedIn(page, suite.server, admin);
    await join(suite.server, adminToken, 'Bob Builder', 'viewer');
    await join(suite.server, adminToken, 'Carol Coder', 'viewer');
    await open(page, '/settings/members');
    const bobId = (await page.getByRole('button', { name: 'Remove Bob Builder' }).getAttribute('id')).replace('member-remove-', '');
    const removal = await holdRequests(page, new RegExp(`/api/onramp/members/${bobId}$`), { method: 'DELETE' });
    await page.getByRole('button', { name: 'Remove Bob Builder' }).click();
    const bob = page.getByRole('dialog', { name: 'Remove Bob Builder?' });
    await bob.getByRole('button', { name: 'Remove member' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(bob, 'Bob\'s dialog, closed while his removal is on its way');
    await page.getByRole('button', { name: 'Remove Carol Coder' }).click();
    const carol = page.getByRole('dialog', { name: 'Remove Carol Coder?' });
    const confirm = carol.getByRole('button', { name: 'Remove member' });
    await expectVisible(confirm, 'Carol\'s dialog');
    assert.equal(await confirm.getAttribute('aria-busy'), null, 'Carol\'s button, not busy with Bob\'s removal');
    await confirm.click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Carol Coder was removed from the organization.' }), 'Carol removed while Bob\'s removal waits');
    await expectHidden(carol, 'Carol\'s dialog, closed by her removal');
    removal.release();
    await removal.passed;
    await expectVisible(page.getByRole('status').filter({ hasText: 'Bob Builder was removed from the organization.' }), 'Bob\'s removal, said on the page');
    const members = await api(suite.server, 'GET', '/api/onramp/members', { token: adminToken });
    assert.deepEqual(members.body.response.items.map((m) => m.name), ['Grace Hopper'], 'the server agrees');
    await removal.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('members: a removal answered after its dialog was closed by Escape: focus goes to the list\'s heading, never <body>', T, () => withPage(async (page, problems) => {
    const admin = newUser({ fullName: 'Grace Hopper' });
    const { token: adminToken } = await signedIn(page, suite.server, admin);
    await join(suite.server, adminToken, 'Bob Builder', 'viewer');
    await open(page, '/settings/members');
    const removal = await holdRequests(page, /\/api\/onramp\/members\/[^/]+$/, { method: 'DELETE' });
    const remove = page.getByRole('button', { name: 'Remove Bob Builder' });
    await remove.click();
    const bob = page.getByRole('dialog', { name: 'Remove Bob Builder?' });
    await bob.getByRole('button', { name: 'Remove member' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(bob, 'Bob\'s dialog, closed while his removal is on its way');
    await expectFocused(remove, 'focus back on Bob\'s Remove button');
    removal.release();
    await removal.passed;
    await expectHidden(remove, 'Bob\'s row');
    await expectFocused(page.locator('#members-heading'), 'the list\'s heading, not <body>');
    await removal.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('API tokens: a revoke answered after its dialog was closed and another token\'s opened: that dialog stays open', T, () => withPage(async (page, problems) => {
    await twoTokens(page, suite.server);
    const revoking = await holdRequests(page, /\/api\/onramp\/tokens\/[^/]+$/, { method: 'DELETE' });
    await page.getByRole('button', { name: 'Revoke the token “Alpha CI”' }).click();
    const alpha = page.getByRole('dialog', { name: 'Revoke “Alpha CI”?' });
    await alpha.getByRole('button', { name: 'Revoke token' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(alpha, 'Alpha\'s dialog, closed while its revoke is on its way');
    await page.getByRole('button', { name: 'Revoke the token “Beta CI”' }).click();
    const beta = page.getByRole('dialog', { name: 'Revoke “Beta CI”?' });
    await expectVisible(beta, 'Beta\'s dialog');
    revoking.release();
    await revoking.passed;
    await expectVisible(page.getByRole('status').filter({ hasText: 'The token “Alpha CI” was revoked.' }), 'Alpha\'s revocation, said on the page');
    await expectHidden(page.locator('.tokens-table').getByRole('row').filter({ hasText: 'Alpha CI' }), 'Alpha\'s row');
    await page.waitForTimeout(300);
    await expectVisible(beta, 'Beta\'s dialog, still open');
    await revoking.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('API tokens: while one revoke is on its way, another token\'s dialog is not busy and revokes it', T, () => withPage(async (page, problems) => {
    const { token } = await twoTokens(page, suite.server);
    const rows = page.locator('.tokens-table').getByRole('row');
    const alphaId = await rows.filter({ hasText: 'Alpha CI' }).getAttribute('data-token');
    const revoking = await holdRequests(page, new RegExp(`/api/onramp/tokens/${alphaId}$`), { method: 'DELETE' });
    await page.getByRole('button', { name: 'Revoke the token “Alpha CI”' }).click();
    const alpha = page.getByRole('dialog', { name: 'Revoke “Alpha CI”?' });
    await alpha.getByRole('button', { name: 'Revoke token' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(alpha, 'Alpha\'s dialog, closed while its revoke is on its way');
    await page.getByRole('button', { name: 'Revoke the token “Beta CI”' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “Beta CI”?' }).getByRole('button', { name: 'Revoke token' });
    await expectVisible(confirm, 'Beta\'s dialog');
    assert.equal(await confirm.getAttribute('aria-busy'), null, 'Beta\'s button, not busy with Alpha\'s revoke');
    await confirm.click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'The token “Beta CI” was revoked.' }), 'Beta revoked while Alpha\'s revoke waits');
    revoking.release();
    await revoking.passed;
    await expectVisible(page.getByRole('status').filter({ hasText: 'The token “Alpha CI” was revoked.' }), 'Alpha\'s revocation');
    const listed = await api(suite.server, 'GET', '/api/onramp/tokens', { token });
    assert.deepEqual(listed.body.response.items, [], 'the server agrees: none left');
    await revoking.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('API tokens: a list load answered before a revoke and delivered after it does not bring the token back', T, () => withPage(async (page, problems) => {
    await twoTokens(page, suite.server);
    const rows = page.locator('.tokens-table').getByRole('row');
    await expectVisible(rows.filter({ hasText: 'Alpha CI' }), 'Alpha listed');
    // Closing the create dialog loads the list: the server answers at once, the page gets it later.
    const list = await holdFirstAnswer(page, /\/api\/onramp\/tokens$/);
    await button(page, 'Create token').click();
    await page.keyboard.press('Escape');
    await list.served;
    await page.getByRole('button', { name: 'Revoke the token “Alpha CI”' }).click();
    await page.getByRole('dialog', { name: 'Revoke “Alpha CI”?' }).getByRole('button', { name: 'Revoke token' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'The token “Alpha CI” was revoked.' }), 'the revocation');
    list.release();
    await page.waitForTimeout(500);
    await expectVisible(rows.filter({ hasText: 'Beta CI' }), 'Beta still listed');
    assert.equal(await rows.filter({ hasText: 'Alpha CI' }).count(), 0, 'the revoked token, not brought back by the older list');
    await list.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('Create token closed while its request is on its way: the token is listed and said, never shown later; a lost answer says it may exist', T, () => withPage(async (page, problems) => {
    const user = newUser();
    const { token } = await signedIn(page, suite.server, user);
    await open(page, '/settings/security');
    await expectVisible(page.getByText(/You have no API tokens/), 'no tokens yet');
    const creating = await holdRequests(page, /\/api\/onramp\/tokens$/, { method: 'POST' });
    await button(page, 'Create token').click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token' });
    await field(page, 'Token name').fill('Late one');
    await field(page, 'Your password').fill(user.password);
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(dialog, 'the dialog, closed while the token is being made');
    creating.release();
    await creating.passed;
    await expectVisible(page.getByRole('status').filter({ hasText: 'The token “Late one” was created after its dialog was closed, so it can\'t be shown.' }), 'what became of it');
    await expectVisible(page.locator('.tokens-table').getByRole('row').filter({ hasText: 'Late one' }), 'the token listed');
    await creating.stop();
    // The next dialog starts afresh: no earlier token in it.
    await button(page, 'Create token').click();
    await expectVisible(dialog, 'a fresh create dialog');
    assert.equal(await page.getByRole('dialog', { name: /created/ }).count(), 0, 'no earlier result');

    // The answer of the next one is lost after the server made it.
    const seen = await loseFirstAnswer(page, /\/api\/onramp\/tokens$/);
    await field(page, 'Token name').fill('Lost one');
    await field(page, 'Your password').fill(user.password);
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expectVisible(dialog.getByRole('alert').filter({ hasText: /We don't know whether the token was created/ }), 'the doubt said');
    assert.equal(seen.lost, 1);
    await expectValue(field(page, 'Your password'), user.password, 'the password kept for the next try');
    await page.keyboard.press('Escape');
    await expectVisible(page.locator('.tokens-table').getByRole('row').filter({ hasText: 'Lost one' }), 'the token the lost answer was about, listed');
    const listed = await api(suite.server, 'GET', '/api/onramp/tokens', { token });
    assert.deepEqual(listed.body.response.items.map((t) => t.name).sort(), ['Late one', 'Lost one']);
    await expectNoPageProblems(page, problems);
  }));

  it('Sign out everywhere failing after its dialog was closed: the page says nothing was signed out', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    await open(page, '/settings/security');
    const everywhere = /\/api\/auth\/signout-everywhere$/;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(everywhere, async (r) => {
      await held;
      await r.fulfill({ status: 503, contentType: 'application/json', body: '{}' });
    });
    await button(page, 'Sign out everywhere').click();
    const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.keyboard.press('Escape');
    await expectHidden(dialog, 'the dialog, closed while the request is on its way');
    release();
    await expectVisible(page.getByRole('alert').filter({ hasText: /Nothing was signed out/ }), 'the failure, said on the page');
    await page.unroute(everywhere);
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token })).status, 200, 'still signed in');
    await expectNoPageProblems(page, problems);
  }));

  it('members: the only admin cannot leave; the server\'s LAST_ADMIN message shows in the dialog', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser({ fullName: 'Solo Admin' }));
    await open(page, '/settings/members');
    await page.getByRole('button', { name: 'Leave the organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave the organization?' });
    await expectVisible(dialog, 'the leave dialog');
    await dialog.getByRole('button', { name: 'Leave the organization' }).click();
    await expectVisible(dialog.getByRole('alert').filter({ hasText: "This is the organization's only admin. Make another member an admin first." }), 'the LAST_ADMIN message in the dialog');
    await checkA11y(page, 'the leave dialog with the refusal');
    await page.keyboard.press('Escape');
    await expectHidden(dialog, 'the dialog after Escape');
    await expectURL(page, '/settings/members');
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token })).status, 200, 'still signed in');
    await expectNoPageProblems(page, problems);
  }));

  it('a list that failed to load: Try again by keyboard keeps focus on the list\'s heading, never <body> (members, API tokens)', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signedIn(page, suite.server, user);
    for (const { route, list, heading, button: name, loaded } of [
      { route: '/settings/members', list: /\/api\/onramp\/members$/, heading: '#members-heading', button: 'Try again loading members', loaded: page.locator('.members-table').getByText(user.fullName) },
      { route: '/settings/security', list: /\/api\/onramp\/tokens$/, heading: '#tokens-heading', button: 'Try again loading API tokens', loaded: page.getByText(/You have no API tokens/) },
    ]) {
      const refused = await refuseGets(page, list);
      await page.goto(route);
      const retry = page.getByRole('button', { name, exact: true });
      await expectVisible(retry, `${name} after the failure`);
      refused.allow();
      await retry.focus();
      await page.keyboard.press('Enter');
      await expectVisible(loaded, `the list on ${route}`);
      await expectFocused(page.locator(heading), `the heading on ${route}, not <body>`);
      await refused.stop();
    }
    await expectNoPageProblems(page, problems);
  }));

  for (const width of [1280, 320]) {
    it(`API tokens at ${width} px: wrong password at its field, the token once with Copy, listed, revoked (axe)`, T, () => withPage(async (page, problems, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
      const user = newUser();
      await signedIn(page, suite.server, user);
      await page.locator('#user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Security', exact: true }).click();
      await expectURL(page, '/settings/security');
      await expectVisible(page.getByText(/You have no API tokens/), 'the honest empty state');
      await checkA11y(page, `the security page (${width} px)`);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth} px wide in a ${clientWidth} px window`);

      const opener = button(page, 'Create token');
      await opener.click();
      const dialog = page.getByRole('dialog', { name: 'Create an API token' });
      await expectVisible(dialog, 'the create-token dialog');
      await expectFocused(field(page, 'Token name'), 'Token name when the dialog opens');
      assert.equal(await field(page, 'Expires after (days)').inputValue(), '90', '90 days unless changed');
      await field(page, 'Token name').fill('CI deploy');
      await field(page, 'Expires after (days)').fill('400');
      await field(page, 'Your password').fill('Not-my-password-1');
      await button(page, 'Create token').last().click();
      await expectFieldError(field(page, 'Expires after (days)'), /whole number of days from 1 to 365/, 'too many days');
      await field(page, 'Expires after (days)').fill('30');
      await button(page, 'Create token').last().click();
      const password = field(page, 'Your password');
      await expectFieldError(password, /This is not your current password/, 'a wrong password');
      await expectFocused(password, 'the password field after the refusal');
      await checkA11y(page, `the create-token dialog with an error (${width} px)`);

      await password.fill(user.password);
      await page.keyboard.press('Enter');
      const result = page.getByRole('dialog', { name: 'Token “CI deploy” created' });
      await expectVisible(result, 'the new token');
      await expectVisible(result.getByText("Copy the token now: it won't be shown again."), 'the shown-once warning');
      const box = result.getByLabel('API token', { exact: true });
      await expectFocused(box, 'the token, focused');
      const value = await box.inputValue();
      assert.match(value, /^[A-Za-z0-9_-]{43}$/, 'a 43-character token');
      await result.getByRole('button', { name: 'Copy API token' }).click();
      await expectVisible(result.getByText('Copied', { exact: true }), 'the copy confirmation');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), value, 'the clipboard holds the token');
      await checkA11y(page, `the new token (${width} px)`);
      await screenshot(page, `settings-token-created-${width}`);
      assert.ok(!(await storedText(page)).includes(value), 'the token is in no storage');
      assert.ok(!(await storedText(page)).includes(user.password), 'the password is in no storage');

      await result.getByRole('button', { name: 'Done' }).click();
      await expectHidden(result, 'the dialog after Done');
      await expectFocused(opener, 'focus back on Create token');
      assert.equal(await page.getByText(value).count(), 0, 'the token is not on the page any more');
      const row = page.locator('.tokens-table').getByRole('row').filter({ hasText: 'CI deploy' });
      await expectText(row, /Never/, 'listed, never used');
      await checkA11y(page, `the token list (${width} px)`);
      assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: value })).status, 200, 'the token works');

      await row.getByRole('button', { name: 'Revoke the token “CI deploy”' }).click();
      const revoke = page.getByRole('dialog', { name: 'Revoke “CI deploy”?' });
      await expectVisible(revoke, 'the revoke confirmation');
      await expectFocused(revoke.getByRole('button', { name: 'Keep the token' }), 'the safe choice');
      await revoke.getByRole('button', { name: 'Revoke token' }).click();
      await expectHidden(revoke, 'the confirmation after revoking');
      await expectHidden(row, 'the revoked token');
      await expectVisible(page.getByRole('status').filter({ hasText: 'The token “CI deploy” was revoked.' }), 'the revocation announced');
      await expectFocused(page.getByRole('heading', { name: 'API tokens' }), 'the list heading after revoking');
      await expectVisible(page.getByText(/You have no API tokens/), 'the empty list again');
      assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: value })).status, 401, 'the token is dead');
      await expectNoPageProblems(page, problems);
    }, { viewport: { width, height: 900 } }));
  }

  it('change password: wrong current password at its field, the rules, success said; other sessions end; sign in with the new one', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signedIn(page, suite.server, user);
    const elsewhere = await tokenFor(suite.server, user);
    await open(page, '/settings/security');
    const current = field(page, 'Current password');
    const next = field(page, 'New password');
    const confirm = field(page, 'Confirm new password');
    const change = button(page, 'Change password');

    await current.fill('Not-my-password-1');
    await next.fill('short');
    await confirm.fill('short');
    await change.click();
    await expectFieldError(next, /still needs/, 'a weak new password');
    await expectVisible(page.locator('#pw-new-rules [data-check="Length"]').getByText('not met'), 'the checklist says what is missing');

    const newPassword = 'Analytical-Engine-2';
    await next.fill(newPassword);
    await confirm.fill(newPassword);
    await change.click();
    await expectFieldError(current, /This is not your current password/, 'a wrong current password');
    await expectFocused(current, 'the current password after the refusal');
    await checkA11y(page, 'the password form with an error');

    await current.fill(user.password);
    await change.click();
    await expectVisible(page.getByRole('status').filter({ hasText: /Your password was changed.*every other session of yours was signed out/ }), 'the success message');
    assert.equal(await current.inputValue(), '', 'the fields are emptied');
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: elsewhere })).status, 401, 'the other session ended');
    assert.ok(!(await storedText(page)).includes(newPassword), 'the password is in no storage');

    await signOutViaMenu(page);
    await field(page, 'Email').fill(user.email);
    await field(page, 'Password').fill(user.password);
    await button(page, 'Sign in').click();
    await expectVisible(page.getByRole('alert').filter({ hasText: /\S/ }), 'the old password refused');
    await field(page, 'Password').fill(newPassword);
    await button(page, 'Sign in').click();
    await expectURL(page, WELCOME_PATH);
    await expectVisible(page.locator('#user-menu-button'), 'the console, signed in with the new password');
    await expectNoPageProblems(page, problems);
  }));

  it('sign out everywhere: confirmed, this tab goes to sign-in, a second tab\'s session ends', T, () => withPage(async (page) => {
    const user = newUser();
    await signedIn(page, suite.server, user);
    const second = await otherTab(suite, await tokenFor(suite.server, user), '/dashboard');
    try {
      await page.locator('#user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Security', exact: true }).click();
      await expectURL(page, '/settings/security');
      const opener = button(page, 'Sign out everywhere');
      await opener.click();
      const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
      await expectVisible(dialog, 'the confirmation');
      await expectFocused(dialog.getByRole('button', { name: 'Stay signed in' }), 'the safe choice');
      await checkA11y(page, 'the sign-out-everywhere dialog');
      await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
      await expectURL(page, '/signin');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.session')), null, 'this tab forgot its token');
      const token = await second.page.evaluate(() => sessionStorage.getItem('onramp.session'));
      assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token })).status, 401, 'the other tab\'s session ended');

      // The other tab: its next request (opening the menu brings its account list up to date)
      // sends it to sign in; its next page load shows the sign-in screen.
      await second.page.locator('#user-menu-button').click();
      await expectURL(second.page, '/signin');
      await open(second.page, '/dashboard');
      await expectURL(second.page, '/signin');
      await expectVisible(second.page.getByRole('heading', { level: 1, name: 'Sign in to Onramp' }), 'the sign-in screen in the other tab');
    } finally {
      await second.context.close();
    }
  }));

  // The sign-in screen drawn in place after the session ends says why, and nothing panicked on
  // the way (a screen's last effects once read its disposed signals there).
  it('sign out everywhere: this tab\'s sign-in screen says what happened, with no page error', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server, newUser());
    await open(page, '/settings/security');
    await button(page, 'Sign out everywhere').click();
    await page.getByRole('dialog', { name: 'Sign out everywhere?' }).getByRole('button', { name: 'Sign out everywhere' }).click();
    await expectURL(page, '/signin');
    await expectVisible(page.getByText('You have signed out everywhere: every session and API token of yours has ended.'), 'what happened');
    await expectNoPageProblems(page, problems);
  }));
});
