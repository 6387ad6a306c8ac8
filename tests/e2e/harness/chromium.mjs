// Debian's Chromium with the built extension loaded, driven by playwright-core.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// `restart()` quits the browser and starts it again on the same profile (what the extension
// stored survives, as it does when an employee restarts the browser), resolving to the new one.
// `extensionDir: null` loads no extension from the command line: the browser installs it as a
// company's browsers do, from the managed policy's ExtensionInstallForcelist (which needs the
// browser's background networking, the extension updater's, left on); `waitForExtension: false`
// does not wait for its worker (developer tools may be barred from it).
export async function launchChromium(options) {
  const { httpsPort, httpPort, extensionDir = 'dist/chrome', headless = true, firstUrl = null, waitForExtension = true } = options;
  const fromCommandLine = extensionDir !== null;
  const ext = fromCommandLine ? resolve(extensionDir) : null;
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'aiguard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    ignoreHTTPSErrors: true,
    ignoreDefaultArgs: ['--disable-extensions', ...(fromCommandLine ? [] : ['--disable-background-networking'])],
    args: [
      ...(fromCommandLine ? [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`] : []),
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      ...(fromCommandLine ? ['--disable-background-networking'] : []), '--disable-component-update', '--disable-sync',
      '--ignore-certificate-errors',
      `--host-resolver-rules=MAP *:443 127.0.0.1:${httpsPort}, MAP *:80 127.0.0.1:${httpPort}`,
    ],
  });
  // Navigate before the extension's worker is known to run: the first navigation after start.
  const firstPage = firstUrl ? await context.newPage() : null;
  const firstGoto = firstPage?.goto(firstUrl).catch(() => {});
  let [worker] = context.serviceWorkers();
  if (waitForExtension) worker ??= await context.waitForEvent('serviceworker', { timeout: 30_000 });
  const extensionId = worker ? new URL(worker.url()).host : null;
  return {
    context,
    worker,
    extensionId,
    userDataDir,
    firstPage,
    firstGoto,
    close: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); },
    restart: async () => {
      await context.close();
      return launchChromium({ ...options, firstUrl: null, userDataDir });
    },
  };
}

// Polls the page URL until `predicate` holds: the extension replaces navigations, which
// waitForURL does not always observe.
export async function waitForUrl(page, predicate, timeout = 15_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (predicate(page.url())) return page.url();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for URL; last was ${page.url()}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns something truthy (which it returns), failing with `what` and the
// last value after `timeout` ms.
export async function until(what, fn, timeout = 5000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(40);
  }
  throw new Error(`timed out: ${what}; last ${JSON.stringify(last)}`);
}

// Saves `policy` (an object, or null for the built-in one) as the local policy, from the
// options page as an admin would; returns the background's answer.
export async function saveLocalPolicy(browser, policy) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
    return await page.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), policy && JSON.stringify(policy));
  } finally {
    await page.close();
  }
}

// The text of AIGuard's dialog in the page `cdp` is attached to, or null. The dialog lives in a
// closed shadow root, out of reach of page scripts (and of Playwright's selectors); the DevTools
// protocol's pierced DOM still shows what the employee sees.
export async function dialogText(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  let dialog = null;
  const find = (n) => {
    if (dialog) return;
    if (n.nodeName === 'AIGUARD-DIALOG') { dialog = n; return; }
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? []), ...(n.contentDocument ? [n.contentDocument] : [])]) find(c);
  };
  find(root);
  if (!dialog) return null;
  const parts = [];
  const text = (n) => {
    if (n.nodeType === 3) parts.push(n.nodeValue);
    if (n.nodeName === 'STYLE') return;
    for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) text(c);
  };
  text(dialog);
  return parts.join(' ');
}
