// Management account: the six-step AWS wizard to connected, with the
// checks at each step, reload at step 5, back/forward; one management account per organization
// (hidden when one exists, a 409 explained); the Azure billing account (§C.3); FinOps products
// (§G) with Validate then Connect. axe on every screen state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFieldValid, expectFocused, expectHidden, expectNoPageProblems,
  expectText, expectURL, expectValue, expectVisible, holdFirstAnswer, holdRequests, loseFirstAnswer, open, refuseGets, screenshot,
  waitInteractive
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi, walkToRoleArns } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const FINOPS_ARN = 'arn:aws:iam::123456789012:role/Spot-FinOps-SpotFinOpsRole-1A2B3C';
const COMPUTE_ARN = 'arn:aws:iam::123456789012:role/Spot-FinOps-SpotComputeOptimizationRole-1A2B3C';
const GUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function token(page) {
  return page.evaluate(() => sessionStorage.getItem('onramp.session'));
}

/** Registers an AWS management account for the organization straight through the API. */
async function registerViaApi(server, tok, name = 'Payer account') {
  const created = await api(server, 'POST', '/api/setup/account', { token: tok, body: { account: { name } } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.response.items[0].id;
  const ext = await api(server, 'POST', `/api/setup/credentials/aws/externalId?accountId=${id}`, { token: tok });
  assert.equal(ext.status, 200, JSON.stringify(ext.body));
  const reg = await api(server, 'POST', '/api/onramp/management/aws', {
    token: tok,
    body: {
      accountId: id, environment: 'commercial', bucketName: 'other-bucket', products: ['costAnalysis'],
      roleArns: { costAnalysis: 'arn:aws:iam::210987654321:role/Other' },
    },
  });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  return id;
}

/** Connects `id` to AWS straight through the API (FinOps lists connected accounts only). */
async function connectAwsViaApi(server, tok, id) {
  await api(server, 'POST', `/api/setup/credentials/aws/externalId?accountId=${id}`, { token: tok });
  const set = await api(server, 'POST', `/api/setup/credentials/aws?accountId=${id}`, {
    token: tok, body: { credentials: { iamRole: 'arn:aws:iam::123456789012:role/Spot-Role' } },
  });
  assert.equal(set.status, 200, JSON.stringify(set.body));
}

/** On /finops with Billing Engine (AWS): the bucket's fields, then Validate, until it is done. */
async function validateBilling(page, bucket, prefix) {
  await field(page, 'Bucket name').fill(bucket);
  await field(page, 'Bucket region').fill('us-east-1');
  await field(page, 'S3 path prefix (including report name)').fill(prefix);
  await button(page, 'Validate').click();
  await expectVisible(page.locator('.finops-checks'), 'the validation results');
  // Validate and Connect share one busy state: wait until Validate is done with it.
  await expectHidden(page.locator('button[aria-busy="true"]'), 'no button busy');
}

describe('management account', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('six steps to connected: checks at each step, reload at step 5, back/forward, axe everywhere', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signupViaUi(page, user);

    // A deep link to a later step opens the first incomplete one.
    await open(page, '/management/run-template');
    await expectURL(page, '/management/environment');
    await expectVisible(page.getByRole('heading', { name: 'Connect your AWS management account' }), 'the wizard heading');
    await expectAttr(page.locator('#management li[aria-current="step"] h2'), 'id', 'management-step-1', 'step 1 current');
    await checkA11y(page, 'management step 1');

    // Step 1: an answer is required.
    await button(page, 'Next').click();
    await expectVisible(page.getByText(/Choose where your management account is/), 'the step 1 message');
    await expectAttr(page.locator('#management-env-commercial'), 'aria-describedby', 'management-env-error', 'the radios described by the message');
    await checkA11y(page, 'management step 1 with its message');
    await page.getByLabel('No, commercial AWS', { exact: true }).check();
    await button(page, 'Next').click();

    // Step 2: the sign-in link and the us-east-1 advice.
    await expectURL(page, '/management/sign-in');
    const login = page.getByRole('link', { name: /Log in to your AWS management account/ });
    await expectAttr(login, 'href', 'https://console.aws.amazon.com/', 'the console link');
    await expectAttr(login, 'target', '_blank', 'the console link');
    await expectVisible(page.getByText(/us-east-1/).first(), 'the us-east-1 advice');
    await checkA11y(page, 'management step 2');
    await button(page, 'Next').click();

    // Step 3: the confirmation must be ticked.
    await expectURL(page, '/management/billing-access');
    await button(page, 'Next').click();
    const confirm = page.getByLabel('IAM user and role access to billing information is activated');
    await expectFieldError(confirm, /Tick the box once IAM access to billing is activated/, 'the billing-access checkbox');
    await checkA11y(page, 'management step 3 with its message');
    await confirm.check();
    await button(page, 'Next').click();

    // Step 4: products and the bucket; an IP address is refused at the field.
    await expectURL(page, '/management/products');
    await expectVisible(page.getByText('Include resource IDs'), 'the report guidelines');
    await button(page, 'Next').click();
    await expectVisible(page.getByText(/Select at least one product/), 'the products message');
    await page.getByLabel('Cost analysis', { exact: true }).check();
    await page.getByLabel('Compute optimization', { exact: true }).check();
    const bucket = field(page, 'CUR bucket name');
    await bucket.fill('192.168.1.1');
    await button(page, 'Next').click();
    await expectFieldError(bucket, /IP address/, 'CUR bucket name (an IP address)');
    await expectURL(page, '/management/products');
    await checkA11y(page, 'management step 4 with a bucket error');
    await bucket.fill('my-cur-bucket');
    await expectFieldValid(bucket, 'CUR bucket name (fixed)');
    await button(page, 'Next').click();

    // Step 5: the quick-create link for the template in public/, absolute, with the bucket.
    await expectURL(page, '/management/run-template');
    const run = page.getByRole('link', { name: /Run template/ });
    await expectVisible(run, 'link "Run template"');
    await expectText(page.locator('#management-external-id'), /^[A-Za-z0-9]{8,}$/, 'the external ID');
    const externalId = (await page.locator('#management-external-id').textContent()).trim();
    const href = await run.getAttribute('href');
    const origin = new URL(suite.server.url).origin;
    assert.ok(href.startsWith('https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?'), href);
    assert.ok(href.includes(`templateURL=${encodeURIComponent(`${origin}/templates/spot-management-account.json`)}`), href);
    assert.ok(href.includes('param_CostAndUsageBucket=my-cur-bucket'), href);
    assert.ok(href.includes(`param_ExternalId=${externalId}`), href);
    assert.ok(href.endsWith('param_Products=costAnalysis%2CcomputeOptimization'), href);
    const download = page.getByRole('link', { name: 'Download template' });
    const templatePath = await download.getAttribute('href');
    const template = await (await fetch(new URL(templatePath, suite.server.url))).json();
    assert.ok(template.Parameters.CostAndUsageBucket, 'the downloaded template has CostAndUsageBucket');
    await checkA11y(page, 'management step 5');
    await screenshot(page, 'management-run-template');

    // Reload at step 5: same step, same external ID and link; no secret in storage.
    await page.reload();
    await expectURL(page, '/management/run-template');
    await expectText(page.locator('#management-external-id'), new RegExp(`^${externalId}$`), 'the external ID after the reload');
    await expectAttr(page.getByRole('link', { name: /Run template/ }), 'href', href, 'the quick-create link after the reload');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!stored.includes(user.password), 'the password is never written to storage');

    // Back and forward between steps keep what was typed.
    await page.goBack();
    await expectURL(page, '/management/products');
    await expectValue(field(page, 'CUR bucket name'), 'my-cur-bucket', 'the bucket after Back');
    await page.goForward();
    await expectURL(page, '/management/run-template');
    await button(page, 'Next').click();
    await expectFieldError(page.getByLabel('The stack is created (CREATE_COMPLETE)'), /CREATE_COMPLETE/, 'the stack checkbox');
    await page.getByLabel('The stack is created (CREATE_COMPLETE)').check();
    await button(page, 'Next').click();

    // Step 6: one role ARN per product; a wrong partition is refused at the field.
    await expectURL(page, '/management/role-arns');
    const finops = field(page, 'Cost analysis role ARN');
    const compute = field(page, 'Compute optimization role ARN');
    await finops.fill('arn:aws-cn:iam::123456789012:role/Spot-FinOps');
    await finops.press('Shift+Tab');
    await expectFieldError(finops, /aws partition/, 'Cost analysis role ARN (China partition, commercial chosen)');
    await checkA11y(page, 'management step 6 with a role ARN error');
    await finops.fill(FINOPS_ARN);
    await button(page, 'Connect').click();
    await expectFieldError(compute, /SpotComputeOptimizationRoleArn/, 'Compute optimization role ARN (missing)');
    await compute.fill(COMPUTE_ARN);
    await button(page, 'Connect').click();

    // Done: 72 hours and the email.
    await expectURL(page, '/management/done');
    await expectVisible(page.getByText(/Initial data processing takes up to 72 hours/), 'the 72-hour note');
    await expectVisible(page.getByText(user.email), 'the email the news goes to');
    await checkA11y(page, 'management done');
    await screenshot(page, 'management-done');

    const tok = await token(page);
    const got = await api(suite.server, 'GET', '/api/onramp/management', { token: tok });
    const m = got.body.response.items[0];
    assert.equal(m.cloudProvider, 'aws');
    assert.equal(m.aws.bucketName, 'my-cur-bucket');
    assert.deepEqual(m.aws.products, ['costAnalysis', 'computeOptimization']);
    assert.equal(m.aws.roleArns.costAnalysis, FINOPS_ARN);

    // Registered: the draft is cleared; a reload finds the account on the server and says so.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.draft.management')), null,
      'the wizard draft is cleared on success');
    await page.reload();
    await expectVisible(page.locator('.management-exists'), 'the registered management account after a reload');
    await expectNoPageProblems(page, problems);
  }));

  it('a second management account: hidden when one exists, a 409 explained', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    // Someone else registers one while this user is at step 6.
    await walkToRoleArns(page);
    await registerViaApi(suite.server, await token(page));
    await field(page, 'Cost analysis role ARN').fill(FINOPS_ARN);
    await button(page, 'Connect').click();
    const alert = page.getByRole('alert');
    await expectText(alert, /can't be registered: This organization already has a management account: “Payer account”/, 'the 409 explained');
    await expectURL(page, '/management/role-arns');
    await expectValue(field(page, 'Cost analysis role ARN'), FINOPS_ARN, 'the role ARN kept after the refusal');
    await checkA11y(page, 'management 409');

    // A fresh visit: no wizard, an explanation.
    await open(page, '/management');
    await expectVisible(page.getByRole('heading', { name: 'Your organization already has a management account' }), 'the explanation');
    await expectHidden(page.getByLabel('No, commercial AWS', { exact: true }), 'the wizard');
    await expectVisible(page.locator('.management-exists').getByText(/“Payer account” \(act-[0-9a-f]{8}\)/), 'the existing account named');
    await checkA11y(page, 'management already registered');
    await open(page, '/management/azure');
    await expectVisible(page.getByRole('heading', { name: 'Your organization already has a management account' }), 'the explanation on the Azure page');
    await expectNoPageProblems(page, problems);
  }));

  it('Back while Connect is on its way does not cancel the registration: the wizard ends on its done screen', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await walkToRoleArns(page);
    const answer = await holdFirstAnswer(page, /\/api\/onramp\/management\/aws$/, { method: 'POST' });
    await field(page, 'Cost analysis role ARN').fill(FINOPS_ARN);
    await button(page, 'Connect').click();
    await answer.served;
    const got = await api(suite.server, 'GET', '/api/onramp/management', { token: await token(page) });
    assert.equal(got.body.response.items[0]?.cloudProvider, 'aws', 'the server registered the account');
    await button(page, 'Back').click();
    await expectURL(page, '/management/run-template');
    answer.release();
    // The page hears the answer although the step has gone, and says what is true.
    await expectURL(page, '/management/done');
    await expectVisible(page.getByText(/Initial data processing takes up to 72 hours/), 'the done screen');
    await answer.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('first-run Connect step: management (billing) account and FinOps panels lead to their pages (Back returns), hidden once one exists', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    const management = page.locator('#welcome-management-account-button');
    const finops = page.locator('#welcome-finops-button');
    await expectAttr(management, 'aria-expanded', 'false', 'the Management account panel, closed');
    await expectAttr(finops, 'aria-expanded', 'false', 'the FinOps products panel, closed');
    await expectVisible(page.getByText(/analyze your cost and usage reports/), "the management account's purpose");
    // By keyboard; the open panel is kept for a reload.
    await management.focus();
    await page.keyboard.press('Enter');
    await expectAttr(management, 'aria-expanded', 'true', 'the panel opened by Enter');
    await checkA11y(page, 'first-run connect: management panel open');
    await page.reload();
    await waitInteractive(page);
    await expectAttr(page.locator('#welcome-management-account-button'), 'aria-expanded', 'true', 'the panel still open after a reload');
    await page.locator('#welcome-finops-button').click();
    await expectVisible(page.getByRole('link', { name: 'Set up FinOps products' }), 'the FinOps link');
    // The link leaves the wizard for the management wizard (not sent back to the Connect step).
    await page.getByRole('link', { name: 'Connect a management account' }).click();
    await expectURL(page, '/management/environment');
    await expectVisible(page.getByRole('heading', { name: 'Connect your AWS management account' }), 'the management wizard');
    await page.goBack();
    await expectURL(page, '/welcome/connect/aws');
    await page.getByRole('link', { name: 'Set up FinOps products' }).click();
    await expectURL(page, '/finops');

    // Azure: the billing account, on its own page.
    await open(page, '/welcome/provider');
    await page.getByRole('radio', { name: 'Microsoft Azure', exact: true }).click();
    await button(page, 'Next').click();
    await expectURL(page, '/welcome/connect/azure');
    await page.locator('#welcome-billing-account-button').click();
    await expectVisible(page.locator('#welcome-finops-button'), 'the FinOps panel for Azure');
    await checkA11y(page, 'first-run connect: Azure billing panel open');
    await page.getByRole('link', { name: 'Connect a billing account' }).click();
    await expectURL(page, '/management/azure');
    await expectVisible(page.getByRole('heading', { name: /Azure billing account/ }), 'the Azure billing page');

    // Once the organization has its management account: no such panel.
    await registerViaApi(suite.server, await token(page));
    await open(page, '/welcome/connect/azure');
    await expectVisible(page.locator('#welcome-finops-button'), 'the FinOps panel');
    await expectHidden(page.locator('#welcome-billing-account-button'), 'the billing account panel, once one exists');
    await expectNoPageProblems(page, problems);
  }));

  it('Azure billing account: checks at the fields, the secret never stored, connected', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await open(page, '/management/azure');
    await expectVisible(page.getByRole('heading', { name: 'Connect an Azure billing account' }), 'the Azure heading');
    await checkA11y(page, 'Azure billing account form');

    // Connect with nothing filled: a message at every field.
    await button(page, 'Connect').click();
    await expectFieldError(field(page, 'Application (client) ID'), /application \(client\) ID/i, 'Application (client) ID');
    await expectFieldError(field(page, 'Client secret value'), /secret/i, 'Client secret value');
    await expectVisible(page.getByText(/Choose the agreement type/), 'the agreement type message');
    await checkA11y(page, 'Azure billing account form with messages');

    const secret = 'Xy8Q~verysecret.Value-123';
    const expires = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
    await field(page, 'Application (client) ID').fill(GUID);
    await field(page, 'Directory (tenant) ID').fill(GUID.toUpperCase());
    await field(page, 'Client secret value').fill(secret);
    await field(page, 'Secret expiration date').fill(expires);
    // The identifier follows the agreement type.
    await page.getByLabel('Microsoft Customer Agreement', { exact: true }).check();
    const mcaId = field(page, 'Billing account ID');
    await mcaId.fill('12345678');
    await mcaId.press('Shift+Tab');
    await expectFieldError(mcaId, /Enterprise Agreement enrollment number/, 'Billing account ID (an EA number)');
    await page.getByLabel('Enterprise Agreement', { exact: true }).check();
    const enrollment = field(page, 'Enrollment number');
    await expectValue(enrollment, '12345678', 'the enrollment number kept for EA');

    // A reload keeps everything but the secret, which is never stored.
    await page.reload();
    await expectValue(field(page, 'Application (client) ID'), GUID, 'the client ID after a reload');
    await expectValue(field(page, 'Enrollment number'), '12345678', 'the enrollment number after a reload');
    await expectValue(field(page, 'Client secret value'), '', 'the secret after a reload');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!stored.includes(secret), 'the client secret is never written to storage');
    await field(page, 'Client secret value').fill(secret);
    await button(page, 'Connect').click();

    await expectVisible(page.getByRole('heading', { name: 'Your Azure billing account is connected' }), 'the done screen');
    await expectVisible(page.getByText(/Initial data processing takes up to 72 hours/), 'the 72-hour note');
    await checkA11y(page, 'Azure billing account connected');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('onramp.draft.management.azure')), null,
      'the Azure billing draft is cleared on success');
    const m = (await api(suite.server, 'GET', '/api/onramp/management', { token: await token(page) })).body.response.items[0];
    assert.equal(m.cloudProvider, 'azure');
    assert.equal(m.azure.agreementType, 'ea');
    assert.equal(m.azure.billingAccountId, '12345678');
    assert.notEqual(m.azure.clientSecret, secret, 'the secret is answered masked');

    // It counts as the management account: the AWS wizard is not offered.
    await open(page, '/management');
    await expectVisible(page.locator('.management-exists').getByText(/Azure billing account 12345678/), 'the existing Azure billing account named');

    // Its secret is renewed from the dashboard's Update credentials: the registration is sent
    // again with the new secret and date, the rest as registered.
    await open(page, '/dashboard');
    await page.getByRole('link', { name: `Update credentials for ${m.accountName}` }).click();
    await expectURL(page, '/management/azure');
    await expectVisible(page.getByRole('heading', { name: 'Renew the client secret', level: 2 }), 'the renewal form');
    await button(page, 'Save the new secret').click();
    await expectFieldError(field(page, 'Client secret value'), /secret/i, 'the empty secret');
    await field(page, 'Client secret value').fill('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    await expectText(page.locator('#renew-secret-warning'), /looks like the secret's ID/, 'the secret-ID warning');
    const renewed = 'Zz9Q~renewedSecret.Value-456';
    const later = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    await field(page, 'Client secret value').fill(renewed);
    // The date picker offers only the days the rule accepts (up to two years ahead).
    const twoYears = new Date();
    twoYears.setUTCFullYear(twoYears.getUTCFullYear() + 2);
    await expectAttr(field(page, 'Secret expiration date'), 'max', twoYears.toISOString().slice(0, 10), 'the last day the picker offers');
    await field(page, 'Secret expiration date').fill(later);
    await checkA11y(page, 'Azure billing account, renewing its secret');
    await button(page, 'Save the new secret').click();
    await expectText(page.getByRole('status').filter({ hasText: 'new client secret' }), new RegExp(`saved\\. It expires on ${later}`), 'the saved status');
    await expectValue(field(page, 'Client secret value'), '', 'the secret field emptied');
    const after = (await api(suite.server, 'GET', '/api/onramp/management', { token: await token(page) })).body.response.items[0];
    assert.ok(after.azure.expirationDate.startsWith(later), `the new expiration: ${after.azure.expirationDate}`);
    assert.equal(after.azure.billingAccountId, '12345678', 'the billing account as registered');
    assert.equal(after.azure.clientId, GUID, 'the application as registered');
    const kept = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!kept.includes(renewed), 'the new secret is never written to storage');
    await expectNoPageProblems(page, problems);
  }));

  /** Lets the first `POST /api/setup/account` reach the server, then loses its answer. */
  const loseFirstCreate = (page) => loseFirstAnswer(page, /\/api\/setup\/account$/);
  const named = async (page, name) => (await api(suite.server, 'GET', '/api/setup/account', { token: await token(page) }))
    .body.response.items.filter((a) => a.name === name);

  it('AWS management account: the create answer lost at step 5 → after a reload the wizard goes on with the account it made, not a second one', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    const seen = await loseFirstCreate(page);
    await open(page, '/management');
    await page.getByLabel('No, commercial AWS', { exact: true }).check();
    await button(page, 'Next').click();
    await button(page, 'Next').click();
    await page.getByLabel('IAM user and role access to billing information is activated').check();
    await button(page, 'Next').click();
    await page.getByLabel('Cost analysis', { exact: true }).check();
    await field(page, 'CUR bucket name').fill('my-cur-bucket');
    await button(page, 'Next').click();
    await expectURL(page, '/management/run-template');
    await expectVisible(page.getByRole('button', { name: 'Try again' }), 'the lost answer, with Try again');
    assert.equal(seen.lost, 1);
    const made = await named(page, 'AWS management account');
    assert.equal(made.length, 1, 'the server made the account');
    // Try again by keyboard: focus waits on the step's heading (the button goes), never <body>;
    // the account the lost request made is found.
    await page.getByRole('button', { name: 'Try again' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('link', { name: /Run template/ }), 'the template link after Try again');
    await expectFocused(page.locator('#management-step-5'), 'the Run template step heading');
    assert.equal((await named(page, 'AWS management account')).length, 1, 'still one account');
    // A reload (the draft remembers the request was sent): the account is found, not made again.
    await page.reload();
    await expectText(page.locator('#management-external-id'), /^[A-Za-z0-9]{8,}$/, 'the external ID, for the account found');
    assert.equal((await named(page, 'AWS management account')).length, 1, 'one management Spot account, not two');
    await expectNoPageProblems(page, problems);
  }));

  it('Azure billing account: the create answer lost → Connect again registers with the account it made, not a second one', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    const seen = await loseFirstCreate(page);
    await open(page, '/management/azure');
    const secret = 'Xy8Q~verysecret.Value-123';
    await field(page, 'Application (client) ID').fill(GUID);
    await field(page, 'Directory (tenant) ID').fill(GUID);
    await field(page, 'Client secret value').fill(secret);
    await field(page, 'Secret expiration date').fill(new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10));
    await page.getByLabel('Enterprise Agreement', { exact: true }).check();
    await field(page, 'Enrollment number').fill('12345678');
    await button(page, 'Connect').click();
    await expectVisible(page.getByRole('alert').first(), 'the lost answer, said');
    assert.equal(seen.lost, 1);
    const made = await named(page, 'Azure billing account');
    assert.equal(made.length, 1, 'the server made the account');
    await button(page, 'Connect').click();
    await expectVisible(page.getByRole('heading', { name: 'Your Azure billing account is connected' }), 'the done screen');
    assert.equal((await named(page, 'Azure billing account')).length, 1, 'one Azure billing Spot account, not two');
    const m = (await api(suite.server, 'GET', '/api/onramp/management', { token: await token(page) })).body.response.items[0];
    assert.equal(m.accountId, made[0].accountId, 'registered to the account the lost answer was about');
    await expectNoPageProblems(page, problems);
  }));

  it('the management pages\' check that failed: Try again by keyboard keeps focus on the page\'s heading, never <body>', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    for (const { route, heading } of [
      { route: '/management', heading: '#management-heading' },
      { route: '/management/azure', heading: '#azure-billing-heading' },
    ]) {
      const check = await refuseGets(page, /\/api\/onramp\/management$/);
      await page.goto(route);
      const retry = button(page, 'Try again');
      await expectVisible(retry, `Try again on ${route}`);
      check.allow();
      await retry.focus();
      await page.keyboard.press('Enter');
      await expectHidden(retry, `Try again gone on ${route}`);
      await expectFocused(page.locator(heading), `the heading on ${route}, not <body>`);
      await check.stop();
    }
    await expectNoPageProblems(page, problems);
  }));

  it('FinOps: typing while Connect is on its way does not cancel it; Connect by keyboard keeps focus on the page; Try again keeps it too', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    const tok = await token(page);
    const id = (await api(suite.server, 'GET', '/api/setup/account', { token: tok })).body.response.items[0].accountId;
    await connectAwsViaApi(suite.server, tok, id);
    // The account list fails once: Try again by keyboard keeps focus on the page's heading.
    const list = await refuseGets(page, /\/api\/setup\/account$/);
    await page.goto('/finops');
    const retry = button(page, 'Try again');
    await expectVisible(retry, 'Try again after the failure');
    list.allow();
    await retry.focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByLabel('Account', { exact: true }), 'the form after Try again');
    await expectFocused(page.locator('#finops-heading'), 'the heading after Try again, not <body>');
    await list.stop();

    await validateBilling(page, 'my-cur-bucket', 'reports/spot-cur');
    const connecting = await holdRequests(page, /\/api\/cloudBilling\/v1\/setup\/account$/, { method: 'POST' });
    await button(page, 'Connect').click();
    await field(page, 'Bucket region').fill('eu-west-1');
    connecting.release();
    await connecting.passed;
    await expectVisible(page.getByText(/Billing Engine is set up for the account/), 'Billing Engine connected, not cancelled by the typing');
    assert.equal(await page.getByText(/couldn't reach the server/).count(), 0, 'no network error');
    await connecting.stop();

    // Cost Intelligence by keyboard: Connect goes with the results, focus stays on the page.
    await page.getByLabel('Cost Intelligence', { exact: true }).check();
    await button(page, 'Validate').click();
    await expectVisible(page.locator('.finops-checks'), 'the validation results');
    await expectHidden(page.locator('button[aria-busy="true"]'), 'no button busy');
    await button(page, 'Connect').focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText(/Cost Intelligence is set up for the account/), 'Cost Intelligence connected');
    await expectFocused(page.locator('#finops-heading'), 'the heading after Connect, not <body>');
    await expectNoPageProblems(page, problems);
  }));

  it('FinOps: another account chosen while Connect is on its way: its answer names the first and leaves what was typed for the second', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    const tok = await token(page);
    const first = (await api(suite.server, 'GET', '/api/setup/account', { token: tok })).body.response.items[0];
    const made = await api(suite.server, 'POST', '/api/setup/account', { token: tok, body: { account: { name: 'Second' } } });
    const second = made.body.response.items[0].id;
    for (const id of [first.accountId, second]) await connectAwsViaApi(suite.server, tok, id);
    await open(page, '/finops');
    await page.getByLabel('Account', { exact: true }).selectOption(first.accountId);
    await validateBilling(page, 'first-bucket', 'reports/first');
    const connecting = await holdRequests(page, /\/api\/cloudBilling\/v1\/setup\/account$/, { method: 'POST' });
    await button(page, 'Connect').click();
    await page.getByLabel('Account', { exact: true }).selectOption(second);
    await field(page, 'Bucket name').fill('second-bucket');
    connecting.release();
    await connecting.passed;
    await expectVisible(page.getByText(`Billing Engine is set up for the account “${first.name}”.`), 'the answer, naming the first account');
    await expectValue(field(page, 'Bucket name'), 'second-bucket', 'what was typed for the second account');
    assert.equal(await page.getByLabel('Account', { exact: true }).inputValue(), second, 'the second account still chosen');
    await connecting.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('FinOps: no account yet, then Billing Engine and Cost Intelligence, Validate shows the checks, then Connect', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await open(page, '/finops');
    await expectVisible(page.getByText(/No account has cloud credentials yet/), 'the honest empty state');
    await checkA11y(page, 'FinOps without accounts');

    // Connect the default account to AWS through the API.
    const tok = await token(page);
    const accounts = (await api(suite.server, 'GET', '/api/setup/account', { token: tok })).body.response.items;
    const id = accounts[0].accountId;
    await connectAwsViaApi(suite.server, tok, id);

    await open(page, '/finops');
    await expectVisible(page.getByLabel('Account', { exact: true }), 'the account choice');
    assert.match(await page.locator('#finops-account option:checked').textContent(), new RegExp(id));
    await field(page, 'Bucket name').fill('my-cur-bucket');
    await field(page, 'Bucket region').fill('us-east-1');
    const prefix = field(page, 'S3 path prefix (including report name)');
    await prefix.fill('reports//spot-cur');
    await button(page, 'Validate').click();
    await expectFieldError(prefix, /“\/\/”/, 'S3 path prefix with //');
    await checkA11y(page, 'FinOps with a path prefix error');
    await prefix.fill('reports/spot-cur');

    // A validation answered after the user changed a field is for other values: it is dropped.
    const validation = await holdRequests(page, /\/api\/cloudBilling\/v1\/setup\/account\/validation$/);
    await button(page, 'Validate').click();
    await field(page, 'Bucket name').fill('my-other-bucket');
    validation.release();
    await validation.passed;
    await validation.stop();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.finops-checks').count(), 0, 'no results for values that are no longer in the form');
    assert.equal(await page.getByRole('status').getByText(/Validation finished/).count(), 0, 'no summary for them either');
    await field(page, 'Bucket name').fill('my-cur-bucket');
    await button(page, 'Validate').click();

    const results = page.locator('.finops-checks');
    await expectVisible(results, 'the validation results');
    await expectVisible(results.getByText('Passed').first(), 'a passed check');
    await expectVisible(results.getByText('Not checked'), 'the check the local server cannot run');
    await expectVisible(page.getByRole('status').getByText(/Validation finished: 3 passed, 1 not checked/), 'the summary');
    await checkA11y(page, 'FinOps validation results');
    await screenshot(page, 'finops-validation');
    await button(page, 'Connect').click();
    await expectVisible(page.getByText(/Billing Engine is set up for the account/), 'Billing Engine connected');
    const finopsDraft = await page.evaluate(() => sessionStorage.getItem('onramp.draft.finops') ?? '');
    assert.ok(!finopsDraft.includes('my-cur-bucket'), `the typed values are cleared on success: ${finopsDraft}`);
    // And from the fields: what they show is what the draft holds (empty, asked for again).
    await expectValue(field(page, 'Bucket name'), '', 'the bucket field emptied');
    await expectValue(prefix, '', 'the prefix field emptied');

    // Cost Intelligence now sees the billing registration.
    await page.getByLabel('Cost Intelligence', { exact: true }).check();
    await expectHidden(field(page, 'Bucket name'), 'the bucket field (not asked for Cost Intelligence)');
    await button(page, 'Validate').click();
    await expectVisible(results.getByText(/registered for cloud billing data/), 'the cloud billing check');
    await button(page, 'Connect').click();
    await expectVisible(page.getByText(/Cost Intelligence is set up for the account/), 'Cost Intelligence connected');
    await checkA11y(page, 'FinOps connected');
    await expectNoPageProblems(page, problems);
  }));
});
