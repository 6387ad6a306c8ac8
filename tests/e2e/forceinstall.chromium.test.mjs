// AIGuard as a company deploys it, in Debian's Chromium: `aiguard pack` makes the signed CRX and
// updates.xml, a local update server hosts them, and `aiguard deploy --target chrome-linux`
// writes the file in Chromium's managed policy directory. No command-line flag loads the
// extension: Chromium installs it from the force-install list, the employee cannot disable it,
// it takes its policy from managed storage, applies a changed policy without a restart, keeps
// the last good one when a broken one arrives, and refuses a policy saved locally. With
// `aiguard deploy`'s default, developer tools (and so automation) cannot reach the extension;
// the tests that look inside it allow them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSites, closeServer } from './harness/sites.mjs';
import { launchChromium, until, waitForUrl, sleep } from './harness/chromium.mjs';
import { chromiumPolicyFile } from './harness/managed-policy.mjs';

const AIGUARD = process.env.AIGUARD_CLI ?? 'target/release/aiguard';
const COMPANY = { version: 1, defaultAction: 'allow', rules: [{ id: 'company', action: 'block', patterns: ['company.example'] }] };
const CHANGED = { version: 1, defaultAction: 'allow', rules: [{ id: 'changed', action: 'block', patterns: ['changed.example'] }] };
const BROKEN = '{"version": 1, "rules": [{"id": "broken", "action": "explode", "patterns": ["broken.example"]}]}';

let sites, packages, dir, policyFile, browser, id, version;
const requests = [];

// A static file server for the package directory, as a company's internal web server.
async function startPackageServer(root) {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    requests.push(path);
    try {
      const body = readFileSync(join(root, path.replace(/^\/+/, '').replace(/\.\./g, '')));
      res.writeHead(200, { 'content-type': path.endsWith('.crx') ? 'application/x-chrome-extension' : 'text/xml' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => closeServer(server) };
}

function aiguard(...args) {
  return execFileSync(AIGUARD, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// The managed policy file, written by `aiguard deploy` from `policy`.
function deploy(policy, ...extra) {
  const policyPath = join(dir, 'policy.json');
  writeFileSync(policyPath, JSON.stringify(policy));
  aiguard('deploy', '--policy', policyPath, '--target', 'chrome-linux', '--extension-id', id,
    '--update-url', `http://127.0.0.1:${packages.port}/updates.xml`, '--out', policyFile.path, ...extra);
}

before(async () => {
  sites = await startSites();
  dir = mkdtempSync(join(tmpdir(), 'aiguard-packages-'));
  packages = await startPackageServer(dir);
  id = aiguard('pack', '--key', 'manifest/dev-key.pem', '--codebase', `http://127.0.0.1:${packages.port}/aiguard.crx`, '--out', dir, 'dist/chrome').trim();
  version = JSON.parse(readFileSync('dist/chrome/manifest.json', 'utf8')).version;
  policyFile = chromiumPolicyFile();
});
after(async () => {
  await browser?.close();
  policyFile?.remove();
  await packages?.close();
  await sites?.close();
  rmSync(dir, { recursive: true, force: true });
});

const worker = () => browser.context.serviceWorkers()[0] ?? browser.context.waitForEvent('serviceworker');
const inWorker = async (fn, arg) => (await worker()).evaluate(fn, arg);
const verdictRule = (url) => inWorker((u) => globalThis.aiguard.verdict(u), url).then((v) => v.rule);

test('with developer tools barred from extensions (aiguard deploy\'s default), the browser installs AIGuard from the policy, out of automation\'s reach', async () => {
  deploy(COMPANY);
  browser = await launchChromium({ ...sites, extensionDir: null, waitForExtension: false });
  // Chromium fetches the update manifest and the package, and installs it in the profile...
  const installed = join(browser.userDataDir, 'Default', 'Extensions', id, `${version}_0`, 'manifest.json');
  await until('the package installed in the profile', () => existsSync(installed), 30_000);
  assert.ok(requests.includes('/updates.xml') && requests.includes('/aiguard.crx'), requests.join(' '));
  // ...but developer tools, and the automation that drives this test through them, are kept
  // away from it: no worker of it is exposed, and its pages close under the debugger.
  await sleep(1000);
  assert.equal(browser.context.serviceWorkers().length, 0, 'no extension worker is visible to developer tools');
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${id}/pages/options.html`).catch(() => {});
  await until('the extension page out of reach', () => page.isClosed(), 10_000);
  await browser.close();
  browser = null;
});

test('installed by the browser from the company\'s server: the employee cannot disable it, and it takes its policy from managed storage', async () => {
  deploy(COMPANY, '--devtools', 'allow');
  await browser?.close(); // the first test's, had it failed before closing it
  browser = await launchChromium({ ...sites, extensionDir: null });
  assert.equal(browser.extensionId, id, 'the id follows from the packing key');
  const self = await inWorker(async () => {
    const s = await chrome.management.getSelf();
    return { installType: s.installType, mayDisable: s.mayDisable, version: s.version, enabled: s.enabled };
  });
  assert.deepEqual(self, { installType: 'admin', mayDisable: false, version, enabled: true });
  await until('the managed policy in force', async () => (await verdictRule('https://company.example/')) === 'company', 20_000);
  assert.equal(await inWorker(() => globalThis.aiguard.source()), 'managed');
  const page = await browser.context.newPage();
  await page.goto('https://company.example/').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(`chrome-extension://${id}/pages/block.html`));
  await page.close();
});

test('a local policy is refused, whoever asks, and the options page is read-only', async () => {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${id}/pages/options.html`);
  await page.locator('#policy-editor[data-locked="true"]').waitFor();
  assert.ok(await page.locator('#save').isDisabled());
  for (const text of [JSON.stringify({ version: 1, defaultAction: 'allow', rules: [] }), null]) {
    const r = await page.evaluate((t) => chrome.runtime.sendMessage({ type: 'savePolicy', text: t }), text);
    assert.equal(r.error, 'locked', JSON.stringify(r));
  }
  assert.equal(await verdictRule('https://company.example/'), 'company');
  // The employee's popup offers no console: the organisation manages this extension.
  const tab = await inWorker(async () => (await chrome.tabs.query({})).find((t) => t.url.includes('/pages/options.html'))?.id);
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${id}/pages/popup.html?tab=${tab}`);
  await popup.locator('#popup:not([data-state="loading"])').waitFor();
  assert.equal(await popup.locator('#console').isHidden(), true);
  await popup.close();
  await page.close();
});

test('a changed managed policy is applied without a restart, and a broken one leaves it in force', async () => {
  const started = Date.now();
  deploy(CHANGED, '--devtools', 'allow');
  await until('the changed policy in force', async () => (await verdictRule('https://changed.example/')) === 'changed', 60_000);
  console.log(`# changed managed policy in force ${Date.now() - started} ms after the file was written`);
  assert.equal(await verdictRule('https://company.example/'), null);

  // An admin edits the file by hand and breaks the policy: the last good managed one stays.
  const file = JSON.parse(readFileSync(policyFile.path, 'utf8'));
  file['3rdparty'].extensions[id].policy = BROKEN;
  writeFileSync(policyFile.path, JSON.stringify(file));
  const status = await until('the broken policy rejected', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`chrome-extension://${id}/pages/options.html`);
      const s = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'status' }));
      return s.error?.source === 'managed' ? s : null;
    } finally {
      await page.close();
    }
  }, 60_000);
  assert.match(status.error.message, /explode|action/, JSON.stringify(status.error));
  assert.equal(status.source, 'managed');
  assert.equal(await verdictRule('https://changed.example/'), 'changed', 'the last good managed policy stays in force');
  assert.equal(await verdictRule('https://broken.example/'), null);
  // The audit trail has the change and the refusal, each once.
  const { entries } = await inWorker(() => globalThis.aiguard.audit());
  const since = entries.filter((e) => e.time >= started);
  assert.deepEqual(since.filter((e) => e.type === 'policy-applied').map((e) => e.source), ['managed']);
  const refused = since.filter((e) => e.type === 'policy-rejected');
  assert.equal(refused.length, 1, JSON.stringify(refused));
  assert.equal(refused[0].source, 'managed');
  assert.match(refused[0].message, /explode/);
});
