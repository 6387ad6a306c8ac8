// The toolbar popup in Debian's Chromium, as the employee reads it for the tab in front of them:
// blocked (on AIGuard's block page, with the approved alternative), warned and continued until
// when, allowed and recorded, an ordinary page, a browser page; whether content is checked; the
// console link only for an extension nobody manages. (Automation cannot click the toolbar
// button, so the popup's page is opened in a tab of its own, naming the tab it describes.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, saveLocalPolicy, until, waitForUrl } from './harness/chromium.mjs';

const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'banned-ai', action: 'block', patterns: ['banned.example'], alternative: 'https://chat.approved.example/' },
    { id: 'warned-ai', action: 'warn', patterns: ['warned.example'], categories: ['ai-chat'] },
    { id: 'watched-ai', action: 'monitor', patterns: ['watched.example'] },
  ],
};

let sites, browser;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
  const r = await saveLocalPolicy(browser, POLICY);
  assert.equal(r.error ?? r.problem, undefined, JSON.stringify(r));
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

// The popup for the tab showing `page`, as its text and its data attributes.
async function popupFor(page) {
  const url = page.url();
  const tabId = await browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, url);
  assert.ok(Number.isInteger(tabId), `a tab for ${url}`);
  const popup = await browser.context.newPage();
  try {
    await popup.goto(`chrome-extension://${browser.extensionId}/pages/popup.html?tab=${tabId}`);
    await popup.locator('#popup:not([data-state="loading"])').waitFor();
    return await popup.evaluate(() => ({
      state: document.getElementById('popup').dataset.state,
      action: document.getElementById('popup').dataset.action,
      verdict: document.getElementById('verdict').textContent,
      detail: document.getElementById('verdict-detail').hidden ? '' : document.getElementById('verdict-detail').textContent,
      host: document.getElementById('host').textContent,
      content: document.getElementById('content').dataset.checked ?? null,
      alternative: document.getElementById('alternative').hidden ? null : document.getElementById('alternative-link').href,
      console: !document.getElementById('console').hidden,
    }));
  } finally {
    await popup.close();
  }
}

test('on a blocked AI tool: blocked, the approved alternative, content checks named', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://banned.example/chat?q=hello').catch(() => {});
  await waitForUrl(page, (u) => u.includes('/pages/block.html'));
  const p = await popupFor(page);
  assert.deepEqual([p.state, p.action, p.host, p.alternative], ['applies', 'block', 'banned.example', 'https://chat.approved.example/']);
  assert.match(p.verdict, /Blocked by your organisation's policy/);
  assert.equal(p.console, true, 'nobody manages this extension: the console is the employee\'s');
  await page.close();
});

test('on a warned AI tool the employee continued on: allowed until when, content checked', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://warned.example/').catch(() => {});
  await waitForUrl(page, (u) => u.includes('/pages/warn.html'));
  const warned = await popupFor(page);
  assert.deepEqual([warned.action, warned.verdict], ['warn', 'Your organisation asks you to think twice here']);
  await page.locator('#continue:not([disabled])').click();
  await waitForUrl(page, (u) => u === 'https://warned.example/');
  const p = await popupFor(page);
  assert.deepEqual([p.action, p.verdict, p.content], ['allow', 'Allowed: you chose to continue', 'true']);
  assert.match(p.detail, /^until \d{1,2}:\d{2}/);
  await page.close();
});

test('on a monitored site: allowed and recorded; on an ordinary page: allowed, nothing checked; on a browser page: not applicable', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://watched.example/');
  await until('the page', () => page.url() === 'https://watched.example/');
  const watched = await popupFor(page);
  assert.deepEqual([watched.action, watched.verdict], ['allow', 'Allowed']);
  assert.match(watched.detail, /recorded for your organisation's security team/);
  await page.goto('https://example.com/');
  const ordinary = await popupFor(page);
  assert.deepEqual([ordinary.action, ordinary.detail, ordinary.content], ['allow', '', 'false']);
  await page.goto('about:blank');
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const own = await popupFor(page);
  assert.deepEqual([own.state, own.verdict], ['not-applicable', 'AIGuard does not apply to this page.']);
  await page.close();
});
