// AWS linked account beyond the manual happy path of onboarding.spec.mjs:
// the automatic (CloudFormation) way with the stack's callback simulated through the API, the
// quick-create link's parameters, Cancel, the time-out fallback to the manual role ARN,
// GovCloud (partition mismatch at Role ARN, customising disabled), a keyboard-only run of the
// manual way, a reload mid-flow, and axe on every state (panels expanded and collapsed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, startServer } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFieldValid, expectFocused, expectNoPageProblems,
  expectText, expectURL, expectValue, expectVisible, holdFirstAnswer, holdRequests, screenshot
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';
const GOV_ROLE = 'arn:aws-us-gov:iam::123456789012:role/Spot-Role';
const CONNECTED = 'Your account has been successfully connected!';
const CONSOLES = /^https:\/\/console\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\//;

function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), type: el?.getAttribute('type') ?? '', id: el?.id ?? '', text: (el?.textContent ?? '').trim().slice(0, 60) };
  });
}

/** Tab (forwards) until `pred(focused)` holds; fails after `max` presses. */
async function tabUntil(page, pred, what, max = 150) {
  let f;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    f = await focused(page);
    if (pred(f)) return f;
  }
  assert.fail(`Tab never reached ${what} (last focus: ${JSON.stringify(f)})`);
}

async function session(page) {
  return page.evaluate(() => sessionStorage.getItem('onramp.session'));
}

/** The signed-in user's default account (the one the wizard connects). */
async function accountOf(server, token) {
  const me = await api(server, 'GET', '/api/auth/me', { token });
  const id = me.body?.response?.items?.[0]?.defaultAccountId;
  assert.match(id ?? '', /^act-[0-9a-f]{8}$/, `GET /api/auth/me: ${JSON.stringify(me.body)}`);
  return id;
}

/** What the stack's custom resource does once the role exists: set the credentials itself. */
async function stackCallback(server, token, accountId, iamRole = ROLE) {
  const res = await api(server, 'POST', `/api/setup/credentials/aws?accountId=${accountId}`, {
    token, body: { credentials: { iamRole } },
  });
  assert.equal(res.status, 200, `set-credentials as the stack would: ${JSON.stringify(res.body)}`);
}

async function connectedProvider(server, token, accountId) {
  const res = await api(server, 'GET', `/api/setup/account/${accountId}`, { token });
  return res.body?.response?.items?.[0]?.cloudProvider ?? null;
}

/** Sign up, choose AWS, land on the Connect step. */
async function toConnectAws(page) {
  await signupViaUi(page, newUser());
  await chooseProvider(page, 'Amazon Web Services', 'aws');
  await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID from the API');
}

function quickCreate(page) {
  return page.getByRole('link', { name: /^Run CloudFormation template/ });
}

/** The quick-create link's parts: host, region, and the parameters after the `#…?`. */
async function quickCreateParts(page) {
  const href = await quickCreate(page).getAttribute('href');
  const url = new URL(href);
  const hash = url.hash.slice(1);
  const [route, query] = hash.split('?');
  return { url, route, region: url.searchParams.get('region'), params: new URLSearchParams(query) };
}

/** Counts the account checks the page makes (GET /api/setup/account/<id>). */
function countPolls(page) {
  const counter = { n: 0 };
  page.on('request', (r) => {
    if (r.method() === 'GET' && /\/api\/setup\/account\/act-/.test(new URL(r.url()).pathname)) counter.n += 1;
  });
  return counter;
}

describe('AWS linked account: automatic, GovCloud, keyboard, reload', () => {
  // The AWS console is not reachable from here: a new tab opened on it gets a stand-in page.
  const standInConsole = (context) => context.route(CONSOLES, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>AWS console</title>' }));
  const suite = browserSuite({ prepare: standInConsole });
  const withPage = (fn, options) => suite.withPage(fn, { options });

  it('automatic: quick-create link with the right parameters, the stack calls back, the UI moves on', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    const externalId = (await page.locator('#aws-external-id').textContent()).trim();

    const auto = button(page, 'Automatically (CloudFormation)');
    await expectAttr(auto, 'aria-expanded', 'false', 'the automatic panel (closed at first)');
    await expectAttr(auto, 'aria-controls', 'aws-automatic', 'the automatic panel button');
    await checkA11y(page, 'connect AWS, automatic collapsed');
    await auto.click();
    await expectAttr(auto, 'aria-expanded', 'true', 'the automatic panel after a click');

    // The link: the partition's console, quick-create, our own template, the three parameters.
    const { url, route, region, params } = await quickCreateParts(page);
    assert.equal(url.origin, 'https://console.aws.amazon.com');
    assert.equal(url.pathname, '/cloudformation/home');
    assert.equal(region, 'us-east-1');
    assert.equal(route, '/stacks/quickcreate');
    assert.equal(params.get('templateURL'), `${suite.server.url}/templates/spot-linked-account.json`);
    assert.equal(params.get('param_AccountId'), accountId);
    assert.equal(params.get('param_ExternalId'), externalId);
    assert.equal(params.get('param_Principal'), 'arn:aws:iam::922761411349:root');
    // This server has no --public-url: no connect token, and the page says why.
    assert.equal(params.get('param_ConnectToken'), null);
    assert.equal(params.get('param_ApiUrl'), null);
    await expectText(page.locator('#aws-no-self-connect'), /can't connect the account to Spot by itself.*no public API address/, 'why the stack cannot connect itself');
    assert.match(params.get('stackName'), /^[A-Za-z][A-Za-z0-9-]*$/);
    await expectAttr(quickCreate(page), 'target', '_blank', 'the quick-create link');
    // The template the link names is served, with those parameters.
    const template = await api(suite.server, 'GET', '/templates/spot-linked-account.json');
    assert.equal(template.status, 200);
    for (const p of ['AccountId', 'ExternalId', 'Principal']) assert.ok(template.body.Parameters?.[p], `template parameter ${p}`);
    const download = page.getByRole('link', { name: 'Download template', exact: true });
    await expectAttr(download, 'href', '/templates/spot-linked-account.json', 'link "Download template"');
    await expectAttr(download, 'download', 'spot-linked-account.json', 'link "Download template"');
    await checkA11y(page, 'connect AWS, automatic expanded');
    await screenshot(page, 'aws-automatic');

    // Following the link opens the console in a new tab and starts waiting, visibly.
    const [popup] = await Promise.all([page.waitForEvent('popup'), quickCreate(page).click()]);
    assert.match(popup.url(), /^https:\/\/console\.aws\.amazon\.com\/cloudformation\/home/);
    await popup.close();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting for the stack' }), /Waiting for the stack/, 'the waiting status');
    await expectText(page.locator('.aws-wait'), /Checked your account (once|\d+ times)/, 'the count of checks');
    await expectVisible(button(page, 'Cancel'), 'button "Cancel"');
    await checkA11y(page, 'connect AWS, waiting for the stack');
    await screenshot(page, 'aws-automatic-waiting');
    assert.equal(await connectedProvider(suite.server, token, accountId), null, 'not connected before the callback');

    // The stack's custom resource calls set-credentials; the console notices by itself.
    await stackCallback(suite.server, token, accountId);
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    assert.equal(await connectedProvider(suite.server, token, accountId), 'aws');
    await expectNoPageProblems(page, problems);
  }));

  it('Cancel stops the polling; Paste the role ARN instead finishes by hand', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    const polls = countPolls(page);
    await button(page, 'Automatically (CloudFormation)').click();
    // Ran the downloaded template by hand: start waiting without the link.
    await button(page, 'Check for the connection').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting' }), /Waiting for the stack/, 'the waiting status');
    await page.waitForRequest((r) => /\/api\/setup\/account\/act-/.test(r.url()), { timeout: 15_000 });

    await button(page, 'Cancel').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Stopped' }), /Stopped waiting/, 'the stopped status');
    await checkA11y(page, 'connect AWS, waiting cancelled');
    const before = polls.n;
    // Even once the credentials exist, a cancelled wait does not look (the next check would
    // have come within 3 s; wait 6 s).
    await stackCallback(suite.server, token, accountId);
    await page.waitForTimeout(6_000);
    assert.equal(polls.n, before, 'no account check after Cancel');
    await expectURL(page, '/welcome/connect/aws');

    // Close the manual panel first: the fallback must open it.
    const manual = button(page, 'Manually (IAM console)');
    await manual.click();
    await expectAttr(manual, 'aria-expanded', 'false', 'the manual panel, closed');
    await checkA11y(page, 'connect AWS, manual collapsed');
    await button(page, 'Paste the role ARN instead').click();
    await expectAttr(manual, 'aria-expanded', 'true', 'the manual panel, opened by the fallback');
    const roleArn = field(page, 'Role ARN');
    await expectFocused(roleArn, 'Role ARN after "Paste the role ARN instead"');
    await roleArn.fill(ROLE);
    await roleArn.press('Enter');
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    await expectNoPageProblems(page, problems);
  }));

  it('after the time-out (10 minutes on a fake clock) the manual role ARN takes over', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    // Playwright's fake clock (Date, setTimeout, ...) from here on; it starts at the real time
    // and moves on by itself, and fastForward jumps ahead. (Installed only now: it also fakes
    // `performance`, which the sign-up's readiness check relies on.)
    await page.clock.install();
    await button(page, 'Automatically (CloudFormation)').click();
    await button(page, 'Check for the connection').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting' }), /Waiting for the stack/, 'the waiting status');
    await page.clock.fastForward('09:00');
    await expectText(page.locator('.aws-wait'), /Checked your account/, 'still waiting after 9 minutes');
    await page.clock.fastForward('01:30');
    await page.clock.fastForward('00:20');
    await expectText(page.getByRole('status').filter({ hasText: 'minutes' }), /has not connected the account after 10 minutes/, 'the time-out status');
    await expectVisible(page.getByText('SpotinstRoleArn').first(), 'where to find the role ARN');
    await checkA11y(page, 'connect AWS, waiting timed out');
    await screenshot(page, 'aws-automatic-timed-out');

    // A reload keeps the verdict (the wait counts from the launch, kept in the draft).
    await page.reload();
    await expectText(page.getByRole('status').filter({ hasText: 'minutes' }), /after 10 minutes/, 'the time-out after a reload');

    await button(page, 'Paste the role ARN instead').click();
    const roleArn = field(page, 'Role ARN');
    await expectFocused(roleArn, 'Role ARN after "Paste the role ARN instead"');
    await page.keyboard.type(ROLE);
    await page.keyboard.press('Enter');
    await expectURL(page, '/dashboard');
    await expectNoPageProblems(page, problems);
  }));

  it('GovCloud: console links follow, customising is disabled, a commercial ARN is refused at the field', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    await button(page, 'Automatically (CloudFormation)').click();

    await page.getByLabel('Yes, AWS GovCloud', { exact: true }).check();
    const login = page.getByRole('link', { name: /Log in to AWS account/ });
    await expectAttr(login, 'href', 'https://console.amazonaws-us-gov.com/', 'the GovCloud console link');
    const { url, region } = await quickCreateParts(page);
    assert.equal(url.origin, 'https://console.amazonaws-us-gov.com');
    assert.equal(region, 'us-gov-west-1');

    const custom = page.getByLabel('Customize permissions', { exact: true });
    assert.equal(await custom.isDisabled(), true, '"Customize permissions" disabled in GovCloud');
    assert.equal(await page.getByLabel('Default permissions', { exact: true }).isChecked(), true);
    const group = page.getByRole('group', { name: 'Permissions' });
    await expectText(page.locator('#aws-permissions-note'), /GovCloud and China accounts use the default permissions/, 'why customising is off');
    await expectAttr(group, 'aria-describedby', 'aws-permissions-note', 'the Permissions group');
    await checkA11y(page, 'connect AWS, GovCloud, both ways expanded');
    await screenshot(page, 'aws-govcloud');

    const roleArn = field(page, 'Role ARN');
    await roleArn.fill(ROLE);
    await roleArn.press('Shift+Tab');
    await expectFieldError(roleArn, /aws-us-gov/, 'Role ARN (commercial ARN, GovCloud chosen)');
    await checkA11y(page, 'connect AWS, GovCloud ARN mismatch');
    // Connect with the wrong partition: refused at the field, nothing sent, the value kept.
    await button(page, 'Connect').click();
    await expectFocused(roleArn, 'Role ARN after Connect with a wrong partition');
    await expectValue(roleArn, ROLE, 'Role ARN keeps the pasted value');
    assert.equal(await connectedProvider(suite.server, token, accountId), null);

    await roleArn.fill(GOV_ROLE);
    await expectFieldValid(roleArn, 'Role ARN (GovCloud ARN)');
    await button(page, 'Connect').click();
    await expectURL(page, '/dashboard');
    assert.equal(await connectedProvider(suite.server, token, accountId), 'aws');
    await expectNoPageProblems(page, problems);
  }));

  it('Connect pressed while the external ID is still loading says so, keeps the Role ARN, and connects once it shows', T, () => withPage(async (page, problems) => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(/\/api\/setup\/credentials\/aws\/externalId/, async (r) => { await held; await r.continue(); });
    await signupViaUi(page, newUser());
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    await field(page, 'Role ARN').fill(ROLE);
    await button(page, 'Connect').click();
    await expectVisible(page.getByRole('alert').filter({ hasText: /The external ID is still loading/ }), 'the words for an ID not shown yet');
    assert.equal(await page.getByText(/had expired/).count(), 0, 'nothing said of an expiry');
    await expectValue(field(page, 'Role ARN'), ROLE, 'the Role ARN kept');
    release();
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID');
    await button(page, 'Connect').click();
    await expectURL(page, '/dashboard');
    await expectNoPageProblems(page, problems);
  }));

  it('Change provider waits while Connect is on its way (taking the panel away would cancel it); then the account is connected', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const connecting = await holdRequests(page, /\/api\/setup\/credentials\/aws(\?|$)/, { method: 'POST' });
    await field(page, 'Role ARN').fill(ROLE);
    await button(page, 'Connect').click();
    const change = button(page, 'Change provider');
    await expectAttr(change, 'aria-disabled', 'true', 'Change provider while the credentials are on their way');
    await checkA11y(page, 'Change provider waiting for Connect');
    await screenshot(page, 'aws-change-provider-waiting');
    // Pressed anyway (past Playwright's own wait for an enabled button): nothing happens.
    await change.click({ force: true });
    await page.waitForTimeout(300);
    await expectVisible(field(page, 'Role ARN'), 'the AWS panel, still there');
    connecting.release();
    await connecting.passed;
    await expectURL(page, '/dashboard');
    await connecting.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('Browser Back while Connect is on its way does not cancel it: the server keeps the credentials, and the wizard ends on the dashboard', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    const answer = await holdFirstAnswer(page, /\/api\/setup\/credentials\/aws(\?|$)/, { method: 'POST' });
    await field(page, 'Role ARN').fill(ROLE);
    await button(page, 'Connect').click();
    await answer.served;
    assert.equal(await connectedProvider(suite.server, token, accountId), 'aws', 'the server stored the role');
    await page.goBack();
    await expectURL(page, '/welcome/provider');
    answer.release();
    // The page hears the answer although the panel has gone, and says what is true.
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    // The wizard's draft says AWS is connected (no provider was chosen when the answer came).
    const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem('onramp.draft.firstrun') ?? 'null'));
    assert.equal(kept?.connect?.connected, true, `the first-run draft: ${JSON.stringify(kept)}`);
    assert.equal(kept?.connect?.provider, 'aws', 'the provider written');
    await answer.stop();
    await expectNoPageProblems(page, problems);
  }));

  it('keyboard only: provider picker → customised policy → Role ARN → Connect → dashboard', T, () => withPage(async (page, problems) => {
    await signupViaUi(page, newUser());
    await expectURL(page, '/welcome/provider');
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);

    await tabUntil(page, (f) => f.id.startsWith('welcome-provider'), 'the provider radio group');
    await page.keyboard.press('Space');
    await expectAttr(page.getByRole('radio', { name: 'Amazon Web Services', exact: true }), 'aria-checked', 'true', 'AWS chosen by Space');
    await page.keyboard.press('Tab');
    await expectFocused(button(page, 'Next'), 'button "Next"');
    await page.keyboard.press('Enter');
    await expectURL(page, '/welcome/connect/aws');
    await expectText(page.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID');

    // The automatic panel opens and closes with Enter and Space.
    await tabUntil(page, (f) => f.id === 'aws-automatic-button', 'the automatic panel button');
    const auto = button(page, 'Automatically (CloudFormation)');
    await page.keyboard.press('Enter');
    await expectAttr(auto, 'aria-expanded', 'true', 'the automatic panel after Enter');
    await page.keyboard.press('Space');
    await expectAttr(auto, 'aria-expanded', 'false', 'the automatic panel after Space');

    // Customize permissions with the arrow keys, uncheck a product with Space.
    await tabUntil(page, (f) => f.id === 'aws-permissions-default', 'the Permissions radio group');
    await page.keyboard.press('ArrowDown');
    await expectFocused(page.getByLabel('Customize permissions', { exact: true }), '"Customize permissions"');
    assert.equal(await page.getByLabel('Customize permissions', { exact: true }).isChecked(), true);
    await page.keyboard.press('Tab');
    await expectFocused(page.getByLabel('Compute core (Elastigroup)', { exact: true }), 'the first product checkbox');
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('Compute core (Elastigroup)', { exact: true }).isChecked(), false);
    await expectText(page.locator('#aws-policy-json-code'), /SpotOcean/, 'the live policy preview');
    assert.doesNotMatch(await page.locator('#aws-policy-json-code').textContent(), /SpotComputeCore/, 'the unchecked product left the policy');
    await checkA11y(page, 'connect AWS, customised permissions');

    await tabUntil(page, (f) => f.id === 'aws-role-arn', 'Role ARN');
    await page.keyboard.type(ROLE);
    await page.keyboard.press('Enter');
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    assert.equal(await connectedProvider(suite.server, token, accountId), 'aws');
    await expectNoPageProblems(page, problems);
  }));

  it('a reload while waiting resumes the wait with everything typed; both ways collapsed pass axe', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    await page.getByLabel('Customize permissions', { exact: true }).check();
    await page.getByLabel('Storage (EBS volumes and snapshots)', { exact: true }).uncheck();
    await field(page, 'Role ARN').fill(ROLE);
    await button(page, 'Automatically (CloudFormation)').click();
    const [popup] = await Promise.all([page.waitForEvent('popup'), quickCreate(page).click()]);
    await popup.close();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting' }), /Waiting for the stack/, 'the waiting status');

    await page.reload();
    await expectURL(page, '/welcome/connect/aws');
    await expectAttr(button(page, 'Automatically (CloudFormation)'), 'aria-expanded', 'true', 'the automatic panel after the reload');
    await expectAttr(button(page, 'Manually (IAM console)'), 'aria-expanded', 'true', 'the manual panel after the reload');
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting' }), /Waiting for the stack/, 'the wait resumed after the reload');
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after the reload');
    assert.equal(await page.getByLabel('Customize permissions', { exact: true }).isChecked(), true);
    assert.equal(await page.getByLabel('Storage (EBS volumes and snapshots)', { exact: true }).isChecked(), false);
    const drafts = await page.evaluate(() => Object.entries(sessionStorage).filter(([k]) => k.startsWith('onramp.draft.')));
    assert.ok(drafts.some(([k, v]) => k === 'onramp.draft.firstrun/aws' && v.includes(ROLE)), 'the AWS part holds the Role ARN');
    assert.ok(!JSON.stringify(drafts).includes(token), 'the session token is in no draft');

    // Collapse both ways and the panel itself: nothing typed is lost; axe on each state.
    await button(page, 'Automatically (CloudFormation)').click();
    await button(page, 'Manually (IAM console)').click();
    await checkA11y(page, 'connect AWS, both ways collapsed');
    await button(page, 'Linked account').click();
    await checkA11y(page, 'connect AWS, linked account collapsed');
    await button(page, 'Linked account').click();
    await button(page, 'Manually (IAM console)').click();
    await expectValue(field(page, 'Role ARN'), ROLE, 'Role ARN after collapsing and expanding');

    await stackCallback(suite.server, token, accountId);
    await expectURL(page, '/dashboard');
    await expectNoPageProblems(page, problems);
  }));

  it('dark theme: the new states pass axe (customised, China, waiting, stopped)', T, () => withPage(async (page, problems) => {
    await toConnectAws(page);
    await button(page, 'Automatically (CloudFormation)').click();
    await page.getByLabel('Customize permissions', { exact: true }).check();
    await expectVisible(page.locator('#aws-policy-json-code'), 'the live policy preview');
    await checkA11y(page, 'dark: connect AWS, customised permissions');
    await page.getByLabel('Yes, AWS China', { exact: true }).check();
    await expectVisible(page.locator('#aws-permissions-note'), 'why customising is off in China');
    await checkA11y(page, 'dark: connect AWS, China (customising disabled)');
    await page.getByLabel('No', { exact: true }).check();
    await button(page, 'Check for the connection').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting' }), /Waiting for the stack/, 'the waiting status');
    // Each button goes once pressed: focus moves to the next state's, never to the page's body.
    await expectFocused(button(page, 'Cancel'), 'Cancel (Check for the connection went)');
    await checkA11y(page, 'dark: connect AWS, waiting');
    await button(page, 'Cancel').click();
    await expectText(page.getByRole('status').filter({ hasText: 'Stopped' }), /Stopped waiting/, 'the stopped status');
    await expectFocused(button(page, 'Check for the connection'), 'Check for the connection (Cancel went)');
    await checkA11y(page, 'dark: connect AWS, stopped');
    await screenshot(page, 'aws-dark-stopped');
    await expectNoPageProblems(page, problems);
  }, { colorScheme: 'dark' }));
});

describe('AWS linked account: a stack that connects itself (server with --public-url)', () => {
  const PUBLIC = 'https://onramp.example.com';
  const standInConsole = (context) => context.route(CONSOLES, (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>AWS console</title>' }));
  const suite = browserSuite({ start: () => startServer({ args: ['--public-url', PUBLIC] }), prepare: standInConsole });

  it('the link carries ApiUrl and a connect token; the stack connects with it once, and the page moves on', T, () => suite.withPage(async (page, problems) => {
    await toConnectAws(page);
    const token = await session(page);
    const accountId = await accountOf(suite.server, token);
    await button(page, 'Automatically (CloudFormation)').click();
    await expectAttr(quickCreate(page), 'target', '_blank', 'the quick-create link');
    const { params } = await quickCreateParts(page);
    assert.equal(params.get('param_AccountId'), accountId);
    assert.equal(params.get('param_ApiUrl'), `${PUBLIC}/api`);
    const connectToken = params.get('param_ConnectToken');
    assert.match(connectToken ?? '', /^[A-Za-z0-9_-]{43}$/, 'the connect token in the link');
    assert.equal(await page.locator('#aws-no-self-connect').count(), 0, 'no fallback sentence');
    await expectVisible(page.getByText('then connects it to Spot by itself'), 'the self-connecting promise');
    await checkA11y(page, 'connect AWS, automatic with a connect token');

    const [popup] = await Promise.all([page.waitForEvent('popup'), quickCreate(page).click()]);
    await popup.close();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting for the stack' }), /Waiting for the stack/, 'the waiting status');

    // What the stack's function sends: the connect token, no session.
    const path = `/api/setup/credentials/aws?accountId=${accountId}`;
    const body = { credentials: { iamRole: ROLE } };
    const first = await api(suite.server, 'POST', path, { token: connectToken, body });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    const again = await api(suite.server, 'POST', path, { token: connectToken, body });
    assert.equal(again.status, 401, 'a connect token works once');
    await expectNoPageProblems(page, problems);
  }));

  /** Launches the stack from the link, then reloads the page mid-wait. */
  async function launchThenReload(page) {
    await toConnectAws(page);
    const accountId = await accountOf(suite.server, await session(page));
    await button(page, 'Automatically (CloudFormation)').click();
    const connectToken = (await quickCreateParts(page)).params.get('param_ConnectToken');
    const [popup] = await Promise.all([page.waitForEvent('popup'), quickCreate(page).click()]);
    await popup.close();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting for the stack' }), /Waiting for the stack/, 'the waiting status');
    await page.reload();
    await expectText(page.getByRole('status').filter({ hasText: 'Waiting for the stack' }), /Waiting for the stack/, 'the wait, resumed after the reload');
    await expectVisible(page.locator('#aws-link-held'), 'why there is no new link');
    await page.waitForLoadState('networkidle');
    assert.equal(await quickCreate(page).count(), 0, 'no new link (its token would replace the running stack\'s)');
    return { path: `/api/setup/credentials/aws?accountId=${accountId}`, connectToken };
  }

  it('a reload while the stack runs keeps its connect token: the stack still connects, and the page moves on', T, () => suite.withPage(async (page, problems) => {
    const { path, connectToken } = await launchThenReload(page);
    await checkA11y(page, 'connect AWS, waiting after a reload');
    const done = await api(suite.server, 'POST', path, { token: connectToken, body: { credentials: { iamRole: ROLE } } });
    assert.equal(done.status, 200, `the launched stack's callback: ${JSON.stringify(done.body)}`);
    await expectURL(page, '/dashboard');
    await expectVisible(page.getByText(CONNECTED), 'the success message');
    await expectNoPageProblems(page, problems);
  }));

  it('Make a new link, by keyboard: a link with a new token, focus on it; the earlier stack\'s token is then refused', T, () => suite.withPage(async (page, problems) => {
    const { path, connectToken } = await launchThenReload(page);
    await page.locator('#aws-new-link').focus();
    await page.keyboard.press('Enter');
    await expectFocused(quickCreate(page), 'the new link');
    const fresh = (await quickCreateParts(page)).params.get('param_ConnectToken');
    assert.match(fresh ?? '', /^[A-Za-z0-9_-]{43}$/, 'a connect token in the new link');
    assert.notEqual(fresh, connectToken, 'a new token');
    const body = { credentials: { iamRole: ROLE } };
    const old = await api(suite.server, 'POST', path, { token: connectToken, body });
    assert.equal(old.status, 401, 'the earlier stack\'s token was replaced, as the page said');
    const done = await api(suite.server, 'POST', path, { token: fresh, body });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    await expectURL(page, '/dashboard');
    await expectNoPageProblems(page, problems);
  }));
});
