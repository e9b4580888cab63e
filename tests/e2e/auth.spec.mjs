// Sign-up, sign-in, sign-out, form errors, API-token sign-in, 404.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  describedBy, expectAttr, expectFieldError, expectFieldValid, expectFocused, expectHidden,
  expectNoPageProblems, expectText, expectURL, expectValue, expectVisible, open, screenshot
} from './lib/browser.mjs';
import {
  WELCOME_HEADING, WELCOME_PATH, button, field, fillSignupScreen1, passwordFields, signOutViaMenu, signinViaUi,
  signupFields, signupViaUi,
} from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 90_000 };

/** The bearer token in sessionStorage["onramp.session"] (a bare string, a JSON string or a Session object). */
function tokenOf(stored) {
  try {
    const v = JSON.parse(stored);
    return typeof v === 'string' ? v : (v.accessToken ?? v.token ?? stored);
  } catch {
    return stored;
  }
}

describe('auth', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('signs up, lands on the wizard with the organization name, signs out, signs in again', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await open(page, '/signup');
    await screenshot(page, 'signup');
    await signupViaUi(page, user, { shots: (n) => screenshot(page, n) });
    await expectVisible(page.getByText(user.company, { exact: false }), `the organization name "${user.company}" on /welcome`);
    await screenshot(page, 'welcome');
    const session = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
    assert.ok(session, 'the session token is kept in sessionStorage["onramp.session"]');

    await signOutViaMenu(page);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.session')), null,
      'signing out removes sessionStorage["onramp.session"]');
    await screenshot(page, 'signin');
    // The old token no longer works on the server either.
    const me = await api(suite.server, 'GET', '/api/auth/me', { token: tokenOf(session) });
    assert.equal(me.status, 401, `GET /api/auth/me with the signed-out token answered ${me.status}`);
    // A protected screen is not shown any more.
    await page.goto('/welcome');
    await expectURL(page, '/signin');

    await signinViaUi(page, user);
    await expectVisible(page.getByRole('heading', { name: WELCOME_HEADING }), `heading "${WELCOME_HEADING}"`);
    await expectVisible(page.getByText(user.company, { exact: false }), 'the organization name after sign-in');
    await signOutViaMenu(page);
    await expectNoPageProblems(page, problems);
  }));

  it('sign-up screen 1: each bad field gets its own message, focus goes to the error summary, nothing typed is lost', T, () => withPage(async (page) => {
    await open(page, '/signup');
    const f = signupFields(page);
    await f.fullName.fill('Ada+Lovelace');
    await f.company.fill('1234');
    await f.email.fill('ada@');
    await f.cont.click();
    await expectURL(page, '/signup');
    await expectFieldError(f.fullName, /\+/, 'Full name');
    await expectFieldError(f.company, /letter/i, 'Company');
    await expectFieldError(f.email, /example\.com|domain|@/i, 'Email');
    await expectFieldError(f.country, /countr/i, 'Country');
    // Four refused fields: the error summary has focus, its first link goes to Full name.
    const summary = page.locator('form .error-summary');
    await expectFocused(summary, 'the error summary (several invalid fields)');
    await expectAttr(summary.getByRole('link').first(), 'href', '#signup-name', 'the first link of the summary');
    await expectValue(f.fullName, 'Ada+Lovelace', 'Full name');
    await expectValue(f.company, '1234', 'Company');
    await expectValue(f.email, 'ada@', 'Email');
    await screenshot(page, 'signup-errors');

    // Fixing a field and leaving it clears its message (validation on blur).
    await f.fullName.fill('Ada Lovelace');
    await f.fullName.blur();
    await expectFieldValid(f.fullName, 'Full name after the fix');
    await expectFieldError(f.company, /letter/i, 'Company (still wrong)');

    const user = newUser();
    await fillSignupScreen1(page, user);
    await f.cont.click();
    await expectURL(page, '/signup/password');
  }));

  it('sign-up screen 2: weak and mismatched passwords get messages at the fields; the checklist is shown', T, () => withPage(async (page) => {
    const user = newUser();
    await open(page, '/signup');
    await fillSignupScreen1(page, user);
    await signupFields(page).cont.click();
    await expectURL(page, '/signup/password');
    const p = passwordFields(page);
    await expectVisible(page.getByText('At least 8 characters'), 'the password policy checklist');
    await p.password.fill('short');
    await p.confirm.fill('shorter');
    await p.create.click();
    await expectURL(page, '/signup/password');
    await expectFieldError(p.password, /need|at least|characters/i, 'Password');
    await expectFieldError(p.confirm, /match/i, 'Confirm password');
    await expectValue(p.password, 'short', 'Password');
    await expectValue(p.confirm, 'shorter', 'Confirm password');
    await screenshot(page, 'signup-password-errors');
    const pasteAllowed = await p.password.evaluate((el) => el.getAttribute('autocomplete'));
    assert.equal(pasteAllowed, 'new-password', 'Password has autocomplete="new-password" (password managers, WCAG 3.3.8)');
  }));

  it('sign-up with an email that is already registered: the error sits on Email, nothing else is lost', T, () => withPage(async (page) => {
    const existing = newUser();
    await signupViaApi(suite.server, existing);
    const user = newUser({ email: existing.email, fullName: 'Charles Babbage', company: 'Difference Engines' });
    await open(page, '/signup');
    await fillSignupScreen1(page, user);
    await signupFields(page).cont.click();
    await expectURL(page, '/signup/password');
    const p = passwordFields(page);
    await p.password.fill(user.password);
    await p.confirm.fill(user.password);
    await p.create.click();
    const f = signupFields(page);
    await expectVisible(f.email, 'the Email field after a 409');
    await expectFieldError(f.email, /already/i, 'Email (already registered)');
    await expectValue(f.email, user.email, 'Email');
    await expectValue(f.fullName, user.fullName, 'Full name');
    await expectValue(f.company, user.company, 'Company');
    await expectValue(f.country, 'GB', 'Country');
    await screenshot(page, 'signup-email-taken');
  }));

  it('sign-in form: field messages, and a wrong password gives one clear message with the email kept', T, () => withPage(async (page) => {
    const user = newUser();
    await signupViaApi(suite.server, user);
    await open(page, '/signin');
    const email = field(page, 'Email');
    const password = field(page, 'Password');
    await button(page, 'Sign in').click();
    await expectFieldError(email, /email/i, 'Email (empty)');
    await expectFieldError(password, /password/i, 'Password (empty)');
    // Two refused fields: the error summary has focus; its first link goes to Email.
    const summary = page.locator('form .error-summary');
    await expectFocused(summary, 'the error summary (both fields invalid)');
    await summary.getByRole('link').first().click();
    await expectFocused(email, 'Email after its link in the summary');

    await email.fill('not-an-email');
    await password.fill('whatever');
    await button(page, 'Sign in').click();
    await expectFieldError(email, /@/, 'Email (malformed)');
    await expectValue(email, 'not-an-email', 'Email');

    await email.fill(user.email);
    await password.fill('Wrong-password-1');
    await button(page, 'Sign in').click();
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await expectVisible(alert, 'a message about the wrong credentials');
    await expectText(alert, /email|password|credentials/i, 'the wrong-credentials message');
    assert.equal(await alert.count(), 1, `exactly one message, got: ${JSON.stringify(await alert.allTextContents())}`);
    await expectURL(page, '/signin');
    await expectValue(email, user.email, 'Email after a wrong password');
    await screenshot(page, 'signin-wrong-password');
  }));

  it('on /signin while someone is signed in: a wrong password keeps their session; another user signing in ends it for real', T, () => withPage(async (page, problems) => {
    const ada = newUser();
    const adaToken = await signupViaApi(suite.server, ada);
    const bob = newUser();
    await signupViaApi(suite.server, bob);
    await page.goto('/signin');
    await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), adaToken);
    await open(page, '/signin');
    await field(page, 'Email').fill(bob.email);
    await field(page, 'Password').fill('Wrong-password-1');
    await button(page, 'Sign in').click();
    await expectVisible(page.getByText('The email or password is not right. Check both and try again.'), 'the wrong-credentials message');
    await page.waitForTimeout(300);
    assert.equal(await page.getByText(/session has ended/i).count(), 0, 'refused credentials are not an ended session');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.session')), adaToken, 'Ada\'s session is still this tab\'s');
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: adaToken })).status, 200, 'Ada\'s session still works');

    await field(page, 'Password').fill(bob.password);
    await button(page, 'Sign in').click();
    await expectURL(page, WELCOME_PATH);
    await expectVisible(page.getByText(bob.company, { exact: false }), 'Bob\'s organization');
    assert.equal((await api(suite.server, 'GET', '/api/auth/me', { token: adaToken })).status, 401, 'Ada\'s token was revoked, not just forgotten');
    await expectNoPageProblems(page, problems);
  }));

  it('signs in with a personal API token on the "API token" tab', T, () => withPage(async (page, problems) => {
    const user = newUser();
    const session = await signupViaApi(suite.server, user);
    const res = await api(suite.server, 'POST', '/api/auth/tokens', { token: session, body: { password: user.password } });
    assert.equal(res.status, 200, `POST /api/auth/tokens answered ${res.status}: ${JSON.stringify(res.body)}`);
    const apiToken = res.body.response.items[0].accessToken;
    assert.ok(apiToken, 'a personal API token');

    await open(page, '/signin');
    const tab = page.getByRole('tab', { name: 'API token', exact: true });
    await tab.click();
    await expectAttr(tab, 'aria-selected', 'true', 'tab "API token"');
    const tokenField = field(page, 'API token');
    await screenshot(page, 'signin-token');

    await tokenField.fill('not-a-real-token');
    await button(page, 'Sign in with token').click();
    // One clear message: either at the API token field (aria-invalid + aria-describedby) or a banner.
    await expectVisible(page.getByText(/not accepted|not valid|invalid|expired|revoked/i), 'a message about the unknown token');
    const atField = (await tokenField.getAttribute('aria-invalid')) === 'true'
      && /token/i.test(await describedBy(tokenField));
    const banner = await page.getByRole('alert').filter({ hasText: /token/i }).count();
    assert.ok(atField || banner === 1, 'the unknown-token message is tied to the API token field or is one alert');
    await expectURL(page, '/signin');
    await expectValue(tokenField, 'not-a-real-token', 'API token (kept after the error)');
    assert.equal(await page.getByText(/session has ended/i).count(), 0, 'a refused token is not an ended session');

    await tokenField.fill(apiToken);
    await button(page, 'Sign in with token').click();
    await expectURL(page, WELCOME_PATH);
    await expectVisible(page.getByText(user.company, { exact: false }), 'the organization name after token sign-in');
    await expectNoPageProblems(page, problems);
  }));

  it('a reload on /signup/password keeps screen 1; the draft never holds the password', T, () => withPage(async (page) => {
    const user = newUser();
    await open(page, '/signup');
    await fillSignupScreen1(page, user);
    await signupFields(page).cont.click();
    await expectURL(page, '/signup/password');
    await passwordFields(page).password.fill(user.password);

    await page.reload();
    await expectURL(page, '/signup/password');
    await expectVisible(passwordFields(page).password, 'Password after the reload');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!stored.includes(user.password), 'the password is never written to storage');

    await page.goBack();
    await expectURL(page, '/signup');
    const f = signupFields(page);
    await expectValue(f.fullName, user.fullName, 'Full name after reload + back');
    await expectValue(f.company, user.company, 'Company after reload + back');
    await expectValue(f.email, user.email, 'Email after reload + back');
    await expectValue(f.country, 'GB', 'Country after reload + back');

    await f.cont.click();
    await expectURL(page, '/signup/password');
    const p = passwordFields(page);
    await p.password.fill(user.password);
    await p.confirm.fill(user.password);
    await p.create.click();
    await expectURL(page, WELCOME_PATH);
    await expectVisible(page.getByText(user.company, { exact: false }), 'the organization name from the draft');
  }));

  it('an unknown path shows the 404 page with a way back', T, () => withPage(async (page) => {
    await open(page, '/no/such/page');
    await expectURL(page, '/no/such/page');
    await expectVisible(page.getByRole('heading', { name: /not found|404/i }), 'a "not found" heading');
    await expectVisible(page.getByRole('link').filter({ hasText: /start|sign in|home|dashboard|back/i }), 'a link back into the app');
    await expectHidden(field(page, 'Email'), 'no sign-in form on the 404 page');
    await screenshot(page, 'not-found');
  }));
});
