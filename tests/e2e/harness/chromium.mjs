// Debian's Chromium with the built extension loaded, driven by playwright-core.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium({ httpsPort, httpPort, extensionDir = "dist/chrome", headless = true, firstUrl = null }) {
  const ext = resolve(extensionDir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'aiguard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    ignoreHTTPSErrors: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--ignore-certificate-errors',
      `--host-resolver-rules=MAP *:443 127.0.0.1:${httpsPort}, MAP *:80 127.0.0.1:${httpPort}`,
    ],
  });
  // Navigate before the extension's worker is known to run: the first navigation after start.
  const firstPage = firstUrl ? await context.newPage() : null;
  const firstGoto = firstPage?.goto(firstUrl).catch(() => {});
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker', { timeout: 20_000 });
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    firstPage,
    firstGoto,
    close: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); },
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
