// The frame most specs share: one server and one browser for a `describe` block, each test in a
// fresh page named after the test (so a failure's screenshot says which test it was).
import { after, before, beforeEach } from 'node:test';
import { inNewPage, launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

/**
 * Call inside `describe`. `start()` starts the server (default: a plain one);
 * `beforeEachTest(server)` runs before each test and `cleanup(server)` after each page;
 * `prepare(context, page)` before each test's body.
 * `suite.server` and `suite.browser` are set once the tests run.
 * `suite.withPage(fn, { options, server })` runs `fn(page, problems, context)` in a new page
 * (`options` as for `newPage`; `server`: another server than the suite's).
 */
export function browserSuite({ start = () => startServer(), beforeEachTest, cleanup, prepare } = {}) {
  let currentTest = '';
  const suite = {
    server: undefined,
    browser: undefined,
    withPage: (fn, { options, server = suite.server } = {}) => inNewPage({
      browser: suite.browser,
      server,
      name: currentTest,
      options,
      prepare,
      cleanup: cleanup && (() => cleanup(suite.server)),
    }, fn),
  };
  before(async () => {
    suite.server = await start();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  beforeEach(async (t) => {
    currentTest = t.name;
    await beforeEachTest?.(suite.server);
  });
  return suite;
}
