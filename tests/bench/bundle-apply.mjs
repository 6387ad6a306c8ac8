// Fleet delivery: from a new signed bundle on the server to enforcement in Debian's Chromium, with
// the 1M- and 10M-fingerprint databases `fleet-bench` wrote (`cargo run --release -p
// aiguard-bench --bin fleet-bench` first), and what each database costs once loaded.
//
// * Under Node, the shipped wasm module: the SHA-256 and size check, the load into an engine,
//   and the module's WebAssembly memory with the database loaded (a fresh module instance per
//   database).
// * In Chromium, configured as a company configures it: the bundle URL and the trusted key in
//   the managed policy directory (written for the run and removed after it, so root is needed),
//   the bundles signed by the admin CLI on a local HTTPS server. Each bundle is put on the server,
//   the extension's refresh alarm is made to fire, and the time runs from the alarm's firing in
//   the extension's worker to the worker judging with the new bundle's policy and database
//   (its block rule in force, the database's fingerprint count in the engine). A bundle naming a
//   database not yet in the cache pays for its download (from this machine: the figure is the
//   browser's work, not a network's); the next one naming the same database finds it cached.
// * Paste latency with each database loaded: the time from Ctrl+V to the (checked, allowed)
//   paste reaching the page, for clean code pasted into an AI page. With a database loaded the
//   content is judged in the background (the page engines hold no database); compare with the
//   rows of paste-latency.mjs, which has none.
//
// Prints figures; asserts nothing, but says NOT ENFORCED when a bundle did not take effect.
//   node tests/bench/bundle-apply.mjs [rounds]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../wasm/load.mjs';
import { startSites } from '../e2e/harness/sites.mjs';
import { launchChromium } from '../e2e/harness/chromium.mjs';
import { bundleServer, BUNDLE_URL, databaseUrl } from '../e2e/harness/bundle-server.mjs';
import { policyOf } from '../e2e/harness/fleet.mjs';
import { writeChromiumPolicy, CHROMIUM_POLICY_DIR } from '../e2e/harness/managed-policy.mjs';
import { record, WASM_TOOL } from './record.mjs';
import { armPasteTarget, timePastes, quantile } from './paste-timer.mjs';

const ROUNDS = Number(process.argv[2] ?? 3);
const PASTE_RUNS = 20;
const bench = resolve('target/bench');
const manifestFile = join(bench, 'fleet-dbs.json');
if (!existsSync(manifestFile)) {
  console.error(`bundle-apply: ${manifestFile} is missing: run 'cargo run --release -p aiguard-bench --bin fleet-bench' first`);
  process.exit(1);
}
const databases = JSON.parse(readFileSync(manifestFile, 'utf8')).map((d) => ({
  ...d, label: d.name.toUpperCase(), bytes: readFileSync(join(bench, d.file)),
}));
const median = (v) => quantile(v, 0.5);
const ms = (x) => x.toFixed(x < 10 ? 1 : 0);

// --- The wasm module under Node -----------------------------------------------------------------

console.log('\nFingerprint databases in the shipped wasm module under Node (median of 5)');
console.log(['database', 'MB', 'check ms', 'load ms', 'memory MiB'].map((h, i) => (i ? h.padStart(i === 4 ? 16 : 12) : h.padEnd(10))).join(''));
for (const db of databases) {
  const reference = { url: databaseUrl(db.file), sha256: createHash('sha256').update(db.bytes).digest('hex'), bytes: db.bytes.length };
  // Timings in one module instance; the memory in a fresh one that loads the database once.
  const timing = await loadEngine(undefined, { instance: `${db.name}-timing` });
  const timed = (f) => median(Array.from({ length: 5 }, () => { const t = performance.now(); f(); return performance.now() - t; }));
  const check = timed(() => { if (timing.checkDatabase(db.bytes, reference)) throw new Error('the database does not match its reference'); });
  const timingEngine = timing.Engine.builtin();
  const load = timed(() => timingEngine.loadFingerprints(db.bytes));
  timingEngine.free();
  const fresh = await loadEngine(undefined, { instance: `${db.name}-memory` });
  const { memory } = fresh.wasmExports;
  const engine = fresh.Engine.builtin();
  const before = memory.buffer.byteLength;
  engine.loadFingerprints(db.bytes);
  if (engine.fingerprintCount() !== db.fingerprints) throw new Error(`${db.file}: ${engine.fingerprintCount()} fingerprints loaded`);
  const memoryMiB = memory.buffer.byteLength / 1048576;
  console.log([db.label, (db.bytes.length / 1e6).toFixed(1), ms(check), ms(load), `${(before / 1048576).toFixed(1)} → ${memoryMiB.toFixed(1)}`]
    .map((c, i) => (i ? String(c).padStart(i === 4 ? 16 : 12) : c.padEnd(10))).join(''));
  const input = `${db.label}-fingerprint database`;
  record('fleet', input, WASM_TOOL, 'SHA-256 and size check', ms(check), 'ms');
  record('fleet', input, WASM_TOOL, 'load', ms(load), 'ms');
  record('fleet', input, WASM_TOOL, 'module memory with the database loaded', memoryMiB.toFixed(1), 'MiB');
  engine.free();
}

// --- Chromium -----------------------------------------------------------------------------------

if (process.getuid?.() !== 0) {
  console.log(`\nbundle-apply: the Chromium part writes a managed policy to ${CHROMIUM_POLICY_DIR}, which needs root; skipped`);
  process.exit(0);
}

const AIGUARD = resolve('target/release/aiguard');
const work = mkdtempSync(join(tmpdir(), 'aiguard-fleet-bench-'));
const cli = (...args) => execFileSync(AIGUARD, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let version = 0;
function nextBundle(db) {
  version += 1;
  writeFileSync(join(work, 'policy.json'), policyOf(version));
  const args = ['bundle', '--policy', 'policy.json', '--version', String(version), '--key', join('keys', 'private.key'), '--out', 'bundle.json'];
  if (db) args.push('--fingerprints', join(bench, db.file), '--fingerprints-url', databaseUrl(db.file));
  cli(...args);
  return { version, text: readFileSync(join(work, 'bundle.json'), 'utf8'), expected: db?.fingerprints ?? 0 };
}

cli('keygen', '--out', 'keys');
const server = bundleServer();
for (const db of databases) server.database(db.file, db.bytes);
const first = nextBundle(null);
server.serve({ bundle: first.text });
const removePolicy = writeChromiumPolicy({
  bundleUrl: BUNDLE_URL,
  bundleKeys: [readFileSync(join(work, 'keys', 'public.key'), 'utf8').trim()],
  bundleRefreshMinutes: 60,
  bundleTimeoutSeconds: 30,
}, 'aiguard-bench.json');
const sites = await startSites({ route: server.route });
const browser = await launchChromium(sites);
const worker = () => browser.context.serviceWorkers()[0] ?? browser.context.waitForEvent('serviceworker');

// Puts `bundle` on the server, fires the refresh alarm, and resolves to the ms from the alarm's
// firing to enforcement, or to {error} with the bundle status when it did not come within a minute.
async function applyTime(bundle) {
  server.serve({ bundle: bundle.text });
  return (await worker()).evaluate(async ({ version, expected }) => {
    const fired = new Promise((r) => {
      const listener = (a) => {
        if (a.name !== 'bundle.refresh') return;
        chrome.alarms.onAlarm.removeListener(listener);
        r(performance.now());
      };
      chrome.alarms.onAlarm.addListener(listener);
    });
    chrome.alarms.create('bundle.refresh', { when: Date.now(), periodInMinutes: 60 });
    const start = await fired;
    while (performance.now() - start < 60_000) {
      const { rule } = await globalThis.aiguard.verdict(`https://v${version}.example/`);
      if (rule === `bundle-v${version}` && (await globalThis.aiguard.fingerprints()) === expected) {
        return performance.now() - start;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    return { error: JSON.stringify(await globalThis.aiguard.bundle()) };
  }, bundle);
}

try {
  for (let i = 0; i < 200 && (await (await worker()).evaluate(() => globalThis.aiguard.bundle())).inForce?.version !== 1; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // At start the extension may fetch twice (at start, and when the managed settings arrive):
  // the measured bundles come after the server has heard nothing for three seconds.
  for (let heard = -1; heard !== server.requests.length;) {
    heard = server.requests.length;
    await new Promise((r) => setTimeout(r, 3000));
  }
  const chromium = `Chromium ${(await (await worker()).evaluate(() => navigator.userAgent)).match(/Chrome\/(\d+)/)?.[1] ?? ''}`.trim();
  const tool = `AIGuard (${chromium})`;
  const times = new Map();
  const add = (key, t) => times.set(key, [...(times.get(key) ?? []), t]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const db of databases) {
      // The first bundle naming this database downloads it (the one before named the other);
      // the second finds it cached.
      for (const cached of [false, true]) {
        const t = await applyTime(nextBundle(db));
        if (typeof t !== 'number') {
          console.log(`${db.label}, bundle ${version}: NOT ENFORCED within a minute: ${t.error}`);
          continue;
        }
        add(`${db.label}|${cached}`, t);
      }
    }
  }
  console.log(`\nFrom the refresh alarm firing to enforcement in ${chromium} (new bundle on a local HTTPS server; ${ROUNDS} runs each)`);
  console.log(['database', 'download', 'median ms', 'each run ms'].map((h, i) => (i < 2 ? h.padEnd(i ? 22 : 10) : h.padStart(i === 2 ? 12 : 24))).join(''));
  for (const db of databases) {
    for (const cached of [false, true]) {
      const runs = times.get(`${db.label}|${cached}`) ?? [];
      if (!runs.length) continue;
      const what = cached ? 'cached (excluded)' : `${(db.bytes.length / 1e6).toFixed(1)} MB (included)`;
      console.log([db.label, what, ms(median(runs)), runs.map(ms).join(' / ')].map((c, i) => (i < 2 ? String(c).padEnd(i ? 22 : 10) : String(c).padStart(i === 2 ? 12 : 24))).join(''));
      record('fleet', `${db.label}-fingerprint database`, tool, `alarm to enforcement, download ${cached ? 'excluded (cached)' : 'included (local server)'}`, ms(median(runs)), 'ms');
    }
  }

  // Paste latency with each database loaded, and the background engine module's memory.
  const origin = 'https://claude.ai';
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const code = readFileSync('wasm/engine/src/engine.rs', 'utf8') + readFileSync('wasm/engine/src/content/fingerprint/scan.rs', 'utf8');
  console.log(`\nWith each database in force: paste latency at ${origin} (keystroke → allowed paste at the page's listener, ${PASTE_RUNS} runs), the background engine module's memory in a worker started with it cached`);
  console.log(['database', 'size', 'median ms', 'p95 ms', 'arrived whole', 'module MiB'].map((h, i) => (i > 1 ? h.padStart(14) : h.padEnd(i ? 8 : 10))).join(''));
  for (const db of databases) {
    const t = await applyTime(nextBundle(db));
    if (typeof t !== 'number') throw new Error(`${db.label}: not enforced: ${t.error}`);
    // The worker is stopped, as Chrome stops an idle one, so that the figure is the memory of a
    // worker that loaded the database from the cache, not the high-water mark of one that also
    // checked and loaded the downloads of this benchmark.
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    for (let i = 0; i < 100 && browser.context.serviceWorkers().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await page.goto(`${origin}/composer?csp=permissive`);
    // (An address with a query is checked on the way: the page arrives after that.)
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await armPasteTarget(page);
    const memoryMiB = (await (await worker()).evaluate(async () => {
      await globalThis.aiguard.ready();
      return globalThis.aiguard.engineMemory();
    })) / 1048576;
    record('fleet', `${db.label}-fingerprint database`, tool, 'background engine module memory, worker started with the database cached', memoryMiB.toFixed(1), 'MiB');
    for (const size of [4 << 10, 32 << 10]) {
      const { times: pasteTimes, intact } = await timePastes(page, code.slice(0, size), PASTE_RUNS);
      const [med, p95] = [0.5, 0.95].map((q) => quantile(pasteTimes, q).toFixed(1));
      console.log([db.label, `${size >> 10} KB`, med, p95, intact, memoryMiB.toFixed(1)].map((c, i) => (i > 1 ? String(c).padStart(14) : c.padEnd(i ? 8 : 10))).join(''));
      if (intact === 'all') {
        record('paste-latency', `${size >> 10} KB`, `AIGuard background, ${db.label}-fingerprint database (${chromium})`, 'median', med, 'ms');
        record('paste-latency', `${size >> 10} KB`, `AIGuard background, ${db.label}-fingerprint database (${chromium})`, 'p95', p95, 'ms');
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  await sites.close();
  server.release();
  removePolicy();
  rmSync(work, { recursive: true, force: true });
}
