// The signed bundle and its fingerprint database: fetched from the URL managed storage names,
// verified by the engine, cached, and handed to policy.js. Nothing worse ever replaces what is
// in force: a refused bundle or database leaves the last good pair in force, and the reason is
// kept for the options page and the audit trail.
//
//   managed storage   bundleUrl, bundleKeys (base64 Ed25519 public keys), bundleRefreshMinutes
//                     (default 60), bundleTimeoutSeconds (default 30)
//   storage.local     bundle.inForce: the bundle text in force and what the engine read from it
//                     bundle.status:  last fetch, last error, consecutive failures
//   IndexedDB         aiguard-bundles/databases: fingerprint databases by SHA-256 (only the one
//                     the bundle in force names is kept)
//
// Everything the engine needs to judge content is on disk, so a restarted worker or browser
// judges the next paste with the bundle and database it had, before any fetch.
import { api } from '../shared/runtime-module.js';
import * as audit from './audit.js';
import { verifyBundle, checkDatabase, fingerprintsAccepted } from './engine.js';

const IN_FORCE = 'bundle.inForce';
const STATUS = 'bundle.status';
export const ALARM = 'bundle.refresh';
const RETRY_ALARM = 'bundle.retry';

const DEFAULT_REFRESH_MINUTES = 60;
const DEFAULT_TIMEOUT_SECONDS = 30;
// The engine refuses larger bundles; reading stops here.
const MAX_BUNDLE_BYTES = 32 << 20;
// A database gets the bundle's timeout plus time to arrive at 256 KB/s: 100 MB may take ~7 min.
const DATABASE_BYTES_PER_MS = 256;
// Retries after a failure wait 1, 2, 4… minutes (never more than the refresh period), each a
// random 50–100% of that: a fleet that failed together does not come back together.
const RETRY_BASE_MINUTES = 1;

async function managedConfig() {
  let got = {};
  try {
    got = await api.storage.managed.get(['bundleUrl', 'bundleKeys', 'bundleRefreshMinutes', 'bundleTimeoutSeconds']);
  } catch {
    // no managed storage
  }
  const url = typeof got.bundleUrl === 'string' && got.bundleUrl ? got.bundleUrl : null;
  const keys = Array.isArray(got.bundleKeys) ? got.bundleKeys.filter((k) => typeof k === 'string') : [];
  const positive = (v, d) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    url,
    keys,
    refreshMinutes: Math.max(1, positive(got.bundleRefreshMinutes, DEFAULT_REFRESH_MINUTES)),
    timeoutMs: positive(got.bundleTimeoutSeconds, DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}

// --- The database cache (IndexedDB) -------------------------------------------------------------
let dbHandle = null;
function openCache() {
  dbHandle ??= new Promise((resolve, reject) => {
    const req = indexedDB.open('aiguard-bundles', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('databases', { keyPath: 'sha256' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => { dbHandle = null; reject(req.error); };
  });
  return dbHandle;
}

async function inStore(mode, fn) {
  const db = await openCache();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('databases', mode);
    const result = fn(tx.objectStore('databases'));
    tx.oncomplete = () => resolve(result.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

async function cachedDatabase(sha256) {
  const row = await inStore('readonly', (s) => s.get(sha256));
  return row ? new Uint8Array(row.bytes) : null;
}

const storeDatabase = (sha256, bytes) => inStore('readwrite', (s) => s.put({ sha256, bytes: bytes.buffer, storedAt: Date.now() }));

// Drops every cached database but `keep` (a SHA-256, or null for none).
async function pruneDatabases(keep) {
  const keys = await inStore('readonly', (s) => s.getAllKeys());
  for (const key of keys) if (key !== keep) await inStore('readwrite', (s) => s.delete(key));
}

// --- What policy.js reads -----------------------------------------------------------------------

// The bundle in force, when bundles are configured: {policyText, version, issuedMs, expiresMs,
// fingerprints, …}, or null. Its signature is checked again under the keys managed storage
// trusts now (at its own issue time, so its expiry is not what is judged here): removing a key
// withdraws what it signed.
export async function bundleInForce() {
  const config = await managedConfig();
  if (!config.url) return null;
  const stored = (await api.storage.local.get(IN_FORCE))[IN_FORCE];
  if (!stored?.text) return null;
  const checked = await verifyBundle(stored.text, config.keys, null, stored.issuedMs);
  if (checked.error) {
    await recordError(config.url, { reason: checked.error.reason, message: `the bundle in force: ${checked.error.message}` });
    return null;
  }
  return stored;
}

// The cached database of `bundle` (whose SHA-256 the cache key is), or null.
export async function databaseOf(bundle) {
  if (!bundle?.fingerprints) return null;
  try {
    return await cachedDatabase(bundle.fingerprints.sha256);
  } catch (e) {
    console.error('AIGuard: fingerprint database cache unreadable', e);
    return null;
  }
}

export async function status() {
  const got = await api.storage.local.get([IN_FORCE, STATUS]);
  const config = await managedConfig();
  const b = got[IN_FORCE];
  return {
    configured: !!config.url,
    url: config.url,
    refreshMinutes: config.refreshMinutes,
    inForce: b ? { version: b.version, issuedMs: b.issuedMs, expiresMs: b.expiresMs, url: b.url, fetchedAt: b.fetchedAt,
      fingerprints: b.fingerprints ? { sha256: b.fingerprints.sha256, bytes: b.fingerprints.bytes } : null } : null,
    ...(got[STATUS] ?? {}),
  };
}

// --- Fetching -----------------------------------------------------------------------------------

class Refusal extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

// GETs `url`, the body read up to `maxBytes`, within `timeoutMs` for the whole exchange.
// Resolves to {status, etag, bytes} (bytes null for 304); throws a Refusal naming what went wrong.
async function download(url, { timeoutMs, maxBytes, etag = null }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    try {
      response = await fetch(url, { signal: controller.signal, cache: 'no-store', credentials: 'omit',
        headers: etag ? { 'If-None-Match': etag } : {} });
    } catch (e) {
      if (controller.signal.aborted) throw new Refusal('timeout', `no response within ${timeoutMs / 1000} s`);
      throw new Refusal('network', String(e?.message ?? e));
    }
    if (response.status === 304) return { status: 304, etag, bytes: null };
    if (!response.ok) throw new Refusal('http', `HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > maxBytes) throw new Refusal('too-large', `${declared} bytes declared, at most ${maxBytes} expected`);
    const chunks = [];
    let length = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        length += value.length;
        if (length > maxBytes) {
          controller.abort();
          throw new Refusal('too-large', `more than ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof Refusal) throw e;
      if (controller.signal.aborted) throw new Refusal('timeout', `the body did not arrive within ${timeoutMs / 1000} s (${length} bytes read)`);
      throw new Refusal('truncated', `the connection closed after ${length} bytes of the body${declared ? ` (${declared} declared)` : ''}`);
    }
    if (declared && length !== declared) throw new Refusal('truncated', `${length} of ${declared} declared bytes`);
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    return { status: response.status, etag: response.headers.get('etag'), bytes };
  } finally {
    clearTimeout(timer);
  }
}

async function recordError(url, { reason, message }) {
  const entry = { reason, message: String(message).slice(0, 1000), at: Date.now(), url };
  const got = (await api.storage.local.get(STATUS))[STATUS] ?? {};
  await api.storage.local.set({ [STATUS]: { ...got, lastError: entry } });
  await audit.record({ type: 'bundle-refused', reason, message: entry.message, url });
}

async function setStatus(change) {
  const got = (await api.storage.local.get(STATUS))[STATUS] ?? {};
  await api.storage.local.set({ [STATUS]: { ...got, ...change } });
}

// Fetches, verifies and applies the bundle at the configured URL. Resolves to one of
// 'unconfigured', 'unchanged', 'applied' or 'refused'; `onApplied` runs before it resolves.
async function fetchAndApply(onApplied) {
  const config = await managedConfig();
  if (!config.url) return 'unconfigured';
  const url = config.url;
  // A bundle withdrawn with its key sets no version floor: the new key's bundles start afresh.
  const inForce = await bundleInForce();
  await setStatus({ lastFetch: { at: Date.now(), url } });
  try {
    const got = await download(url, { timeoutMs: config.timeoutMs, maxBytes: MAX_BUNDLE_BYTES,
      etag: inForce?.url === url ? inForce.etag : null });
    if (got.status === 304) return 'unchanged';
    const text = new TextDecoder('utf-8', { fatal: false }).decode(got.bytes);
    if (inForce && text === inForce.text) return 'unchanged';
    const verified = await verifyBundle(text, config.keys, inForce?.version ?? null, Date.now());
    if (verified.error) throw new Refusal(verified.error.reason, verified.error.message);
    const bundle = verified.bundle;
    if (bundle.fingerprints && !(await cachedDatabase(bundle.fingerprints.sha256))) {
      const db = await download(bundle.fingerprints.url, {
        timeoutMs: config.timeoutMs + bundle.fingerprints.bytes / DATABASE_BYTES_PER_MS,
        maxBytes: bundle.fingerprints.bytes,
      }).catch((e) => { throw new Refusal(e.reason === 'too-large' ? 'database-size' : e.reason, `the fingerprint database: ${e.message}`); });
      const problem = await checkDatabase(db.bytes, bundle.fingerprints);
      if (problem) throw new Refusal(problem.reason, problem.message);
      const refused = await fingerprintsAccepted(db.bytes);
      if (refused) throw new Refusal('database-refused', `the engine refused the fingerprint database: ${refused}`);
      await storeDatabase(bundle.fingerprints.sha256, db.bytes);
    }
    // The database is on disk before the bundle that names it; older ones go after.
    await api.storage.local.set({ [IN_FORCE]: { ...bundle, text, url, etag: got.etag, fetchedAt: Date.now() } });
    await pruneDatabases(bundle.fingerprints?.sha256 ?? null);
    await setStatus({ failures: 0, lastApplied: { version: bundle.version, at: Date.now() } });
    await audit.record({ type: 'bundle-applied', version: bundle.version, url, fingerprints: bundle.fingerprints?.sha256 ?? null });
    await onApplied();
    return 'applied';
  } catch (e) {
    const refusal = e instanceof Refusal ? e : new Refusal('internal', String(e?.message ?? e));
    await recordError(url, refusal);
    const failures = (((await api.storage.local.get(STATUS))[STATUS] ?? {}).failures ?? 0) + 1;
    await setStatus({ failures });
    const minutes = Math.min(config.refreshMinutes, RETRY_BASE_MINUTES * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
    api.alarms.create(RETRY_ALARM, { delayInMinutes: Math.max(0.5, minutes) });
    return 'refused';
  }
}

// One fetch at a time: a second asked for while one runs waits for it and then runs once.
let running = Promise.resolve();
export function refresh(onApplied) {
  const next = running.catch(() => {}).then(() => fetchAndApply(onApplied));
  running = next;
  return next;
}

// The period alarm, created (or changed) to the configured period. Its first firing is
// jittered over half a period, so browsers started together do not fetch together.
async function schedule() {
  const { url, refreshMinutes } = await managedConfig();
  const alarm = await api.alarms.get(ALARM);
  if (!url) {
    if (alarm) await api.alarms.clear(ALARM);
    return;
  }
  if (alarm?.periodInMinutes === refreshMinutes) return;
  api.alarms.create(ALARM, { periodInMinutes: refreshMinutes, delayInMinutes: refreshMinutes * (0.5 + Math.random() / 2) });
}

// Registers the listeners (synchronously, for a worker woken by one of them) and fetches when
// the last fetch is older than a period: at browser start, and when a worker that slept through
// an alarm wakes. `onApplied` reloads the policy.
export function watchBundles(onApplied) {
  api.alarms.onAlarm.addListener((a) => {
    if (a.name === ALARM || a.name === RETRY_ALARM) void refresh(onApplied);
  });
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== 'managed') return;
    if (['bundleUrl', 'bundleKeys', 'bundleRefreshMinutes', 'bundleTimeoutSeconds'].some((k) => k in changes)) {
      void schedule();
      void refresh(onApplied);
    }
  });
  void (async () => {
    await schedule();
    const { url, refreshMinutes } = await managedConfig();
    if (!url) return;
    const last = ((await api.storage.local.get(STATUS))[STATUS] ?? {}).lastFetch;
    if (!last || last.url !== url || Date.now() - last.at >= refreshMinutes * 60_000) await refresh(onApplied);
  })();
}
