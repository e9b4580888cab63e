// Focus and validation: after an in-app screen change focus is on the new screen's heading (or
// on what the screen chose), never left on <body>, and the first page load keeps focus where it
// is; blur validation the same for keyboard and pointer users; the error summary of a form with
// two or more refused fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUser } from './lib/server.mjs';
import {
  expectFieldError, expectFocused, expectNoPageProblems, expectText, expectURL, expectVisible, open
} from './lib/browser.mjs';
import {
  button, chooseProvider, field, fillSignupScreen1, passwordFields, signedIn, signupFields, signupViaUi
} from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';
const FINOPS_ARN = 'arn:aws:iam::123456789012:role/Spot-FinOps-SpotFinOpsRole-1A2B3C';
const CONNECTED = 'Your account has been successfully connected!';

/** What has focus, for messages. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return `${el?.tagName.toLowerCase()}${el?.id ? `#${el.id}` : ''} "${(el?.textContent ?? '').trim().slice(0, 50)}"`;
  });
}

/** Focus stays on <body> for a while (the first load of a screen takes none). */
async function expectBodyFocused(page, what) {
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true,
    `${what}: expected focus to stay on <body>, got ${await focused(page)}`);
}

async function expectFocusedOr(locator, page, what) {
  try {
    await expectFocused(locator, what);
  } catch (e) {
    throw new Error(`${e.message} (focus is on ${await focused(page)})`, { cause: e });
  }
}

/** The current step's heading of the management wizard. */
function currentStepHeading(page) {
  return page.locator('#management li[aria-current="step"] h2');
}

/** The error summary of the form that holds `control`. */
function summaryOf(page, control) {
  return page.locator('form').filter({ has: control }).locator('.error-summary');
}

describe('focus after a screen change', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('sign-up 1 → 2 → 1: the new screen\'s heading has focus; the first load takes none', T, () => withPage(async (page, problems) => {
    await open(page, '/signup');
    await expectBodyFocused(page, 'the first load of /signup');
    const f = await fillSignupScreen1(page, newUser());
    await f.cont.click();
    await expectURL(page, '/signup/password');
    await expectFocusedOr(page.getByRole('heading', { level: 1, name: 'Create your password' }), page,
      'the heading of screen 2');
    await page.getByRole('link', { name: 'Change these details' }).click();
    await expectURL(page, '/signup');
    await expectFocusedOr(page.getByRole('heading', { level: 1, name: 'Create your account' }), page,
      'the heading of screen 1, back from screen 2');
    await expectNoPageProblems(page, problems);
  }));

  it('a screen that appears after the user pressed something else leaves focus where the user put it', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    // Hold the Members chunk until the user has opened the menu again.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(/\/split_settings_members-[0-9a-f]{16}\.wasm$/, async (r) => { await held; await r.continue(); });
    const menuButton = page.locator('#user-menu-button');
    await menuButton.click();
    await page.getByRole('menuitem', { name: 'Members', exact: true }).click();
    await expectURL(page, '/settings/members');
    await menuButton.click();
    const signOut = page.getByRole('menuitem', { name: 'Sign out', exact: true });
    await expectVisible(signOut, 'the user menu, opened again while the screen loads');
    const before = await focused(page);
    assert.doesNotMatch(before, /^(body|h1)/, 'the menu took focus');
    release();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Members' }), 'the Members screen');
    // The old behaviour moved focus to the heading a frame or two after it was drawn.
    await page.waitForTimeout(500);
    await expectVisible(signOut, 'the user menu, still open after the screen appeared');
    assert.equal(await focused(page), before, 'focus stays where the user put it');
    await expectNoPageProblems(page, problems);
  }));

  it('Connect → dashboard: focus on the heading, the success message announced in a live region', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID');
    const arn = field(page, 'Role ARN');
    await arn.fill(ROLE);
    await page.locator('form').filter({ has: arn }).getByRole('button', { name: 'Connect', exact: true }).click();
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByRole('status').filter({ hasText: CONNECTED }), 'the success message in a role="status" live region');
    await expectFocusedOr(page.getByRole('heading', { level: 1, name: 'Insights & Recommendations' }), page,
      'the dashboard heading');
    await expectNoPageProblems(page, problems);
  }));

  it('management wizard: every step change puts focus on the new step\'s heading; the first load takes none', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await open(page, '/management');
    await expectURL(page, '/management/environment');
    await expectBodyFocused(page, 'the first load of /management');
    const next = async (path, n) => {
      await button(page, 'Next').click();
      await expectURL(page, path);
      await expectFocusedOr(page.locator(`#management-step-${n}`), page, `the heading of step ${n}`);
    };
    await page.getByLabel('No, commercial AWS', { exact: true }).check();
    await next('/management/sign-in', 2);
    await next('/management/billing-access', 3);
    await page.getByLabel('IAM user and role access to billing information is activated').check();
    await next('/management/products', 4);
    await page.getByLabel('Cost analysis', { exact: true }).check();
    await field(page, 'CUR bucket name').fill('my-cur-bucket');
    await next('/management/run-template', 5);
    await page.getByLabel('The stack is created (CREATE_COMPLETE)').check();
    await next('/management/role-arns', 6);
    await expectFocusedOr(currentStepHeading(page), page, 'the current step heading');
    // Back goes to the previous step's heading too.
    await button(page, 'Back').click();
    await expectURL(page, '/management/run-template');
    await expectFocusedOr(page.locator('#management-step-5'), page, 'the heading of step 5 after Back');
    await next('/management/role-arns', 6);
    await field(page, 'Cost analysis role ARN').fill(FINOPS_ARN);
    await button(page, 'Connect').click();
    await expectURL(page, '/management/done');
    await expectFocusedOr(page.locator('#management-done-heading'), page, 'the done heading');
    await expectNoPageProblems(page, problems);
  }));
});

describe('blur validation', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('Tab from Account name to its submit button shows the message; a click on it validates in one press', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await open(page, '/accounts/new?kind=linked');
    await expectURL(page, '/accounts/new/name');
    const name = field(page, 'Account name');
    await name.fill('1234');
    await name.press('Tab');
    await expectFocusedOr(button(page, 'Create account'), page, 'Create account after Tab');
    await expectFieldError(name, /letter/i, 'Account name after Tab to the submit button');

    // A pointer press on the button from a bad value: one click validates (the message, focus
    // back on the field), no message shifting the button away first.
    await name.fill('   ');
    await name.focus();
    await button(page, 'Create account').click();
    await expectFieldError(name, /letter|name/i, 'Account name (blank) after one click');
    await expectFocusedOr(name, page, 'Account name after the click');
    await expectURL(page, '/accounts/new/name');
    await expectNoPageProblems(page, problems);
  }));

  it('Tab from Role ARN to Connect shows the message', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    const arn = field(page, 'Role ARN');
    await arn.fill('arn:aws:iam::123:role/x');
    await arn.press('Tab');
    await expectFocusedOr(page.locator('form').filter({ has: arn }).getByRole('button', { name: 'Connect', exact: true }), page,
      'Connect after Tab');
    await expectFieldError(arn, /exactly 12 digits/, 'Role ARN after Tab to Connect');
    await expectNoPageProblems(page, problems);
  }));

  it('a pointer click on the submit button from a bad field validates the whole form in one click', T, () => withPage(async (page, problems) => {
    await open(page, '/signup');
    const f = signupFields(page);
    await f.fullName.fill('Ada+Lovelace');
    await f.fullName.focus();
    await f.cont.click();
    // Every field's message: the submit ran (a message at Full name shown on blur alone would
    // have moved the button away from under the pointer and swallowed the click).
    await expectFieldError(f.fullName, /\+/, 'Full name');
    await expectFieldError(f.country, /countr/i, 'Country');
    await expectFocusedOr(summaryOf(page, f.fullName), page, 'the error summary');
    await expectNoPageProblems(page, problems);
  }));
});

describe('error summary', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('two or more refused fields: a focused summary whose links go to the fields; one refused field keeps focus on it', T, () => withPage(async (page, problems) => {
    await open(page, '/signup');
    const f = signupFields(page);
    await f.email.fill('ada@');
    await f.cont.click();
    const summary = summaryOf(page, f.email);
    await expectFocusedOr(summary, page, 'the error summary');
    await expectVisible(summary.getByRole('heading', { name: 'There is a problem' }), 'the summary heading');
    const links = summary.getByRole('link');
    assert.equal(await links.count(), 4, 'one link per refused field');
    assert.deepEqual(await links.evaluateAll((ls) => ls.map((l) => l.getAttribute('href'))),
      ['#signup-name', '#signup-company', '#signup-email', '#signup-country']);
    await expectText(links.nth(2), /example\.com|domain|@/i, 'the Email link says the field\'s message');
    await links.nth(2).click();
    await expectFocusedOr(f.email, page, 'Email after its summary link');
    await expectURL(page, '/signup');
    await links.nth(3).click();
    await expectFocusedOr(f.country, page, 'Country after its summary link');

    // One refused field: focus on it, no summary.
    const user = newUser();
    await fillSignupScreen1(page, user);
    await f.company.fill('1234');
    await f.cont.click();
    await expectFieldError(f.company, /letter/i, 'Company');
    await expectFocusedOr(f.company, page, 'Company, the only refused field');
    assert.equal(await summary.count(), 0, 'no summary for one refused field');
    await expectNoPageProblems(page, problems);
  }));

  it('the server refuses two sign-up details: back on screen 1, a focused summary names both, everything kept', T, () => withPage(async (page) => {
    const user = newUser();
    // The server's own checks can refuse what the browser accepted (an address it will not
    // mail, a name it reserves): a Spot-shaped 400 with two field errors.
    await page.route('**/api/auth/signup', (route) => route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        request: { id: '00000000-0000-4000-8000-000000000000', url: '/auth/signup', method: 'POST', timestamp: new Date().toISOString() },
        response: {
          status: { code: 400, message: 'Bad Request' },
          errors: [
            { code: 'ValidationError', message: 'This name is reserved. Choose another.', field: 'body.fullName' },
            { code: 'ValidationError', message: 'We cannot send mail to this address.', field: 'body.email' },
          ],
        },
      }),
    }));
    await open(page, '/signup');
    const f = await fillSignupScreen1(page, user);
    await f.cont.click();
    await expectURL(page, '/signup/password');
    const p = passwordFields(page);
    await p.password.fill(user.password);
    await p.confirm.fill(user.password);
    await p.create.click();
    await expectURL(page, '/signup');
    const summary = summaryOf(page, f.email);
    await expectFocusedOr(summary, page, 'the error summary of the server\'s refusals');
    const links = summary.getByRole('link');
    assert.deepEqual(await links.evaluateAll((ls) => ls.map((l) => [l.getAttribute('href'), l.textContent])),
      [['#signup-name', 'This name is reserved. Choose another.'], ['#signup-email', 'We cannot send mail to this address.']]);
    await expectFieldError(f.email, /cannot send mail/, 'Email');
    assert.equal(await f.email.inputValue(), user.email, 'Email kept');
    assert.equal(await f.company.inputValue(), user.company, 'Company kept');
  }));

  it('the change-password form: a summary for several problems, the field for one', T, () => withPage(async (page, problems) => {
    await signedIn(page, suite.server);
    await open(page, '/settings/security');
    const current = field(page, 'Current password');
    await button(page, 'Change password').click();
    const summary = summaryOf(page, current);
    await expectFocusedOr(summary, page, 'the change-password summary');
    await summary.getByRole('link').first().click();
    await expectFocusedOr(current, page, 'Current password after its summary link');
    await current.fill('something');
    await field(page, 'New password').fill('Another-password-1');
    await button(page, 'Change password').click();
    await expectFocusedOr(field(page, 'Confirm new password'), page, 'Confirm new password, the only refused field');
    assert.equal(await summary.count(), 0, 'no summary for one refused field');
    await expectNoPageProblems(page, problems);
  }));
});
