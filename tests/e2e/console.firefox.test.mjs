// The console and the toolbar popup in Firefox ESR: an error typed shows at its line, the fix
// is reviewed and saved, a URL and a text with a secret are tried, the catalog is filtered; the
// popup for a blocked AI tab and an ordinary tab. (WebDriver may not open an extension page
// itself: the session goes to a blocked site's block page, then to the console from there.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor, extensionPageFor } from './harness/firefox.mjs';

const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'no-claude', action: 'block', patterns: ['claude.ai'], alternative: 'https://chat.approved.example/' },
    { id: 'genai', action: 'warn', categories: ['ai-code'] },
  ],
};
const BROKEN = JSON.stringify(POLICY, null, 2).replace('"action": "block"', '"action": "blok"');

let sites, proxy, ff;
before(async () => {
  sites = await startSites();
  proxy = await startProxy(sites);
  ff = await launchFirefox({ proxyPort: proxy.port });
});
after(async () => {
  await ff?.close();
  await proxy?.close();
  await sites?.close();
});

const js = (body, ...args) => ff.exec(body, args);
// Sets a field's value as typing would (an input event), in the page.
// (The policy editor is CodeMirror: its text is set through the editor, as an edit.)
const type = (id, value) => js(`const el = document.getElementById(arguments[0]);
  if (el.editor) { el.editor.value = arguments[1]; return; }
  el.value = arguments[1]; el.dispatchEvent(new Event("input", { bubbles: true }));`, id, value);
const textOf = (id) => js('return document.getElementById(arguments[0]).innerText', id);

async function openConsole() {
  await extensionPageFor(ff, 'https://claude.ai/');
  await ff.exec('location.assign(browser.runtime.getURL("pages/options.html"))');
  await waitFor(async () => (await textOf('engine-state')) === 'running', 'the console');
}

test('the console: an error at its line as the admin types, the fix reviewed and saved', async () => {
  await openConsole();
  await waitFor(async () => (await js('return document.getElementById("policy-text").editor?.value ?? ""')).includes('"version"'), 'the built-in policy in the editor');
  await type('policy-text', BROKEN);
  await waitFor(async () => /blok/.test(await textOf('check-result')), 'the error shown');
  const [, line] = (await textOf('check-result')).match(/^line (\d+), column \d+: rule "no-claude"/);
  await waitFor(async () => (await js('return document.getElementById("policy-text").dataset.errorLine')) === line, 'the error line marked');
  assert.equal(await js('return document.querySelectorAll("#policy-text .cm-lint-marker-error").length'), 1);
  await type('policy-text', JSON.stringify(POLICY, null, 2));
  await waitFor(async () => (await js('return document.getElementById("check-result").className')) === 'ok', 'the policy valid');
  await ff.click('#save');
  await waitFor(() => js('return !document.getElementById("review").hidden'), 'the review');
  assert.match(await textOf('diff'), /\+ .*"no-claude"/);
  await ff.click('#confirm-save');
  await waitFor(async () => (await textOf('policy-source')) === 'set on this page', 'the saved policy in force');
});

test('the console: a URL and a text are tried, and the catalog is filtered', async () => {
  await type('try-url', 'https://claude.ai/new');
  await ff.click('#try');
  await waitFor(async () => /^block \(rule: no-claude\) · filter claude\.ai/.test(await textOf('try-result')), 'the URL verdict');
  await type('try-text', `deploy key ${SECRET} now`);
  await ff.click('#try-text-button');
  await waitFor(async () => (await js('return [...document.querySelectorAll("#try-text-view mark")].map((m) => m.dataset.rule + "=" + m.textContent).join()')) === `aws-access-key-id=${SECRET}`, 'the secret marked in place');
  await type('catalog-search', 'claude');
  await waitFor(async () => (await js('return document.querySelector(\'#catalog-table tr[data-tool="claude"]\')?.dataset.action')) === 'block', 'Claude blocked in the catalog');
});

test('the popup: blocked with the alternative on the AI tab, allowed and unchecked on an ordinary one', async () => {
  const consoleTab = await ff.window();
  for (const url of ['https://example.com/', 'https://claude.ai/']) {
    await ff.switchTo(await ff.newTab());
    await ff.navigate(url).catch(() => {});
  }
  await waitFor(async () => (await ff.url()).includes('/pages/block.html'), 'the block page');
  await ff.switchTo(consoleTab);
  const tabOf = (prefix) => ff.execAsync('const [u, done] = arguments; browser.tabs.query({}).then((ts) => done(ts.find((t) => t.url.startsWith(u))?.id ?? null));', [prefix]);
  const ordinary = await tabOf('https://example.com/');
  const blocked = await tabOf(`${ff.extensionBase}pages/block.html`);
  for (const [tab, want] of [[blocked, { action: 'block', alternative: 'https://chat.approved.example/' }], [ordinary, { action: 'allow', alternative: null, checked: 'false' }]]) {
    // The page before is marked, so the wait below sees the new popup, not the last one.
    await ff.exec('document.documentElement.dataset.stale = "1"; location.assign(browser.runtime.getURL("pages/popup.html?tab=" + arguments[0]))', [tab]);
    await waitFor(async () => (await js('return !document.documentElement.dataset.stale && document.getElementById("popup")?.dataset.state')) === 'applies', 'the popup');
    const got = await js(`return { action: document.getElementById('popup').dataset.action,
      alternative: document.getElementById('alternative').hidden ? null : document.getElementById('alternative-link').href,
      checked: document.getElementById('content').dataset.checked }`);
    if (!('checked' in want)) delete got.checked;
    assert.deepEqual(got, want);
  }
});
