// Inviting users (the dashboard's "Invite more users" card, admins only) and joining by
// invitation (/invite/:token): the dialog by keyboard, client and server errors at Email, the
// link shown once with a copy button, the pending list and Revoke, the join page (light and
// dark), a viewer's read-only dashboard and menu, a used link, axe on each screen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFocused, expectHidden, expectNoPageProblems,
  expectText, expectURL, expectValue, expectVisible, holdFirstAnswer, open, refuseGets,
  screenshot
} from './lib/browser.mjs';
import { button, field, signedIn, signinViaUi, signOutViaMenu } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const INVITE_PATH = /^\/invite\/[A-Za-z0-9_-]{20,}$/;

/** Everything the page keeps in storage, as one string (to look for a secret in it). */
function storedText(page) {
  return page.evaluate(() => {
    const dump = (s) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i))}`).join('\n');
    return `${dump(sessionStorage)}\n${dump(localStorage)}`;
  });
}

/** A unique address in the style of newUser's. */
function address(name) {
  return newUser().email.replace(/^ada\./, `${name}.`);
}

describe('inviting users', () => {
  const suite = browserSuite();
  const withPage = (fn, options) => suite.withPage(fn, { options });

  // Shared with the join tests below: an organization, and the link of a viewer invitation.
  const admin = newUser({ fullName: 'Grace Hopper' });
  const viewerEmail = address('bob');
  let viewerLink = '';

  it('admin: invite by keyboard, errors at Email, the link once with Copy, pending list, Revoke (axe)', T, () => withPage(async (page, problems, context) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    const { token } = await signedIn(page, suite.server, admin);
    const card = page.getByRole('region', { name: 'Invite more users' });
    await expectVisible(card, 'the "Invite more users" card');
    await expectVisible(card.getByText(/No invitations are pending/), 'the honest empty state');

    // By keyboard: focus the button, Enter opens the dialog on the Email field.
    const opener = card.getByRole('button', { name: 'Invite a user', exact: true });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await expectVisible(dialog, 'the invite dialog');
    const email = dialog.getByLabel('Email', { exact: true });
    await expectFocused(email, 'the Email field when the dialog opens');
    assert.equal(await dialog.getByRole('radio', { name: 'Viewer', exact: true }).isChecked(), true, 'Viewer is the default role');
    assert.equal(await dialog.getByRole('radio', { name: 'Admin', exact: true }).isChecked(), false);
    await expectVisible(dialog.getByText('Sees accounts and savings, changes nothing.'), 'what a viewer can do');
    await checkA11y(page, 'the invite dialog (form)');

    // Client validation: core's rule and message, the text kept.
    await page.keyboard.type('bob-at-example.com');
    await page.keyboard.press('Enter');
    await expectFieldError(email, /exactly one “@”/, 'Email without an @');
    await expectValue(email, 'bob-at-example.com', 'Email after the refusal');
    await expectFocused(email, 'the refused Email field');
    await checkA11y(page, 'the invite dialog with an error');

    // The server refuses the admin's own address (already a member): at Email, text kept.
    await email.fill(admin.email);
    await page.keyboard.press('Enter');
    await expectFieldError(email, /already a user of your organization/, 'Email of a member');
    await expectValue(email, admin.email, 'Email after the 409');

    // A valid address: the result view with the full link and Copy.
    await email.fill(viewerEmail);
    await page.keyboard.press('Enter');
    const result = page.getByRole('dialog', { name: `Invitation created for ${viewerEmail} (Viewer)` });
    await expectVisible(result, 'the result view');
    const linkBox = result.getByLabel('Invitation link', { exact: true });
    await expectFocused(linkBox, 'the link, focused');
    viewerLink = await linkBox.inputValue();
    assert.equal(new URL(viewerLink).origin, suite.server.url, 'the link starts with the app origin');
    assert.match(new URL(viewerLink).pathname, INVITE_PATH, 'the link is the accept path');
    assert.equal(await linkBox.getAttribute('readonly'), '', 'the link box is read-only');
    await expectVisible(result.getByText(/This server sends no email/), 'the no-email note');
    await result.getByRole('button', { name: 'Copy invitation link' }).click();
    await expectVisible(result.getByText('Copied', { exact: true }), 'the copy confirmation');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), viewerLink, 'the clipboard holds the link');
    await checkA11y(page, 'the invite dialog (result)');
    await screenshot(page, 'invite-dialog-result');
    const token1 = new URL(viewerLink).pathname.split('/').pop();
    assert.ok(!(await storedText(page)).includes(token1), 'the invitation token is in no storage');

    // Done: focus back on the opener, the list refreshed.
    await result.getByRole('button', { name: 'Done', exact: true }).click();
    await expectHidden(result, 'the dialog after Done');
    await expectFocused(opener, 'focus back on "Invite a user"');
    const item = card.getByRole('listitem').filter({ hasText: viewerEmail });
    await expectVisible(item, 'the pending invitation in the list');
    await expectText(item, /Viewer · expires \d{1,2} [A-Z][a-z]{2} \d{4}/, 'its role and expiry date');

    // The same address again (other case): already pending, said at Email; leaving the field keeps it.
    await opener.click();
    await expectFocused(email, 'Email in the reopened dialog');
    assert.equal(await email.inputValue(), '', 'the reopened dialog starts empty');
    await email.fill(viewerEmail.toUpperCase());
    await page.keyboard.press('Enter');
    await expectFieldError(email, /already pending/, 'Email of a pending invitation');
    await expectValue(email, viewerEmail.toUpperCase(), 'Email after the 409');
    await page.keyboard.press('Tab');
    await expectFieldError(email, /already pending/, 'the server\'s message after leaving the field');

    // A second invitation, as admin, then revoke it.
    const second = address('carol');
    await email.fill(second);
    await dialog.getByRole('radio', { name: 'Admin', exact: true }).check();
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    await expectVisible(page.getByRole('dialog', { name: `Invitation created for ${second} (Admin)` }), 'the second result');
    await page.keyboard.press('Escape');
    await expectFocused(opener, 'focus back on "Invite a user" after Escape');
    const secondItem = card.getByRole('listitem').filter({ hasText: second });
    await expectText(secondItem, /Admin · expires/, 'the admin invitation listed');
    await checkA11y(page, 'the dashboard with pending invitations');
    // A double click revokes once: one DELETE, and the message says what happened.
    let deletes = 0;
    page.on('request', (r) => { if (r.method() === 'DELETE' && /\/api\/onramp\/invitations\//.test(r.url())) deletes += 1; });
    await secondItem.getByRole('button', { name: `Revoke the invitation for ${second}` }).dblclick();
    await expectHidden(secondItem, 'the revoked invitation');
    await expectVisible(card.getByRole('status').filter({ hasText: `The invitation for ${second} was revoked.` }), 'the revocation announced');
    await page.waitForTimeout(300);
    assert.equal(deletes, 1, 'one DELETE for a double click');
    assert.equal(await card.getByText(/no longer pending/).count(), 0, 'not "no longer pending": it was this click that revoked it');
    await expectVisible(item, 'the other invitation stays');

    const pending = await api(suite.server, 'GET', '/api/onramp/invitations', { token });
    assert.deepEqual(pending.body.response.items.map((i) => i.email), [viewerEmail], 'the server agrees');
    await expectNoPageProblems(page, problems);
  }));

  for (const theme of ['light', 'dark']) {
    it(`the join page shows organization, role and email (axe, ${theme})`, T, () => withPage(async (page, problems) => {
      assert.ok(viewerLink, 'the first test created a link');
      await open(page, new URL(viewerLink).pathname);
      await expectVisible(page.getByRole('heading', { level: 1, name: `Join ${admin.company} as a viewer` }), 'the join heading');
      await expectValue(field(page, 'Email'), viewerEmail, 'the invited email');
      assert.equal(await field(page, 'Email').getAttribute('readonly'), '', 'the email is read-only');
      await checkA11y(page, `the join page (${theme})`);
      await screenshot(page, `invite-join-${theme}`);
      await expectNoPageProblems(page, problems);
    }, { colorScheme: theme }));
  }

  it('a fresh browser joins by the link: password rules, lands as viewer without Invite, Connect or Add account; the link is then dead (axe)', T, () => withPage(async (page, problems) => {
    const path = new URL(viewerLink).pathname;
    const token = path.split('/').pop();
    await open(page, path);
    await expectVisible(page.getByRole('heading', { level: 1, name: `Join ${admin.company} as a viewer` }), 'the join heading');
    await field(page, 'Full name').fill('Bob Builder');
    await field(page, 'Country').selectOption({ label: 'United Kingdom' });
    const password = field(page, 'Password');
    await password.fill('short');
    await button(page, 'Join the organization').click();
    await expectFieldError(password, /still needs/, 'a weak password');
    await expectFocused(password, 'the refused password');
    await expectVisible(page.locator('#join-password-rules [data-check="Length"]').getByText('not met'), 'the checklist says what is missing');
    await password.fill('Builder-Bob-42');
    await button(page, 'Join the organization').click();

    await expectURL(page, '/dashboard');
    await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the viewer\'s dashboard');
    // The profile is loaded once the menu names the user; only then is the role known.
    const menuButton = page.locator('#user-menu-button');
    await expectText(menuButton, /Bob Builder/, 'the menu names the new user');
    await expectVisible(page.getByRole('heading', { name: 'Savings potential' }), 'the savings card');
    await expectVisible(page.locator('.accounts-table tbody tr').first(), 'the organization\'s accounts');
    assert.equal(await page.getByRole('region', { name: 'Invite more users' }).count(), 0, 'no Invite card for a viewer');
    assert.equal(await page.getByRole('link', { name: /Connect a Linked Account/ }).count(), 0, 'no Linked card for a viewer');
    assert.equal(await page.getByRole('link', { name: /Connect a Management Account/i }).count(), 0, 'no Management card or link for a viewer');
    await expectVisible(page.getByText('An admin of your organization can connect it.'), 'who can connect billing data');
    assert.equal(await page.getByRole('link', { name: 'Get started', exact: true }).count(), 0, 'no first-run wizard for a viewer');
    // The accounts table has no Actions column: no Rename, Delete or Resume setup to be refused.
    await expectHidden(page.getByRole('columnheader', { name: 'Actions' }), 'the Actions column');
    assert.equal(await page.locator('.accounts-table').getByRole('button', { name: /^(Rename|Delete|Update credentials)/ }).count(), 0,
      'no row action buttons for a viewer');
    assert.equal(await page.locator('.accounts-table').getByRole('link', { name: /^Resume setup/ }).count(), 0, 'no Resume setup for a viewer');
    await expectVisible(page.locator('.accounts-table').getByRole('button', { name: /^Copy account ID/ }).first(), 'copying an ID is still there');
    await checkA11y(page, 'the viewer\'s dashboard');
    await screenshot(page, 'invite-viewer-dashboard');
    await menuButton.click();
    await expectVisible(page.getByRole('menuitem', { name: 'Sign out' }), 'the open menu');
    assert.equal(await page.getByRole('menuitem', { name: 'Add account' }).count(), 0, 'no "Add account" for a viewer');
    await page.keyboard.press('Escape');
    assert.ok(!(await storedText(page)).includes(token), 'the invitation token is in no storage');

    // Screens that change accounts, opened by URL: an explanation instead of a form to refuse.
    for (const route of ['/accounts/new', '/welcome/connect/aws', '/management', '/finops']) {
      await open(page, route);
      await expectVisible(page.getByRole('heading', { level: 1, name: 'An admin is needed here' }), `the viewer notice on ${route}`);
      assert.equal(await page.getByRole('textbox').count(), 0, `no field to fill on ${route}`);
    }
    await expectVisible(page.getByText(`You are a viewer in ${admin.company}`), 'the notice names the organization');
    await checkA11y(page, 'the viewer notice');
    await page.getByRole('link', { name: 'Go to the dashboard' }).click();
    await expectURL(page, '/dashboard');
    // Signing in again lands a viewer on the dashboard, not the first-run wizard.
    await signOutViaMenu(page);
    await signinViaUi(page, { email: viewerEmail, password: 'Builder-Bob-42' }, { landing: '/dashboard' });

    // The link is used up: opening it again says it is not valid.
    await open(page, path);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'This invitation link is not valid' }), 'the not-valid page');
    await expectVisible(page.getByText('This invitation link is not valid (used, revoked or mistyped). Ask an admin for a new one.'), 'why, and what to do');
    await expectVisible(page.getByRole('link', { name: 'Sign in', exact: true }).last(), 'a way to sign in');
    await checkA11y(page, 'the invalid-link page');
    await expectNoPageProblems(page, problems);
  }));

  it('joining in a tab where someone else is signed in signs them out for real', T, () => withPage(async (page, problems) => {
    const inviter = newUser({ fullName: 'Ada Inviter' });
    const inviterToken = await signupViaApi(suite.server, inviter);
    const email = address('carol');
    const made = await api(suite.server, 'POST', '/api/onramp/invitations', { token: inviterToken, body: { email, role: 'admin' } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const { acceptPath } = made.body.response.items[0];

    const { token: previous, user: previousUser } = await signedIn(page, suite.server);
    await open(page, acceptPath);
    await expectVisible(page.getByText(`You are signed in as ${previousUser.email} in this tab.`, { exact: false }), 'the note about the current user');
    await field(page, 'Full name').fill('Carol Newcomer');
    await field(page, 'Country').selectOption({ label: 'Canada' });
    await field(page, 'Password').fill('Carol-Joins-2026');
    await button(page, 'Join the organization').click();
    await expectURL(page, '/dashboard');
    await expectText(page.locator('#user-menu-button'), /Carol Newcomer/, 'the menu names the new user');
    // As an admin, Carol sees the Invite card.
    await expectVisible(page.getByRole('heading', { name: 'Invite more users' }), 'the Invite card for an invited admin');
    const me = await api(suite.server, 'GET', '/api/auth/me', { token: previous });
    assert.equal(me.status, 401, 'the previous user\'s token was revoked, not just forgotten');
    await expectNoPageProblems(page, problems);
  }));

  it('the invite dialog in dark mode: form, field error and result pass axe', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await page.getByRole('button', { name: 'Invite a user', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await expectVisible(dialog, 'the invite dialog');
    await checkA11y(page, 'the invite dialog (dark)');
    const email = dialog.getByLabel('Email', { exact: true });
    await email.fill('nobody');
    await page.keyboard.press('Enter');
    await expectFieldError(email, /exactly one “@”/, 'Email without an @ (dark)');
    await checkA11y(page, 'the invite dialog with an error (dark)');
    await email.fill(address('dee'));
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('dialog', { name: /^Invitation created for / }), 'the result view (dark)');
    await checkA11y(page, 'the invite dialog result (dark)');
    await screenshot(page, 'invite-dialog-dark');
    await expectNoPageProblems(page, problems);
  }, { colorScheme: 'dark' }));

  it('two invitations revoked one after the other: the first answer redraws the list, the second revoke still goes through', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const [first, second] = [address('dora'), address('eve')];
    for (const email of [first, second]) {
      const made = await api(suite.server, 'POST', '/api/onramp/invitations', { token, body: { email, role: 'viewer' } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
    }
    await open(page, '/dashboard');
    // Each DELETE waits at the door until its own release.
    const gates = [];
    const revokes = /\/api\/onramp\/invitations\/[^/]+$/;
    await page.route(revokes, async (r) => {
      if (r.request().method() !== 'DELETE') return r.continue();
      await new Promise((resolve) => gates.push(resolve));
      await r.continue();
    });
    const card = page.locator('.invite-card');
    await card.getByRole('button', { name: `Revoke the invitation for ${first}` }).click();
    await card.getByRole('button', { name: `Revoke the invitation for ${second}` }).click();
    while (gates.length < 2) await page.waitForTimeout(50);
    // Each row says its own revoke is on its way.
    await expectAttr(card.getByRole('button', { name: `Revoke the invitation for ${first}` }), 'aria-busy', 'true', 'the first row busy');
    gates[0]();
    await expectVisible(card.getByRole('status').filter({ hasText: `The invitation for ${first} was revoked.` }), 'the first revocation');
    await page.waitForTimeout(300);
    await expectAttr(card.getByRole('button', { name: `Revoke the invitation for ${second}` }), 'aria-busy', 'true', 'the second row still busy');
    gates[1]();
    await expectVisible(card.getByRole('status').filter({ hasText: `The invitation for ${second} was revoked.` }), 'the second revocation, not aborted by the redrawn list');
    await expectHidden(card.getByRole('listitem').filter({ hasText: second }), 'the second invitation');
    assert.equal(await card.getByText(/was not revoked/).count(), 0, 'no failure said');
    await page.unroute(revokes);
    const pending = await api(suite.server, 'GET', '/api/onramp/invitations', { token });
    assert.deepEqual(pending.body.response.items, [], 'the server agrees: none pending');
    await expectNoPageProblems(page, problems);
  }));

  it('two list loads overlapping: the older answer, delivered last, does not hide a newer invitation', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const [first, second] = [address('fay'), address('gus')];
    const invite = async (email) => {
      const made = await api(suite.server, 'POST', '/api/onramp/invitations', { token, body: { email, role: 'viewer' } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
    };
    await invite(first);
    await open(page, '/dashboard');
    const card = page.locator('.invite-card');
    await expectVisible(card.getByRole('listitem').filter({ hasText: first }), 'the first invitation');
    // Closing the dialog loads the list: the server answers at once, the page gets it later.
    const list = await holdFirstAnswer(page, /\/api\/onramp\/invitations$/);
    const opener = card.getByRole('button', { name: 'Invite a user', exact: true });
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await opener.click();
    await expectVisible(dialog, 'the dialog');
    await page.keyboard.press('Escape');
    await list.served;
    // Another admin invites someone; this page loads the list again and shows it.
    await invite(second);
    await opener.click();
    await expectVisible(dialog, 'the dialog again');
    await page.keyboard.press('Escape');
    await expectVisible(card.getByRole('listitem').filter({ hasText: second }), 'the newer list');
    list.release();
    await page.waitForTimeout(500);
    await expectVisible(card.getByRole('listitem').filter({ hasText: second }), 'the second invitation, still listed after the older answer');
    await list.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('an invitation that failed to load: Try again by keyboard keeps focus on the page, never <body>', T, () => withPage(async (page, problems) => {
    const { token } = await signedIn(page, suite.server, newUser());
    const made = await api(suite.server, 'POST', '/api/onramp/invitations', { token, body: { email: address('fay'), role: 'viewer' } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const link = made.body.response.items[0].acceptPath;
    await page.evaluate(() => sessionStorage.clear());
    const preview = await refuseGets(page, /\/api\/onramp\/invitations\/token\/[^/]+$/);
    await page.goto(link);
    const retry = page.getByRole('button', { name: 'Try again' });
    await expectVisible(retry, 'Try again after the failure');
    preview.allow();
    await retry.focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByLabel('Full name', { exact: true }), 'the join form');
    await expectFocused(page.locator('#join-heading'), 'the page heading, not <body>');
    await preview.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('a mistyped link says it is not valid (axe)', T, () => withPage(async (page, problems) => {
    await open(page, '/invite/not-a-real-token-at-all-0123456789');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'This invitation link is not valid' }), 'the not-valid page');
    await expectAttr(page.getByRole('link', { name: 'Sign in', exact: true }).last(), 'href', '/signin', 'the sign-in link');
    await checkA11y(page, 'the invalid-link page (signed out)');
    await expectNoPageProblems(page, problems);
  }));
});
