// An AIGuard the organisation configures is the organisation's, in Firefox ESR with the policy
// in policies.json: a policy an employee saved on the options page before is no longer used
// once Firefox starts with the managed policy, the options page is read-only, and the
// background refuses a policy save or reset. The add-on is installed from its package on a kept
// profile, so Firefox started again keeps what the employee saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor, extensionPageFor, askBackground } from './harness/firefox.mjs';
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

const ask = (msg) => askBackground(ff, msg);

test('without an organisation\'s configuration, a policy saved on the options page is in force', async () => {
  await extensionPageFor(ff, 'https://chatgpt.com/');
  const r = await ask({ type: 'savePolicy', text: JSON.stringify(EMPLOYEE) });
  assert.equal(r.source, 'local', JSON.stringify(r));
  assert.equal((await ask({ type: 'verdict', url: 'https://employee.example/' })).rule, 'employee');
});

test('once Firefox starts with a managed policy, the employee\'s policy is not used, and no policy can be saved or reset', async () => {
  removePolicy = writeFirefoxPolicy({ policy: JSON.stringify(COMPANY) });
  ff = await ff.restart();
  await extensionPageFor(ff, 'https://company.example/');
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
