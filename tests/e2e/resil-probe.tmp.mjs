import { startServer, newUser, signupViaApi } from '/work/main/tests/e2e/lib/server.mjs';
import { launchBrowser, newPage } from '/work/main/tests/e2e/lib/browser.mjs';
const server = await startServer();
const browser = await launchBrowser();
const { page } = await newPage(browser, server);
page.on('console', (m) => console.log('console', m.type(), m.text().slice(0, 300)));
page.on('request', (r) => console.log('req', r.method(), r.url()));
const token = await signupViaApi(server, newUser());
await page.goto('/signin');
await page.waitForTimeout(1500);
await page.evaluate((t) => sessionStorage.setItem('onramp.session', t), token);
await page.goto(process.argv[2] ?? '/dashboard');
await page.waitForTimeout(4000);
try {
  const t = await page.evaluate(() => document.body.innerText.slice(0, 500), null);
  console.log('TEXT', t);
} catch (e) { console.log('ERR', e.message); }
await browser.close(); await server.stop();
