// First-run wizard, Google Cloud: the manual panel with a real generated key
// (summary without the private key, Validate, Connect, the server agrees), every kind of bad file
// with its own message at the upload field, the automatic (gcloud) panel's project ID and script,
// a reload mid-flow, the upload by keyboard, and axe on each state.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { api, newUser } from './lib/server.mjs';
import {
  checkA11y, expectAttr, expectFieldError, expectFieldValid, expectFocused, expectHidden,
  expectNoPageProblems, expectText, expectURL, expectValue, expectVisible, holdRequests, screenshot
} from './lib/browser.mjs';
import { button, chooseProvider, field, signupViaUi } from './lib/app.mjs';
import { browserSuite } from './lib/suite.mjs';

const T = { timeout: 180_000 };
const PROJECT = 'acme-prod-42';
const KEY_ID = '5f1e2d3c4b5a69788796a5b4c3d2e1f001234567';
const UPLOAD_LABEL = 'Service account key (JSON)';

/** A fresh RSA private key, PKCS#8 PEM ("BEGIN PRIVATE KEY"), as in Google's key files. */
function realPem() {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

/** The content of a service account key file, shaped like the ones Google hands out. */
function keyJson({ project = PROJECT, email, pem = realPem(), ...extra } = {}) {
  const clientEmail = email ?? `spot-connector@${project}.iam.gserviceaccount.com`;
  return {
    type: 'service_account',
    project_id: project,
    private_key_id: KEY_ID,
    private_key: pem,
    client_email: clientEmail,
    client_id: '104823452134567890123',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
    ...extra,
  };
}

function jsonFile(name, value) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value, null, 2)) };
}

function uploadInput(page) {
  return field(page, UPLOAD_LABEL);
}

/** Everything the page shows and stores, for "the private key is never echoed or kept". */
async function pageAndStorage(page) {
  return page.evaluate(() => [
    document.documentElement.outerHTML,
    JSON.stringify({ ...sessionStorage }),
    JSON.stringify({ ...localStorage }),
    location.href,
  ].join('\n'));
}

async function assertNoPrivateKey(page, pem, when) {
  const all = await pageAndStorage(page);
  assert.ok(!all.includes('PRIVATE KEY'), `"PRIVATE KEY" appears in the page or storage ${when}`);
  const body = pem.split('\n')[1];
  assert.ok(!all.includes(body), `the private key's body appears in the page or storage ${when}`);
}

/** The element that has focus: its id and text. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id ?? '', text: (el?.textContent ?? '').trim() };
  });
}

async function tabTo(page, id, max = 40) {
  let f;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    f = await focused(page);
    if (f.id === id) return;
  }
  assert.fail(`Tab never reached #${id} (last focus: ${JSON.stringify(f)})`);
}

async function chooseGcp(page) {
  await chooseProvider(page, 'Google Cloud Platform', 'gcp');
}

describe('first-run wizard: Google Cloud', () => {
  const suite = browserSuite();
  const { withPage } = suite;

  it('manual: a real key → project, email and key ID shown, never the private key → Validate → Connect → dashboard', T,
    () => withPage(async (page, problems) => {
      const user = newUser();
      await signupViaUi(page, user);
      await chooseGcp(page);
      const token = await page.evaluate(() => sessionStorage.getItem('onramp.session'));
      const accounts = await api(suite.server, 'GET', '/api/setup/account', { token });
      const accountId = accounts.body.response.items[0].accountId;

      // The panels: Linked account and the recommended manual way open, automatic closed.
      await expectAttr(button(page, 'Linked account'), 'aria-expanded', 'true', 'the "Linked account" panel');
      await expectAttr(button(page, 'Manually (recommended)'), 'aria-expanded', 'true', 'the manual panel (open by default)');
      await expectAttr(button(page, 'Automatically (gcloud)'), 'aria-expanded', 'false', 'the automatic panel (closed by default)');
      const login = page.getByRole('link', { name: /Log in to Google Cloud/ });
      await expectAttr(login, 'href', 'https://console.cloud.google.com/', 'link "Log in to Google Cloud"');
      await expectAttr(login, 'target', '_blank', 'link "Log in to Google Cloud"');
      await expectText(page.locator('#gcp-sa-name'), new RegExp(`^spotinst-role-${accountId.toLowerCase()}$`),
        'the service account name');
      await expectVisible(button(page, 'Copy service account name'), 'the copy button of the service account name');
      await expectVisible(page.locator('#gcp-manual strong', { hasText: /^Editor$/ }), 'the role Editor');
      await expectVisible(button(page, `Browse ${UPLOAD_LABEL}`), 'the Browse button of the upload');
      await checkA11y(page, 'GCP connect (manual open, automatic closed)');
      await screenshot(page, 'welcome-connect-gcp');

      // Collapsing and reopening the panels.
      await button(page, 'Manually (recommended)').click();
      await expectAttr(button(page, 'Manually (recommended)'), 'aria-expanded', 'false', 'the manual panel after a click');
      await expectHidden(page.locator('#gcp-sa-name'), 'the manual steps once collapsed');
      await button(page, 'Automatically (gcloud)').click();
      await expectVisible(field(page, 'GCP project ID'), 'the project ID field once the automatic panel is open');
      await checkA11y(page, 'GCP connect (manual collapsed, automatic open)');
      await button(page, 'Automatically (gcloud)').click();
      await button(page, 'Manually (recommended)').click();
      await expectVisible(page.locator('#gcp-sa-name'), 'the manual steps once reopened');

      // Validate with no file yet: said at the upload field, focus on Browse.
      await button(page, 'Validate').click();
      await expectFieldError(uploadInput(page), /Choose the service account's JSON key file first/, 'the upload (no file yet)');
      await expectFocused(button(page, `Browse ${UPLOAD_LABEL}`), 'Browse after Validate without a file');

      // A real key: the summary, and nothing of the private key anywhere.
      const pem = realPem();
      const email = `spotinst-role-${accountId.toLowerCase()}@${PROJECT}.iam.gserviceaccount.com`;
      await uploadInput(page).setInputFiles(jsonFile(`${PROJECT}-${KEY_ID.slice(0, 12)}.json`, keyJson({ email, pem })));
      const summary = page.locator('#gcp-key-summary');
      await expectText(summary, new RegExp(`Project ID\\s*${PROJECT}`), 'the key summary: project');
      await expectText(summary, new RegExp(`Client email\\s*${email.replace(/[.]/g, '\\.')}`), 'the key summary: email');
      await expectText(summary, new RegExp(`Key ID\\s*${KEY_ID}`), 'the key summary: key ID');
      await expectFieldValid(uploadInput(page), 'the upload after a good key');
      await assertNoPrivateKey(page, pem, 'after the upload');
      await checkA11y(page, 'GCP connect (key parsed)');
      await screenshot(page, 'welcome-connect-gcp-key');

      // A validation answered after another file was chosen is not about that file: dropped.
      const validation = await holdRequests(page, /\/api\/gcp\/setup\/credentials\/validation\?/);
      await button(page, 'Validate').click();
      await uploadInput(page).setInputFiles(jsonFile(`${PROJECT}-${KEY_ID.slice(0, 12)}.json`, keyJson({ email, pem })));
      validation.release();
      await validation.passed;
      await validation.stop();
      await page.waitForTimeout(300);
      assert.equal(await page.getByText('Spot accepted this key').count(), 0, 'no acceptance for a file chosen after the request');

      await button(page, 'Validate').click();
      await expectVisible(page.getByText('Spot accepted this key. Press Connect account to finish.'), 'the validation result');
      await assertNoPrivateKey(page, pem, 'after Validate');

      await button(page, 'Connect account').click();
      await expectVisible(page.getByText('Your account has been successfully connected!'), 'the success message');
      await expectURL(page, '/dashboard');

      // The server agrees: the default account is connected to the key's project.
      const after = await api(suite.server, 'GET', '/api/setup/account', { token });
      const mine = after.body.response.items.find((a) => a.accountId === accountId);
      assert.equal(mine?.cloudProvider, 'gcp', `the account is connected to GCP: ${JSON.stringify(mine)}`);
      assert.equal(mine?.providerExternalId, PROJECT);
      const creds = await api(suite.server, 'GET', `/api/gcp/setup/credentials?accountId=${accountId}`, { token });
      assert.equal(creds.status, 200, JSON.stringify(creds.body));
      const sa = creds.body.response.items[0].serviceAccount;
      assert.equal(sa.client_email, email);
      assert.equal(sa.private_key_id, KEY_ID);
      await assertNoPrivateKey(page, pem, 'on the dashboard');
      await expectNoPageProblems(page, problems);
    }));

  it('every bad file gets its own message at the upload field; a 10 MiB file is refused unread', T,
    () => withPage(async (page, problems) => {
      // Count file reads (FileDrop reads with Blob.arrayBuffer / text).
      await page.addInitScript(() => {
        window.__reads = 0;
        for (const m of ['arrayBuffer', 'text']) {
          const real = Blob.prototype[m];
          Blob.prototype[m] = function (...args) { window.__reads += 1; return real.apply(this, args); };
        }
      });
      await signupViaUi(page, newUser());
      await chooseGcp(page);
      const input = uploadInput(page);
      const summary = page.locator('#gcp-key-summary');

      // A good key first: a bad file after it replaces it (the summary goes away).
      await input.setInputFiles(jsonFile('good.json', keyJson()));
      await expectVisible(summary, 'the key summary');

      const cases = [
        ['not JSON', { name: 'key.json', mimeType: 'application/json', buffer: Buffer.from('{"type": "service_account",') },
          /not valid JSON \(line \d+, column \d+\)/],
        ['user credentials (authorized_user)', jsonFile('application_default_credentials.json', {
          client_id: '764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com',
          client_secret: 'd-FL95Q19q7MQmFpd7hHD0Ty', refresh_token: '1//0gdummy', type: 'authorized_user',
        }), /user credentials file/],
        ['client_email of another domain', jsonFile('key.json', keyJson({ email: 'spot@example.com' })),
          /client_email must end with “@acme-prod-42\.iam\.gserviceaccount\.com”/],
        ['a missing field', jsonFile('key.json', (() => { const k = keyJson(); delete k.private_key_id; return k; })()),
          /missing “private_key_id”/],
        ['a damaged PEM', jsonFile('key.json', keyJson({ pem: '-----BEGIN PRIVATE KEY-----\nnot*base64\n-----END PRIVATE KEY-----\n' })),
          /private key's content is damaged/],
        ['a binary file', { name: 'key.p12', mimeType: 'application/x-pkcs12', buffer: Buffer.from([0x30, 0x82, 0x09, 0xc1, 0x02, 0x01, 0x03, 0x30]) },
          /looks like a P12 key/],
        ['a file just over 64 KiB', { name: 'big.json', mimeType: 'application/json', buffer: Buffer.alloc(64 * 1024 + 1, 0x20) },
          /“big\.json” is just over the limit of 64 KiB/],
      ];
      for (const [what, file, re] of cases) {
        await input.setInputFiles(file);
        await expectFieldError(input, re, `the upload (${what})`);
        await expectHidden(summary, `the key summary after ${what}`);
      }
      await checkA11y(page, 'GCP connect (bad file)');
      await screenshot(page, 'welcome-connect-gcp-bad-file');

      // 10 MiB: refused by its size, never read.
      const readsBefore = await page.evaluate(() => window.__reads);
      await input.setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(10 * 1024 * 1024, 0x20) });
      await expectFieldError(input, /“huge\.json” is 10 MiB\. The limit is 64 KiB/, 'the upload (10 MiB)');
      assert.equal(await page.evaluate(() => window.__reads), readsBefore, 'the 10 MiB file was read');

      // Connect with no good key: nothing sent, the message stays at the field.
      await button(page, 'Connect account').click();
      await expectFieldError(input, /10 MiB/, 'the upload after Connect with a refused file');
      await expectFocused(button(page, `Browse ${UPLOAD_LABEL}`), 'Browse after Connect with a refused file');
      await expectURL(page, '/welcome/connect/gcp');

      // A good one again clears the message.
      await input.setInputFiles(jsonFile('good.json', keyJson()));
      await expectVisible(summary, 'the key summary after a good file');
      await expectFieldValid(input, 'the upload after a good file');
      assert.ok(await page.evaluate(() => window.__reads) > readsBefore, 'the read counter counts (a good file is read)');
      await expectNoPageProblems(page, problems);
    }));

  it('automatic: project ID bad then good → script; reload keeps it and asks for the key again; keyboard upload', T,
    () => withPage(async (page, problems) => {
      await signupViaUi(page, newUser());
      await chooseGcp(page);
      await button(page, 'Automatically (gcloud)').click();
      const project = field(page, 'GCP project ID');
      await expectVisible(page.locator('#gcp-script-pending'), 'the note that the script needs a project ID');

      await project.fill('Acme Production');
      await project.press('Tab');
      await expectFieldError(project, /looks like the project's name/, 'GCP project ID (a display name)');
      await project.fill('123456789012');
      await expectFieldError(project, /project number/, 'GCP project ID (a project number)');
      await expectHidden(page.locator('#gcp-script'), 'the script while the project ID is wrong');
      await checkA11y(page, 'GCP connect (project ID error)');

      await project.fill(PROJECT);
      await expectFieldValid(project, 'GCP project ID (valid)');
      const code = page.locator('#gcp-script-code');
      await expectText(code, new RegExp(`PROJECT_ID='${PROJECT}'`), 'the script names the project');
      await expectText(code, /SA_NAME='spotinst-role-act-[0-9a-f]{8}'/, 'the script names the service account');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        button(page, 'Download gcloud script').click(),
      ]);
      assert.equal(download.suggestedFilename(), `connect-${PROJECT}-to-spot.sh`);
      await checkA11y(page, 'GCP connect (script shown)');
      await screenshot(page, 'welcome-connect-gcp-script');

      // A key of another project than the script's: said, not refused.
      await uploadInput(page).setInputFiles(jsonFile('other.json', keyJson({ project: 'acme-dev-7' })));
      await expectVisible(page.getByText(/This key belongs to project\s*acme-dev-7/), 'the note about another project');

      // The right key, then a reload: the project ID stays, the key must be chosen again.
      const pem = realPem();
      await uploadInput(page).setInputFiles(jsonFile('key.json', keyJson({ pem })));
      await expectVisible(page.locator('#gcp-key-summary'), 'the key summary');
      await page.reload();
      await expectURL(page, '/welcome/connect/gcp');
      await expectValue(field(page, 'GCP project ID'), PROJECT, 'GCP project ID after the reload');
      await expectAttr(button(page, 'Automatically (gcloud)'), 'aria-expanded', 'true', 'the automatic panel after the reload');
      await expectText(page.locator('#gcp-script-code'), new RegExp(`PROJECT_ID='${PROJECT}'`), 'the script after the reload');
      await expectText(page.locator('#gcp-key-again'), /spot-connector@acme-prod-42\.iam\.gserviceaccount\.com.*choose the file again/,
        'the note asking for the key file again');
      await expectHidden(page.locator('#gcp-key-summary'), 'no summary of a key that is not in memory');
      await assertNoPrivateKey(page, pem, 'after the reload');
      await button(page, 'Connect account').click();
      await expectFieldError(uploadInput(page), /Choose the key file again/, 'the upload after a reload');
      await checkA11y(page, 'GCP connect (after reload, key to choose again)');

      // Keyboard only: from the project ID, Tab to Browse, Enter opens the file chooser.
      // A standing listener turns Playwright's chooser interception on now, many round trips
      // before the key press: enabled only by waitForEvent, it can lose the race with a single
      // key press and the chooser then opens unseen.
      page.on('filechooser', () => {});
      await field(page, 'GCP project ID').focus();
      await tabTo(page, 'gcp-key-browse');
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.keyboard.press('Enter'),
      ]);
      await chooser.setFiles(jsonFile('key.json', keyJson({ pem })));
      await expectVisible(page.locator('#gcp-key-summary'), 'the key summary after a keyboard upload');
      await expectFieldValid(uploadInput(page), 'the upload after a keyboard upload');
      // Space works too.
      await button(page, `Browse ${UPLOAD_LABEL}`).focus();
      const [again] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.keyboard.press('Space'),
      ]);
      await again.setFiles(jsonFile('key.json', keyJson({ pem })));
      await expectVisible(page.locator('#gcp-key-summary'), 'the key summary after Space on Browse');
      await tabTo(page, 'gcp-connect-submit', 10);
      await page.keyboard.press('Enter');
      await expectURL(page, '/dashboard');
      await expectNoPageProblems(page, problems);
    }));
});
