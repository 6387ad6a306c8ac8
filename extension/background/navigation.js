// Navigation checks and the decision records the warn and block pages read.
//
// The engine checks every top-level navigation as well as the network rules: it catches what
// those can't see or express (history.pushState changes, pages answered by the site's own
// service worker cache, filters with query tokens). The engine decides; this module redirects.
//
// One decision record per navigation, per tab and frame: {id, url}, with an unguessable id. A
// network redirect to the warn page loses the original URL and the navigation events still
// carry it, so every web navigation's URL is noted (in memory and in session storage, which a
// worker restart keeps) and becomes the record the warn page reads. "Continue" names the
// record's id and consumes it; nothing a page puts in the warn page's address is acted on.
import { api } from '../shared/runtime-module.js';
import * as policy from './policy.js';
import * as grants from './grants.js';
import * as audit from './audit.js';
import { forgetFrame } from './csp-records.js';
import { WARN_PAGE, BLOCK_PAGE } from './network-rules.js';

const isWeb = (url) => /^(https?|wss?):/i.test(url);
const recordKey = (tabId, frameId) => `nav:${tabId}:${frameId}`;
const records = new Map();

// The record of a navigation to `url` in the frame: the current one when it is for the same URL
// (the network rule's redirect and this module's own check of one navigation are one decision).
function noteNavigation(tabId, frameId, url) {
  const current = records.get(recordKey(tabId, frameId));
  if (current?.url === url) return current;
  const record = { id: crypto.randomUUID(), url };
  records.set(recordKey(tabId, frameId), record);
  api.storage.session?.set({ [recordKey(tabId, frameId)]: record }).catch(() => {});
  return record;
}

async function recordFor(tabId, frameId) {
  if (tabId == null) return null;
  const key = recordKey(tabId, frameId);
  if (records.has(key)) return records.get(key);
  const got = await api.storage.session?.get(key).catch(() => ({}));
  const record = got?.[key];
  return typeof record?.id === 'string' && typeof record.url === 'string' ? record : null;
}

async function consume(tabId, frameId) {
  const key = recordKey(tabId, frameId);
  records.delete(key);
  await api.storage.session?.remove(key).catch(() => {});
}

// `stage` is 'before' for onBeforeNavigate: the navigation's request has not left, and where
// the network rules express the deciding filter they will redirect it themselves. A second
// redirect from here would load the warn page twice (and drop a click made on the first).
// 'history' is the page's own history.pushState: what its address carries, the page has.
async function checkNavigation(d, stage) {
  if (d.frameId !== 0 || !isWeb(d.url)) return;
  const { engine } = await policy.current();
  const e = engine.explain(d.url, await grants.current(), Date.now());
  // A visit a `monitor` rule allows is recorded once, when the page commits.
  if (stage === 'committed' && e.action === 'allow' && e.monitored) {
    void audit.record({ type: 'navigation', action: 'monitor', rule: e.rule, url: d.url });
  }
  if (e.action === 'allow') {
    if (stage === 'history' || passes.get(d.tabId)?.url === d.url) return;
    const address = engine.checkAddress(d.url);
    if (!address || address.verdict.action === 'allow' || (stage === 'before' && address.networkRulesStop)) return;
  } else if (stage === 'before' && engine.networkRulesCover(d.url)) {
    return;
  }
  noteNavigation(d.tabId, 0, d.url);
  const page = e.action === 'block' ? BLOCK_PAGE : WARN_PAGE;
  await api.tabs.update(d.tabId, { url: api.runtime.getURL(page) + '#url=' + d.url });
}

export function watchNavigations() {
  api.webNavigation.onBeforeNavigate.addListener((d) => {
    forgetFrame(d.tabId, d.frameId, d.timeStamp, d.url);
    if (!isWeb(d.url)) return;
    noteNavigation(d.tabId, d.frameId, d.url);
    void checkNavigation(d, 'before');
  });
  api.webNavigation.onHistoryStateUpdated.addListener((d) => void checkNavigation(d, 'history'));
  api.webNavigation.onCommitted.addListener((d) => {
    void checkNavigation(d, 'committed').finally(() => { if (d.frameId === 0) void endPass(d.tabId); });
  });
  api.tabs.onRemoved.addListener((tabId) => void endPass(tabId));
  void dropStalePasses();
}

// --- Text carried in an address ---------------------------------------------------------------
// A navigation with a query to a page in scope is sent to the warn page by the network rules
// (the engine's url_content rules) before its request leaves. Once the engine has found nothing
// in the address, or the employee chose to go on, one session rule lets that tab's navigation
// to that URL through; it goes when the navigation commits.
const PASS_FIRST_ID = 3_000_000;
const PASS_IDS = 100_000;
const passes = new Map(); // tabId -> {id, url}
let nextPass = 0;

async function letThrough(tabId, url) {
  const { engine } = await policy.current();
  const id = passes.get(tabId)?.id ?? PASS_FIRST_ID + (nextPass++ % PASS_IDS);
  passes.set(tabId, { id, url });
  await api.declarativeNetRequest.updateSessionRules({ removeRuleIds: [id], addRules: [engine.addressPassRule(id, url, tabId)] });
}

async function endPass(tabId) {
  const pass = passes.get(tabId);
  if (!pass) return;
  passes.delete(tabId);
  await api.declarativeNetRequest.updateSessionRules({ removeRuleIds: [pass.id] }).catch(() => {});
}

// Passes a stopped worker left behind: their navigations are long gone.
async function dropStalePasses() {
  const rules = await api.declarativeNetRequest.getSessionRules().catch(() => []);
  const stale = rules.map((r) => r.id).filter((id) => id >= PASS_FIRST_ID && id < PASS_FIRST_ID + PASS_IDS);
  if (stale.length) await api.declarativeNetRequest.updateSessionRules({ removeRuleIds: stale }).catch(() => {});
}

// --- What the warn and block pages ask --------------------------------------------------------
// Only the record the background made for the page's own tab and frame counts: a warn page a
// web page opened or framed with a URL of its choosing has none, and so explains nothing and
// continues nothing. The URL in the page's address must be the record's (an older warn page
// restored from history is not the current one).
const sameUrl = (a, b) => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
};


// A record for another URL than the page's is an earlier navigation's: Firefox does not always
// report a navigation the network rules redirected, and then the page's URL is taken as a
// redirect's, on the same conditions as when there is no record at all.
async function recordOf({ url }, sender) {
  let record = await recordFor(sender.tab?.id, sender.frameId ?? 0);
  if (record && url && !sameUrl(url, record.url)) record = null;
  record ??= await redirectRecord(url, sender) ?? await addressRecord(url, sender);
  if (!record || (url && !sameUrl(url, record.url))) return null;
  return record;
}

// An allowed URL whose address carries text is taken from the page's address as it stands: all
// this page can do with it is check it and go on to it (or not), which the page that sent it
// here could do itself; nothing is granted.
async function addressRecord(url, sender) {
  const tabId = sender.tab?.id;
  if (!url || tabId == null || !isWeb(url)) return null;
  const { engine } = await policy.current();
  if (engine.explain(url, await grants.current(), Date.now()).action !== 'allow' || !engine.checkAddress(url)) return null;
  return noteNavigation(tabId, sender.frameId ?? 0, url);
}

// A navigation the network rules stopped before this worker was listening (the first one after
// the browser or the extension starts, by the static ruleset) left no record. The page's URL is
// taken then only if the browser reports that one of the extension's redirect rules matched a
// request of this very tab in the last minute, and the engine stops that URL: a warn page a web
// page opened itself has no such match.
let staticRules = null; // the packaged ruleset, read once
async function isRedirectRule({ ruleId, rulesetId }) {
  const dnr = api.declarativeNetRequest;
  let rules;
  if (rulesetId === '_dynamic') rules = await dnr.getDynamicRules();
  else if (rulesetId === '_session') rules = await dnr.getSessionRules();
  else rules = staticRules ??= await fetch(api.runtime.getURL('rules/default.json')).then((r) => r.json()).catch(() => []);
  return rules.some((r) => r.id === ruleId && r.action?.type === 'redirect');
}
async function redirectRecord(url, sender) {
  const tabId = sender.tab?.id;
  if (!url || tabId == null || !isWeb(url)) return null;
  const matched = await api.declarativeNetRequest.getMatchedRules?.({ tabId, minTimeStamp: Date.now() - 60_000 }).catch(() => null);
  let redirected = false;
  for (const m of matched?.rulesMatchedInfo ?? []) redirected ||= m.tabId === tabId && await isRedirectRule(m.rule);
  if (!redirected) return null;
  const { engine } = await policy.current();
  if (engine.explain(url, await grants.current(), Date.now()).action === 'allow' && !engine.checkAddress(url)) return null;
  return noteNavigation(tabId, sender.frameId ?? 0, url);
}

// The explanation of the navigation the page stands for, with the record's id. Where the URL is
// allowed, `address` is the content verdict on what its address carries when that is flagged;
// when it is clean, the navigation is let through for the page to go on.
export async function explain(msg, sender) {
  const record = await recordOf(msg, sender);
  if (!record) return { error: 'unknown-url' };
  const { engine } = await policy.current();
  const e = engine.explain(record.url, await grants.current(), Date.now());
  let address = null;
  if (e.action === 'allow') {
    const check = engine.checkAddress(record.url);
    if (check && check.verdict.action !== 'allow') address = check.verdict;
    else if (sender.tab?.id != null) await letThrough(sender.tab.id, record.url);
  }
  return { ...e, decision: record.id, address };
}

// The employee's choice on the dialog for a flagged address: recorded without the address's
// query or fragment (they are the content). "proceed" needs a warned verdict and a top-level
// page, and lets that navigation through once.
export async function decideAddress({ decision, choice, justification }, sender) {
  const record = await recordOf({}, sender);
  if (!record || !decision || record.id !== decision) return { error: 'unknown-url' };
  const { engine } = await policy.current();
  const verdict = engine.checkAddress(record.url)?.verdict;
  const why = typeof justification === 'string' && justification.trim() ? engine.redactSecrets(justification.trim()).slice(0, 1000) : null;
  const u = new URL(record.url);
  await audit.record({
    type: 'content', kind: 'address', action: verdict?.action ?? 'allow', choice: String(choice).slice(0, 16), justification: why,
    findings: (verdict?.findings ?? []).map((f) => ({ detector: f.detector, rule: f.rule })), url: u.origin + u.pathname,
  });
  if (choice !== 'proceed') return {};
  if (sender.frameId !== 0) return { error: 'framed' };
  if (verdict?.action !== 'warn') return { error: 'not a warned address' };
  if (verdict.justification === 'required' && !why) return { error: 'justification-required' };
  await letThrough(sender.tab.id, record.url);
  await consume(sender.tab.id, 0);
  return { url: record.url };
}

export async function shown({ decision, action, rule }, sender) {
  const record = await recordOf({}, sender);
  if (!record || record.id !== decision) return { error: 'unknown-url' };
  await audit.record({ type: 'navigation', action: String(action).slice(0, 16), rule, url: record.url });
  return {};
}

// The employee's choice on the warn page: "continue" (with a reason where the rule asks for
// one) needs the page's own record, in a top-level frame; it consumes the record and grants
// the host. "back" is recorded.
export async function decide({ decision, choice, justification }, sender) {
  const record = await recordOf({}, sender);
  if (!record || !decision || record.id !== decision) return { error: 'unknown-url' };
  const { engine } = await policy.current();
  const why = String(justification ?? '');
  const e = engine.explain(record.url, await grants.current(), Date.now());
  if (choice === 'continue' && sender.frameId !== 0) return { error: 'framed' };
  await audit.record({ type: 'warn-decision', choice, justification: why || null, rule: e.rule, url: e.url });
  if (choice !== 'continue') return {};
  const grant = engine.continueOn(record.url, why, Date.now());
  if (grant.error) return { error: grant.error === 'not-warned' ? `not a warned URL (${e.action})` : grant.error };
  await grants.add(engine, grant);
  await consume(sender.tab?.id, sender.frameId ?? 0);
  // Its address is checked now: a clean one goes straight on; a flagged one comes back here
  // for the content dialog.
  const address = engine.checkAddress(record.url);
  if (!address || address.verdict.action === 'allow') await letThrough(sender.tab.id, record.url);
  return { url: grant.url };
}
