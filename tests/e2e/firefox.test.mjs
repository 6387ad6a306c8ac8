// End-to-end tests in Firefox ESR with the built add-on (dist/firefox), over WebDriver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor } from './harness/firefox.mjs';

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

// Asks the background through the extension page the test is on.
const askBackground = (msg) => ff.execAsync(
  'const [msg, done] = arguments; browser.runtime.sendMessage(msg).then(done, (e) => done({ error: String(e) }));', [msg]);

test('a known AI site shows the warn page instead of the site', async () => {
  await ff.navigate('https://chatgpt.com/').catch(() => {});
  await waitFor(async () => (await ff.url()).startsWith(ff.extensionBase + 'pages/warn.html'), 'the warn page');
  const shown = await waitFor(() => ff.exec('return document.getElementById("original-url").textContent'), 'the original URL');
  assert.equal(shown, 'https://chatgpt.com/');
  assert.match(await ff.exec('return document.getElementById("tool-name").textContent'), /ChatGPT/);
  assert.equal(await ff.exec('return document.getElementById("site")'), null, 'the site itself must not render');
});

test('the background starts and the wasm engine answers', async () => {
  // Runs on the warn page from the previous test: an extension page may message the background.
  assert.deepEqual(await askBackground({ type: 'verdict', url: 'https://claude.ai/new' }), { action: 'warn', rule: 'ai-tools' });
  assert.deepEqual(await askBackground({ type: 'verdict', url: 'https://example.com/' }), { action: 'allow', rule: null });
});

test('a site outside the catalog loads normally', async () => {
  await ff.navigate('https://example.com/hello');
  assert.equal(await waitFor(() => ff.exec('return document.getElementById("site")?.textContent'), 'the site'), 'SITE example.com');
});
