// The app's screens as a test sees them, by their visible labels.
import { expectURL, expectVisible, open } from './browser.mjs';
import { newUser, signupViaApi } from './server.mjs';

/** A form control by its exact label (the `.and` skips tab panels labelled by the same text). */
export function field(page, label) {
  return page.getByLabel(label, { exact: true }).and(page.locator('input, select, textarea'));
}

export function button(page, name) {
  return page.getByRole('button', { name, exact: true });
}

export const WELCOME_HEADING = "Welcome! Let's get started.";
/** Any first-run wizard URL: `/welcome` resumes at its step (`/welcome/provider`, `/welcome/connect/aws`). */
export const WELCOME_PATH = /^\/welcome(\/|$)/;

export function signupFields(page) {
  return {
    fullName: field(page, 'Full name'),
    company: field(page, 'Company'),
    email: field(page, 'Email'),
    country: field(page, 'Country'),
    cont: button(page, 'Continue to create password'),
  };
}

export function passwordFields(page) {
  return {
    password: field(page, 'Password'),
    confirm: field(page, 'Confirm password'),
    create: button(page, 'Create account'),
  };
}

export async function fillSignupScreen1(page, user) {
  const f = signupFields(page);
  await f.fullName.fill(user.fullName);
  await f.company.fill(user.company);
  await f.email.fill(user.email);
  await f.country.selectOption({ label: user.countryName });
  return f;
}

/** Sign up through the two screens; ends on /welcome. */
export async function signupViaUi(page, user, { shots } = {}) {
  await open(page, '/signup');
  const f = await fillSignupScreen1(page, user);
  await f.cont.click();
  await expectURL(page, '/signup/password');
  const p = passwordFields(page);
  await p.password.fill(user.password);
  await p.confirm.fill(user.password);
  if (shots) await shots('signup-password-filled');
  await p.create.click();
  await expectURL(page, WELCOME_PATH);
  await expectVisible(page.getByRole('heading', { name: WELCOME_HEADING }), `heading "${WELCOME_HEADING}"`);
}

/** Sign up through the API, put the token where the app keeps it, open the dashboard. */
export async function signedIn(page, server, user = newUser()) {
  const token = await signupViaApi(server, user);
  await page.goto('/signin');
  await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
  await open(page, '/dashboard');
  await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard heading');
  return { token, user };
}

/** On /welcome/provider, choose `name` and go on to `/welcome/connect/<slug>`. */
export async function chooseProvider(page, name, slug) {
  await expectURL(page, '/welcome/provider');
  await page.getByRole('radio', { name, exact: true }).click();
  await button(page, 'Next').click();
  await expectURL(page, `/welcome/connect/${slug}`);
}

export async function signinViaUi(page, user, { landing = WELCOME_PATH } = {}) {
  await open(page, '/signin');
  await field(page, 'Email').fill(user.email);
  await field(page, 'Password').fill(user.password);
  await button(page, 'Sign in').click();
  await expectURL(page, landing);
  // The sign-in bundle changes the address first, then loads the console for it: wait for the
  // console (its user menu) so that the next navigation cannot race that load.
  await expectVisible(page.locator('#user-menu-button'), 'the console after signing in (its user menu)');
}

/** Sign out through the user menu (the button with aria-haspopup="menu" → menuitem "Sign out"). */
export async function signOutViaMenu(page) {
  const menuButton = page.locator('button[aria-haspopup="menu"], [role="button"][aria-haspopup="menu"]');
  await expectVisible(menuButton, 'the user menu button (aria-haspopup="menu")');
  await menuButton.first().click();
  const item = page.getByRole('menuitem', { name: 'Sign out', exact: true });
  await expectVisible(item, 'menuitem "Sign out"');
  await item.click();
  await expectURL(page, '/signin');
}

/**
 * The management wizard's steps 1–5 with valid answers; ends on step 6 (/management/role-arns).
 * `onStep(slug)` runs on each step as it opens (steps 1–5, before answering).
 */
export async function walkToRoleArns(page, { products = ['Cost analysis'], onStep = async () => {} } = {}) {
  await open(page, '/management');
  await expectURL(page, '/management/environment');
  await onStep('environment');
  await page.getByLabel('No, commercial AWS', { exact: true }).check();
  await button(page, 'Next').click();
  await expectURL(page, '/management/sign-in');
  await onStep('sign-in');
  await button(page, 'Next').click();
  await expectURL(page, '/management/billing-access');
  await onStep('billing-access');
  await page.getByLabel('IAM user and role access to billing information is activated').check();
  await button(page, 'Next').click();
  await expectURL(page, '/management/products');
  await onStep('products');
  for (const p of products) await page.getByLabel(p, { exact: true }).check();
  await field(page, 'CUR bucket name').fill('my-cur-bucket');
  await button(page, 'Next').click();
  await expectURL(page, '/management/run-template');
  await expectVisible(page.getByRole('link', { name: /Run template/ }), 'link "Run template"');
  await onStep('run-template');
  await page.getByLabel('The stack is created (CREATE_COMPLETE)').check();
  await button(page, 'Next').click();
  await expectURL(page, '/management/role-arns');
}
