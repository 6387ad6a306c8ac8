// Signed bundles in Firefox ESR, configured as a company would: the bundle URL, the trusted key
// and the fetch timeout in Firefox's policies.json (3rdparty → Extensions → the add-on's id, read
// by the add-on as managed storage), the bundle and the fingerprint database on the local HTTPS
// bundle server (harness/bundle-server.mjs), both made by the admin CLI from the sample company
// tree. The same bundles and expectations as bundles.chromium.test.mjs, fewer of the bad ones:
// a good bundle makes a paste of the company's code into an AI page blocked, a newer one applies
// on "Check now", a refused one leaves the previous one in force, and Firefox started again
// judges with the cached bundle and database while the server is down, as does its event page
// woken after Firefox suspended it. The add-on is installed
// from its package on a kept profile, so a restart keeps it and what it stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor } from './harness/firefox.mjs';
import { buildComposerBundle } from './harness/composer.mjs';
import { publishFleet, assertCompanyCodeBlocked, COMPANY_CODE, OTHER_CODE } from './harness/fleet.mjs';
import { writeFirefoxPolicy } from './harness/managed-policy.mjs';

let fleet, server, bundles, sites, proxy, ff, removePolicy;

before(async () => {
  fleet = publishFleet();
  ({ server, bundles } = fleet);
  removePolicy = writeFirefoxPolicy(fleet.managed);
  await buildComposerBundle();
  sites = await startSites({ route: server.route });
  proxy = await startProxy(sites);
  ff = await launchFirefox({ proxyPort: proxy.port, keepProfile: true });
});

after(async () => {
  await ff?.close();
  await proxy?.close();
  await sites?.close();
  removePolicy?.();
  fleet?.remove();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Asks the background from the extension page the tab is on.
const ask = (msg) => waitFor(() => ff.execAsync(`
  const [msg, done] = arguments;
  if (document.readyState !== 'complete' || typeof browser === 'undefined') return done(null);
  browser.runtime.sendMessage(msg).then(done, (e) => done({ error: String(e) }));`, [msg]), `the background to answer ${msg.type}`, 30_000);
const verdictRule = async (url) => (await ask({ type: 'verdict', url })).rule;

// The block page of `version`'s policy: navigates to v<version>.example until the policy that
// blocks it is in force (before the first bundle the site loads).
async function blockPageOf(version, timeout = 60_000) {
  await waitFor(async () => {
    const url = await ff.url();
    if (url.startsWith(ff.extensionBase + 'pages/block.html')
      && (await ff.exec('return document.readyState + " " + location.href')) === 'complete ' + url) return true;
    await ff.navigate(`https://v${version}.example/`).catch(() => {});
    await sleep(500);
    return false;
  }, `the block page of bundle v${version}'s policy`, timeout);
}

// The options page, as an admin sees it (WebDriver does not open extension pages itself: the
// block page goes there).
async function options(version) {
  await blockPageOf(version);
  await ff.exec('location.assign(browser.runtime.getURL("pages/options.html"))');
  await waitFor(() => ff.exec('return location.pathname === "/pages/options.html" && document.getElementById("bundle-version")?.dataset.version === arguments[0]',
    [String(version)]), `the options page showing bundle ${version}`, 30_000);
}
const text = (id) => ff.exec('return document.getElementById(arguments[0]).textContent', [id]);

// Pastes `text` into the composer's textarea on claude.ai (copied with Ctrl+C from the page's
// own box, pasted with Ctrl+V); the dialog's text, or null when the paste went in.
async function paste(content) {
  await ff.navigate('https://claude.ai/composer?csp=permissive');
  await waitFor(() => ff.exec('return window.__ready === true'), 'the composer page', 40_000);
  await ff.exec('window.__editors.set("clip", arguments[0]); const c = document.getElementById("clip"); c.focus(); c.select();', [content]);
  await ff.press('Control', 'c');
  await ff.exec('window.__editors.set("ta", ""); window.__editors.focus("ta");');
  await ff.press('Control', 'v');
  const outcome = await waitFor(async () => (await ff.dialogText())
    ?? ((await ff.exec('return window.__editors.value("ta")')) === content ? 'pasted' : null), 'the paste or the dialog', 20_000);
  if (outcome === 'pasted') return null;
  assert.equal(await ff.exec('return window.__editors.value("ta")'), '', 'nothing went in');
  await ff.press('Enter'); // OK
  return outcome;
}

test('the good bundle from policies.json is in force after start, with its database', async () => {
  await blockPageOf(1);
  const s = await ask({ type: 'status' });
  assert.equal(s.source, 'bundle', JSON.stringify(s));
  assert.equal(s.bundle.inForce?.version, 1);
  assert.equal(s.bundle.versionInUse, 1);
  assert.ok(s.bundle.fingerprints > 0, `fingerprints loaded: ${s.bundle.fingerprints}`);
  assert.equal(await verdictRule('https://v1.example/'), 'bundle-v1');
});

test('a 15-line fragment of the company\'s code pasted into an AI page is blocked; code from elsewhere is not', async () => {
  assertCompanyCodeBlocked(await paste(COMPANY_CODE));
  assert.equal(await paste(OTHER_CODE), null);
});

test('a newer bundle is applied on "Check now"', async () => {
  server.serve({ bundle: bundles.v2 });
  await options(1);
  await ff.click('#bundle-refresh');
  await waitFor(() => ff.exec('return document.getElementById("bundle-version").dataset.version === "2"'), 'bundle 2 on the options page');
  assert.match(await text('bundle-version'), /^version 2, issued .+, expires .+/);
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
  assert.equal(await verdictRule('https://v1.example/'), null);
});

const BAD = [
  ['a bundle whose signature is not over its payload', { bundle: () => bundles.v3BadSignature }, 'bad-signature'],
  ['a database whose hash does not match the bundle', { bundle: () => bundles.v3 }, 'database-hash'],
  ['a well-signed bundle past its expiry', { bundle: () => bundles.v3Expired }, 'expired'],
];

for (const [name, answer, reason] of BAD) {
  test(`refused with its reason, and bundle 2 stays in force: ${name} (${reason})`, async () => {
    server.serve({ bundle: answer.bundle() });
    await options(2);
    await ff.click('#bundle-refresh');
    await waitFor(() => ff.exec('return document.getElementById("bundle-error").dataset.reason === arguments[0]', [reason]),
      `the refusal (${reason}) on the options page`);
    assert.match(await text('bundle-error'), new RegExp(`^${reason}: `));
    assert.match(await text('bundle-version'), /^version 2,/);
    assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
    assert.equal(await verdictRule('https://v3.example/'), null);
    const { entries } = await ask({ type: 'audit' });
    assert.ok(entries.some((e) => e.type === 'bundle-refused' && e.reason === reason), `${reason} in the audit trail`);
  });
}

test('the organisation configures bundles: the options page is read-only and a policy save is refused', async () => {
  await options(2);
  assert.equal(await ff.exec('return document.getElementById("policy-editor").dataset.locked'), 'true');
  assert.equal(await ff.exec('return document.getElementById("save").disabled'), true);
  // (The answer is wrapped: WebDriver takes a result with an `error` field for its own error.)
  for (const text of [JSON.stringify({ version: 1, defaultAction: 'allow', rules: [] }), null]) {
    const { answer } = await ff.execAsync(`const [msg, done] = arguments;
      browser.runtime.sendMessage(msg).then((answer) => done({ answer }), (e) => done({ answer: String(e) }));`, [{ type: 'savePolicy', text }]);
    assert.equal(answer?.error, 'locked', JSON.stringify(answer));
  }
  assert.equal(await verdictRule('https://v2.example/'), 'bundle-v2');
});

test('with bundle 2 in force, the company\'s code is still blocked', async () => {
  assert.match(await paste(COMPANY_CODE), /Paste blocked/);
});

test('Firefox started again judges the first paste with the cached bundle and database, the server down', async () => {
  server.serve({ status: 500 });
  const asked = server.requests.length;
  // From now on Firefox suspends the add-on's event page after one idle second (30 by default).
  ff = await ff.restart({ prefs: { 'extensions.background.idle.timeout': 1000 } });
  assert.match(await paste(COMPANY_CODE), /Paste blocked/);
  await blockPageOf(2);
  const s = await ask({ type: 'status' });
  assert.equal(s.bundle.inForce?.version, 2, JSON.stringify(s.bundle));
  const since = server.requests.slice(asked);
  assert.ok(!since.some((r) => r.startsWith('/db/')), `no database fetched again: ${since}`);
});

test('an event page Firefox suspended when idle judges the next paste with the cached bundle and database', async () => {
  await blockPageOf(2);
  const started = (await ask({ type: 'status' })).diagnostics.backgroundStartedAt;
  await ff.navigate('about:blank');
  await sleep(5000);
  assert.match(await paste(COMPANY_CODE), /Paste blocked/);
  await blockPageOf(2);
  const s = await ask({ type: 'status' });
  assert.ok(s.diagnostics.backgroundStartedAt > started, `the event page started again: ${started} → ${s.diagnostics.backgroundStartedAt}`);
  assert.equal(s.bundle.versionInUse, 2);
  assert.ok(s.bundle.fingerprints > 0);
});
