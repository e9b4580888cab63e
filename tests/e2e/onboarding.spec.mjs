// First-run wizard, AWS "Manually (IAM console)": provider choice by keyboard,
// the AWS linked-account panel, Role ARN checks, reload, Connect, the dashboard; back/forward.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser } from './lib/server.mjs';
import {
  expectAttr, expectFieldError, expectFieldValid, expectFocused, expectNoPageProblems, expectText,
  expectURL, expectValue, expectVisible, screenshot
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 120_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';
const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/spot-linked/0f8c2d10-1b2a-11ef-9e2c-0a1b2c3d4e5f';

/** The element that has focus: its role, accessible-ish name and id. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { role: el?.getAttribute('role') ?? el?.tagName.toLowerCase(), id: el?.id ?? '', text: (el?.textContent ?? '').trim() };
  });
}

describe('first-run wizard', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('sign up → choose AWS by keyboard → Role ARN checks → reload keeps it → Connect → dashboard', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signupViaUi(page, user);
    await expectURL(page, '/welcome/provider');
    await expectVisible(page.getByText(user.company, { exact: false }), 'the organization name in step 1');
    await expectVisible(page.getByRole('radiogroup'), 'the provider radio group');

    // Keyboard only: Tab into the group, arrows, Space, Tab to Next, Enter.
    let f;
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      f = await focused(page);
      if (f.role === 'radio') break;
    }
    assert.equal(f.role, 'radio', `Tab never reached the provider radio group (last focus: ${JSON.stringify(f)})`);
    const aws = page.getByRole('radio', { name: 'Amazon Web Services', exact: true });
    const gcp = page.getByRole('radio', { name: 'Google Cloud Platform', exact: true });
    await expectFocused(aws, 'radio "Amazon Web Services" (the first, nothing chosen yet)');
    await page.keyboard.press('ArrowDown');
    await expectAttr(gcp, 'aria-checked', 'true', 'radio "Google Cloud Platform" after ArrowDown');
    await expectFocused(gcp, 'radio "Google Cloud Platform" after ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expectFocused(aws, 'radio "Amazon Web Services" after ArrowUp');
    await page.keyboard.press('Space');
    await expectAttr(aws, 'aria-checked', 'true', 'radio "Amazon Web Services" after Space');
    await expectAttr(gcp, 'aria-checked', 'false', 'radio "Google Cloud Platform" after choosing AWS');
    await page.keyboard.press('Tab');
    await expectFocused(button(page, 'Next'), 'button "Next" after Tab');
    await page.keyboard.press('Enter');
    await expectURL(page, '/welcome/connect/aws');

    // Step 2 is done: logo + name + Change provider.
    await expectVisible(page.locator('.stepper-done').getByText('Amazon Web Services', { exact: true }), 'the chosen provider in step 2');
    await expectVisible(button(page, 'Change provider'), 'button "Change provider"');
    const linked = button(page, 'Linked account');
    await expectAttr(linked, 'aria-expanded', 'true', 'the "Linked account" panel (open by default)');
    await expectVisible(page.getByText('Manually (IAM console)'), 'the manual way');
    await expectVisible(page.getByText('arn:aws:iam::922761411349:root', { exact: true }), "Spot's principal");
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
    const login = page.getByRole('link', { name: /Log in to AWS account/ });
    await expectAttr(login, 'href', 'https://console.aws.amazon.com/', 'link "Log in to AWS account"');
    await expectAttr(login, 'target', '_blank', 'link "Log in to AWS account"');
    await expectAttr(login, 'rel', 'noopener', 'link "Log in to AWS account"');
    await button(page, 'View policy').click();
    await expectText(page.locator('#aws-policy-json-code'), /"Version": "2012-10-17"/, 'the permission policy');
    await screenshot(page, 'welcome-connect-aws');

    // A CloudFormation stack ARN gets its own hint at Role ARN.
    const roleArn = field(page, 'Role ARN');
    await roleArn.fill(STACK);
    await roleArn.press('Shift+Tab'); // (Tab would go to the submit button, which validates itself)
    await expectFieldError(roleArn, /CloudFormation stack/, 'Role ARN (a stack ARN)');

    // GovCloud + a commercial role: the partition does not match.
    await page.getByLabel('Yes, AWS GovCloud', { exact: true }).check();
    await expectAttr(login, 'href', 'https://console.amazonaws-us-gov.com/', 'the GovCloud console link');
    await roleArn.fill(ROLE);
    await expectFieldError(roleArn, /aws-us-gov.*partition|partition.*aws-us-gov/, 'Role ARN (commercial ARN, GovCloud chosen)');

    await page.getByLabel('No', { exact: true }).check();
    await roleArn.fill(ROLE);
    await roleArn.press('Shift+Tab'); // (Tab would go to the submit button, which validates itself)
    await expectFieldValid(roleArn, 'Role ARN (commercial ARN, commercial chosen)');

    // A reload resumes on the same step with what was typed; no secret was stored.
    await page.reload();
    await expectURL(page, '/welcome/connect/aws');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the reload');
    assert.equal(await page.getByLabel('No', { exact: true }).isChecked(), true, '"No" still chosen after the reload');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!stored.includes(user.password), 'the password is never written to storage');

    await button(page, 'Connect').click();
    await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(/up to 24 hours/), 'the note that data can take up to 24 hours');
    // Just connected: the table says AWS and "Pending" (data still being collected), not "Not connected".
    const row = page.locator('tr[data-account-id]').first();
    await expectText(row, /Amazon Web Services/, 'the account row names AWS');
    await expectText(row, /Pending/, 'the account row says Pending');
    await screenshot(page, 'dashboard-connected');

    // The server agrees: the default account has the role.
    const token = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
    const accounts = await api(suite.server, 'GET', '/api/setup/account', { token });
    const items = accounts.body?.response?.items ?? [];
    assert.ok(items.some((a) => a.cloudProvider === 'aws'), `an account connected to AWS: ${JSON.stringify(items)}`);
    await expectNoPageProblems(page, problems);
  }));

  it('Change provider to Google Cloud, back/forward keep the typed role ARN', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    await field(page, 'Role ARN').fill(ROLE);

    await button(page, 'Change provider').click();
    await expectURL(page, '/welcome/provider');
    await expectAttr(page.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'aria-checked', 'true',
      'the current provider pre-selected');
    await page.getByRole('radio', { name: 'Google Cloud Platform', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/welcome/connect/gcp');
    await expectVisible(page.getByRole('button', { name: 'Browse' }), "Google Cloud's key upload");
    assert.equal(await field(page, 'Role ARN').count(), 0, 'no AWS form for Google Cloud');

    await page.goBack();
    await expectURL(page, '/welcome/provider');
    await page.goBack();
    await expectURL(page, '/welcome/connect/aws');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after back/forward');
    await page.goForward();
    await expectURL(page, '/welcome/provider');
    await expectVisible(page.getByRole('radiogroup'), 'the provider choice after forward');

    // Connected with AWS: no provider's answers stay behind, Google Cloud's included.
    await page.goBack();
    await expectURL(page, '/welcome/connect/aws');
    assert.ok(await page.evaluate(() => sessionStorage.getItem('onramp.draft.firstrun/gcp')), "Google Cloud's part, kept since its panel showed");
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
    await button(page, 'Connect').click();
    await expectURL(page, '/dashboard');
    const left = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('onramp.draft.firstrun/')));
    assert.deepEqual(left, [], 'no provider part stays once connected');
    await expectNoPageProblems(page, problems);
  }));
});
