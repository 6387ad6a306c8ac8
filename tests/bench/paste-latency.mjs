// Paste → content-in-the-page latency in Debian's Chromium with the built extension: the time
// from the Ctrl+V keystroke reaching the page to the (checked, allowed) paste reaching the
// page's own listener, for clean pastes of several sizes into a textarea on an in-scope site.
// Two paths: on a page whose CSP allows WebAssembly the content script's own engine decides
// inside the paste event, which goes on untouched; on a page whose CSP forbids it (as most AI
// sites') the content script holds the event, the background's wasm engine decides, and the
// browser pastes again. Then the background path with the extension's service worker stopped
// before every paste (as Chrome stops an idle one after 30 s): the paste wakes
// it, and pays for its start, the wasm engine's load and the policy's compile. (Waiting 30 s
// instead shows nothing here: the DevTools protocol this harness drives the browser with keeps
// the worker alive.) Prints figures; asserts nothing.
//   node tests/bench/paste-latency.mjs [runs]
import { readFileSync } from 'node:fs';
import { startSites } from '../e2e/harness/sites.mjs';
import { launchChromium } from '../e2e/harness/chromium.mjs';
import { record } from './record.mjs';
import { armPasteTarget, timePastes, quantile } from './paste-timer.mjs';

const RUNS = Number(process.argv[2] ?? 40);
const SOURCES = ['url_filter/pattern.rs', 'url_filter/request.rs', 'url_filter/index.rs', 'dnr/mod.rs', 'policy/mod.rs',
  'policy/schema.rs', 'engine.rs', 'content/fingerprint/tokenize.rs', 'content/fingerprint/scan.rs',
  'content/fingerprint/db.rs', 'content/markers.rs', 'catalog.rs'];
// Real source code (this engine's own), clean of secrets: what a developer pastes.
const code = SOURCES.map((f) => readFileSync(new URL(`../../wasm/engine/src/${f}`, import.meta.url), 'utf8')).join('\n');
const SIZES = [1 << 10, 4 << 10, 32 << 10, 100 << 10];
const COLD_SIZES = [4 << 10, 100 << 10];
const COLD_RUNS = Math.max(5, Math.round(RUNS / 4));
const POLICY = { version: 1, defaultAction: 'allow', rules: [{ id: 'approved', action: 'allow', patterns: ['claude.ai'] }] };

const sites = await startSites();
const browser = await launchChromium(sites);
try {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  await options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(POLICY));

  // A persistent context has no browser object to ask for its version; the page's user agent has it.
  const chromium = `Chromium ${(await options.evaluate(() => navigator.userAgent)).match(/Chrome\/(\d+)/)?.[1] ?? ''}`.trim();
  console.log(`\nPaste latency in ${chromium} (keystroke → allowed paste at the page's listener, ${RUNS} runs per size)`);
  console.log(['page', 'size', 'median ms', 'p95 ms', 'max ms', 'arrived whole', 'native paste'].map((h, i) => (i > 1 ? h.padStart(14) : h.padEnd(i ? 8 : 28))).join(''));
  // An AI site (in scope: every paste is checked), then a site out of scope, where the content
  // script lets the paste through untouched: the browser's own paste time, for comparison.
  const diagnostics = () => browser.worker.evaluate(() => globalThis.aiguard.diagnostics());
  const pageEngines = async () => (await diagnostics()).pageEngines;
  for (const [label, url, cold, path] of [
    ['in scope, engine in page', 'https://claude.ai/composer?csp=permissive', false, 'AIGuard engine in page'],
    ['in scope, CSP forbids wasm', 'https://claude.ai/composer?csp=strict', false, 'AIGuard background'],
    ['out of scope (example.com)', 'https://example.com/', false, 'no check (out of scope)'],
    ['CSP forbids, worker stopped', 'https://claude.ai/composer?csp=strict', true, 'AIGuard background with the worker stopped'],
  ]) {
    const tool = `${path} (${chromium})`;
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await browser.context.newPage();
    const engines = await pageEngines();
    await page.goto(url);
    // An address with a query is checked on the way: the composer arrives after that.
    if (url.includes('/composer')) await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    if (url.includes('permissive')) {
      for (let i = 0; i < 300 && (await pageEngines()) === engines; i++) await new Promise((r) => setTimeout(r, 50));
      if ((await pageEngines()) === engines) throw new Error('the engine in the page did not load');
      const bytes = (await diagnostics()).pageEngineMemory;
      console.log(`(the engine in the page: ${(bytes / 1048576).toFixed(1)} MiB of WebAssembly memory after loading and a first check, besides the compiled module)`);
      record('paste-latency', 'after loading and a first check', tool, 'WebAssembly memory', (bytes / 1048576).toFixed(1), 'MiB');
    }
    await armPasteTarget(page);
    const cdp = cold ? await browser.context.newCDPSession(page) : null;
    if (cdp) await cdp.send('ServiceWorker.enable');
    const workers = async () => (await cdp.send('Target.getTargets')).targetInfos.filter((t) => t.type === 'service_worker').length;
    // Stops every service worker (the extension's is the only one) and waits until it is gone.
    const stopWorker = async () => {
      await cdp.send('ServiceWorker.stopAllWorkers');
      for (let i = 0; i < 100 && (await workers()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    };
    for (const size of cold ? COLD_SIZES : SIZES) {
      const text = code.slice(0, size);
      const { times, intact, native, count } = await timePastes(page, text, cold ? COLD_RUNS : RUNS, cold ? stopWorker : null);
      const [median, p95, max] = [0.5, 0.95, 1].map((q) => quantile(times, q).toFixed(1));
      console.log([label, `${size >> 10} KB`, median, p95, max, intact, `${native}/${count}`].map((c, i) => (i > 1 ? String(c).padStart(14) : c.padEnd(i ? 8 : 28))).join(''));
      // A paste that did not arrive whole is not the workload measured.
      if (intact === 'all') {
        for (const [metric, value] of [['median', median], ['p95', p95], ['max', max]]) record('paste-latency', `${size >> 10} KB`, tool, metric, value, 'ms');
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  await sites.close();
}
