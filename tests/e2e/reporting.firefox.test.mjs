// Audit events reach the company's collector from Firefox ESR, configured through
// policies.json (reportingUrl, reportingToken, reportingTags, the policy), through a local
// HEC-compatible collector that fails half the requests, throttles and answers late, then is
// down while Firefox is closed and started again with events queued. (Firefox offers no way to
// stop the add-on's background from outside it, so the stopped-worker fault is Chromium's test
// alone.) Every recorded event arrives once after de-duplication, and no body holds a query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor, extensionPageFor, askBackground } from './harness/firefox.mjs';
import { writeFirefoxPolicy } from './harness/managed-policy.mjs';
import { startCollector } from './harness/collector.mjs';

const TOKEN = 'ff-hec-token';
const QUERY = 'q=draft+of+the+merger+announcement';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'banned-ai', action: 'block', patterns: ['banned.example'] },
    { id: 'watched-ai', action: 'monitor', patterns: ['watched.example'] },
  ],
};

let sites, proxy, collector, ff, removePolicy, prefs;

before(async () => {
  collector = await startCollector({ token: TOKEN });
  removePolicy = writeFirefoxPolicy({
    policy: JSON.stringify(POLICY), reportingUrl: collector.url, reportingToken: TOKEN,
    reportingTags: { site: 'lyon' }, reportingTimeoutSeconds: 2,
  });
  sites = await startSites();
  proxy = await startProxy(sites);
  // The collector is reached directly; every site goes through the test proxy.
  prefs = { 'network.proxy.no_proxies_on': new URL(collector.url).host };
  ff = await launchFirefox({ proxyPort: proxy.port, keepProfile: true, prefs });
});

after(async () => {
  await ff?.close();
  await proxy?.close();
  await sites?.close();
  await collector?.close();
  removePolicy?.();
});

// Asked from the block page of a banned site (an extension page), found again when the session
// has navigated away.
const ask = (msg) => askBackground(ff, msg, { findPage: () => extensionPageFor(ff, 'https://banned.example/'), timeout: 60_000 });
const recorded = async () => (await ask({ type: 'audit' })).entries;
const pending = async () => (await ask({ type: 'reportingStatus' })).pending;

// A blocked visit whose address carries a prompt, and a monitored one, recorded.
async function makeEvents(round) {
  const before = (await recorded()).length;
  await waitFor(async () => {
    await ff.navigate(`https://banned.example/r${round}?${QUERY}`).catch(() => {});
    return (await ff.url()).includes('/pages/block.html');
  }, `round ${round}: the block page`, 30_000);
  await waitFor(async () => {
    await ff.navigate(`https://watched.example/r${round}?${QUERY}`).catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    return (await ff.url()).startsWith(`https://watched.example/r${round}`);
  }, `round ${round}: the monitored page`, 30_000);
  await waitFor(async () => {
    const mine = (await recorded()).slice(before);
    return mine.some((e) => e.action === 'block' && e.url?.endsWith(`/r${round}`)) && mine.some((e) => e.action === 'monitor' && e.url?.endsWith(`/r${round}`));
  }, `round ${round}'s events`, 30_000);
}

test('through failures and a browser restart with events queued, every event arrives once, without a query', { timeout: 300_000 }, async () => {
  Object.assign(collector.faults, { retryAfter: 1, slowMs: 3000, cycle: ['fail', 'ok', 'fail', 'throttle', 'fail', 'ok', 'fail', 'slow', 'fail', 'ok'] });
  for (let round = 1; collector.stats.requests < 10; round++) {
    await makeEvents(round);
    await waitFor(async () => (await pending()) === 0, `round ${round} delivered through the failures`, 120_000);
  }
  collector.faults.cycle = null;

  await collector.down();
  await makeEvents(20);
  assert.ok((await pending()) > 0, 'events wait in the outbox');
  ff = await ff.restart({ prefs });
  await collector.up();
  await waitFor(async () => (await pending()) === 0, 'the outbox empty after the restart', 120_000);

  const log = await recorded();
  const ids = new Set(log.map((e) => e.id));
  const got = collector.received.map((r) => r.event);
  const unique = new Map(got.map((e) => [e.id, e]));
  const lost = [...ids].filter((id) => !unique.has(id));
  console.log(`# events ${ids.size}, requests ${collector.stats.requests} (500: ${collector.stats.failed}, 429: ${collector.stats.throttled}, `
    + `slower than the timeout: ${collector.stats.slow}), duplicates before de-duplication ${got.length - unique.size}, lost ${lost.length}`);
  assert.deepEqual(lost, []);
  assert.deepEqual([...unique.keys()].filter((id) => !ids.has(id)), []);
  assert.ok(collector.stats.failed && collector.stats.throttled && collector.stats.slow, JSON.stringify(collector.stats));
  assert.ok(got.every((e) => /^Firefox /.test(e.browser) && e.tags.site === 'lyon'));
  for (const body of collector.bodies) assert.ok(!body.includes('merger') && !body.includes('?q='), 'no query string in a request body');
});
