// "Continue" on a warn page, remembered per host for the policy's time: passed to the engine's
// navigation checks (`Engine.explain`), installed as session network rules (so the network
// layer lets the host through), and kept in local storage (so it survives a browser restart
// until it expires). The grants themselves, their expiry and their stored form are the
// engine's (`Grants`); this module keeps them and the browser's rules in step.
import { api } from '../shared/runtime-module.js';
import { readGrants } from './engine.js';

export const ALARM = 'aiguard-grants';
const KEY = 'grants';                 // the engine's stored form, as JSON text
const FIRST_RULE_ID = 1_000_000;      // session-rule ids, apart from the policy's rules

let grants = null;

// The grants in force (read from storage on first use after this worker starts).
export async function current() {
  if (!grants) {
    const stored = (await api.storage.local.get(KEY))[KEY];
    grants = await readGrants(typeof stored === 'string' ? stored : stored ? JSON.stringify(stored) : null);
  }
  return grants;
}

async function save(engine) {
  const all = await current();
  await api.storage.local.set({ [KEY]: all.toJson() });
  const addRules = [];
  let id = FIRST_RULE_ID;
  for (const url of all.urls()) {
    const rule = engine.grantRule(id, url);
    if (rule) { addRules.push(rule); id++; }
  }
  const dnr = api.declarativeNetRequest;
  const old = await dnr.getSessionRules();
  await dnr.updateSessionRules({ removeRuleIds: old.map((r) => r.id), addRules });
  if (all.size === 0) await api.alarms.clear(ALARM);
  else api.alarms.create(ALARM, { periodInMinutes: 1 });
}

// Records a grant the engine gave (`Engine.continueOn`): {host, url, until}.
export async function add(engine, { host, url, until }) {
  (await current()).add(host, url, until);
  await save(engine);
}

// Drops expired grants and puts the rest in the browser's rules for `engine`'s policy.
export async function prune(engine) {
  (await current()).prune(Date.now());
  await save(engine);
}

// A different policy asks again: "Continue" was given under the old one.
export async function clearAll(engine) {
  grants?.free();
  grants = await readGrants(null);
  await save(engine);
}
