// Connecting a whole AWS Organization: paste 50 members, choose 40, create their Spot accounts
// while answers get lost and the page is reloaded half-way (exactly 40 accounts in the end), then
// connect them as the StackSet's callback would (the batch token, one role per member) and watch
// the table turn Connected; a reload forgets the token and Renew gives a new one; an expired token
// is said and renewed. Without connect tokens the page says why, still gives the StackSet commands
// (no ApiUrl/ConnectToken; the stack set named after its members, the same after a reload) and
// connects the members by their predictable role ARNs. 1,000 members: all created, the template
// over 51,200 bytes goes through an S3 bucket, the table draws 25 rows a page and the search and the
// state filter find the others. axe at 1280 and 320 px on every screen; one keyboard-only pass.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectNoPageProblems, expectNoSidewaysScroll, expectText, expectURL, expectValue,
  expectVisible, open, screenshot,
} from './lib/browser.mjs';
import { button, field } from './lib/app.mjs';
import { clearFaults, setFaults, startFaultServer } from './lib/faults.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 240_000 };
const PUBLIC = 'https://onramp.example.com';
const BASE = '/accounts/new/aws-organization';
const LIST_LABEL = 'Member accounts (JSON or CSV)';
const PLAN_KEY = 'onramp.draft.awsorg.plan';
const MANAGEMENT = '100000000001';

/** `aws organizations list-accounts` output: 50 members, the first the management account, the
 * last ten (`sandboxes`) "Sandbox" accounts of which the last two are suspended. */
function listAccounts(n = 50, sandboxes = 10) {
  const accounts = [];
  for (let i = 1; i <= n; i += 1) {
    const id = String(100000000000 + i);
    const sandbox = i > n - sandboxes;
    const state = sandbox && i > n - 2 ? 'SUSPENDED' : 'ACTIVE';
    accounts.push({
      Id: id,
      Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-exampleorg1/${id}`,
      Email: `aws+${i}@example.com`,
      Name: sandbox ? `Sandbox ${i}` : `Team ${String(i).padStart(2, '0')}`,
      Status: state,
      State: state,
      JoinedMethod: 'CREATED',
      JoinedTimestamp: '2024-01-01T00:00:00+00:00',
    });
  }
  return JSON.stringify({ Accounts: accounts }, null, 2);
}

/** axe at 1280 px, then at 320 × 640 px with no sideways scrolling, then back. */
async function scan(page, name) {
  await checkA11y(page, `${name} (1280 px)`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    await expectNoSidewaysScroll(page, `${name} (320 px)`);
    await checkA11y(page, `${name} (320 px)`);
    await screenshot(page, `aws-org-320-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  } finally {
    await page.setViewportSize(size);
  }
}

async function signedIn(server, page) {
  const token = await signupViaApi(server, newUser());
  await page.goto('/favicon.svg');
  await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
  return token;
}

async function accounts(server, token) {
  const res = await api(server, 'GET', '/api/setup/account', { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response.items;
}

/** The plan the page keeps (never the token). */
function storedPlan(page) {
  return page.evaluate((k) => JSON.parse(sessionStorage.getItem(k) ?? 'null'), PLAN_KEY);
}

/** The batch token in the commands on screen. */
async function tokenOnScreen(page) {
  const text = await page.locator('#aws-org-commands-code').innerText();
  const m = /"ParameterKey":"ConnectToken","ParameterValue":"([A-Za-z0-9_-]{20,})"/.exec(text);
  assert.ok(m, `a batch token in the commands:\n${text.slice(0, 2000)}`);
  return m[1];
}

/** The batch token in the commands once it differs from `previous` (a renewal answers later). */
async function newTokenOnScreen(page, previous) {
  for (let i = 0; i < 50; i++) {
    const text = await page.locator('#aws-org-commands-code').innerText();
    const m = /"ParameterKey":"ConnectToken","ParameterValue":"([A-Za-z0-9_-]{20,})"/.exec(text);
    if (m && m[1] !== previous) return m[1];
    await page.waitForTimeout(200);
  }
  assert.fail(`the batch token on screen never changed from ${previous}`);
}

/** What the StackSet's callback sends for one member. */
function callback(server, token, accountId, awsId, role = ROLE_NAME) {
  return api(server, 'POST', `/api/setup/credentials/aws?accountId=${accountId}`, {
    token,
    body: { credentials: { iamRole: `arn:aws:iam::${awsId}:role/${role}` } },
  });
}

/** The role the StackSet creates in every member (core's STACKSET_ROLE_NAME). */
const ROLE_NAME = 'Spot-Role-Onramp';
const OU = 'ou-ab12-cdefgh34';

/** Steps 1 and 2 with the mouse: paste, choose 40 of 50 (filter Sandbox → None), prefix aws-. */
async function pasteAndChoose(page) {
  await expectVisible(page.getByRole('heading', { name: 'Connect an AWS Organization', level: 1 }), 'the flow heading');
  const list = field(page, LIST_LABEL);
  // A wrong paste: the message sits at the field and the text stays.
  await list.fill('{"Accounts": [');
  await button(page, 'Next').click();
  await expectFieldError(list, /not valid JSON/, 'the list');
  await expectValue(list, '{"Accounts": [', 'the list after the error');
  await list.fill(listAccounts());
  await button(page, 'Next').click();
  await expectURL(page, `${BASE}/members`);
  const counts = page.locator('#aws-org-count');
  await expectText(counts, /^48 of 50 chosen$/, 'the default choice (suspended left out)');
  await expectVisible(page.getByText('Management account', { exact: true }), 'the management account marked');
  assert.equal(await page.getByLabel('Sandbox 50', { exact: true }).isChecked(), false, 'a suspended member starts unchosen');
  await field(page, 'Filter by name, ID or email').fill('sandbox');
  await expectText(counts, /48 of 50 chosen · 10 match the filter/, 'the counts with the filter');
  await page.locator('#aws-org-none').click();
  await field(page, 'Filter by name, ID or email').fill('');
  await expectText(counts, /^40 of 50 chosen$/, 'the counts after None');
  await page.getByLabel('A prefix, then the AWS name', { exact: true }).check();
  await field(page, 'Prefix').fill('aws-');
  await expectText(page.locator('.aws-org-example'), /Team 01 \(AWS\) becomes “aws-Team 01” in Spot\./, 'the naming preview');
  await expectText(page.locator('#aws-org-choice tbody tr').first(), /aws-Team 01/, 'the Spot name column');
}

describe('AWS Organization: a server with connect tokens', () => {
  const suite = browserSuite({
    start: () => startFaultServer({ args: ['--public-url', PUBLIC] }),
    beforeEachTest: clearFaults,
    cleanup: clearFaults,
  });

  it('50 pasted, 40 chosen, created through lost answers and a reload (exactly 40), connected by the callback, token renewed and expired', T,
    () => suite.withPage(async (page, problems) => {
      const token = await signedIn(suite.server, page);
      await open(page, '/accounts/new');
      await page.getByRole('link', { name: 'Connect a whole AWS Organization' }).click();
      await expectURL(page, BASE);
      await scan(page, 'paste');
      await pasteAndChoose(page);
      await scan(page, 'members');
      await button(page, 'Next').click();
      await expectURL(page, `${BASE}/create`);
      await expectVisible(button(page, 'Create 40 accounts'), 'the create button');
      await scan(page, 'create');

      // Half the answers to Create account are lost (the accounts are made), and the page is
      // reloaded half-way.
      await setFaults(suite.server, { loseAfterWriteRate: 0.5, latencyMs: 400, only: '/api/setup/account' });
      await button(page, 'Create 40 accounts').click();
      const start = Date.now();
      let made = 0;
      while ((made = (await accounts(suite.server, token)).length) < 1 + 15) {
        assert.ok(Date.now() - start < 60_000, 'accounts are being created');
        await page.waitForTimeout(50);
      }
      assert.ok(made < 41, `the reload comes half-way (${made - 1} of 40 made)`);
      await page.reload();
      await expectURL(page, `${BASE}/create`);
      await expectText(page.locator('.aws-org-summary'), /Creating Spot accounts|external IDs|batch token|Done/, 'progress after the reload');
      await page.waitForURL(`**${BASE}/deploy`, { timeout: 120_000 });
      await clearFaults(suite.server);

      const all = await accounts(suite.server, token);
      const ours = all.filter((a) => a.name.startsWith('aws-'));
      assert.equal(ours.length, 40, `exactly 40 Spot accounts: ${ours.map((a) => a.name).join(', ')}`);
      assert.equal(new Set(ours.map((a) => a.name)).size, 40, 'one per member');
      assert.equal(all.length, 41, 'and nothing else besides the organization\'s first account');
      assert.ok(!ours.some((a) => /Sandbox/.test(a.name)), 'no unchosen member');

      await expectText(page.locator('.aws-org-member-summary [role="status"]'), /0 of 40 connected · 0 failed · 40 waiting/, 'the members summary');
      // The commands need the organizational units; a wrong one is refused at the field.
      const ous = field(page, 'Organizational unit IDs');
      await ous.fill('ou-1');
      await ous.press('Tab');
      await expectFieldError(ous, /./, 'the OU IDs');
      await ous.fill(OU);
      await ous.press('Tab');
      await expectText(page.locator('#aws-org-commands-code'), /create-stack-set --region us-east-1[\s\S]*create-stack-instances/, 'the two commands');
      // An organization in GovCloud: the commands and the console steps name its region.
      await page.getByLabel('AWS GovCloud (US)', { exact: true }).check();
      await expectText(page.locator('#aws-org-commands-code'), /create-stack-set --region us-gov-west-1[\s\S]*--regions us-gov-west-1/, 'the GovCloud commands');
      assert.ok(!(await page.locator('#aws-org-commands-code').innerText()).includes('us-east-1'), 'no commercial region left in the GovCloud commands');
      await expectText(page.locator('.aws-org-console'), /in one region: us-gov-west-1/, 'the console steps in GovCloud');
      await page.getByLabel('Commercial AWS', { exact: true }).check();
      await expectText(page.locator('#aws-org-commands-code'), /create-stack-set --region us-east-1/, 'back to commercial AWS');
      const template = JSON.parse(await page.locator('#aws-org-template-code').innerText());
      assert.equal(Object.keys(template.Mappings.SpotAccounts).length, 40, 'one mapping per member');
      assert.ok(!JSON.stringify(template).includes('ParameterValue'), 'no token in the template');
      await scan(page, 'deploy with the token');
      const batchToken = await tokenOnScreen(page);
      const plan = await storedPlan(page);
      assert.match(plan.batchId, /^bat-[0-9a-f]{8}$/);
      const storage = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
      assert.ok(!storage.includes(batchToken), 'the batch token is not stored in the browser');

      // The StackSet's callback, member by member; one member gets a wrong role first.
      const byName = new Map(ours.map((a) => [a.name, a.accountId]));
      const members = plan.members.map((m) => ({ aws: m.cloudId, act: byName.get(m.spotName) }));
      assert.equal(members.length, 40);
      for (const m of members.slice(0, 39)) {
        const res = await callback(suite.server, batchToken, m.act, m.aws);
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      const last = members[39];
      const refused = await callback(suite.server, batchToken, last.act, last.aws, 'bad role name with spaces');
      assert.notEqual(refused.status, 200, 'a wrong role is refused');
      await button(page, 'Check now').click();
      await expectText(page.locator('.aws-org-member-summary [role="status"]'), /39 of 40 connected · 1 failed · 0 waiting/, 'the table after the callbacks');
      await page.locator('#aws-org-members-show-failed').check();
      await expectText(page.locator('.aws-org-deploy tbody tr'), /Failed/, 'the failed member');
      await scan(page, 'deploy, a failed member');

      // A reload forgets the token: the page says so and Renew gives a new one.
      await page.reload();
      await expectURL(page, `${BASE}/deploy`);
      await expectVisible(page.getByText(/The batch token is not kept in this browser/), 'the token is not kept');
      await scan(page, 'deploy after a reload');
      // A token that expires at once: the page says it has expired and renews it.
      await setFaults(suite.server, { batchTokenTtlSecs: 1 });
      await button(page, 'Renew the batch token').click();
      const short = await newTokenOnScreen(page, batchToken);
      await page.waitForTimeout(1_500);
      await button(page, 'Check now').click();
      await expectVisible(page.getByText(/The batch token has expired/), 'the expiry said');
      await scan(page, 'deploy, token expired');
      await clearFaults(suite.server);
      // A renewal the server refuses is said next to the button that asked for it.
      const RENEW = /\/api\/onramp\/aws\/batches\/[^/]+\/token$/;
      await page.route(RENEW, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{}' }));
      await page.locator('#aws-org-renew-expired').click();
      await expectVisible(page.getByRole('alert').filter({ hasText: /The batch token was not renewed/ }), 'the refused renewal, said');
      await page.unroute(RENEW);
      await page.locator('#aws-org-renew-expired').click();
      await expectVisible(page.locator('#aws-org-token-heading'), 'the new token');
      const renewed = await newTokenOnScreen(page, short);
      await expectText(page.locator('#aws-org-update-code'), /update-stack-instances[\s\S]*ConnectToken/, 'the token update for the members not connected');
      const old = await callback(suite.server, batchToken, last.act, last.aws);
      assert.equal(old.status, 401, 'the first token no longer works');
      const ok = await callback(suite.server, renewed, last.act, last.aws);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      await page.locator('#aws-org-members-show-all').check();
      await button(page, 'Check now').click();
      await expectText(page.locator('.aws-org-member-summary [role="status"]'), /All 40 members are connected\./, 'all connected');
      const connected = (await accounts(suite.server, token)).filter((a) => a.name.startsWith('aws-') && a.cloudProvider === 'aws');
      assert.equal(connected.length, 40);
      await expectNoPageProblems(page, problems);
    }));
});

describe('AWS Organization: rate limited half-way', () => {
  const suite = browserSuite({
    start: () => startFaultServer({ args: ['--public-url', PUBLIC] }),
    beforeEachTest: clearFaults,
    cleanup: clearFaults,
  });

  it('a 429 on Create account stops with words and Try again; it resumes and makes each account once', T,
    () => suite.withPage(async (page, problems) => {
      const token = await signedIn(suite.server, page);
      await open(page, BASE);
      await field(page, LIST_LABEL).fill(listAccounts(8, 0));
      await button(page, 'Next').click();
      await expectText(page.locator('#aws-org-count'), /^8 of 8 chosen$/, 'eight chosen');
      await button(page, 'Next').click();
      await expectURL(page, `${BASE}/create`);
      await setFaults(suite.server, { rateLimitEvery: 4, resetSecs: 30, only: '/api/setup/account' });
      await button(page, 'Create 8 accounts').click();
      await expectVisible(page.getByRole('alert').filter({ hasText: /Too many requests in a short time\. Wait 30 seconds, then try again\./ }), 'the 429 said');
      await expectVisible(button(page, 'Try again'), 'Try again');
      await scan(page, 'create, rate limited');
      // The fault counts every request to the path, this test's own reads too: lift it before reading.
      await clearFaults(suite.server);
      const before = (await accounts(suite.server, token)).filter((a) => a.name.startsWith('Team')).length;
      assert.ok(before < 8, `stopped half-way (${before} made)`);
      await button(page, 'Try again').click();
      await page.waitForURL(`**${BASE}/deploy`, { timeout: 60_000 });
      const made = (await accounts(suite.server, token)).filter((a) => a.name.startsWith('Team'));
      assert.equal(made.length, 8, made.map((a) => a.name).join(', '));
      assert.equal(new Set(made.map((a) => a.name)).size, 8);
      await expectNoPageProblems(page, problems);
    }));
});

describe('AWS Organization: a server without connect tokens, keyboard only', () => {
  const suite = browserSuite({ start: () => startFaultServer() });

  /** Tab (at most 80 times) until `selector` has focus; focus must never fall to the body. */
  async function tabTo(page, selector, what) {
    for (let i = 0; i < 80; i += 1) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    assert.fail(`Tab never reached ${what}`);
  }
  async function focusNotOnBody(page, when) {
    // Focus moves a frame after a step changes.
    await page.waitForTimeout(100);
    const tag = await page.evaluate(() => document.activeElement?.tagName);
    assert.notEqual(tag, 'BODY', `focus fell to the body ${when}`);
  }

  it('keyboard only: paste, choose, create; no tokens said and Connect deployed members connects every member', T,
    () => suite.withPage(async (page, problems) => {
      const token = await signedIn(suite.server, page);
      await open(page, '/welcome');
      // The first-run wizard's AWS panel offers the organization as a third way.
      await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).check();
      await button(page, 'Next').click();
      // The panel starts open (its chunk may still be loading): a click here would close it.
      await expectAttr(button(page, 'Linked account'), 'aria-expanded', 'true', 'the "Linked account" panel');
      const link = page.getByRole('link', { name: 'Connect a whole AWS Organization' });
      await expectVisible(link, 'the organization link in the AWS panel');
      await link.focus();
      await page.keyboard.press('Enter');
      await expectURL(page, BASE);

      await tabTo(page, '#aws-org-list', 'the list');
      await page.keyboard.insertText(listAccounts(6, 0));
      await tabTo(page, '.aws-org-list .btn-primary', 'Next');
      await page.keyboard.press('Enter');
      await expectURL(page, `${BASE}/members`);
      await focusNotOnBody(page, 'after step 1');
      await expectText(page.locator('#aws-org-count'), /^6 of 6 chosen$/, 'six chosen');
      await tabTo(page, '#aws-org-pick-100000000001', 'the management account\'s box');
      await page.keyboard.press('Space');
      await expectText(page.locator('#aws-org-count'), /^5 of 6 chosen$/, 'five chosen');
      await tabTo(page, '.aws-org-members .btn-primary', 'Next');
      await page.keyboard.press('Enter');
      await expectURL(page, `${BASE}/create`);
      await focusNotOnBody(page, 'after step 2');
      await tabTo(page, '#aws-org-retry', 'Create 5 accounts');
      await page.keyboard.press('Enter');
      await expectVisible(page.locator('#aws-org-no-tokens'), 'why there is no token');
      await focusNotOnBody(page, 'after the refusal');
      await scan(page, 'create, no connect tokens');
      assert.equal((await accounts(suite.server, token)).filter((a) => a.name.startsWith('Team')).length, 5);

      await tabTo(page, '#aws-org-no-tokens .btn', 'Continue without a token');
      await page.keyboard.press('Enter');
      await expectURL(page, `${BASE}/deploy`);
      await focusNotOnBody(page, 'after step 3');
      await expectText(page.locator('.aws-org-member-summary [role="status"]'), /0 of 5 connected · 0 failed · 5 waiting/, 'five waiting');
      // The StackSet commands still come, without the callback's parameters: each stack only
      // creates the role, and the stack set is named after its members.
      await tabTo(page, '#aws-org-targets', 'the organizational units');
      await page.keyboard.type(OU);
      await page.keyboard.press('Tab');
      const commands = page.locator('#aws-org-commands-code');
      await expectText(commands, /create-stack-set[\s\S]*create-stack-instances/, 'the two commands without a token');
      const text = await commands.innerText();
      assert.ok(!/ApiUrl|ConnectToken/.test(text), `no callback parameters:\n${text}`);
      assert.match(text, /--parameters '\[\{"ParameterKey":"Principal","ParameterValue":"arn:aws:iam::922761411349:root"\}\]'/);
      assert.match(text, /--template-body 'file:\/\/spot-stackset\.json'/);
      assert.match(text, /"Accounts":\["100000000002","100000000003","100000000004","100000000005","100000000006"\]/);
      const name = /--stack-set-name '(Spot-Onramp-members-[0-9a-f]{16})'/.exec(text)?.[1];
      assert.ok(name, `a stack set name from the members:\n${text}`);
      const template = JSON.parse(await page.locator('#aws-org-template-code').innerText());
      assert.equal(Object.keys(template.Mappings.SpotAccounts).length, 5, 'one mapping per member');
      assert.equal(template.Parameters.ConnectToken.Default, '', 'the token may be left out');
      assert.equal(template.Resources.SpotConnect.Condition, 'ConnectItself', 'the callback only with a token');
      await scan(page, 'deploy, no connect tokens');
      // The same name after a reload: it comes from the members, not from the moment.
      await page.reload();
      await expectURL(page, `${BASE}/deploy`);
      await expectText(commands, new RegExp(`--stack-set-name '${name}'`), 'the same stack set name after a reload');
      // The organization is in GovCloud: chosen with the arrow keys, so the roles connected
      // below are GovCloud ARNs.
      await tabTo(page, '#aws-org-partition-commercial', 'the partition choice');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.locator('#aws-org-partition-govcloud').isChecked(), true, 'GovCloud chosen by keyboard');
      await tabTo(page, '#aws-org-connect-deployed', 'Connect deployed members');
      await page.keyboard.press('Enter');
      await expectText(page.locator('.aws-org-member-summary [role="status"]'), /All 5 members are connected\./, 'all connected');
      await focusNotOnBody(page, 'after connecting');
      const connected = (await accounts(suite.server, token)).filter((a) => a.cloudProvider === 'aws');
      assert.equal(connected.length, 5);
      const plan = await storedPlan(page);
      for (const m of plan.members) {
        const act = connected.find((a) => a.name === m.spotName);
        assert.ok(act, `the Spot account of ${m.spotName}`);
        const res = await api(suite.server, 'GET', `/api/setup/credentials/aws?accountId=${act.accountId}`, { token });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(JSON.stringify(res.body).includes(`"arn:aws-us-gov:iam::${m.cloudId}:role/${ROLE_NAME}"`),
          `the GovCloud role of ${m.cloudId}: ${JSON.stringify(res.body)}`);
      }
      await expectNoPageProblems(page, problems);
    }));
});

describe('AWS Organization: 1,000 members', () => {
  // 1,000 creates and 1,000 external IDs go to one organization: above the default rate limit.
  const suite = browserSuite({
    start: () => startFaultServer({ args: ['--public-url', PUBLIC, '--rate-limit', '100000'] }),
  });

  it('1,000 pasted and chosen, created, the template goes through S3, the table draws 25 a page and finds the others', { timeout: 900_000 },
    () => suite.withPage(async (page, problems) => {
      const token = await signedIn(suite.server, page);
      await open(page, BASE);
      // Compact JSON (about 190 KB): the same list without the indentation.
      await field(page, LIST_LABEL).fill(JSON.stringify(JSON.parse(listAccounts(1000, 0))), { timeout: 120_000 });
      await button(page, 'Next').click();
      await expectURL(page, `${BASE}/members`);
      await expectText(page.locator('#aws-org-count'), /^1000 of 1000 chosen$/, 'every member chosen');
      await button(page, 'Next').click();
      await expectURL(page, `${BASE}/create`);
      await button(page, 'Create 1000 accounts').click();
      await page.waitForURL(`**${BASE}/deploy`, { timeout: 840_000 });
      const made = (await accounts(suite.server, token)).filter((a) => a.name.startsWith('Team'));
      assert.equal(made.length, 1000, 'one Spot account per member');
      assert.equal(new Set(made.map((a) => a.name)).size, 1000);

      const summary = page.locator('.aws-org-member-summary [role="status"]');
      await expectText(summary, /0 of 1000 connected · 0 failed · 1000 waiting/, 'the summary counts');
      // Too large to pass inline: the page asks for a bucket before giving the commands.
      // Too long to draw whole: the first lines show, with a note, and Download gives all of it.
      const drawn = await page.locator('#aws-org-template-code').innerText();
      assert.equal(drawn.split('\n').length, 600, 'the first 600 lines drawn');
      await expectVisible(page.getByText(/^Showing the first 600 of \d{4} lines; Copy and Download take all of them\.$/), 'the note on the rest');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download StackSet template' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'spot-stackset.json');
      const template = readFileSync(await download.path(), 'utf8');
      assert.ok(template.startsWith(drawn), 'what is drawn is the start of the template');
      assert.ok(Buffer.byteLength(template) > 51_200, `the template is ${Buffer.byteLength(template)} bytes`);
      assert.equal(Object.keys(JSON.parse(template).Mappings.SpotAccounts).length, 1000, 'one mapping per member');
      const ous = field(page, 'Organizational unit IDs');
      await ous.fill(OU);
      await ous.press('Tab');
      await expectText(page.locator('.aws-org-deploy'), /more than the 51200 AWS takes inline: name an S3 bucket/, 'the bucket asked for');
      assert.equal(await page.locator('#aws-org-commands-code').count(), 0, 'no commands without a bucket');
      await field(page, 'S3 bucket for the template').fill('acme-onramp-templates');
      const commands = page.locator('#aws-org-commands-code');
      await expectText(commands, /create-stack-instances/, 'the commands');
      const text = await commands.innerText();
      assert.ok(text.startsWith("aws s3 cp 'spot-stackset.json' 's3://acme-onramp-templates/spot-stackset.json' --region us-east-1"), text.slice(0, 300));
      assert.ok(text.includes("--template-url 'https://acme-onramp-templates.s3.us-east-1.amazonaws.com/spot-stackset.json'"), 'the template URL');
      assert.ok(!text.includes('--template-body'), 'nothing inline');

      // One member connects (the StackSet's callback); the table draws 1,000 rows 25 at a time.
      const plan = await storedPlan(page);
      const byName = new Map(made.map((a) => [a.name, a.accountId]));
      const m777 = plan.members.find((m) => m.cloudId === '100000000777');
      const r = await callback(suite.server, await tokenOnScreen(page), byName.get(m777.spotName), m777.cloudId);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await button(page, 'Check now').click();
      await expectText(summary, /1 of 1000 connected · 0 failed · 999 waiting/, 'the summary after one callback');
      const rows = page.locator('.aws-org-deploy tbody tr');
      assert.equal(await rows.count(), 25, 'one page of 25 rows drawn');
      const range = page.locator('.aws-org-deploy .pager-range');
      await expectText(range, /^Showing 1–25 of 1000$/, 'the first page');
      // Next by keyboard: the next page, focus kept on the button.
      await page.locator('.aws-org-deploy .pager').getByRole('button', { name: 'Next' }).focus();
      await page.keyboard.press('Enter');
      await expectText(range, /^Showing 26–50 of 1000$/, 'the second page');
      await expectText(rows.first(), /100000000026/, 'its first member');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Next', 'focus stays on Next');
      // The search finds a member far beyond the first page.
      await field(page, 'Search by name or ID').fill('100000000950');
      await expectText(rows.first(), /100000000950/, 'the searched member');
      assert.equal(await rows.count(), 1, 'only that member');
      // The state filter finds the connected one.
      await field(page, 'Search by name or ID').fill('');
      await page.locator('#aws-org-members-show-connected').check();
      await expectText(rows.first(), /100000000777[\s\S]*Connected/, 'the connected member');
      assert.equal(await rows.count(), 1);
      await page.locator('#aws-org-members-show-waiting').check();
      await expectText(range, /^Showing 1–25 of 999$/, 'the waiting ones');
      await expectNoPageProblems(page, problems);
    }));
});
