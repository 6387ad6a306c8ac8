// End-to-end tests in Debian's Chromium with the built extension (dist/chrome).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSites } from './harness/sites.mjs';
import { launchChromium, waitForUrl, saveLocalPolicy } from './harness/chromium.mjs';

let sites, browser;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

const ext = () => `chrome-extension://${browser.extensionId}/`;

test('the background starts and the wasm engine answers', async () => {
  const verdict = await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://claude.ai/new'));
  assert.deepEqual(verdict, { action: 'warn', rule: 'ai-tools' });
  const allow = await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://example.com/'));
  assert.deepEqual(allow, { action: 'allow', rule: null });
});

test('a known AI site shows the warn page instead of the site', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://chatgpt.com/').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.locator('#original-url').filter({ hasText: 'https://chatgpt.com/' }).waitFor();
  assert.match(await page.locator('#tool-name').innerText(), /ChatGPT/);
  assert.equal(await page.locator('#site').count(), 0, 'the site itself must not render');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'go-back');
  await page.close();
});

test('a CLI agent\'s OAuth page (a query-token filter) gets the warn page before any request leaves', async () => {
  // The built-in catalog lists Codex CLI's sign-in by its client id: auth.openai.com/oauth/authorize?client_id=app_...
  const url = 'https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&state=x';
  const page = await browser.context.newPage();
  await page.goto(url).catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.locator('#original-url').filter({ hasText: url }).waitFor(); // the whole URL, query included
  // The redirect itself carries the whole URL (the page can show it before the background runs).
  assert.ok(page.url().endsWith(`#url=${url}`), page.url());
  assert.ok(!sites.received.some((r) => r.startsWith('auth.openai.com/oauth/authorize')), 'the request never reached the server');
  // Control: another client id on the same page is not the CLI's sign-in.
  await page.goto('https://auth.openai.com/oauth/authorize?client_id=someone-else');
  assert.equal(await page.locator('#path').innerText(), '/oauth/authorize');
  await page.close();
});

test('a site outside the catalog loads normally', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/hello');
  assert.equal(await page.locator('#site').innerText(), 'SITE example.com');
  await page.close();
});

// --- Admin policy enforcement ------------------------------------------------------------
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'anthropic', action: 'block', patterns: ['claude.ai', 'anthropic.com'],
      message: { en: 'Claude is not approved.', 'zh-CN': '未批准使用 Claude。' }, alternative: 'https://chat.qwen.ai/' },
    { id: 'copilot', action: 'block', patterns: ['github.com/copilot'] },
    // No categories here: the catalog lists claude.ai and github.com/copilot too, and a tie
    // with the blocks above would go to the more permissive warn, as the policy format says.
    { id: 'genai', action: 'warn', patterns: ['chatgpt.com'], justification: 'required' },
    { id: 'apis', action: 'block', categories: ['ai-api'] },
    { id: 'approved', action: 'allow', patterns: ['.chat.qwen.ai'] },
  ],
};

async function setPolicy(policy) {
  const r = await saveLocalPolicy(browser, policy);
  assert.equal(r.problem ?? r.error, undefined, JSON.stringify(r));
  return r;
}

test('admin policy: block page, with the company message and alternative, and no way through', async () => {
  const r = await setPolicy(POLICY);
  assert.equal(r.source, 'local');
  const page = await browser.context.newPage();
  await page.goto('https://claude.ai/new').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/block.html'));
  await page.locator('#original-url').filter({ hasText: 'https://claude.ai/new' }).waitFor();
  assert.equal(await page.locator('#message').innerText(), 'Claude is not approved.');
  assert.equal(await page.locator('#alternative-link').getAttribute('href'), 'https://chat.qwen.ai/');
  assert.equal(await page.locator('#continue').count(), 0);
  await page.close();
});

test('admin policy: warn, continue needs a justification, then the site loads and stays allowed', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://chatgpt.com/c/123').catch(() => {});
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await page.locator('#original-url').filter({ hasText: 'https://chatgpt.com/c/123' }).waitFor();
  await page.locator('#justification').waitFor({ state: 'visible' });
  await page.click('#continue');
  assert.notEqual(await page.locator('#error').innerText(), '', 'continuing without a justification is refused');
  assert.ok(page.url().startsWith(ext()));
  await page.fill('#justification', 'Evaluating for the platform team');
  await page.click('#continue');
  await waitForUrl(page, (u) => u === 'https://chatgpt.com/c/123');
  assert.equal(await page.locator('#site').innerText(), 'SITE chatgpt.com');
  // Remembered for the host: a second visit goes straight through.
  await page.goto('https://chatgpt.com/other');
  assert.equal(await page.locator('#site').innerText(), 'SITE chatgpt.com');
  const { entries } = await browser.worker.evaluate(() => globalThis.aiguard.audit());
  const decision = entries.find((e) => e.type === 'warn-decision' && e.choice === 'continue');
  assert.equal(decision.justification, 'Evaluating for the platform team');
  assert.equal(decision.rule, 'genai');
  await page.close();
});

test('admin policy: an approved exact host stays allowed', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://chat.qwen.ai/');
  assert.equal(await page.locator('#site').innerText(), 'SITE chat.qwen.ai');
  await page.close();
});

test('SPA navigation into a blocked path (history.pushState) is caught', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://github.com/spa');
  assert.equal(await page.locator('#site').innerText(), 'SITE github.com');
  await page.evaluate(() => window.go('/copilot'));
  await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/block.html'));
  await page.locator('#original-url').filter({ hasText: 'https://github.com/copilot' }).waitFor();
  await page.close();
});

test('an iframe embedding a blocked tool gets the block page, not the tool', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/frame?src=' + encodeURIComponent('https://claude.ai/embed'));
  const frame = page.frameLocator('#f');
  await frame.locator('#aiguard-block').waitFor();
  assert.equal(await frame.locator('#site').count(), 0);
  await page.close();
});

test('fetch from any page to an AI API host is blocked', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/fetch?url=' + encodeURIComponent('https://api.openai.com/v1/models'));
  await page.locator('#result').filter({ hasNotText: 'pending' }).waitFor();
  assert.equal(await page.locator('#result').innerText(), 'failed');
  // Control: the same page may fetch a non-AI host.
  await page.goto('https://example.com/fetch?url=' + encodeURIComponent('https://example.org/api'));
  await page.locator('#result').filter({ hasNotText: 'pending' }).waitFor();
  assert.equal(await page.locator('#result').innerText(), 'fetched example.org');
  await page.close();
});

test('a broken policy update is rejected and the last good policy stays', async () => {
  const page = await browser.context.newPage();
  await page.goto(ext() + 'pages/options.html');
  const r = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'savePolicy',
    text: '{"version": 1, "rules": [{"id": "x", "action": "block", "patterns": ["bad host"]}]}' }));
  assert.match(r.problem.message, /rule "x": rules\[0\]\.patterns\[0\]/);
  assert.deepEqual(await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://claude.ai/')),
    { action: 'block', rule: 'anthropic' });
  await setPolicy(null);
  assert.deepEqual(await browser.worker.evaluate(() => globalThis.aiguard.verdict('https://claude.ai/')),
    { action: 'warn', rule: 'ai-tools' });
  await page.close();
});

// The shared URL vectors, and a way to run code against the wasm engine inside an extension
// page (the browser's own V8, with the page's chrome.* APIs).
const urlVectors = () => JSON.parse(readFileSync(new URL('../vectors/url.json', import.meta.url), 'utf8'));

async function inExtensionPage(fn, arg) {
  const page = await browser.context.newPage();
  await page.goto(ext() + 'pages/options.html');
  await page.evaluate(async () => {
    const glue = await import('../wasm/aiguard_wasm.js');
    await glue.default({ module_or_path: chrome.runtime.getURL('wasm/aiguard_wasm_bg.wasm') });
    globalThis.Engine = glue.Engine;
  });
  try {
    return await page.evaluate(fn, arg);
  } finally {
    await page.close();
  }
}

test('every network rule the engine compiles from the shared vectors is accepted by Chromium', async () => {
  const refused = await inExtensionPage(async (policies) => {
    const out = [];
    for (const [name, policy] of Object.entries(policies)) {
      const engine = policy === null ? Engine.builtin() : Engine.fromPolicy(JSON.stringify(policy));
      for (const rule of engine.dnrRules('/pages/warn.html', '/pages/block.html', 1, chrome.runtime.getURL('').slice(0, -1)).rules) {
        if (!rule.condition.regexFilter) continue;
        const r = await chrome.declarativeNetRequest.isRegexSupported({ regex: rule.condition.regexFilter, isCaseSensitive: true });
        if (!r.isSupported) out.push(`${name}: ${rule.condition.regexFilter}: ${r.reason}`);
      }
    }
    return out;
  }, urlVectors().policies);
  assert.deepEqual(refused, []);
});

test('the first navigation right after the browser starts is covered (static rules)', async () => {
  const fresh = await launchChromium({ ...sites, firstUrl: 'https://claude.ai/' });
  try {
    await fresh.firstGoto;
    await waitForUrl(fresh.firstPage, (u) => u.includes('/pages/warn.html'));
    await fresh.firstPage.locator('#original-url').filter({ hasText: 'https://claude.ai/' }).waitFor();
    assert.equal(await fresh.firstPage.locator('#site').count(), 0);
  } finally {
    await fresh.close();
  }
});

test('shared URL vectors: the engine inside Chromium answers every case like the native engine', async () => {
  const failures = await inExtensionPage(async (v) => {
    const engines = {};
    const out = [];
    for (const c of v.cases) {
      const p = v.policies[c.policy];
      engines[c.policy] ??= p === null ? Engine.builtin() : Engine.fromPolicy(JSON.stringify(p));
      const got = engines[c.policy].verdict(c.url);
      if (got.action !== c.action || got.rule !== c.rule) out.push(`${c.name}: ${c.policy} ${c.url}: ${got.action} ${got.rule}`);
    }
    return out;
  }, urlVectors());
  assert.deepEqual(failures, []);
});

test('shared URL vectors: a sample of navigations lands where the vectors say', async () => {
  const vectors = urlVectors();
  await setPolicy(vectors.policies.basic);
  const sample = ['https://claude.ai/new', 'https://CLAUDE.AI/new', 'https://claude.ai./', 'https://%63laude.ai/',
    'https://evil.com@chatgpt.com/', 'https://chat.qwen.ai/', 'https://x.chat.qwen.ai/', 'https://claude.ai.evil.com/',
    'https://notclaude.ai/'];
  for (const url of sample) {
    const want = vectors.cases.find((c) => c.policy === 'basic' && c.url === url);
    assert.ok(want, url);
    const page = await browser.context.newPage();
    await page.goto(url).catch(() => {});
    const landed = await waitForUrl(page, (u) => u !== 'about:blank' && (u.startsWith(ext()) || !u.startsWith('chrome-error')));
    const got = landed.startsWith(ext() + 'pages/block.html') ? 'block'
      : landed.startsWith(ext() + 'pages/warn.html') ? 'warn' : 'allow';
    assert.equal(got, want.action, `${url} landed on ${landed}`);
    if (got === 'allow') assert.match(await page.locator('#site').innerText(), /^SITE /);
    await page.close();
  }
  await setPolicy(null);
});

test('the options page shows the engine status and tests a URL, in the browser language', async () => {
  const page = await browser.context.newPage();
  await page.goto(ext() + 'pages/options.html');
  await page.locator('#engine-state').filter({ hasText: 'running' }).waitFor();
  assert.equal(await page.locator('#policy-source').innerText(), 'built-in default');
  assert.match(await page.locator('#catalog-version').innerText(), /version \d{4}\.\d+\.\d+, \d+ entries/);
  await page.fill('#try-url', 'https://claude.ai/new');
  await page.click('#try');
  await page.locator('#try-result').filter({ hasText: 'warn' }).waitFor();
  assert.match(await page.locator('#try-result').innerText(), /^warn \(rule: ai-tools\) · filter /);
  // A policy with an error is refused on the page, with the position and the rule.
  await page.locator('#policy-text .cm-content').fill('{"version": 1, "rules": [{"id": "x", "action": "block", "patterns": ["a.com:0"]}]}');
  await page.click('#check');
  await page.locator('#check-result.error').waitFor();
  assert.match(await page.locator('#check-result').innerText(), /rule "x": rules\[0\]\.patterns\[0\]/);
  await page.close();
});
