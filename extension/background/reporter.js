// Delivery of audit events to the company's collector, when managed storage names one
// (reportingUrl, reportingToken, reportingFormat, reportingHeader, reportingTags,
// reportingTimeoutSeconds; the engine reads and checks them). Nothing is sent otherwise.
//
// Events wait in the outbox (audit.js) until a collector has answered 2xx for the batch that
// holds them: delivery is at least once, and the event id lets the collector drop a repeat.
// A batch goes SOON_MS after the first event that needs it, or at once when one is full; after a
// failure (an HTTP error, a timeout, no connection) the engine's backoff or the server's
// Retry-After sets when to try again. A timer carries short waits and an alarm long ones, and
// the alarm also wakes a worker that was stopped meanwhile; the outbox and the schedule live in
// IndexedDB and storage.local, so a restarted worker or browser carries on where it stopped.
import { api } from '../shared/runtime-module.js';
import * as audit from './audit.js';
import { reportingConfig, reportingBody, retryDelay, delivery } from './engine.js';

export const ALARM = 'reporting';
const STATUS = 'reporting.status';
const SOON_MS = 2_000;
// Chrome runs an alarm no sooner than 30 s after it is set.
const ALARM_FLOOR_MS = 30_000;

let configPromise = null;

// {none}, {config} or {error} (see engine.js reportingConfig), read once per managed change.
export function config() {
  configPromise ??= (async () => {
    let managed = {};
    try {
      managed = (await api.storage.managed.get(null)) ?? {};
    } catch { /* no managed storage */ }
    return reportingConfig(managed);
  })();
  return configPromise;
}

const EMPTY_STATUS = { sent: 0, requests: 0, failures: 0, attempt: 0, nextAt: null, lastSuccessAt: null, lastError: null, batchEvents: null };

async function readStatus() {
  return { ...EMPTY_STATUS, ...((await api.storage.local.get(STATUS))[STATUS] ?? {}) };
}

// What the options page shows about delivery.
export async function status() {
  const c = await config();
  const db = await audit.openDb();
  const pending = await audit.result(db.transaction('outbox').objectStore('outbox').count());
  const s = await readStatus();
  return {
    configured: c.config != null,
    error: c.error ?? null,
    url: c.config?.url ?? null,
    format: c.config?.format ?? null,
    pending,
    sent: s.sent,
    requests: s.requests,
    failures: s.failures,
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    nextAt: s.nextAt,
  };
}

let timer = null;
let timerAt = Infinity;

// Flush at `at` (ms since the epoch): a timer for this worker's lifetime, and an alarm that
// survives it.
function scheduleAt(at) {
  if (at < timerAt) {
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      void flush();
    }, Math.max(0, at - Date.now()));
  }
  void api.alarms.create(ALARM, { when: Math.max(at, Date.now() + ALARM_FLOOR_MS) });
}

// A new event waits: send it with the others that come in the next moments.
export function soon() {
  scheduleAt(Date.now() + SOON_MS);
}

let flushing = null;

// Sends what the outbox holds, batch by batch, until it is empty or a batch fails.
export function flush() {
  flushing ??= send().catch((e) => console.error('AIGuard: reporting failed', e)).finally(() => { flushing = null; });
  return flushing;
}

// The oldest events of the outbox, at most `maxEvents` and about `maxBytes` of JSON: [{key, event}].
async function oldest(maxEvents, maxBytes) {
  const db = await audit.openDb();
  const tx = db.transaction('outbox');
  const req = tx.objectStore('outbox').openCursor();
  const batch = [];
  let bytes = 0;
  await new Promise((resolve, reject) => {
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return resolve();
      bytes += JSON.stringify(cursor.value).length;
      if (batch.length && bytes > maxBytes) return resolve();
      batch.push({ key: cursor.key, event: cursor.value });
      if (batch.length >= maxEvents) return resolve();
      cursor.continue();
    };
    req.onerror = () => reject(req.error);
  });
  return batch;
}

async function forget(keys) {
  const db = await audit.openDb();
  const tx = db.transaction('outbox', 'readwrite');
  for (const k of keys) tx.objectStore('outbox').delete(k);
  await audit.done(tx);
}

async function send() {
  const c = (await config()).config;
  if (!c) return;
  const s = await readStatus();
  if (s.nextAt && Date.now() < s.nextAt) return scheduleAt(s.nextAt);
  const dropped = await audit.takeDropped();
  if (dropped) await audit.record({ type: 'dropped', count: dropped });
  let batchEvents = s.batchEvents ?? c.batchEvents;
  for (;;) {
    const batch = await oldest(batchEvents, c.batchBytes);
    if (!batch.length) break;
    const body = await reportingBody(batch.map((b) => b.event), c.format);
    let response = null;
    let failure = null;
    try {
      response = await fetch(c.url, {
        method: 'POST', headers: c.headers, body, credentials: 'omit', cache: 'no-store',
        // The token goes to the configured collector and nowhere a redirect points.
        redirect: 'error', signal: AbortSignal.timeout(c.timeoutMs),
      });
      await response.body?.cancel().catch(() => {});
    } catch (e) {
      failure = e?.name === 'TimeoutError' ? `no answer within ${c.timeoutMs / 1000} s` : String(e?.message ?? e);
    }
    s.requests++;
    const outcome = response ? await delivery(response.status) : 'retry';
    if (outcome === 'delivered') {
      await forget(batch.map((b) => b.key));
      Object.assign(s, { sent: s.sent + batch.length, lastSuccessAt: Date.now(), attempt: 0, nextAt: null });
      await api.storage.local.set({ [STATUS]: s });
      continue;
    }
    if (outcome === 'smaller' && batchEvents > 1) {
      batchEvents = s.batchEvents = Math.max(1, Math.floor(batchEvents / 2));
      continue;
    }
    s.attempt++;
    s.failures++;
    s.nextAt = Date.now() + (await retryDelay(s.attempt, response?.headers.get('retry-after'), Date.now()));
    s.lastError = { at: Date.now(), status: response?.status ?? null, message: response ? `HTTP ${response.status}` : failure };
    await api.storage.local.set({ [STATUS]: s });
    return scheduleAt(s.nextAt);
  }
  await api.storage.local.set({ [STATUS]: s });
}

// A changed configuration is read again, and a new endpoint gets what waits at once.
export function watchReporting() {
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== 'managed') return;
    configPromise = null;
    void api.storage.local.get(STATUS).then(async (got) => {
      if (got[STATUS]) await api.storage.local.set({ [STATUS]: { ...got[STATUS], nextAt: null, attempt: 0 } });
      void flush();
    });
  });
  api.alarms.onAlarm.addListener((a) => {
    if (a.name === ALARM) void flush();
  });
  void flush();
}
