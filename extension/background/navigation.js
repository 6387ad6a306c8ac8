// Navigation checks and the decision records the warn and block pages read.
//
// The engine checks every top-level navigation as well as the network rules: it catches what
// those can't see or express (history.pushState changes, pages answered by the site's own
// service worker cache, filters with query tokens). The engine decides; this module redirects.
//
// One decision record per stopped navigation, per tab and frame: {id, url}. A network redirect
// to the warn page loses the original URL and the navigation events still carry it, so every
// web navigation's URL is noted (in memory and in session storage, which a worker restart
// keeps) and becomes the record the warn page reads. "Continue" names the record's id and
// consumes it.
import { api } from '../shared/runtime-module.js';
import * as policy from './policy.js';
import * as grants from './grants.js';
import * as audit from './audit.js';
import { forgetFrame } from './csp-records.js';
import { WARN_PAGE, BLOCK_PAGE } from './network-rules.js';

const isWeb = (url) => /^(https?|wss?):/i.test(url);
const recordKey = (tabId, frameId) => `nav:${tabId}:${frameId}`;
const records = new Map();

function newRecord(tabId, frameId, url) {
  const record = { id: crypto.randomUUID(), url };
  records.set(recordKey(tabId, frameId), record);
  api.storage.session?.set({ [recordKey(tabId, frameId)]: record }).catch(() => {});
  return record;
}

async function recordFor(tabId, frameId) {
  const key = recordKey(tabId, frameId);
  if (records.has(key)) return records.get(key);
  const got = await api.storage.session?.get(key).catch(() => ({}));
  const record = got?.[key];
  // Records written before they had ids were the URL alone.
  return typeof record === 'string' ? { id: null, url: record } : record ?? null;
}

async function consume(tabId, frameId) {
  const key = recordKey(tabId, frameId);
  records.delete(key);
  await api.storage.session?.remove(key).catch(() => {});
}

async function checkNavigation(d) {
  if (d.frameId !== 0 || !isWeb(d.url)) return;
  const { engine } = await policy.current();
  const e = engine.explain(d.url, await grants.current(), Date.now());
  if (e.action === 'allow') return;
  newRecord(d.tabId, 0, d.url);
  const page = e.action === 'block' ? BLOCK_PAGE : WARN_PAGE;
  await api.tabs.update(d.tabId, { url: api.runtime.getURL(page) + '#url=' + d.url });
}

export function watchNavigations() {
  api.webNavigation.onBeforeNavigate.addListener((d) => {
    forgetFrame(d.tabId, d.frameId);
    if (!isWeb(d.url)) return;
    newRecord(d.tabId, d.frameId, d.url);
    void checkNavigation(d);
  });
  api.webNavigation.onHistoryStateUpdated.addListener((d) => void checkNavigation(d));
  api.webNavigation.onCommitted.addListener((d) => void checkNavigation(d));
}

// --- What the warn and block pages ask --------------------------------------------------------
// The record for the page's frame; a URL the page carries in its address (the network rule's
// substitution, kept across reloads) takes its place.
async function decisionFor({ url }, sender) {
  const tabId = sender.tab?.id;
  const frameId = sender.frameId ?? 0;
  const record = await recordFor(tabId, frameId);
  if (url && record?.url !== url) return newRecord(tabId, frameId, url);
  return record;
}

// The explanation of the navigation the page stands for, with the record's id.
export async function explain(msg, sender) {
  const record = await decisionFor(msg, sender);
  if (!record) return { error: 'unknown-url' };
  const { engine } = await policy.current();
  return { ...engine.explain(record.url, await grants.current(), Date.now()), decision: record.id };
}

export async function shown({ url, action, rule }) {
  await audit.record({ type: 'navigation', action, rule, url });
  return {};
}

// The employee's choice on the warn page: "continue" (with a reason where the rule asks for
// one) consumes the decision record and grants the host; "back" is recorded.
export async function decide({ decision, url, choice, justification }, sender) {
  const stored = await recordFor(sender.tab?.id, sender.frameId ?? 0);
  const record = stored && decision && stored.id === decision ? stored : await decisionFor({ url }, sender);
  if (!record) return { error: 'unknown-url' };
  const { engine } = await policy.current();
  const why = String(justification ?? '');
  const e = engine.explain(record.url, await grants.current(), Date.now());
  await audit.record({ type: 'warn-decision', choice, justification: why || null, rule: e.rule, url: e.url });
  if (choice !== 'continue') return {};
  const grant = engine.continueOn(record.url, why, Date.now());
  if (grant.error) return { error: grant.error === 'not-warned' ? `not a warned URL (${e.action})` : grant.error };
  await grants.add(engine, grant);
  await consume(sender.tab?.id, sender.frameId ?? 0);
  return { url: grant.url };
}
