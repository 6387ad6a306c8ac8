// The employee's side doors around the URL policy, in Debian's Chromium with the built extension
// on the built-in policy: an AI tool reached through a translation proxy, an address written as
// IPv4-mapped IPv6, a page outside the catalog calling an AI API with the employee's key, and a
// prompt carried in an AI tool's address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, waitForUrl, saveLocalPolicy, until, dialogText } from './harness/chromium.mjs';

let sites, browser;
const ext = () => `chrome-extension://${browser.extensionId}/`;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
  await browser.worker.evaluate(() => globalThis.aiguard.ready());
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

async function setPolicy(policy) {
  const r = await saveLocalPolicy(browser, policy);
  assert.equal(r.problem ?? r.error, undefined, JSON.stringify(r));
}

test('an AI tool through Google Translate\'s proxy gets the warn page, naming the tool', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://claude-ai.translate.goog/new?_x_tr_sl=auto&_x_tr_tl=en').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.locator('#tool-name').filter({ hasText: /Claude/ }).waitFor();
  assert.equal(sites.received.filter((r) => r.startsWith('claude-ai.translate.goog')).length, 0, 'no request reached the proxy');
  // A host that only looks like the proxy's is an ordinary site.
  await page.goto('https://claude-ai.translate.goog.example.com/');
  assert.equal(await page.locator('#site').innerText(), 'SITE claude-ai.translate.goog.example.com');
  await page.close();
});

test('a page outside the catalog cannot call an AI API with fetch; the API host itself is warned', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/fetch?url=' + encodeURIComponent('https://api.openai.com/v1/models'));
  await page.locator('#result').filter({ hasText: /fetched|failed/ }).waitFor();
  assert.equal(await page.locator('#result').innerText(), 'failed');
  await page.goto('https://example.com/fetch?url=' + encodeURIComponent('https://example.org/api'));
  await page.locator('#result').filter({ hasText: /fetched|failed/ }).waitFor();
  assert.equal(await page.locator('#result').innerText(), 'fetched example.org', 'other hosts are not blocked');
  await page.goto('https://api.openai.com/v1/models').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.close();
});

test('a prompt in an AI tool\'s address is checked before its request leaves, after "Continue" too', async () => {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  const secret = encodeURIComponent('aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2');
  const leaked = () => sites.received.filter((r) => r.includes('AKIA'));
  // The site is warned first; "Continue" leads to the check of what its address carries.
  await page.goto(`https://chatgpt.com/?q=${secret}`).catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.click('#continue');
  assert.match(await until('the address dialog', () => dialogText(cdp)), /Address not opened/);
  await page.keyboard.press('Enter'); // OK
  await until('the dialog to close', async () => (await dialogText(cdp)) === null);
  // The employee is taken back where they came from (this tab's blank page), after the dialog
  // closed: a navigation started before that would be cut short by it.
  await waitForUrl(page, (u) => u === 'about:blank');
  assert.deepEqual(leaked(), [], 'the prompt never reached the site');

  // A clean prompt goes on to the site.
  await page.goto('https://chatgpt.com/?q=what+is+a+monad').catch(() => {});
  await waitForUrl(page, (u) => u === 'https://chatgpt.com/?q=what+is+a+monad');
  assert.ok(sites.received.includes('chatgpt.com/?q=what+is+a+monad'));

  // After "Continue", in the query of another page of the site, and in a fragment (which the
  // page's own script could read and send).
  await page.close();
  for (const url of [`https://chatgpt.com/c/1?prompt=${secret}`, `https://chatgpt.com/#q=${secret}`]) {
    const tab = await browser.context.newPage();
    const tabCdp = await browser.context.newCDPSession(tab);
    await tab.goto(url).catch(() => {});
    assert.match(await until(`the address dialog for ${url}`, () => dialogText(tabCdp), 10_000), /Address not opened/, url);
    await tab.keyboard.press('Enter');
    await until('the dialog to close', async () => (await dialogText(tabCdp)) === null);
    await tab.close();
  }
  assert.deepEqual(leaked(), [], 'no prompt reached the site');
});

// Last: it sets a policy of its own.
test('an IPv4 address written as IPv4-mapped IPv6 is judged as the address', async () => {
  await setPolicy({ version: 1, rules: [{ id: 'lab', action: 'block', patterns: ['127.0.0.1'] }] });
  const page = await browser.context.newPage();
  for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
    await page.goto(`http://${host}:${sites.httpPort}/x`).catch(() => {});
    await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/block.html'));
    await page.goto('about:blank');
  }
  await page.close();
});
