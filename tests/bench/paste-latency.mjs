// Paste → content-in-the-page latency in Debian's Chromium with the built extension: the time
// from the Ctrl+V keystroke reaching the page to the (checked, allowed) paste reaching the
// page's own listener, for clean pastes of several sizes into a textarea on an in-scope site.
// This is the path where the content script holds the event, the background's wasm engine
// decides, and the content script re-dispatches it. Prints figures; asserts nothing.
//   node tests/bench/paste-latency.mjs [runs]
import { readFileSync } from 'node:fs';
import { startSites } from '../e2e/harness/sites.mjs';
import { launchChromium } from '../e2e/harness/chromium.mjs';

const RUNS = Number(process.argv[2] ?? 40);
const SOURCES = ['url_filter/pattern.rs', 'url_filter/request.rs', 'url_filter/index.rs', 'dnr.rs', 'policy/mod.rs',
  'policy/schema.rs', 'engine.rs', 'content/fingerprint/tokenize.rs', 'content/fingerprint/scan.rs',
  'content/fingerprint/db.rs', 'content/markers.rs', 'catalog.rs'];
// Real source code (this engine's own), clean of secrets: what a developer pastes.
const code = SOURCES.map((f) => readFileSync(new URL(`../../wasm/engine/src/${f}`, import.meta.url), 'utf8')).join('\n');
const SIZES = [1 << 10, 4 << 10, 32 << 10, 100 << 10];
const POLICY = { version: 1, defaultAction: 'allow', rules: [{ id: 'approved', action: 'allow', patterns: ['claude.ai'] }] };

const sites = await startSites();
const browser = await launchChromium(sites);
try {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(POLICY));

  const quantile = (v, q) => v.slice().sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
  console.log(`\nPaste latency in Chromium ${browser.context.browser()?.version?.() ?? ''} (keystroke → allowed paste at the page's listener, ${RUNS} runs per size)`);
  console.log(['page', 'size', 'median ms', 'p95 ms', 'max ms', 'arrived whole', 'native paste'].map((h, i) => (i > 1 ? h.padStart(14) : h.padEnd(i ? 8 : 28))).join(''));
  // An AI site (in scope: every paste is checked), then a site out of scope, where the content
  // script lets the paste through untouched: the browser's own paste time, for comparison.
  for (const [label, url] of [['in scope (claude.ai)', 'https://claude.ai/new'], ['out of scope (example.com)', 'https://example.com/']]) {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<textarea id="ta"></textarea>');
      window.__t = [];
      let down = 0;
      window.addEventListener('keydown', (e) => { if (e.key.toLowerCase() === 'v') down = performance.now(); }, true);
      document.getElementById('ta').addEventListener('paste', (e) => {
        window.__t.push({ ms: performance.now() - down, bytes: e.clipboardData.getData('text/plain').length, trusted: e.isTrusted });
      });
    });
    for (const size of SIZES) {
      const text = code.slice(0, size);
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.evaluate(() => { window.__t = []; document.getElementById('ta').value = ''; });
      await page.focus('#ta');
      for (let i = 0; i < RUNS + 3; i++) {
        await page.keyboard.press('Control+V');
        await page.waitForFunction((n) => window.__t.length >= n, i + 1, { polling: 10 });
        await page.evaluate(() => { document.getElementById('ta').value = ''; }); // each paste into an empty composer
      }
      const seen = (await page.evaluate(() => window.__t)).slice(3); // 3 warm-up pastes
      const times = seen.map((t) => t.ms);
      const intact = seen.every((t) => t.bytes === text.length) ? 'all' : 'NO';
      const native = seen.filter((t) => t.trusted).length;
      const [median, p95, max] = [0.5, 0.95, 1].map((q) => quantile(times, q).toFixed(1));
      console.log([label, `${size >> 10} KB`, median, p95, max, intact, `${native}/${seen.length}`].map((c, i) => (i > 1 ? String(c).padStart(14) : c.padEnd(i ? 8 : 28))).join(''));
    }
    await page.close();
  }
} finally {
  await browser.close();
  await sites.close();
}
