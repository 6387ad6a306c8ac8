// Audit events reach the company's collector, in Debian's Chromium, configured as a company
// would (reportingUrl, reportingToken, reportingTags and the policy in Chromium's managed policy
// directory), through a local HEC-compatible collector that fails: half the requests answered
// 500, some 429 with Retry-After, some slower than the timeout; then down for a minute; then
// holding a request while the service worker is stopped; then down while the browser is closed
// and started again with events queued. Afterwards every event the extension recorded has
// reached the collector, exactly once after de-duplication by id, and no request body holds the
// pasted text, the secret or a query string.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, until, dialogText, sleep } from './harness/chromium.mjs';
import { buildComposerBundle } from './harness/composer.mjs';
import { writeChromiumPolicy } from './harness/managed-policy.mjs';
import { startCollector } from './harness/collector.mjs';

const TOKEN = '6c1f7c0e-hec-token';
const ORIGIN = 'https://claude.ai';
const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const PASTED = `deploy with aws_access_key_id = ${SECRET} please, from the quarterly plan`;
const QUERY = 'q=draft+of+the+merger+announcement';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'approved', action: 'allow', patterns: ['claude.ai'] },
    { id: 'banned-ai', action: 'block', patterns: ['banned.example'] },
    { id: 'watched-ai', action: 'monitor', patterns: ['watched.example'] },
  ],
};
const TAGS = { site: 'lyon', team: 'platform' };

let sites, collector, browser, removePolicy;

before(async () => {
  collector = await startCollector({ token: TOKEN });
  removePolicy = writeChromiumPolicy({
    policy: JSON.stringify(POLICY),
    reportingUrl: collector.url,
    reportingToken: TOKEN,
    reportingTags: TAGS,
    reportingTimeoutSeconds: 2,
  });
  await buildComposerBundle();
  sites = await startSites();
  browser = await launchChromium(sites);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
});

after(async () => {
  await browser?.close();
  await sites?.close();
  await collector?.close();
  removePolicy?.();
});

// The running worker; a stopped one is started again by a message from the options page.
async function worker() {
  const [running] = browser.context.serviceWorkers();
  if (running) return running;
  const started = browser.context.waitForEvent('serviceworker', { timeout: 30_000 });
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const w = await started;
  await page.close();
  return w;
}
// `fn` in the worker; a worker stopped meanwhile is replaced by the next one.
async function inWorker(fn) {
  for (let attempt = 0; ; attempt++) {
    const w = await worker();
    try {
      return await w.evaluate(fn);
    } catch (e) {
      if (attempt >= 3 || !/restarted|closed|detached|destroyed/i.test(e.message)) throw e;
      await sleep(300);
      if (browser.context.serviceWorkers()[0] === w) await new Promise((r) => { w.once('close', r); setTimeout(r, 2000); });
    }
  }
}
const recorded = async () => (await inWorker(() => globalThis.aiguard.audit())).entries;
const reporting = () => inWorker(() => globalThis.aiguard.reporting());

// Waits until the trail holds an event after the first `after` ones that `pred` accepts.
const recordedAfter = (after, what, pred) => until(what, async () => (await recorded()).slice(after).find(pred), 15_000);

// Events: a blocked visit whose address carries a prompt, a monitored visit, a pasted secret
// blocked (and the dialog's OK); resolves to them once they are recorded.
async function makeEvents(round) {
  const before = (await recorded()).length;
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  try {
    await page.goto(`https://banned.example/r${round}?${QUERY}`).catch(() => {});
    const blocked = await recordedAfter(before, `round ${round}: the blocked visit`, (e) => e.type === 'navigation' && e.action === 'block' && e.url?.endsWith(`/r${round}`));
    await page.goto(`https://watched.example/r${round}?${QUERY}`).catch(() => {});
    const monitored = await recordedAfter(before, `round ${round}: the monitored visit`, (e) => e.action === 'monitor' && e.url?.endsWith(`/r${round}`));
    const pasted = (await recorded()).length;
    await page.goto(`${ORIGIN}/composer?csp=permissive`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await page.evaluate((t) => navigator.clipboard.writeText(t), PASTED);
    await page.evaluate(() => window.__editors.focus('ta'));
    await page.keyboard.press('Control+V');
    await until('the block dialog', () => dialogText(cdp), 15_000);
    await page.keyboard.press('Enter');
    const content = await recordedAfter(pasted, `round ${round}: the blocked paste`, (e) => e.type === 'content' && e.action === 'block');
    return [blocked, monitored, content];
  } finally {
    await page.close();
  }
}

test('events carry their envelope and no content, and the monitor rule records visits', async () => {
  const events = await makeEvents(0);
  const block = events.find((e) => e.type === 'navigation' && e.action === 'block');
  assert.equal(block.url, 'https://banned.example/r0', 'the query is dropped under the default auditUrls');
  assert.equal(block.rule, 'banned-ai');
  const pasted = events.find((e) => e.type === 'content');
  assert.deepEqual([pasted.kind, pasted.action, pasted.url, pasted.findings], ['paste', 'block', `${ORIGIN}/composer`, [{ detector: 'secret', rule: 'aws-access-key-id', count: 1 }]]);
  const monitor = events.find((e) => e.type === 'navigation' && e.action === 'monitor');
  assert.deepEqual([monitor.rule, monitor.url], ['watched-ai', 'https://watched.example/r0']);
  const version = await inWorker(() => chrome.runtime.getManifest().version);
  for (const e of events) {
    assert.match(e.id, /^[0-9a-f-]{36}$/);
    assert.equal(typeof e.time, 'number');
    assert.deepEqual(e.tags, TAGS);
    assert.match(e.installId, /^[0-9a-f-]{36}$/);
    assert.match(e.browser, /^Chrome \d+/);
    assert.equal(e.extensionVersion, version);
    assert.equal(e.policySource, 'managed');
  }
  const text = JSON.stringify(events);
  for (const forbidden of [SECRET, 'quarterly plan', QUERY, 'merger']) assert.ok(!text.includes(forbidden), `${forbidden} in ${text}`);
});

test('through failures, an outage, a stopped worker and a browser restart, every event arrives once', { timeout: 420_000 }, async () => {
  // Half the requests fail, a tenth are throttled (Retry-After: 1), a tenth answer after the
  // 2 s timeout, in turn.
  Object.assign(collector.faults, { retryAfter: 1, slowMs: 3000, cycle: ['fail', 'ok', 'fail', 'throttle', 'fail', 'ok', 'fail', 'slow', 'fail', 'ok'] });
  // Each round is sent before the next, so every batch meets the cycle.
  for (let round = 1; collector.stats.requests < 10; round++) {
    await makeEvents(round);
    await until(`round ${round} delivered through the failures`, async () => (await reporting()).pending === 0, 120_000);
  }

  // The collector is down for a minute while events keep coming.
  collector.faults.cycle = null;
  await collector.down();
  const downSince = Date.now();
  for (let round = 20; round <= 21; round++) await makeEvents(round);
  await sleep(Math.max(0, 60_000 - (Date.now() - downSince)));
  await collector.up();
  await until('the outbox empty after the outage', async () => (await reporting()).pending === 0, 120_000);

  // A request in flight when the service worker is stopped: the batch stays queued and is
  // sent again by the next worker.
  const held = collector.hold();
  await makeEvents(22);
  await held.arrived;
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const versions = await new Promise((r) => cdp.once('ServiceWorker.workerVersionUpdated', (e) => r(e.versions)));
  const running = versions.find((v) => v.scriptURL.includes(browser.extensionId) && v.runningStatus === 'running');
  await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
  await page.close();
  held.release();
  await makeEvents(23); // wakes a new worker, which sends what waits
  await until('the outbox empty after the worker restart', async () => (await reporting()).pending === 0, 60_000);

  // Down while the browser is closed with events queued; up once it has started again.
  await collector.down();
  await makeEvents(24);
  assert.ok((await reporting()).pending > 0, 'events wait in the outbox');
  browser = await browser.restart();
  await collector.up();
  await until('the outbox empty after the browser restart', async () => (await reporting()).pending === 0, 120_000);

  const log = await recorded();
  const ids = new Set(log.map((e) => e.id));
  const got = collector.received.map((r) => r.event);
  const unique = new Map(got.map((e) => [e.id, e]));
  const lost = [...ids].filter((id) => !unique.has(id));
  const unknown = [...unique.keys()].filter((id) => !ids.has(id));
  const duplicates = got.length - unique.size;
  const status = await reporting();
  console.log(`# events ${ids.size}, requests ${collector.stats.requests} (500: ${collector.stats.failed}, 429: ${collector.stats.throttled}, `
    + `slower than the timeout: ${collector.stats.slow}), retries ${status.failures}, duplicates before de-duplication ${duplicates}, lost ${lost.length}`);
  assert.deepEqual(lost, [], 'no event lost');
  assert.deepEqual(unknown, [], 'nothing the extension did not record');
  assert.equal(collector.stats.unauthorised, 0);
  assert.ok(collector.stats.failed && collector.stats.throttled && collector.stats.slow, JSON.stringify(collector.stats));
  for (const r of collector.received) {
    assert.equal(r.sourcetype, 'aiguard:audit');
    assert.equal(r.host, r.event.installId);
  }
  for (const body of collector.bodies) {
    for (const forbidden of [SECRET, 'quarterly plan', QUERY, 'merger']) assert.ok(!body.includes(forbidden), `${forbidden} in a request body`);
  }
});

test('the options page shows the queue and the trail, filters it and exports it', async () => {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await page.locator('#reporting-pending[data-pending="0"]').waitFor();
  assert.equal(await page.locator('#reporting-url').innerText(), collector.url);
  await page.locator('#audit-table tbody tr').first().waitFor();
  await page.selectOption('#audit-type', 'navigation');
  await page.selectOption('#audit-action', 'monitor');
  const rows = await page.locator('#audit-table tbody tr').allInnerTexts();
  assert.ok(rows.length >= 7 && rows.every((r) => r.includes('watched-ai')), rows.join('\n'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-export-csv')]);
  const csv = await new Promise((resolve, reject) => {
    download.createReadStream().then((s) => {
      let text = '';
      s.on('data', (d) => { text += d; });
      s.on('end', () => resolve(text));
      s.on('error', reject);
    }, reject);
  });
  const lines = csv.trim().split('\r\n');
  assert.match(lines[0], /^id,time,type,kind,action,choice,rule,url,/);
  assert.equal(lines.length - 1, rows.length, 'the export holds what the filters kept');
  assert.ok(lines.slice(1).every((l) => l.includes(',navigation,,monitor,,watched-ai,https://watched.example/r')), csv);
  await page.close();
});
