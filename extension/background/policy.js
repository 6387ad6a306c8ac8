// The policy's lifecycle: the texts the extension holds (managed storage, the signed bundle in
// force, the options page, the last good one), the engine compiled from the one in force with
// the bundle's fingerprint database loaded, reloads when any of them changes, and telling open
// pages. Which text is in force, and why, is the engine's decision (`Engine.choose`); this
// module keeps the texts and the compiled engine.
import { api } from '../shared/runtime-module.js';
import { choosePolicy, localPolicyAllowed, consoleVisible } from './engine.js';
import * as bundles from './bundles.js';
import * as audit from './audit.js';

const LOCAL_POLICY = 'policy.local';       // set from the options page
const LAST_GOOD = 'policy.lastGood';       // {source, text} of the last policy that compiled
const LAST_ERROR = 'policy.lastError';     // {source, message, at} of the last rejected one

async function managedPolicyText() {
  try {
    const { policy } = await api.storage.managed.get('policy');
    if (policy == null || policy === '') return null;
    return typeof policy === 'string' ? policy : JSON.stringify(policy);
  } catch {
    return null; // no managed storage (not configured, or unsupported in this browser)
  }
}

// The managed settings that put the admin in control of the policy.
const MANAGED_CONTROL = ['policy', 'bundleUrl'];

// Who may edit the policy on the options page: {allowed, adminInstalled, managedConfigured,
// allowLocal, console} (`console`: whether the toolbar popup links to the options page). An
// extension installed by enterprise policy, or configured through managed storage, is the admin's: a policy saved on the options page is refused, and one saved before
// is not used, unless managed storage's allowLocalPolicy says otherwise.
export async function localEditing() {
  let adminInstalled = false;
  try {
    adminInstalled = (await api.management.getSelf()).installType === 'admin';
  } catch { /* management unavailable: judged by managed storage alone */ }
  let managed = {};
  try {
    managed = await api.storage.managed.get([...MANAGED_CONTROL, 'allowLocalPolicy', 'showConsole']);
  } catch { /* no managed storage */ }
  const managedConfigured = MANAGED_CONTROL.some((k) => managed[k] != null && managed[k] !== '');
  const allowLocal = typeof managed.allowLocalPolicy === 'boolean' ? managed.allowLocalPolicy : null;
  const allowed = await localPolicyAllowed({ adminInstalled, managedConfigured, allowLocal });
  const showConsole = typeof managed.showConsole === 'boolean' ? managed.showConsole : null;
  const console = await consoleVisible({ adminInstalled, managedConfigured, showConsole });
  return { allowed, adminInstalled, managedConfigured, allowLocal, console };
}

// Returns {engine, source, text, revision, bundleVersion}: the policy in force, compiled, with
// the fingerprint database of the bundle in force loaded whichever source the policy came from
// (the database is the company's code, not a policy setting). The revision names the database
// too: engines in pages must drop their copy when one is loaded (content then stays here).
async function loadActivePolicy() {
  const managed = await managedPolicyText();
  const bundle = await bundles.bundleInForce();
  const stored = await api.storage.local.get([LOCAL_POLICY, LAST_GOOD]);
  const editing = await localEditing();
  const chosen = await choosePolicy({ managed, local: editing.allowed ? stored[LOCAL_POLICY] ?? null : null, lastGood: stored[LAST_GOOD] ?? null,
    bundle: bundle?.policyText ?? null });
  const { source, text, rejected, lastGood } = chosen;
  if (lastGood) await api.storage.local.set({ [LAST_GOOD]: lastGood });
  if (rejected) {
    await api.storage.local.set({ [LAST_ERROR]: { ...rejected, at: Date.now() } });
    void audit.policyRejected(rejected);
  }
  else await api.storage.local.remove(LAST_ERROR);
  const engine = chosen.takeEngine();
  chosen.free();
  let revision = engine.contentRevision;
  const database = await bundles.databaseOf(bundle);
  if (database) {
    try {
      engine.loadFingerprints(database);
      revision += '+' + bundle.fingerprints.sha256.slice(0, 16);
    } catch (e) {
      console.error('AIGuard: the cached fingerprint database no longer loads', e);
      void audit.record({ type: 'engine-error', kind: 'fingerprints', message: String(e?.message ?? e) });
    }
  }
  return { engine, source, text, revision, bundleVersion: bundle?.version ?? null };
}

export async function saveLocalPolicy(text) {
  await api.storage.local.set({ [LOCAL_POLICY]: text });
}

export async function clearLocalPolicy() {
  await api.storage.local.remove(LOCAL_POLICY);
}

export async function lastError() {
  return (await api.storage.local.get(LAST_ERROR))[LAST_ERROR] ?? null;
}

// --- The engine in force ------------------------------------------------------------------------
// `ready` resolves to the state in force: {engine, source, text, revision}. Listeners elsewhere
// await it, so a worker that wakes for an event answers with the policy loaded.
let state = null;
let ready = null;
const changeListeners = [];

// `onLoaded(state, previous)` runs after every load, the first included, before `ready` resolves.
export function onPolicyLoaded(listener) {
  changeListeners.push(listener);
}

export function current() {
  return ready ?? reload();
}

// One load at a time: saving a policy asks for a reload and so does the storage change it makes,
// and two loads at once would install network rules over each other and free the engine the
// other is using. A reload asked for while another waits to start joins that one.
let queuedReload = null;
export function reload() {
  if (queuedReload) return queuedReload;
  const previous = ready ?? Promise.resolve();
  queuedReload = ready = (async () => {
    await previous.catch(() => {});
    queuedReload = null; // from here on, a new change needs a load of its own
    const next = await loadActivePolicy();
    const old = state;
    state = next;
    for (const listener of changeListeners) await listener(next, old);
    // Handlers that took the old engine before this load may still be using it after an await:
    // it is freed a minute later, not now.
    if (old) setTimeout(() => old.engine.free?.(), 60_000);
    return next;
  })();
  return ready;
}

// Every frame of every tab hears of a new policy at once: an engine in a page drops its copy
// and asks for the new one (the frames' periodic scope question catches any that miss this).
export async function announcePolicy({ revision }) {
  const tabs = await api.tabs.query({}).catch(() => []);
  for (const tab of tabs) api.tabs.sendMessage(tab.id, { type: 'policyChanged', revision }).catch(() => {});
}

export function watchPolicySources() {
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || (area === 'local' && LOCAL_POLICY in changes)) void reload();
  });
}
