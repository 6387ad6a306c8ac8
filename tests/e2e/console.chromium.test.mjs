// The console (the options page) in Debian's Chromium, as a new admin uses it: the built-in
// policy in the editor and who controls it; an error typed shows at its line as they type; the
// fix reviewed as a diff and saved; a URL and a text with a secret and a marker tried against
// the edited policy before saving; the catalog searched, filtered and a rule added from a row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, until } from './harness/chromium.mjs';

const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'no-claude', action: 'block', patterns: ['claude.ai'] },
    { id: 'genai', action: 'warn', categories: ['ai-code'] },
  ],
  content: { markers: [{ id: 'acme-confidential', action: 'block', terms: ['ACME CONFIDENTIAL'] }] },
};
// The same policy, written as an admin would, with a mistake on line 5.
const BROKEN = JSON.stringify(POLICY, null, 2).replace('"action": "block"', '"action": "blok"');

let sites, browser, page;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await page.locator('#engine-state').filter({ hasText: 'running' }).waitFor();
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

const text = (id) => page.locator(`#${id}`).innerText();
// The policy editor (CodeMirror): typed into as the admin types, read back from the editor.
const typePolicy = (value) => page.locator('#policy-text .cm-content').fill(value);
const policyText = () => page.evaluate(() => document.getElementById('policy-text').editor.value);

test('the built-in policy is in the editor, and the page says who controls it', async () => {
  assert.equal(await text('policy-source'), 'built-in default');
  assert.equal(await text('who-controls'), 'This page: nobody manages this extension');
  assert.match(await text('extension-version'), /^0\.1\.\d+\.\d+$/);
  await until('the built-in text', async () => (await policyText()).includes('"version"'));
  const builtin = JSON.parse(await policyText());
  assert.ok(builtin.rules.length > 0);
  assert.equal(await page.locator('#managed-none').isVisible(), true);
  assert.equal(await page.locator('#policy-text .cm-content').getAttribute('contenteditable'), 'true');
  assert.ok(await page.locator('#policy-text .cm-line .tok-propertyName, #policy-text .cm-line span').count() > 0, 'JSON highlighted');
});

test('an error shows at its line as the admin types; the fix is reviewed as a diff and saved', async () => {
  await typePolicy(BROKEN);
  await page.locator('#check-result.error').waitFor();
  assert.match(await text('check-result'), /blok/);
  // The engine places the error at its rule (line 5 here: the rule's opening brace).
  const [, line] = (await text('check-result')).match(/^line (\d+), column \d+: rule "no-claude"/);
  assert.equal(BROKEN.split('\n')[line - 1].trim(), '{');
  await until('the error line marked', async () => (await page.locator('#policy-text').getAttribute('data-error-line')) === line);
  await page.locator('#policy-text .cm-lint-marker-error').waitFor();
  assert.equal(await page.locator('#policy-text .cm-lintRange-error').count(), 1, 'the error underlined in the text');
  await typePolicy(JSON.stringify(POLICY, null, 2));
  await page.locator('#check-result.ok').waitFor();
  assert.equal(await page.locator('#policy-text .cm-lint-marker-error').count(), 0);
  await page.click('#save');
  await page.locator('#review').waitFor();
  const diff = await text('diff');
  assert.match(diff, /^\+ .*"no-claude"/m);
  assert.ok(Number(await page.locator('#diff').getAttribute('data-changed')) > 0);
  await page.click('#confirm-save');
  await until('the saved policy in force', async () => (await text('policy-source')) === 'set on this page');
  assert.equal(await page.locator('#review').isVisible(), false);
});

test('a URL and a text are tried against the edited policy before it is saved', async () => {
  await page.fill('#try-url', 'https://claude.ai/new');
  await page.click('#try');
  await until('the verdict', async () => /^block/.test(await text('try-result')));
  assert.match(await text('try-result'), /^block \(rule: no-claude\) · filter claude\.ai · Claude/);
  // An edit that is not saved: the try box judges with it, and says so.
  const edited = { ...POLICY, rules: [{ id: 'allow-claude', action: 'allow', patterns: ['claude.ai'] }, ...POLICY.rules.slice(1)] };
  await typePolicy(JSON.stringify(edited, null, 2));
  await until('the edited policy used', async () => /^allow \(rule: allow-claude\)/.test(await text('try-result')), 10_000);
  assert.equal(await text('try-basis'), 'Judged with the policy in the editor (not saved).');
  await page.fill('#try-text', `Roadmap — ACME CONFIDENTIAL\nkey: ${SECRET}\n`);
  await page.click('#try-text-button');
  await page.locator('#try-text-view mark').first().waitFor();
  const marks = await page.locator('#try-text-view mark').evaluateAll((ms) => ms.map((m) => [m.dataset.rule, m.textContent]));
  assert.deepEqual(marks, [['acme-confidential', 'ACME CONFIDENTIAL'], ['aws-access-key-id', SECRET]]);
  assert.match(await text('try-text-result'), /^block: /);
  // Back to the saved policy: nothing was saved by trying.
  await typePolicy(JSON.stringify(POLICY, null, 2));
  await until('the saved policy used again', async () => /^block/.test(await text('try-result')), 10_000);
});

test('the catalog shows each tool with what the policy does to it; a rule is added from a row', async () => {
  await page.fill('#catalog-search', 'claude');
  const claude = page.locator('#catalog-table tbody tr[data-tool="claude"]');
  await claude.waitFor();
  assert.equal(await claude.getAttribute('data-action'), 'block');
  assert.match(await claude.innerText(), /no-claude/);
  await page.fill('#catalog-search', '');
  await page.selectOption('#catalog-category', 'ai-code');
  const actions = await page.locator('#catalog-table tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => r.dataset.action))]);
  assert.ok(actions.every((a) => a === 'warn' || a === 'block'), actions.join());
  await page.selectOption('#catalog-category', '');
  await page.selectOption('#catalog-action', 'allow');
  const allowed = page.locator('#catalog-table tbody tr').first();
  const tool = await allowed.getAttribute('data-tool');
  await allowed.locator('button.add-rule').click();
  const doc = JSON.parse(await policyText());
  assert.equal(doc.rules.at(-1).id, tool);
  assert.equal(doc.rules.at(-1).action, 'block');
  await until('the catalog judged with the added rule', async () => (await page.locator(`#catalog-table tbody tr[data-tool="${tool}"]`).count()) === 0, 10_000);
  await page.selectOption('#catalog-action', 'block');
  await page.locator(`#catalog-table tbody tr[data-tool="${tool}"]`).waitFor();
});

test('a policy file is imported into the editor and exported from it', async () => {
  const file = { name: 'team-policy.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ version: 1, rules: [] }, null, 2)) };
  await page.setInputFiles('#import-file', file);
  await until('the imported text', async () => (await policyText()) === file.buffer.toString());
  await page.locator('#check-result.ok').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  assert.equal(download.suggestedFilename(), 'aiguard-policy.json');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString(), file.buffer.toString());
});

test('the audit trail an earlier version kept is moved into the log once, reduced as new events are', async () => {
  await browser.worker.evaluate(() => chrome.storage.local.set({ 'audit.queue': [
    { at: '2026-01-02T03:04:05.000Z', type: 'navigation', action: 'block', rule: 'old', url: 'https://claude.ai/new?q=an+old+prompt', text: 'content' },
  ] }));
  // A new worker moves it at its start.
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const versions = await new Promise((r) => cdp.once('ServiceWorker.workerVersionUpdated', (e) => r(e.versions)));
  const running = versions.find((v) => v.scriptURL.includes(browser.extensionId) && v.runningStatus === 'running');
  await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
  await page.reload();
  // The worker that runs now (the stopped one's handle answers no more).
  const inWorker = async (fn) => {
    for (const w of browser.context.serviceWorkers()) {
      try { return await w.evaluate(fn); } catch { /* the stopped one */ }
    }
    return null;
  };
  const moved = await until('the old event in the log', async () => (await inWorker(() => globalThis.aiguard.audit()))?.entries.find((e) => e.rule === 'old'), 30_000);
  assert.deepEqual([moved.type, moved.action, moved.url, moved.time, moved.text], ['navigation', 'block', 'https://claude.ai/new', Date.parse('2026-01-02T03:04:05.000Z'), undefined]);
  assert.deepEqual(await inWorker(() => chrome.storage.local.get('audit.queue')), {});
});
