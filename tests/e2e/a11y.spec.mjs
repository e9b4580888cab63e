// axe-core (WCAG 2.0/2.1/2.2 A and AA) on every screen, in the light and the dark theme at
// 1280 px, and again at 320 × 640 px, where the page must not scroll sideways (reflow); the
// WCAG text-spacing overrides on the densest screens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newUser, signupViaApi } from './lib/server.mjs';
import {
  applyTextSpacing, checkA11y, expectAttr, expectFieldError, expectNoClippedText, expectNoSidewaysScroll,
  expectText, expectURL, expectVisible, newPage, open, screenshot, waitInteractive,
} from './lib/browser.mjs';
import {
  button, chooseProvider, field, fillSignupScreen1, passwordFields, signinViaUi, signupFields, walkToRoleArns,
} from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 90_000 };
const GUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

// Every screen in both themes at a desktop width, and in the light theme at 320 × 640 px (the
// width WCAG's reflow criterion asks for: no sideways scrolling of the page).
const VARIANTS = [
  { theme: 'light', label: 'light theme', shot: 'light' },
  { theme: 'dark', label: 'dark theme', shot: 'dark' },
  { theme: 'light', label: 'light theme at 320 × 640 px', shot: '320', viewport: { width: 320, height: 640 } },
];

/** On /welcome/provider (reached from anywhere in the wizard), choose `name`. */
async function switchProvider(page, name, slug) {
  await open(page, '/welcome/provider');
  await chooseProvider(page, name, slug);
}

describe('accessibility (axe-core)', () => {
  const suite = browserSuite();

  it('sets performance.mark("onramp:interactive") once on load of each entry route', T, async () => {
    const { context, page } = await newPage(suite.browser, suite.server);
    try {
      for (const route of ['/signin', '/signup', '/no/such/page']) {
        await page.goto(route);
        await waitInteractive(page);
        const marks = await page.evaluate(() => performance.getEntriesByName('onramp:interactive').length);
        assert.equal(marks, 1, `${route}: "onramp:interactive" marked ${marks} times`);
      }
    } finally {
      await context.close();
    }
  });

  for (const { theme, label, shot, viewport } of VARIANTS) {
    describe(label, () => {
      let context;
      let page;
      const user = newUser();
      before(async () => {
        ({ context, page } = await newPage(suite.browser, suite.server, { colorScheme: theme, viewport }));
        await signupViaApi(suite.server, user);
      });
      after(async () => context?.close());

      const scan = async (name) => {
        await screenshot(page, `a11y-${shot}-${name}`);
        if (viewport) await expectNoSidewaysScroll(page, `${name} (${label})`);
        await checkA11y(page, `${name} (${label})`);
      };

      it('/signin, email and password tab', T, async () => {
        await open(page, '/signin');
        await scan('signin');
      });

      it('/signin, API token tab', T, async () => {
        await open(page, '/signin');
        await page.getByRole('tab', { name: 'API token', exact: true }).click();
        await expectVisible(button(page, 'Sign in with token'), 'button "Sign in with token"');
        await scan('signin-token');
      });

      it('/signin with the wrong-credentials message', T, async () => {
        await open(page, '/signin');
        await field(page, 'Email').fill(user.email);
        await field(page, 'Password').fill('Wrong-password-1');
        await button(page, 'Sign in').click();
        await expectVisible(page.getByRole('alert').filter({ hasText: /\S/ }), 'the wrong-credentials message');
        await scan('signin-error');
      });

      it('/signup, empty and with every field in error', T, async () => {
        await open(page, '/signup');
        await scan('signup');
        await signupFields(page).cont.click();
        await expectVisible(page.locator('[aria-invalid="true"]'), 'fields marked invalid');
        await scan('signup-errors');
      });

      it('/signup/password, empty and with errors', T, async () => {
        await open(page, '/signup');
        await fillSignupScreen1(page, newUser());
        await signupFields(page).cont.click();
        await expectURL(page, '/signup/password');
        await scan('signup-password');
        const p = passwordFields(page);
        await p.password.fill('short');
        await p.create.click();
        await expectVisible(page.locator('[aria-invalid="true"]'), 'fields marked invalid');
        await scan('signup-password-errors');
      });

      it('404 page', T, async () => {
        await open(page, '/no/such/page');
        await scan('not-found');
      });

      it('/welcome', T, async () => {
        await signinViaUi(page, user);
        await waitInteractive(page);
        await scan('welcome');
      });

      it('/welcome/provider', T, async () => {
        await open(page, '/welcome/provider');
        await expectVisible(page.getByRole('radiogroup'), 'the provider radio group');
        await scan('welcome-provider');
      });

      it('/welcome/connect/aws, the Linked account panel expanded and collapsed', T, async () => {
        await open(page, '/welcome/provider');
        await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
        await button(page, 'Next').click();
        await expectURL(page, '/welcome/connect/aws');
        const linked = button(page, 'Linked account');
        await expectAttr(linked, 'aria-expanded', 'true', 'the "Linked account" panel');
        await expectVisible(page.locator('#aws-external-id'), 'the external ID');
        const policy = button(page, 'View policy');
        if ((await policy.getAttribute('aria-expanded')) !== 'true') await policy.click();
        await expectVisible(page.locator('#aws-policy-json-code'), 'the policy JSON');
        // With a message at Role ARN, so the error state is scanned too.
        await field(page, 'Role ARN').fill('123456789012');
        await field(page, 'Role ARN').press('Shift+Tab');
        await expectVisible(page.locator('[aria-invalid="true"]'), 'Role ARN marked invalid');
        await scan('welcome-connect-aws');
        await linked.click();
        await expectAttr(linked, 'aria-expanded', 'false', 'the "Linked account" panel after a click');
        await scan('welcome-connect-aws-collapsed');
        await linked.click();
      });

      it('/welcome/connect/gcp, the manual steps and the gcloud script', T, async () => {
        await switchProvider(page, 'Google Cloud Platform', 'gcp');
        await expectVisible(page.locator('#gcp-sa-name'), 'the manual steps');
        await scan('welcome-connect-gcp');
        await button(page, 'Automatically (gcloud)').click();
        await field(page, 'GCP project ID').fill('acme-prod-42');
        await expectText(page.locator('#gcp-script-code'), /PROJECT_ID='acme-prod-42'/, 'the gcloud script');
        await scan('welcome-connect-gcp-script');
      });

      it('/welcome/connect/azure, empty and filled (the role definition and commands shown)', T, async () => {
        await switchProvider(page, 'Microsoft Azure', 'azure');
        await expectVisible(field(page, 'Subscription ID'), 'the Azure subscription panel');
        await scan('welcome-connect-azure');
        await field(page, 'Application (client) ID').fill(GUID);
        await field(page, 'Subscription ID').fill(GUID);
        await expectText(page.locator('#azure-role-json-code'), new RegExp(`"/subscriptions/${GUID}"`), 'the role definition');
        await expectVisible(page.locator('#azure-role-commands-code'), 'the Cloud Shell commands');
        await scan('welcome-connect-azure-filled');
      });

      it('/dashboard', T, async () => {
        await open(page, '/dashboard');
        await scan('dashboard');
      });

      it('/dashboard, the invite dialog: form, an error at Email, the result', T, async () => {
        await open(page, '/dashboard');
        await button(page, 'Invite a user').click();
        const dialog = page.getByRole('dialog', { name: 'Invite a user' });
        await expectVisible(dialog, 'the invite dialog');
        await scan('invite-dialog');
        const email = dialog.getByLabel('Email', { exact: true });
        await email.fill('nobody');
        await page.keyboard.press('Enter');
        await expectFieldError(email, /exactly one “@”/, 'Email without an @');
        await scan('invite-dialog-error');
        await email.fill(`invited-${shot}-${Date.now().toString(36)}@example.com`);
        await page.keyboard.press('Enter');
        const result = page.getByRole('dialog', { name: /^Invitation created for / });
        await expectVisible(result, 'the invitation result');
        await scan('invite-dialog-result');
        await result.getByRole('button', { name: 'Done', exact: true }).click();
      });

      it('/management, every step of the AWS wizard (step 6 with a role ARN error)', T, async () => {
        await walkToRoleArns(page, { onStep: (step) => scan(`management-${step}`) });
        const arn = field(page, 'Cost analysis role ARN');
        await arn.fill('arn:aws-cn:iam::123456789012:role/Spot-FinOps');
        await arn.press('Shift+Tab');
        await expectFieldError(arn, /aws partition/, 'Cost analysis role ARN (China partition)');
        await scan('management-role-arns');
      });

      it('/accounts/new/aws-organization: the list with an error, then the members table', T, async () => {
        await open(page, '/accounts/new/aws-organization');
        const list = field(page, 'Member accounts (JSON or CSV)');
        await list.fill('123456789012');
        await button(page, 'Next').click();
        await expectFieldError(list, /one column/, 'the member list');
        await scan('aws-org-list-error');
        await list.fill('Id,Name,State\n123456789012,Payments,ACTIVE\n210987654321,Old sandbox,SUSPENDED');
        await button(page, 'Next').click();
        await expectURL(page, '/accounts/new/aws-organization/members');
        await expectVisible(page.locator('#aws-org-choice'), 'the members table');
        await scan('aws-org-members');
      });

      it('/settings/members', T, async () => {
        await open(page, '/settings/members');
        await expectVisible(page.locator('.members-table'), 'the members table');
        await scan('settings-members');
      });

      it('/settings/security, and its create-token dialog', T, async () => {
        await open(page, '/settings/security');
        await expectVisible(page.getByText(/You have no API tokens/), 'the empty token list');
        await scan('settings-security');
        await button(page, 'Create token').click();
        await expectVisible(page.getByRole('dialog', { name: 'Create an API token' }), 'the create-token dialog');
        await scan('settings-token-dialog');
        await page.keyboard.press('Escape');
      });
    });
  }

  it('at 320 px the user menu keeps its name and the dashboard passes axe without sideways scrolling', T, async () => {
    const user = newUser();
    await signupViaApi(suite.server, user);
    const { context, page } = await newPage(suite.browser, suite.server, { viewport: { width: 320, height: 640 } });
    try {
      await signinViaUi(page, user);
      await open(page, '/dashboard');
      const menu = page.locator('#user-menu-button');
      await expectVisible(menu, 'the user menu button');
      const name = await menu.evaluate((b) => b.textContent.replace(/\s+/g, ' ').trim());
      assert.ok(name.includes(user.fullName), `the menu button's text (its accessible name) is "${name}"`);
      await expectVisible(page.getByRole('button', { name: new RegExp(user.fullName) }), 'the user menu button by its name');
      await screenshot(page, 'a11y-320-dashboard');
      await checkA11y(page, 'dashboard at 320 px');
      // Reflow: the page itself never scrolls sideways; the accounts table scrolls in its region.
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `the dashboard is ${scrollWidth} px wide in a ${clientWidth} px window`);
    } finally {
      await context.close();
    }
  });

  it('at 320 px sign-up screen 2 wraps a long email and company instead of scrolling sideways', T, async () => {
    const tag = Date.now().toString(36);
    const user = newUser({
      email: `adaaugustakingcountessoflovelace${tag}@analyticalenginesinternational.com`,
      company: `AnalyticalEnginesInternationalHoldings${tag}`,
    });
    const { context, page } = await newPage(suite.browser, suite.server, { viewport: { width: 320, height: 640 } });
    try {
      await open(page, '/signup');
      const f = await fillSignupScreen1(page, user);
      await f.cont.click();
      await expectURL(page, '/signup/password');
      await expectVisible(page.getByText(user.email, { exact: false }), 'the email on screen 2');
      await screenshot(page, 'a11y-320-signup-password');
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `sign-up screen 2 is ${scrollWidth} px wide in a ${clientWidth} px window`);
      await checkA11y(page, 'sign-up screen 2 at 320 px');
    } finally {
      await context.close();
    }
  });

  for (const viewport of [{ width: 320, height: 640 }, { width: 1280, height: 900 }]) {
    it(`text spacing overrides at ${viewport.width} px: sign-in, AWS connect and the dashboard lose nothing`, T, async () => {
      const user = newUser();
      await signupViaApi(suite.server, user);
      const { context, page } = await newPage(suite.browser, suite.server, { viewport });
      const check = async (name) => {
        await applyTextSpacing(page);
        await screenshot(page, `a11y-spacing-${viewport.width}-${name}`);
        await expectNoSidewaysScroll(page, `${name} with text spacing at ${viewport.width} px`);
        await expectNoClippedText(page, `${name} with text spacing at ${viewport.width} px`);
      };
      try {
        await open(page, '/signin');
        await check('signin');
        await signinViaUi(page, user);
        await switchProvider(page, 'Amazon Web Services', 'aws');
        await expectAttr(button(page, 'Linked account'), 'aria-expanded', 'true', 'the "Linked account" panel');
        const policy = button(page, 'View policy');
        if ((await policy.getAttribute('aria-expanded')) !== 'true') await policy.click();
        await expectVisible(page.locator('#aws-policy-json-code'), 'the policy JSON');
        await check('welcome-connect-aws');
        await open(page, '/dashboard');
        await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard heading');
        await check('dashboard');
      } finally {
        await context.close();
      }
    });
  }

  it('the dark theme is really dark (the dark scans are not light scans twice)', T, async () => {
    const background = async (colorScheme) => {
      const { context, page } = await newPage(suite.browser, suite.server, { colorScheme });
      try {
        await open(page, '/signin');
        return await page.evaluate(() => {
          // The first opaque background from the body down to the main content.
          const lum = (c) => {
            const m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
            if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
            return (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
          };
          let el = document.querySelector('main') ?? document.body;
          while (el) {
            const l = lum(getComputedStyle(el).backgroundColor);
            if (l !== null) return l;
            el = el.parentElement;
          }
          return 1; // the canvas default is white
        });
      } finally {
        await context.close();
      }
    };
    const light = await background('light');
    const dark = await background('dark');
    assert.ok(light > 0.5, `light theme background luminance ${light.toFixed(2)} should be > 0.5`);
    assert.ok(dark < 0.5, `dark theme background luminance ${dark.toFixed(2)} should be < 0.5 (prefers-color-scheme: dark)`);
  });
});
