// Where the active policy comes from, in order: enterprise managed storage, the options page,
// the built-in default. A policy that fails to compile never replaces the last good one.
import { api } from './browser.js';
import { compile } from './engine.js';

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

// Returns {engine, source, text, error}.
export async function loadActivePolicy() {
  const managed = await managedPolicyText();
  const local = (await api.storage.local.get(LOCAL_POLICY))[LOCAL_POLICY] ?? null;
  const candidate = managed != null ? { source: 'managed', text: managed }
    : local != null ? { source: 'local', text: local }
    : { source: 'builtin', text: null };
  try {
    const engine = await compile(candidate.text);
    if (candidate.text != null) {
      await api.storage.local.set({ [LAST_GOOD]: candidate });
    }
    await api.storage.local.remove(LAST_ERROR);
    return { engine, ...candidate, error: null };
  } catch (e) {
    const error = { source: candidate.source, message: String(e?.message ?? e), at: Date.now() };
    await api.storage.local.set({ [LAST_ERROR]: error });
    const good = (await api.storage.local.get(LAST_GOOD))[LAST_GOOD];
    if (good) {
      return { engine: await compile(good.text), ...good, error };
    }
    return { engine: await compile(null), source: 'builtin', text: null, error };
  }
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

export function onPolicyChanged(callback) {
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed' || (area === 'local' && LOCAL_POLICY in changes)) callback();
  });
}
