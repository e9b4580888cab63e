// Drafts across tabs and after success (issue 7 "Drafts"), and hostile names shown as text
// (issue 7 "Hostile input", the browser's side: the server's refusals are tested in its crate).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, newUser, signupViaApi } from './lib/server.mjs';
import {
  checkA11y, expectNoPageProblems, expectText, expectURL, expectValue, expectVisible, open, waitInteractive
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 120_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';

describe('drafts and hostile names', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('a draft follows into a new tab of the same session, and success clears what was typed', T, () => withPage(async (page, problems) => {
    const user = newUser();
    await signupViaUi(page, user);
    await chooseProvider(page, 'Amazon Web Services', 'aws');
    await field(page, 'Role ARN').fill(ROLE);

    // A tab opened from this one shares its session (sessionStorage is copied to it).
    const [tab] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(() => { window.open('/welcome/connect/aws', '_blank'); }),
    ]);
    await waitInteractive(tab);
    await expectURL(tab, '/welcome/connect/aws');
    await expectValue(field(tab, 'Role ARN'), ROLE, 'Role ARN in the new tab');
    // Connect needs the organization's account: until the tab has loaded the profile (the user
    // menu then names the user), a press only says "still loading" (seen under load).
    await expectText(tab.locator('#user-menu-button'), new RegExp(user.fullName), 'the profile loaded in the new tab');
    // Likewise the external ID (the first tab may not have had it yet when the tab opened): a
    // press before it shows only says it is still loading.
    await expectText(tab.locator('#aws-external-id'), /^\S{8,}$/, 'the external ID in the new tab');

    await button(tab, 'Connect').click();
    await expectURL(tab, '/dashboard');
    const draft = await tab.evaluate(() => JSON.stringify(Object.entries(sessionStorage).filter(([k]) => k.startsWith('onramp.draft.firstrun'))));
    assert.ok(!draft.includes(ROLE), `the finished draft and its parts keep no typed value: ${draft}`);
    // The finished wizard sends the user on to the dashboard rather than starting again.
    await open(tab, '/welcome');
    await expectURL(tab, '/dashboard');
    await expectNoPageProblems(page, problems);
  }));

  it('names with markup, bidi overrides and look-alikes are refused or shown as plain text', T, () => withPage(async (page, problems) => {
    const token = await signupViaApi(suite.server, newUser());
    const names = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=1</script>',
      'invoice\u202Egnp.exe',
      '\u0410dmin account', // Cyrillic А
      'x'.repeat(10_000),
    ];
    const shown = [];
    for (const name of names) {
      const r = await api(suite.server, 'POST', '/api/setup/account', { token, body: { account: { name } } });
      if (r.status === 200) {
        shown.push(name);
      } else {
        // Refused: a 400 with a message that names the problem, never a 500.
        assert.equal(r.status, 400, `${JSON.stringify(name.slice(0, 40))}: ${r.status}`);
        const message = r.body?.response?.errors?.[0]?.message ?? '';
        assert.ok(message.length > 10, `a clear refusal for ${JSON.stringify(name.slice(0, 40))}: ${JSON.stringify(r.body)}`);
      }
    }
    assert.ok(shown.some((n) => n.startsWith('<img')), 'markup in a name is accepted as text (it is a valid name)');

    await page.goto('/signin');
    await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
    await open(page, '/dashboard');
    const table = page.locator('table');
    await expectVisible(table, 'the accounts table');
    for (const name of shown) {
      await expectVisible(page.locator('tr[data-account-id]', { hasText: name }), `the row for ${JSON.stringify(name)}`);
    }
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no markup in a name ever ran');
    assert.equal(await page.locator('table img[src="x"], table script').count(), 0, 'no element made from a name');
    await checkA11y(page, 'dashboard with hostile names');
    await expectNoPageProblems(page, problems);
  }));
});
