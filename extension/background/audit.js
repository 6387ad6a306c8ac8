// The audit trail: every decision, as an event the engine has reduced to what may leave the
// machine (`engine.auditEvent`: known fields only, URLs cut to the policy's auditUrls, secrets
// redacted), with its envelope (id, time, versions, install id, browser, the admin's tags).
//
// Events live in IndexedDB, database `aiguard-audit`:
//   log     the last LOG_KEEP events (and up to LOG_SLACK more between prunes), shown and
//           exported on the options page
//   outbox  events waiting for the company's collector, only while reporting is configured;
//           at most OUTBOX_KEEP, the oldest dropped first and counted (reporter.js reports the
//           count as a `dropped` event)
// One transaction writes both, so an event is in the outbox only if it is in the log.
import { api } from '../shared/runtime-module.js';
import * as policy from './policy.js';
import * as reporter from './reporter.js';
import { sha256Hex } from './engine.js';

const DB_NAME = 'aiguard-audit';
const DB_VERSION = 1;
export const LOG_KEEP = 10_000;
const LOG_SLACK = 500;
export const OUTBOX_KEEP = 20_000;
const INSTALL_ID = 'audit.installId';
const DROPPED = 'audit.outboxDropped';
const LAST_POLICY = 'audit.lastPolicy';   // what the last policy-applied event recorded
const LAST_REJECTED = 'audit.lastRejected'; // what the last policy-rejected event recorded
const LEGACY_QUEUE = 'audit.queue'; // the storage.local trail of earlier versions, moved here once

let opened = null;

export function openDb() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('log')) db.createObjectStore('log', { autoIncrement: true });
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  }).catch((e) => {
    opened = null;
    throw e;
  });
  return opened;
}

export const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
});
export const result = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

let installIdPromise = null;
function installId() {
  installIdPromise ??= api.storage.local.get(INSTALL_ID).then(async (got) => {
    if (got[INSTALL_ID]) return got[INSTALL_ID];
    const id = crypto.randomUUID();
    await api.storage.local.set({ [INSTALL_ID]: id });
    return id;
  });
  return installIdPromise;
}

let browserName = null;
async function browserInfo() {
  if (browserName) return browserName;
  try {
    if (api.runtime.getBrowserInfo) {
      const b = await api.runtime.getBrowserInfo();
      return (browserName = `${b.name} ${b.version}`);
    }
  } catch { /* fall through to the user agent */ }
  const ua = navigator.userAgent;
  const m = ua.match(/Edg\/([\d.]+)/) ?? ua.match(/Chrom(?:e|ium)\/([\d.]+)/);
  return (browserName = m ? `${/Edg\//.test(ua) ? 'Edge' : 'Chrome'} ${m[1]}` : ua.slice(0, 64));
}

// The envelope every event carries.
async function envelope(state) {
  const config = await reporter.config();
  return {
    id: crypto.randomUUID(),
    time: Date.now(),
    extensionVersion: api.runtime.getManifest().version,
    policySource: state?.source ?? null,
    bundleVersion: state?.bundleVersion ?? null,
    installId: await installId(),
    browser: await browserInfo(),
    tags: config.config?.tags ?? {},
  };
}

// Writes are serialised: the log prune counts what the previous write left.
let chain = Promise.resolve();
let sinceCount = LOG_SLACK; // count the log at the first write

// Records `raw` (an object with at least `type`). Resolves once the event is stored; never
// rejects (a failed write is logged: the decision it records has been made either way).
export function record(raw) {
  const write = chain.then(async () => {
    let state = null;
    let event;
    try {
      state = await policy.current();
      event = state.engine.auditEvent(raw);
    } catch (e) {
      // No engine to reduce the event with (it failed to load): only the type and our own
      // error message are kept.
      event = { type: String(raw?.type ?? 'unknown').slice(0, 64), message: String(raw?.message ?? e?.message ?? e).slice(0, 300) };
    }
    const full = { ...(await envelope(state)), ...event };
    const reporting = (await reporter.config()).config != null;
    const db = await openDb();
    const tx = db.transaction(['log', 'outbox'], 'readwrite');
    tx.objectStore('log').add(full);
    if (reporting) tx.objectStore('outbox').add(full);
    await done(tx);
    if (++sinceCount >= LOG_SLACK) {
      sinceCount = 0;
      await prune(db);
    }
    if (reporting) reporter.soon();
    return full;
  });
  chain = write.catch((e) => console.error('AIGuard: an audit event could not be stored', e));
  return chain;
}

// Keeps the log at LOG_KEEP events and the outbox at OUTBOX_KEEP, oldest out first.
async function prune(db) {
  for (const [store, keep] of [['log', LOG_KEEP], ['outbox', OUTBOX_KEEP]]) {
    const tx = db.transaction(store, 'readwrite');
    const s = tx.objectStore(store);
    const count = await result(s.count());
    let over = count - keep;
    if (over > 0) {
      if (store === 'outbox') {
        const got = await api.storage.local.get(DROPPED);
        await api.storage.local.set({ [DROPPED]: (got[DROPPED] ?? 0) + over });
      }
      const req = s.openCursor();
      await new Promise((resolve, reject) => {
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor || over-- <= 0) return resolve();
          cursor.delete();
          cursor.continue();
        };
        req.onerror = () => reject(req.error);
      });
    }
    await done(tx);
  }
}

// Records `event` when `mark` differs from the one last recorded under `key`: a worker that
// starts again loads the same policy, and a broken one is refused at every load, but each
// change is one event.
async function recordOnChange(key, mark, event) {
  const got = await api.storage.local.get(key);
  if (got[key] === mark) return;
  await api.storage.local.set({ [key]: mark });
  await record(event);
}

// A policy put in force.
export async function policyApplied({ source, text, bundleVersion }) {
  await recordOnChange(LAST_POLICY, `${source}:${bundleVersion ?? ''}:${await sha256Hex(text ?? '')}`,
    { type: 'policy-applied', source, version: bundleVersion });
}

// A policy refused (it does not compile), once per source and reason.
export async function policyRejected({ source, message }) {
  await recordOnChange(LAST_REJECTED, `${source}:${await sha256Hex(message ?? '')}`, { type: 'policy-rejected', source, message });
}

// How many outbox events were dropped since the last report of it; resets the count.
export async function takeDropped() {
  const got = await api.storage.local.get(DROPPED);
  if (got[DROPPED]) await api.storage.local.remove(DROPPED);
  return got[DROPPED] ?? 0;
}

// The log, oldest first.
export async function entries() {
  await chain;
  const db = await openDb();
  const tx = db.transaction('log');
  return { entries: await result(tx.objectStore('log').getAll()) };
}

// Moves the trail earlier versions kept in storage.local into the log, once, reduced as new
// events are: nothing recorded before an update is lost, and no address keeps its query.
export async function migrate() {
  const got = await api.storage.local.get(LEGACY_QUEUE);
  const legacy = got[LEGACY_QUEUE];
  if (!Array.isArray(legacy)) return;
  const { engine } = await policy.current();
  const db = await openDb();
  const tx = db.transaction('log', 'readwrite');
  for (const e of legacy) {
    const { at, ...rest } = e ?? {};
    tx.objectStore('log').add({ id: crypto.randomUUID(), time: Date.parse(at) || Date.now(), ...engine.auditEvent(rest) });
  }
  await done(tx);
  await api.storage.local.remove([LEGACY_QUEUE, 'audit.dropped']);
}
