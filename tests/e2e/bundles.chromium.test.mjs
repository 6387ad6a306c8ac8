// Signed bundles in Debian's Chromium, configured as a company would: the bundle URL and the
// trusted key in Chromium's managed policy directory, the bundle and the fingerprint database on
// an HTTPS server (harness/bundle-server.mjs), both made by the admin CLI from the sample company
// tree (tests/corpora/fingerprint-fixtures/company). A good bundle makes a paste of the company's
// code into an AI page blocked; every bad update after it is refused with its reason on the
// options page while the good one stays in force; a restarted worker judges with the cached
// bundle and database while the server is down, and so does the browser started again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, until, dialogText } from './harness/chromium.mjs';
import { buildComposerBundle } from './harness/composer.mjs';
import { publishFleet, assertCompanyCodeBlocked, COMPANY_CODE, OTHER_CODE } from './harness/fleet.mjs';
import { writeChromiumPolicy } from './harness/managed-policy.mjs';

const ORIGIN = 'https://claude.ai';

let fleet, server, bundles, sites, browser, removePolicy;

before(async () => {
  fleet = publishFleet();
  ({ server, bundles } = fleet);
  removePolicy = writeChromiumPolicy(fleet.managed);
  await buildComposerBundle();
  sites = await startSites({ route: server.route });
  browser = await launchChromium(sites);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
});

after(async () => {
  await browser?.close();
  await sites?.close();
  removePolicy?.();
  fleet?.remove();
});

// The running worker (a restarted one is a new target).
const worker = () => browser.context.serviceWorkers()[0] ?? browser.context.waitForEvent('serviceworker');
const verdictRule = async (url) => (await (await worker()).evaluate((u) => globalThis.aiguard.verdict(u), url)).rule;
const bundleStatus = async () => (await worker()).evaluate(() => globalThis.aiguard.bundle());

// The options page, as an admin sees it.
async function options() {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await page.locator('#engine-state').filter({ hasText: 'running' }).waitFor();
  return page;
}

// Pastes `text` into the composer's textarea on the AI page; the dialog's text, or null when
// the paste went in.
async function paste(text) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  try {
    await page.goto(`${ORIGIN}/composer?csp=permissive`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await page.evaluate(() => window.__editors.focus('ta'));
    await page.keyboard.press('Control+V');
    const outcome = await until('the paste or the dialog', async () => (await dialogText(cdp))
      ?? ((await page.evaluate(() => window.__editors.value('ta'))) === text ? 'pasted' : null), 15_000);
    if (outcome === 'pasted') return null;
    assert.equal(await page.evaluate(() => window.__editors.value('ta')), '', 'nothing went in');
    return outcome;
  } finally {
    await page.close();
  }
}

test('the good bundle from the managed policy is in force after start, with its database', async () => {
  await until('bundle v1 in force', async () => (await bundleStatus()).inForce?.version === 1, 30_000);
  await until('its policy', async () => (await verdictRule('https://v1.example/')) === 'bundle-v1', 10_000);
  assert.equal(await (await worker()).evaluate(() => globalThis.aiguard.source()), 'bundle');
  const page = await options();
  assert.match(await page.locator('#policy-source').innerText(), /signed bundle/);
  assert.match(await page.locator('#bundle-version').innerText(), /^version 1, issued .+, expires .+/);
  assert.match(await page.locator('#bundle-fingerprints').innerText(), /^[\d,]+ fingerprints from bundle version 1$/);
  await page.close();
});

test('a 15-line fragment of the company\'s code pasted into an AI page is blocked; code from elsewhere is not', async () => {
  assertCompanyCodeBlocked(await paste(COMPANY_CODE));
  assert.equal(await paste(OTHER_CODE), null);
});

test('a newer bundle is applied on "Check now"', async () => {
  server.serve({ bundle: bundles.v2 });
  const page = await options();
  await page.click('#bundle-refresh');
  await page.locator('#bundle-version').filter({ hasText: /^version 2,/ }).waitFor();
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
  assert.equal(await verdictRule('https://v1.example/'), null);
  await page.close();
});

// Each bad answer, and the reason the options page must name.
const BAD = [
  ['a rolled-back bundle (version 1 again)', () => ({ bundle: bundles.v1 }), 'rollback'],
  ['a bundle signed by a key the policy does not trust', () => ({ bundle: bundles.v3Stranger }), 'unknown-key'],
  ['a bundle whose signature is not over its payload', () => ({ bundle: bundles.v3BadSignature }), 'bad-signature'],
  ['a truncated body', () => ({ truncated: bundles.v3 }), 'truncated'],
  ['HTTP 500', () => ({ status: 500 }), 'http'],
  ['a response that hangs past the timeout', () => ({ hang: true }), 'timeout'],
  ['a database whose hash does not match the bundle', () => ({ bundle: bundles.v3 }), 'database-hash'],
  ['a well-signed bundle past its expiry', () => ({ bundle: bundles.v3Expired }), 'expired'],
];

for (const [name, answer, reason] of BAD) {
  test(`refused, and bundle 2 stays in force: ${name} (${reason})`, async () => {
    server.serve(answer());
    const page = await options();
    await page.click('#bundle-refresh');
    await page.locator(`#bundle-error[data-reason="${reason}"]`).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('#bundle-error').innerText(), new RegExp(`^${reason}: `));
    assert.match(await page.locator('#bundle-version').innerText(), /^version 2,/);
    assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
    assert.equal(await verdictRule('https://v3.example/'), null);
    await page.close();
    server.release();
  });
}

test('the organisation configures bundles: the options page is read-only and a policy save is refused', async () => {
  const page = await options();
  await page.locator('#policy-editor[data-locked="true"]').waitFor();
  assert.ok(await page.locator('#save').isDisabled());
  const allowAll = JSON.stringify({ version: 1, defaultAction: 'allow', rules: [] });
  for (const text of [allowAll, null]) {
    assert.equal((await page.evaluate((t) => chrome.runtime.sendMessage({ type: 'savePolicy', text: t }), text)).error, 'locked');
  }
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
  await page.close();
});

test('every refusal is in the audit trail with its reason', async () => {
  const { entries } = await (await worker()).evaluate(() => globalThis.aiguard.audit());
  const reasons = entries.filter((e) => e.type === 'bundle-refused').map((e) => e.reason);
  for (const [, , reason] of BAD) assert.ok(reasons.includes(reason), `${reason} in ${reasons}`);
  assert.deepEqual(entries.filter((e) => e.type === 'bundle-applied').map((e) => e.version), [1, 2]);
});

test('a restarted worker judges the next paste with the cached bundle and database, the server down', async () => {
  server.serve({ status: 500 });
  const page = await options();
  const cdp = await browser.context.newCDPSession(page);
  const stopped = new Promise((r) => cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
    if (e.versions.some((v) => v.runningStatus === 'stopped')) r();
  }));
  const reported = new Promise((r) => cdp.once('ServiceWorker.workerVersionUpdated', (e) => r(e.versions)));
  await cdp.send('ServiceWorker.enable');
  const running = (await reported).find((v) => v.scriptURL.endsWith('/background/main.js') && v.runningStatus === 'running');
  assert.ok(running, 'the background worker runs');
  await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
  await stopped;
  await page.close();
  // The paste wakes the worker: it must find the bundle and the database on disk.
  assert.match(await paste(COMPANY_CODE), /Paste blocked/);
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
});

test('a restarted browser judges the first paste with the cached bundle and database, the server down', async () => {
  server.serve({ status: 500 });
  const asked = server.requests.length;
  browser = await browser.restart();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  assert.match(await paste(COMPANY_CODE), /Paste blocked/);
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
  assert.equal((await bundleStatus()).inForce?.version, 2);
  const since = server.requests.slice(asked);
  assert.ok(!since.some((r) => r.startsWith('/db/')), `no database fetched again: ${since}`);
});
