// End-to-end tests in Debian's Chromium with the built extension (dist/chrome).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, waitForUrl } from './harness/chromium.mjs';

let sites, browser;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

const ext = () => `chrome-extension://${browser.extensionId}/`;

test('the background starts and the wasm engine answers', async () => {
  const verdict = await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://claude.ai/new'));
  assert.deepEqual(verdict, { action: 'warn', rule: 'ai-tools' });
  const allow = await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://example.com/'));
  assert.deepEqual(allow, { action: 'allow', rule: null });
});

test('a known AI site shows the warn page instead of the site', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://chatgpt.com/').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.locator('#original-url').filter({ hasText: 'https://chatgpt.com/' }).waitFor();
  assert.match(await page.locator('#tool-name').innerText(), /ChatGPT/);
  assert.equal(await page.locator('#site').count(), 0, 'the site itself must not render');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'go-back');
  await page.close();
});

test('a site outside the catalog loads normally', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/hello');
  assert.equal(await page.locator('#site').innerText(), 'SITE example.com');
  await page.close();
});
