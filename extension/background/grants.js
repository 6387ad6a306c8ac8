// "Continue" on a warn page, remembered per host for the policy's time: in the engine (for the
// navigation checks), as a session network rule (so the network layer lets it through), and in
// local storage (so it survives a browser restart until it expires).
import { api } from './browser.js';

export const ALARM = 'aiguard-grants';
const KEY = 'grants';                 // {host: {url, until}}
const FIRST_RULE_ID = 1_000_000;      // session-rule ids, apart from the policy's rules

async function load() {
  return (await api.storage.local.get(KEY))[KEY] ?? {};
}

async function installSessionRules(engine, all) {
  const dnr = api.declarativeNetRequest;
  const old = await dnr.getSessionRules();
  const addRules = [];
  let id = FIRST_RULE_ID;
  for (const { url } of Object.values(all)) {
    const rule = engine.grantRule(id, url);
    if (rule) { addRules.push(rule); id++; }
  }
  await dnr.updateSessionRules({ removeRuleIds: old.map((r) => r.id), addRules });
}

export async function add(engine, url, host, until) {
  const all = await load();
  all[host] = { url, until };
  engine.grant(host, until);
  await api.storage.local.set({ [KEY]: all });
  await installSessionRules(engine, all);
  api.alarms.create(ALARM, { periodInMinutes: 1 });
}

// Drops expired grants and re-applies the rest to `engine` (also a freshly compiled one).
export async function prune(engine) {
  const all = await load();
  const now = Date.now();
  for (const [host, g] of Object.entries(all)) if (!(g.until > now)) delete all[host];
  engine.clearGrants();
  for (const [host, g] of Object.entries(all)) engine.grant(host, g.until);
  await api.storage.local.set({ [KEY]: all });
  await installSessionRules(engine, all);
  if (Object.keys(all).length === 0) await api.alarms.clear(ALARM);
}

export async function clearAll() {
  await api.storage.local.remove(KEY);
  const old = await api.declarativeNetRequest.getSessionRules();
  await api.declarativeNetRequest.updateSessionRules({ removeRuleIds: old.map((r) => r.id) });
  await api.alarms.clear(ALARM);
}
