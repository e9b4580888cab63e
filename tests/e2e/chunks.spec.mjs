// Lazily loaded screens. Each entry route fetches its bundle's main module and the chunks of its
// own screen, nothing more (the first-run wizard also prefetches the picked provider's panel); a whole
// onboarding fetches each chunk once; the release build's stylesheet is one file per page; a chunk that cannot be fetched says so in place and
// **Try again** loads it, while the rest of the console keeps working.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUser, signupViaApi } from './lib/server.mjs';
import { chunksOf, modules } from './lib/chunks.mjs';
import { checkA11y, expectFocused, expectHidden, expectNoPageProblems, expectText, expectURL, expectVisible, waitInteractive } from './lib/browser.mjs';
import { button, field, signupViaUi } from './lib/app.mjs';
import { recordWire } from './lib/wire.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const ROLE = 'arn:aws:iam::123456789012:role/Spot-Role';

// Every entry route: its bundle, the heading it shows and the chunks it needs (no screen prefetches
// on arrival). Sign-in is in the sign-in bundle's main module: no chunk, no pack.
const ROUTES = [
  { route: '/signin', bundle: '/onramp-auth', heading: 'Sign in to Onramp', chunks: [] },
  { route: '/signup', bundle: '/onramp-auth', heading: 'Create your account', chunks: ['signup'] },
  { route: '/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', bundle: '/onramp-auth', heading: 'This invitation link is not valid', chunks: ['join'] },
  // The wizard prefetches a provider's panel only once one is picked (a test below).
  { route: '/welcome', bundle: '/onramp', heading: "Welcome! Let's get started.", chunks: ['welcome'], signedIn: true },
  { route: '/dashboard', bundle: '/onramp', heading: 'Insights & Recommendations', chunks: ['dashboard'], signedIn: true },
  { route: '/accounts/new', bundle: '/onramp', heading: 'Add an account', chunks: ['add_account'], signedIn: true },
  { route: '/accounts/new/aws-organization', bundle: '/onramp', heading: 'Connect an AWS Organization', chunks: ['aws_org'], signedIn: true },
  { route: '/accounts/new/azure-subscriptions', bundle: '/onramp', heading: 'Connect many Azure subscriptions', chunks: ['azure_subs'], signedIn: true },
  { route: '/management', bundle: '/onramp', heading: 'Connect your AWS management account', chunks: ['management'], signedIn: true },
  { route: '/management/azure', bundle: '/onramp', heading: 'Connect an Azure billing account', chunks: ['azure_billing'], signedIn: true },
  { route: '/finops', bundle: '/onramp', heading: 'FinOps products', chunks: ['finops'], signedIn: true },
  { route: '/settings/members', bundle: '/onramp', heading: 'Members', chunks: ['settings_members'], signedIn: true },
  { route: '/settings/security', bundle: '/onramp', heading: 'Security', chunks: ['settings_security'], signedIn: true },
];

describe('lazily loaded chunks', () => {
  // The failure tests intercept a chunk or a pack in their own context (see there).
  let failFinops = null;
  const suite = browserSuite({ prepare: (context) => failFinops?.(context) });

  /** Records each call of the pack loader's start-up hook (`__onrampFetchPack`, defined by the
   *  loader; see `platform::lazy::fetch_pack`), and whether the app had drawn its layout then. */
  async function recordPackAsks(page) {
    await page.addInitScript(() => {
      let hook;
      Object.defineProperty(globalThis, '__onrampFetchPack', {
        configurable: true,
        get: () => hook,
        set: (f) => {
          hook = (screen) => {
            (globalThis.__packAsks ??= []).push({ screen, drawn: document.getElementById('main') !== null });
            return f(screen);
          };
        },
      });
    });
  }

  /** A signed-in tab that has loaded nothing of the app yet (the token is set on a plain file). */
  async function signInQuietly(page) {
    const token = await signupViaApi(suite.server, newUser());
    await page.goto('/favicon.svg');
    await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
    return token;
  }

  /** A signed-in tab at the first-run wizard's provider step, interactive. */
  async function atProviderStep(page) {
    await signInQuietly(page);
    await page.goto('/welcome');
    await expectURL(page, '/welcome/provider');
    await waitInteractive(page);
  }

  /** Refuses the files `re` matches (503) until the returned `allow()` is called. */
  function refuseUntilAllowed(re) {
    let refusing = true;
    failFinops = (context) => context.route(re, (r) => (refusing ? r.fulfill({ status: 503, body: 'unavailable' }) : r.continue()));
    return () => { refusing = false; };
  }

  /** A part of a page whose code was refused: its message `text` in place (the page keeps its one
   *  h1); once `allow()`ed, Try again loads it (`loaded()` waits for it) and the message goes. */
  async function failedInPlaceThenLoaded(page, { text, allow, loaded, what }) {
    const alert = page.getByRole('alert').filter({ hasText: text });
    await expectVisible(alert, 'the message in place');
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'one h1: no whole-screen error inside the page');
    allow();
    await alert.getByRole('button', { name: 'Try again' }).click();
    await loaded();
    await expectHidden(alert, 'the message gone');
    await checkA11y(page, `${what} loaded after a failure`);
  }

  for (const { route, bundle, heading, chunks, signedIn } of ROUTES) {
    const only = chunks.length ? `only the ${chunks.join(', ')} chunk` : 'no chunk';
    // A signed-in console screen: the user menu's chunk comes once the screen is interactive.
    const menu = signedIn ? ['user_menu'] : [];
    it(`${route}: a cold load fetches ${bundle.slice(1)} and ${only}${signedIn ? ', then the user menu' : ''}`, T, async () => {
      await suite.withPage(async (page, problems) => {
        if (signedIn) await signInQuietly(page);
        await recordPackAsks(page);
        const wire = await recordWire(page);
        await page.goto(route);
        await expectVisible(page.getByRole('heading', { name: heading, level: 1 }), `heading "${heading}"`);
        // Prefetches start once the screen has settled: wait for them too.
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(500);
        await page.waitForLoadState('networkidle');
        const rows = wire.take();
        const styles = rows.filter((r) => r.path.endsWith('.css')).map((r) => r.path);
        assert.equal(styles.length, 1, `${route}: one stylesheet for the page (got ${styles.join(', ')})`);
        const got = modules(rows);
        assert.deepEqual(got.main, [bundle], `${route}: one main module, the ${bundle.slice(1)} bundle's`);
        for (const c of chunks) assert.ok(got.chunks.includes(c), `${route}: the ${c} chunk was fetched (got ${got.chunks})`);
        const allowed = new Set([...chunks, ...menu]);
        const extra = got.chunks.filter((c) => !allowed.has(c));
        assert.deepEqual(extra, [], `${route}: no other screen's chunk is fetched`);
        assert.equal(new Set(got.chunks).size, got.chunks.length, `${route}: no chunk is fetched twice`);
        // The screen's pack is asked for as the app starts, before it draws anything (the
        // page itself already asked for the config and the loader).
        const asks = await page.evaluate(() => globalThis.__packAsks ?? []);
        for (const c of chunks) {
          assert.ok(asks.some((a) => a.screen === c && !a.drawn), `${route}: the ${c} pack is asked for before the first drawing (asks: ${JSON.stringify(asks)})`);
        }
        const starts = await page.evaluate(() => performance.getEntriesByType('resource')
          .map((e) => [new URL(e.name).pathname, e.startTime]));
        const config = starts.filter(([p]) => p === '/config.json');
        const wasm = starts.find(([p]) => p.endsWith('_bg.wasm'));
        assert.equal(config.length, 1, `${route}: the config is fetched once (${JSON.stringify(starts)})`);
        assert.ok(config[0][1] <= wasm[1], `${route}: the config is asked for with the page, not after the wasm (${JSON.stringify(starts)})`);
        // A cold load's shared code comes in the screen's pack: one request, not dozens.
        assert.deepEqual(got.shared, [], `${route}: no shared chunk is fetched on its own`);
        assert.equal(got.packs, chunks.length + menu.length, `${route}: one pack per screen, one for the user menu`);
        for (const c of menu) assert.ok(got.chunks.includes(c), `${route}: the ${c} chunk is fetched (got ${got.chunks})`);
        if (signedIn) {
          const t = await page.evaluate(() => ({
            ready: performance.getEntriesByName('onramp:interactive')[0]?.startTime,
            menu: performance.getEntriesByType('resource').find((e) => /\/pack_menu_\w+-[0-9a-f]{16}\.wasmpack$/.test(e.name))?.startTime,
          }));
          assert.ok(t.ready !== undefined && t.menu >= t.ready, `${route}: the user menu is fetched after the screen is interactive (${JSON.stringify(t)})`);
        }
        await expectNoPageProblems(page, problems);
      });
    });
  }

  it('the AWS Organization flow fetches its deploy step\'s chunk (aws_org_deploy) only once the accounts are being created', T, async () => {
    await suite.withPage(async (page, problems) => {
      await signInQuietly(page);
      const wire = await recordWire(page);
      await page.goto('/accounts/new/aws-organization');
      await expectVisible(page.getByRole('heading', { name: 'Connect an AWS Organization', level: 1 }), 'the flow');
      const list = JSON.stringify({ Accounts: [
        { Id: '111111111111', Name: 'One', Email: 'one@example.com', Status: 'ACTIVE' },
        { Id: '222222222222', Name: 'Two', Email: 'two@example.com', Status: 'ACTIVE' },
      ] });
      await field(page, 'Member accounts (JSON or CSV)').fill(list);
      await button(page, 'Next').click();
      await expectURL(page, '/accounts/new/aws-organization/members');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(500);
      let fetched = modules(wire.take()).chunks;
      assert.ok(fetched.includes('aws_org'), `the aws_org chunk (got ${fetched})`);
      assert.ok(!fetched.includes('aws_org_deploy'), `no deploy chunk before the create step (got ${fetched})`);
      await button(page, 'Next').click();
      await expectURL(page, '/accounts/new/aws-organization/create');
      await expectVisible(button(page, 'Create 2 accounts'), 'the create step');
      // The prefetch starts once the step has settled (a few hundred ms): wait for it (at most
      // 10 s), then a little longer, to see that it is fetched once.
      fetched = [];
      const rows = [];
      for (const start = Date.now(); !fetched.includes('aws_org_deploy') && Date.now() - start < 10_000;) {
        await page.waitForTimeout(100);
        rows.push(...wire.take());
        fetched = modules(rows).chunks;
      }
      await page.waitForTimeout(1_000);
      rows.push(...wire.take());
      fetched = modules(rows).chunks;
      assert.deepEqual(fetched, ['aws_org_deploy'], 'the create step prefetches the deploy step\'s chunk, once');
      assert.deepEqual(modules(rows).shared, [], 'in one request (its prefetch pack), not a request per shared chunk');
      await expectNoPageProblems(page, problems);
    });
  });

  it('the organization flow\'s deploy step whose code is refused says so in place, inside the flow; Try again loads it', T, async () => {
    const allow = refuseUntilAllowed(/\/(pack_aws_org_next-[0-9a-f]{16}\.wasmpack|split_aws_org_deploy-[0-9a-f]{16}\.wasm)$/);
    try {
      await suite.withPage(async (page) => {
        await signInQuietly(page);
        await page.goto('/accounts/new/aws-organization');
        await field(page, 'Member accounts (JSON or CSV)').fill(JSON.stringify({ Accounts: [
          { Id: '111111111111', Name: 'One', Email: 'one@example.com', Status: 'ACTIVE' },
        ] }));
        await button(page, 'Next').click();
        await expectURL(page, '/accounts/new/aws-organization/members');
        await button(page, 'Next').click();
        await expectText(page.locator('.stepper-summary').first(), /^1 account listed$/, 'one account, in the singular');
        await button(page, 'Create 1 account').click();
        // This server has no public URL, so no connect tokens: the flow says so and goes on.
        await button(page, 'Continue without a token').click();
        await expectURL(page, '/accounts/new/aws-organization/deploy');
        await expectText(page.locator('.stepper-summary').nth(2), /^1 Spot account created$/, 'the create step\'s summary, in the singular');
        await failedInPlaceThenLoaded(page, {
          text: "The last step (deploying to your member accounts) didn't load",
          allow,
          loaded: () => expectText(page.locator('.aws-org-member-summary [role="status"]'), /0 of 1 connected/, 'the deploy step after Try again'),
          what: 'deploy step',
        });
      });
    } finally {
      failFinops = null;
    }
  });

  it('the provider step prefetches the picked provider\'s panel and the dashboard, in one pack; Next then fetches nothing', T, async () => {
    await suite.withPage(async (page, problems) => {
      await signInQuietly(page);
      const wire = await recordWire(page);
      await page.goto('/welcome');
      await expectURL(page, '/welcome/provider');
      await waitInteractive(page);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(800);
      let rows = wire.take();
      assert.deepEqual(modules(rows).chunks.filter((c) => !['welcome', 'user_menu'].includes(c)), [],
        `nothing is prefetched before a provider is picked (got ${modules(rows).chunks})`);
      rows = [];
      await page.getByRole('radio', { name: 'Google Cloud Platform', exact: true }).click();
      for (const start = Date.now(); !['gcp', 'dashboard'].every((c) => modules(rows).chunks.includes(c)) && Date.now() - start < 10_000;) {
        await page.waitForTimeout(100);
        rows.push(...wire.take());
      }
      await page.waitForLoadState('networkidle');
      rows.push(...wire.take());
      const picked = modules(rows);
      assert.deepEqual(picked.chunks.sort(), ['dashboard', 'gcp'], 'the picked provider\'s panel and the dashboard, no other provider\'s');
      assert.equal(picked.packs, 1, 'in one request (its prefetch pack)');
      assert.deepEqual(picked.shared, [], 'no shared chunk on its own');
      await button(page, 'Next').click();
      await expectURL(page, '/welcome/connect/gcp');
      await expectVisible(button(page, 'Manually (recommended)'), 'the GCP panel');
      await page.waitForLoadState('networkidle');
      rows = wire.take();
      assert.deepEqual(modules(rows).chunks, [], `Next fetches no code: it came with the pick (got ${modules(rows).chunks})`);
      await expectNoPageProblems(page, problems);
    });
  });

  it('a whole onboarding (sign-up → AWS → dashboard → add account) fetches each chunk once', T, async () => {
    await suite.withPage(async (page, problems) => {
      const wire = await recordWire(page);
      await signupViaUi(page, newUser());
      await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
      await button(page, 'Next').click();
      await expectURL(page, '/welcome/connect/aws');
      await page.getByLabel('No', { exact: true }).check();
      // Connect before the external ID shows only says it is still loading.
      await page.locator('#aws-external-id').waitFor();
      await field(page, 'Role ARN').fill(ROLE);
      await button(page, 'Connect').click();
      await expectURL(page, '/dashboard');
      await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard');
      // Sign-up to the dashboard in packs: the bundle's screen, the wizard's, and the wizard's
      // prefetch pack (taken at once by a user quicker than the prefetch).
      const onboarding = wire.take();
      assert.deepEqual(modules(onboarding).shared, [], 'sign-up → AWS → dashboard fetches no shared chunk on its own');
      // Add another account from the user menu, then back to the dashboard: nothing loads twice.
      await page.locator('#user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Add account', exact: true }).click();
      await expectURL(page, /^\/accounts\/new/);
      await expectVisible(page.getByRole('heading', { name: 'Add an account', level: 1 }), 'the add-account screen');
      await page.goBack();
      await expectURL(page, '/dashboard');
      await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard again');
      await page.waitForLoadState('networkidle');
      const rows = [...onboarding, ...wire.take()];
      const fetched = rows.flatMap((r) => chunksOf(r.path));
      for (const c of ['signup', 'welcome', 'aws', 'other_kinds', 'dashboard', 'add_account']) {
        assert.equal(fetched.filter((x) => x === c).length, 1, `the ${c} chunk is fetched exactly once (all: ${fetched})`);
      }
      assert.equal(new Set(fetched).size, fetched.length, `no chunk is fetched twice: ${fetched}`);
      await expectNoPageProblems(page, problems);
    });
  });

  it('a prefetch pack that fails leaves each screen it carried to load on its own, without an error', T, async () => {
    let asked = 0;
    failFinops = (context) => context.route(/\/pack_welcome_gcp-[0-9a-f]{16}\.wasmpack$/, (r) => {
      asked += 1;
      return r.fulfill({ status: 503, body: 'unavailable' });
    });
    try {
      await suite.withPage(async (page) => {
        await atProviderStep(page);
        // Picking a provider asks for its prefetch pack; once it fails, the prefetch goes on chunk
        // by chunk.
        await page.getByRole('radio', { name: 'Google Cloud Platform', exact: true }).click();
        for (const start = Date.now(); asked === 0 && Date.now() - start < 10_000;) await page.waitForTimeout(100);
        assert.equal(asked, 1, 'the prefetch pack was asked for');
        await page.waitForLoadState('networkidle');
        await button(page, 'Next').click();
        await expectURL(page, '/welcome/connect/gcp');
        await expectVisible(button(page, 'Manually (recommended)'), 'the GCP panel, loaded chunk by chunk');
        assert.equal(await page.getByRole('heading', { name: "Something didn't load" }).count(), 0, 'no whole-screen chunk error on the way');
        assert.equal(await page.getByRole('alert').filter({ hasText: /didn't load/ }).count(), 0, 'no chunk error in place either');
        assert.equal(asked, 1, 'the failed pack is not asked for again');
        await waitInteractive(page);
      });
    } finally {
      failFinops = null;
    }
  });

  it('the Connect step\'s other kinds of account that fail to load say so in place, under a panel that works; Try again loads them', T, async () => {
    const asked = [];
    // The pick's prefetch pack is refused (so each chunk comes alone), then the other kinds'
    // chunk once.
    failFinops = (context) => context.route(/\/(pack_welcome_aws-[0-9a-f]{16}\.wasmpack|split_other_kinds-[0-9a-f]{16}\.wasm)$/, (r) => {
      const file = new URL(r.request().url()).pathname.replace(/-[0-9a-f]{16}\./, '.');
      asked.push(file);
      if (file.startsWith('/pack_') || asked.filter((f) => f === file).length === 1) return r.fulfill({ status: 503, body: 'unavailable' });
      return r.continue();
    });
    try {
      await suite.withPage(async (page) => {
        await atProviderStep(page);
        await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
        // Next once the prefetch has failed, as in the test above.
        for (const start = Date.now(); !asked.length && Date.now() - start < 10_000;) await page.waitForTimeout(100);
        await page.waitForLoadState('networkidle');
        await button(page, 'Next').click();
        await expectURL(page, '/welcome/connect/aws');
        const alert = page.getByRole('alert').filter({ hasText: /other kinds of account \(management, FinOps\) didn't load/ });
        await expectVisible(alert, 'the message in place');
        await expectVisible(page.locator('#aws-linked-button'), 'the linked account panel, working');
        assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'one h1: no whole-screen error inside the step');
        await alert.getByRole('button', { name: 'Try again' }).click();
        await expectVisible(page.locator('#welcome-finops-button'), 'the FinOps panel after Try again');
        await expectHidden(alert, 'the message gone');
        assert.deepEqual(asked.filter((f) => f.includes('other_kinds')), ['/split_other_kinds.wasm', '/split_other_kinds.wasm'], 'the chunk once per attempt');
        await checkA11y(page, 'connect step, other kinds loaded after a failure');
      });
    } finally {
      failFinops = null;
    }
  });

  it('Next pressed while the pick\'s prefetch pack is on its way, which then fails: the Connect step loads its code chunk by chunk', T, async () => {
    const asked = [];
    let refuse;
    const refused = new Promise((resolve) => { refuse = resolve; });
    // The pack is held until the step has asked for its code, then refused.
    failFinops = (context) => context.route(/\/pack_welcome_aws-[0-9a-f]{16}\.wasmpack$/, async (r) => {
      asked.push('pack');
      await refused;
      return r.fulfill({ status: 503, body: 'unavailable' });
    });
    try {
      await suite.withPage(async (page, problems) => {
        await atProviderStep(page);
        const wire = await recordWire(page);
        await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
        await button(page, 'Next').click();
        await expectURL(page, '/welcome/connect/aws');
        for (const start = Date.now(); !asked.length && Date.now() - start < 10_000;) await page.waitForTimeout(100);
        assert.deepEqual(asked, ['pack'], 'the step took the prefetch pack');
        refuse();
        await expectVisible(page.locator('#aws-linked-button'), 'the linked account panel');
        await expectVisible(page.locator('#welcome-finops-button'), 'the other kinds of account');
        assert.equal(await page.getByRole('alert').filter({ hasText: /didn't load/ }).count(), 0, 'no chunk error: the pack\'s parts came alone');
        await page.waitForLoadState('networkidle');
        assert.deepEqual(asked, ['pack'], 'the failed pack is not asked for again');
        // What came (the refused pack carried nothing).
        const got = modules(wire.take().filter((r) => r.status === 200));
        for (const c of ['aws', 'other_kinds', 'dashboard']) assert.ok(got.chunks.includes(c), `the ${c} chunk, alone (got ${got.chunks})`);
        assert.ok(got.shared.length > 0, 'the shared chunks the pack held, alone');
        assert.equal(new Set(got.chunks).size, got.chunks.length, `no chunk is fetched twice: ${got.chunks}`);
        assert.equal(new Set(got.shared).size, got.shared.length, 'no shared chunk is fetched twice');
        // The refused pack is logged (its HTTP status, the loader's error); nothing else.
        problems.consoleErrors = problems.consoleErrors.filter((e) => !/pack_welcome_aws/.test(e));
        await expectNoPageProblems(page, problems);
      });
    } finally {
      failFinops = null;
    }
  });

  it('a connect panel whose code is refused says so in place, inside its step; Try again loads it', T, async () => {
    // The pick's prefetch pack and the AWS panel's chunk are refused until the message shows.
    const allow = refuseUntilAllowed(/\/(pack_welcome_aws-[0-9a-f]{16}\.wasmpack|split_aws-[0-9a-f]{16}\.wasm)$/);
    try {
      await suite.withPage(async (page) => {
        await atProviderStep(page);
        await page.getByRole('radio', { name: 'Amazon Web Services', exact: true }).click();
        await button(page, 'Next').click();
        await expectURL(page, '/welcome/connect/aws');
        await expectVisible(page.locator('#welcome-finops-button'), 'the other kinds of account, working');
        await failedInPlaceThenLoaded(page, {
          text: "The connection form didn't load",
          allow,
          loaded: () => expectVisible(page.locator('#aws-linked-button'), 'the linked account panel after Try again'),
          what: 'connect step, panel',
        });
      });
    } finally {
      failFinops = null;
    }
  });

  // The user menu's code (its pack, or its chunk alone) held back or refused.
  const MENU_CODE = /\/(pack_menu_\w+-[0-9a-f]{16}\.wasmpack|split_user_menu-[0-9a-f]{16}\.wasm)$/;
  const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
  const realMenuButton = (page) => page.locator('#user-menu-button[aria-controls="user-menu"]');
  /** A signed-in /dashboard whose user menu code waits for the returned `release()`. */
  async function dashboardMenuHeld(page) {
    await signInQuietly(page);
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(MENU_CODE, async (r) => { await held; await r.continue(); });
    await page.goto('/dashboard');
    await expectVisible(page.locator('#user-menu-button'), 'the menu button, standing in');
    return release;
  }

  it('the user menu pressed before its code came opens once it is there, focus in its search box', T, async () => {
    await suite.withPage(async (page, problems) => {
      const release = await dashboardMenuHeld(page);
      await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard');
      const standIn = page.locator('#user-menu-button');
      assert.equal(await standIn.getAttribute('aria-expanded'), 'false');
      await standIn.focus();
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      assert.equal(await page.getByRole('menu').count(), 0, 'no menu while its code is held back');
      release();
      await expectVisible(page.getByRole('menuitem', { name: 'Sign out', exact: true }), 'the menu, opened by the early press');
      assert.equal(await realMenuButton(page).getAttribute('aria-expanded'), 'true');
      assert.equal(await activeId(page), 'user-menu-search', 'focus in the search box, as when the menu opens by Enter');
      await expectNoPageProblems(page, problems);
    });
  });

  it('a focused stand-in hands focus to the user menu\'s own button when the menu comes', T, async () => {
    await suite.withPage(async (page, problems) => {
      const release = await dashboardMenuHeld(page);
      await page.locator('#user-menu-button').focus();
      release();
      await expectVisible(realMenuButton(page), "the menu's own button");
      await page.waitForTimeout(100);
      assert.equal(await activeId(page), 'user-menu-button', 'focus on the menu button, not dropped to <body>');
      assert.equal(await realMenuButton(page).getAttribute('aria-expanded'), 'false', 'only focused: the menu stays closed');
      await expectNoPageProblems(page, problems);
    });
  });

  it('a press on the stand-in does not pull focus back once the user has moved on', T, async () => {
    await suite.withPage(async (page, problems) => {
      const release = await dashboardMenuHeld(page);
      await page.locator('#user-menu-button').focus();
      await page.keyboard.press('Enter');
      // The user goes on with the page while the menu's code is held back.
      const dashboardLink = page.getByRole('link', { name: 'Dashboard', exact: true });
      await dashboardLink.focus();
      release();
      await expectVisible(realMenuButton(page), "the menu's own button");
      await page.waitForTimeout(300);
      assert.equal(await realMenuButton(page).getAttribute('aria-expanded'), 'false', 'the menu stays closed');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Dashboard', 'focus stays on the link');
      await expectNoPageProblems(page, problems);
    });
  });

  it("the user menu's code refused: the button says so, each press asks again, and once it comes the menu opens", T, async () => {
    await suite.withPage(async (page) => {
      await signInQuietly(page);
      let refused = 0;
      let gate = null;
      await page.route(MENU_CODE, async (r) => {
        refused += 1;
        await gate;
        return r.fulfill({ status: 503, body: 'unavailable' });
      });
      await page.goto('/dashboard');
      await expectText(page.locator('#user-menu-button'), /The menu didn't load: press to try again/, 'the stand-in says what happened');
      const status = page.getByRole('status').filter({ hasText: /menu/ });
      await expectText(status, /The menu didn't load/, 'and a live region says it');
      assert.ok(refused >= 1);
      // Pressed: the menu is on its way; refused again: said again (the region changes, so a
      // screen reader announces each).
      const before = refused;
      let refuse;
      gate = new Promise((resolve) => { refuse = resolve; });
      await page.locator('#user-menu-button').click();
      await expectText(status, /Loading the menu/, 'a press says the menu is on its way');
      assert.equal(await page.locator('#user-menu-button').getAttribute('aria-busy'), 'true');
      refuse();
      await expectText(status, /The menu didn't load/, 'the second refusal');
      assert.ok(refused > before, `the press asked again (${before} → ${refused})`);
      await page.unroute(MENU_CODE);
      await page.locator('#user-menu-button').click();
      await expectVisible(page.getByRole('menuitem', { name: 'Sign out', exact: true }), 'the menu, after pressing again');
      // The dashboard itself never failed.
      await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard');
    });
  });

  it("the dashboard's dialogs come in one pack the first time one opens, and only then", T, async () => {
    await suite.withPage(async (page, problems) => {
      await signInQuietly(page);
      const wire = await recordWire(page);
      await page.goto('/dashboard');
      await waitInteractive(page);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(modules(wire.take()).chunks.filter((c) => /dialog/.test(c)), [], 'no dialog code before a dialog opens');
      const invite = page.getByRole('button', { name: 'Invite a user' });
      await invite.click();
      await expectVisible(page.getByRole('dialog', { name: 'Invite a user' }), 'the invite dialog');
      await expectFocused(page.locator('#invite-email'), 'its Email field');
      await page.waitForLoadState('networkidle');
      const got = modules(wire.take());
      assert.deepEqual(got.chunks.sort(), ['account_dialogs', 'invite_dialog'], 'the pack with the dashboard\'s dialogs');
      assert.equal(got.packs, 1, 'one request');
      assert.deepEqual(got.shared, [], 'no shared chunk on its own');
      await page.keyboard.press('Escape');
      await expectFocused(invite, 'the button that opened it');
      await invite.click();
      await expectVisible(page.getByRole('dialog', { name: 'Invite a user' }), 'the invite dialog, again');
      await page.waitForLoadState('networkidle');
      assert.deepEqual(modules(wire.take()).chunks, [], 'nothing fetched the second time');
      await expectNoPageProblems(page, problems);
    });
  });

  it('a dialog whose code is refused says so where it would be; Try again fetches it and opens the dialog', T, async () => {
    await suite.withPage(async (page) => {
      await signInQuietly(page);
      const DIALOG_CODE = /\/(pack_dashboard_dialogs-[0-9a-f]{16}\.wasmpack|split_invite_dialog-[0-9a-f]{16}\.wasm)$/;
      const asked = [];
      await page.route(DIALOG_CODE, (r) => {
        asked.push(new URL(r.request().url()).pathname.replace(/-[0-9a-f]{16}\./, '.'));
        return r.fulfill({ status: 503, body: 'unavailable' });
      });
      await page.goto('/dashboard');
      await waitInteractive(page);
      const invite = page.getByRole('button', { name: 'Invite a user' });
      await invite.click();
      const alert = page.getByRole('alert').filter({ hasText: "This dialog didn't load" });
      await expectVisible(alert, 'the message in place');
      await expectFocused(invite, 'focus stays on the button that was pressed');
      assert.equal(await page.getByRole('dialog').count(), 0, 'no dialog is open');
      // Refused again: the message comes back and focus goes to its new Try again.
      await button(page, 'Try again').click();
      await expectVisible(alert, 'the message after a second refusal');
      await expectFocused(alert.getByRole('button', { name: 'Try again' }), 'the new Try again');
      assert.deepEqual(asked, ['/pack_dashboard_dialogs.wasmpack', '/split_invite_dialog.wasm', '/split_invite_dialog.wasm'],
        'the first attempt: the pack, then at once the chunk alone (a failed pack is not asked for again); the second: the chunk alone');
      await page.unroute(DIALOG_CODE);
      await button(page, 'Try again').click();
      await expectVisible(page.getByRole('dialog', { name: 'Invite a user' }), 'the dialog that was asked for');
      await expectFocused(page.locator('#invite-email'), 'its Email field');
      await expectHiddenAlert(alert);
      // Closed, focus goes back to the button that asked (not to the page: Try again is gone).
      await page.keyboard.press('Escape');
      await expectFocused(invite, 'the button that opened it');
      // The dashboard itself never failed.
      await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard');
    });
  });

  it('dialogs asked for one after another before their code came: only the last one opens', T, async () => {
    await suite.withPage(async (page) => {
      await signInQuietly(page);
      let release;
      const gate = new Promise((resolve) => { release = resolve; });
      const CODE = /\/(pack_dashboard_dialogs-[0-9a-f]{16}\.wasmpack|split_account_dialogs-[0-9a-f]{16}\.wasm)$/;
      await page.route(CODE, async (r) => { await gate; return r.continue(); });
      await page.goto('/dashboard');
      await waitInteractive(page);
      await page.getByRole('button', { name: /^Rename/ }).click();
      const del = page.getByRole('button', { name: /^Delete/ });
      await del.click();
      release();
      await expectVisible(page.locator('#delete-dialog'), 'the dialog asked for last');
      assert.equal(await page.getByRole('dialog').count(), 1, 'one dialog open, not two stacked');
      await page.keyboard.press('Escape');
      await expectFocused(del, 'the button that asked for it');
    });
  });

  async function expectHiddenAlert(alert) {
    assert.equal(await alert.count(), 0, 'the message is gone once the dialog came');
  }

  it('a chunk that fails (503, then cut short) shows the error in place; Try again loads it', T, async () => {
    let attempts = 0;
    const asked = [];
    // A cold load takes the FinOps chunk in its pack (its 503 comes late enough that the screen
    // is already waiting for it); a failed pack is never asked for again: the chunk comes alone
    // at once (refused too), and alone again on each Try again.
    failFinops = (context) => context.route(/\/(split_finops-[0-9a-f]{16}\.wasm|pack_finops-[0-9a-f]{16}\.wasmpack)$/, async (r) => {
      attempts += 1;
      asked.push(new URL(r.request().url()).pathname.replace(/-[0-9a-f]{16}\./, '.'));
      if (attempts === 1) await new Promise((done) => setTimeout(done, 1_000));
      if (attempts <= 2) return r.fulfill({ status: 503, body: 'unavailable' });
      if (attempts === 3) {
        const res = await r.fetch();
        const body = await res.body();
        return r.fulfill({ response: res, body: body.subarray(0, body.length >> 1) });
      }
      return r.continue();
    });
    try {
      await suite.withPage(async (page) => {
        await signInQuietly(page);
        await page.goto('/finops');
        const failed = page.getByRole('heading', { name: "Something didn't load", level: 1 });
        await expectVisible(failed, 'the chunk error (503)');
        await expectVisible(page.getByRole('alert').filter({ hasText: /didn't load/ }), 'the alert that says what happened');
        // The rest of the console still works: its top bar and user menu are there.
        await expectVisible(page.locator('#user-menu-button'), 'the user menu');
        await button(page, 'Try again').click();
        await expectVisible(failed, 'the chunk error (cut short)');
        // By keyboard: the error goes with its button, focus waits on the page's main region.
        await button(page, 'Try again').focus();
        await page.keyboard.press('Enter');
        await expectVisible(page.getByRole('heading', { name: 'FinOps products', level: 1 }), 'FinOps after Try again');
        await expectFocused(page.locator('#main'), 'the main region after Try again, not <body>');
        assert.deepEqual(asked, ['/pack_finops.wasmpack', '/split_finops.wasm', '/split_finops.wasm', '/split_finops.wasm'],
          'the pack once, then the chunk alone once per attempt');
        // Another screen of the console works after the failures.
        await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
        await expectVisible(page.getByRole('heading', { name: 'Insights & Recommendations', level: 1 }), 'the dashboard');
        await waitInteractive(page);
      });
    } finally {
      failFinops = null;
    }
  });
});
