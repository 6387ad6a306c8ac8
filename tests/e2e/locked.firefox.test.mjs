// An AIGuard the organisation configures is the organisation's, in Firefox ESR with the policy
// in policies.json: a policy an employee saved on the options page before is no longer used
// once Firefox starts with the managed policy, the options page is read-only, and the
// background refuses a policy save or reset. The add-on is installed from its package on a kept
// profile, so Firefox started again keeps what the employee saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor } from './harness/firefox.mjs';
import { writeFirefoxPolicy } from './harness/managed-policy.mjs';

const EMPLOYEE = { version: 1, defaultAction: 'allow', rules: [{ id: 'employee', action: 'block', patterns: ['employee.example'] }] };
const COMPANY = { version: 1, defaultAction: 'allow', rules: [{ id: 'company', action: 'block', patterns: ['company.example'] }] };

let sites, proxy, ff, removePolicy;
before(async () => {
  sites = await startSites();
  proxy = await startProxy(sites);
  ff = await launchFirefox({ proxyPort: proxy.port, keepProfile: true });
});
after(async () => {
  await ff?.close();
  await proxy?.close();
  await sites?.close();
  removePolicy?.();
});

// Goes to `url` until AIGuard's warn or block page for it shows: an extension page, from which
// the background can be asked.
async function extensionPageFor(url) {
  await waitFor(async () => {
    const at = await ff.url();
    if (at.startsWith(ff.extensionBase) && (await ff.exec('return document.readyState')) === 'complete') return true;
    await ff.navigate(url).catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    return false;
  }, `AIGuard's page for ${url}`, 60_000);
}

// The background's answer, wrapped (WebDriver takes a result with an `error` field for its own).
const ask = (msg) => waitFor(async () => (await ff.execAsync(`const [msg, done] = arguments;
  browser.runtime.sendMessage(msg).then((answer) => done({ answer }), () => done(null));`, [msg]))?.answer, `the background to answer ${msg.type}`, 30_000);

test('without an organisation\'s configuration, a policy saved on the options page is in force', async () => {
  await extensionPageFor('https://chatgpt.com/');
  const r = await ask({ type: 'savePolicy', text: JSON.stringify(EMPLOYEE) });
  assert.equal(r.source, 'local', JSON.stringify(r));
  assert.equal((await ask({ type: 'verdict', url: 'https://employee.example/' })).rule, 'employee');
});

test('once Firefox starts with a managed policy, the employee\'s policy is not used, and no policy can be saved or reset', async () => {
  removePolicy = writeFirefoxPolicy({ policy: JSON.stringify(COMPANY) });
  ff = await ff.restart();
  await extensionPageFor('https://company.example/');
  assert.equal((await ask({ type: 'verdict', url: 'https://company.example/' })).rule, 'company');
  assert.equal((await ask({ type: 'verdict', url: 'https://employee.example/' })).rule, null);
  for (const text of [JSON.stringify(EMPLOYEE), null]) {
    assert.equal((await ask({ type: 'savePolicy', text })).error, 'locked');
  }
  await ff.exec('location.assign(browser.runtime.getURL("pages/options.html"))');
  await waitFor(() => ff.exec('return document.getElementById("policy-editor")?.dataset.locked === "true"'), 'the options page, locked');
  assert.equal(await ff.exec('return document.getElementById("save").disabled'), true);
  assert.equal((await ask({ type: 'verdict', url: 'https://employee.example/' })).rule, null);
});
