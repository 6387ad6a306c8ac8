// AIGuard as a company deploys it, in Firefox ESR: `aiguard deploy --target firefox
// --allow-unsigned` writes policies.json, whose ExtensionSettings force-installs the add-on's
// package from a local web server, whose Preferences let ESR take it unsigned, and whose
// 3rdparty policy carries AIGuard's settings. Nothing installs the add-on
// through the driver: Firefox installs it at start, the employee cannot disable it, it takes its
// policy from managed storage and refuses a local one; a broken policy at the next start leaves
// the last good one in force. (Firefox reads policies.json only at start: a changed policy needs a
// restart, which this test does.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSites, closeServer } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor, extensionPageFor, askBackground } from './harness/firefox.mjs';
import { firefoxPolicyFile } from './harness/managed-policy.mjs';

const AIGUARD = process.env.AIGUARD_CLI ?? 'target/release/aiguard';
const COMPANY = { version: 1, defaultAction: 'allow', rules: [{ id: 'company', action: 'block', patterns: ['company.example'] }] };
const BROKEN = '{"version": 1, "rules": [{"id": "broken", "action": "explode", "patterns": ["broken.example"]}]}';
const XPI = resolve('dist/aiguard-firefox.xpi');
// The package server is reached directly (every site goes through the test proxy), and the
// profile requires signed add-ons: only the deployed policy lets this unsigned package in.
let PREFS;

let sites, proxy, server, port, dir, policyFile, ff;
const requests = [];

before(async () => {
  sites = await startSites();
  proxy = await startProxy(sites);
  server = http.createServer((req, res) => {
    requests.push(req.url);
    if (req.url !== '/aiguard-firefox.xpi') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/x-xpinstall' });
    res.end(readFileSync(XPI));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  port = server.address().port;
  PREFS = { 'network.proxy.no_proxies_on': `127.0.0.1:${port}`, 'xpinstall.signatures.required': true };
  dir = mkdtempSync(join(tmpdir(), 'aiguard-ff-deploy-'));
  policyFile = firefoxPolicyFile();
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(COMPANY));
  execFileSync(AIGUARD, ['deploy', '--policy', join(dir, 'policy.json'), '--target', 'firefox',
    '--update-url', `http://127.0.0.1:${port}/aiguard-firefox.xpi`, '--allow-unsigned', '--out', policyFile.path]);
  ff = await launchFirefox({ proxyPort: proxy.port, keepProfile: true, install: false, prefs: PREFS });
});
after(async () => {
  await ff?.close();
  policyFile?.remove();
  await proxy?.close();
  await sites?.close();
  if (server) await closeServer(server);
  rmSync(dir, { recursive: true, force: true });
});

const ask = (msg) => askBackground(ff, msg);

test('Firefox installs the add-on from policies.json, the employee cannot disable it, and it takes its policy from managed storage', async () => {
  await extensionPageFor(ff, 'https://company.example/');
  assert.ok(requests.includes('/aiguard-firefox.xpi'), requests.join(' '));
  const self = await waitFor(async () => (await ff.execAsync(`const [done] = arguments;
    browser.management.getSelf().then((s) => done({ installType: s.installType, mayDisable: s.mayDisable }), (e) => done({ failed: String(e) }));`)), 'management.getSelf');
  assert.deepEqual(self, { installType: 'admin', mayDisable: false });
  assert.equal((await ask({ type: 'verdict', url: 'https://company.example/' })).rule, 'company');
  assert.equal((await ask({ type: 'status' })).source, 'managed');
});

test('a local policy is refused, whoever asks, and the options page is read-only', async () => {
  for (const text of [JSON.stringify({ version: 1, defaultAction: 'allow', rules: [] }), null]) {
    assert.equal((await ask({ type: 'savePolicy', text })).error, 'locked');
  }
  await ff.exec('location.assign(browser.runtime.getURL("pages/options.html"))');
  await waitFor(() => ff.exec('return document.getElementById("policy-editor")?.dataset.locked === "true"'), 'the options page, locked');
  assert.equal(await ff.exec('return document.getElementById("save").disabled'), true);
  assert.equal((await ask({ type: 'verdict', url: 'https://company.example/' })).rule, 'company');
});

test('a broken managed policy at the next start leaves the last good one in force', async () => {
  const file = JSON.parse(readFileSync(policyFile.path, 'utf8'));
  file.policies['3rdparty'].Extensions['aiguard@aiguard.dev'].policy = BROKEN;
  writeFileSync(policyFile.path, JSON.stringify(file));
  ff = await ff.restart({ prefs: PREFS });
  await extensionPageFor(ff, 'https://company.example/');
  const status = await waitFor(async () => {
    const s = await ask({ type: 'status' });
    return s.error?.source === 'managed' ? s : null;
  }, 'the broken policy rejected', 30_000);
  assert.match(status.error.message, /explode|action/, JSON.stringify(status.error));
  assert.equal(status.source, 'managed');
  assert.equal((await ask({ type: 'verdict', url: 'https://company.example/' })).rule, 'company');
  assert.equal((await ask({ type: 'verdict', url: 'https://broken.example/' })).rule, null);
});
