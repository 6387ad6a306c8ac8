// An AIGuard the organisation configures is the organisation's, in Debian's Chromium with the
// policy in Chromium's managed policy directory: a policy an employee saved on the options page
// before is no longer used once the browser starts with the managed policy, the options page is
// read-only, and the background refuses a policy save or reset, whoever asks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, saveLocalPolicy, until } from './harness/chromium.mjs';
import { writeChromiumPolicy } from './harness/managed-policy.mjs';

const EMPLOYEE = { version: 1, defaultAction: 'allow', rules: [{ id: 'employee', action: 'block', patterns: ['employee.example'] }] };
const COMPANY = { version: 1, defaultAction: 'allow', rules: [{ id: 'company', action: 'block', patterns: ['company.example'] }] };

let sites, browser, removePolicy;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
});
after(async () => {
  await browser?.close();
  await sites?.close();
  removePolicy?.();
});

const worker = () => browser.context.serviceWorkers()[0] ?? browser.context.waitForEvent('serviceworker');
const verdictRule = async (url) => (await (await worker()).evaluate((u) => globalThis.aiguard.verdict(u), url)).rule;

test('without an organisation\'s configuration, a policy saved on the options page is in force', async () => {
  const r = await saveLocalPolicy(browser, EMPLOYEE);
  assert.equal(r.error ?? r.problem, undefined, JSON.stringify(r));
  assert.equal(await verdictRule('https://employee.example/'), 'employee');
});

test('once the browser starts with a managed policy, the employee\'s policy is not used, and no policy can be saved or reset', async () => {
  removePolicy = writeChromiumPolicy({ policy: JSON.stringify(COMPANY) });
  browser = await browser.restart();
  await until('the managed policy in force', async () => (await verdictRule('https://company.example/')) === 'company', 20_000);
  assert.equal(await verdictRule('https://employee.example/'), null);
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await page.locator('#policy-editor[data-locked="true"]').waitFor();
  assert.ok(await page.locator('#save').isDisabled());
  assert.ok(await page.locator('#reset').isDisabled());
  assert.equal(await page.locator('#managed-note').isVisible(), true);
  // The console says who controls the policy, lists the managed settings, and shows the
  // managed policy in a read-only editor.
  assert.equal(await page.locator('#who-controls').innerText(), 'Your organisation sets it through managed settings.');
  assert.deepEqual(await page.locator('#managed-settings tbody tr td:first-child').allInnerTexts(), ['policy']);
  assert.equal(await page.locator('#policy-text .cm-content').getAttribute('contenteditable'), 'false');
  assert.deepEqual(JSON.parse(await page.evaluate(() => document.getElementById('policy-text').editor.value)), COMPANY);
  for (const text of [JSON.stringify(EMPLOYEE), null]) {
    const r = await page.evaluate((t) => chrome.runtime.sendMessage({ type: 'savePolicy', text: t }), text);
    assert.equal(r.error, 'locked', JSON.stringify(r));
  }
  assert.equal(await verdictRule('https://company.example/'), 'company');
  assert.equal(await verdictRule('https://employee.example/'), null);
  await page.close();
});
