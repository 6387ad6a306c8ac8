// AIGuard background: owns the engine, keeps the browser's network rules in step with the
// policy, and answers the extension pages. Listeners are registered synchronously at the top
// level (a service worker that wakes for an event must find them) and await `ready` inside.
import { api } from './browser.js';
import { loadActivePolicy, onPolicyChanged, saveLocalPolicy, clearLocalPolicy, lastError } from './policy-store.js';
import { checkPolicy, cspAllowsWasm } from './engine.js';
import * as audit from './audit.js';
import * as grants from './grants.js';

const WARN_PAGE = '/pages/warn.html';
const BLOCK_PAGE = '/pages/block.html';
const STATIC_RULESET = 'default';
const ACTION = ['block', 'warn', 'allow'];

let state = null;           // {engine, source, text, error}
let ready = start();

async function start() {
  state = withRevision(await loadActivePolicy());
  await grants.prune(state.engine);
  await installRules(state);
  return state;
}

// One load at a time: saving a policy asks for a reload and so does the storage change it makes,
// and two loads at once would install network rules over each other and free the engine the
// other is using. A reload asked for while another waits to start joins that one.
let queuedReload = null;
function reload() {
  if (queuedReload) return queuedReload;
  const previous = ready;
  queuedReload = ready = (async () => {
    await previous.catch(() => {});
    queuedReload = null; // from here on, a new change needs a load of its own
    const next = withRevision(await loadActivePolicy());
    // A different policy asks again: "Continue" was given under the old one.
    if (state && next.text !== state.text) await grants.clearAll();
    // Handlers that took the old engine before this load may still be using it after an await:
    // it is freed a minute later, not now.
    const old = state?.engine;
    if (old) setTimeout(() => old.free?.(), 60_000);
    state = next;
    await grants.prune(state.engine);
    await installRules(state);
    void announcePolicy(state);
    return state;
  })();
  return ready;
}

// Content scripts that run the engine in their page compile the policy's content section;
// the revision tells them when theirs is no longer the active one (a short hash of that
// section: the same text after a restart of this worker is the same revision).
function withRevision(s) {
  const text = s.engine.contentPolicy;
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 0x01000193);
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x5bd1e995);
  }
  return { ...s, revision: (h1 >>> 0).toString(36) + (h2 >>> 0).toString(36) };
}

// Every frame of every tab hears of a new policy at once: an engine in a page drops its copy
// and asks for the new one (the frames' periodic scope question catches any that miss this).
async function announcePolicy({ revision }) {
  const tabs = await api.tabs.query({}).catch(() => []);
  for (const tab of tabs) api.tabs.sendMessage(tab.id, { type: 'policyChanged', revision }).catch(() => {});
}

// The built-in policy ships as a static ruleset (covering the first navigation after install
// or browser start, before this code runs). An admin policy replaces it with dynamic rules.
async function installRules({ engine, source }) {
  const dnr = api.declarativeNetRequest;
  const old = await dnr.getDynamicRules();
  const removeRuleIds = old.map((r) => r.id);
  if (source === 'builtin') {
    await dnr.updateDynamicRules({ removeRuleIds });
    await dnr.updateEnabledRulesets({ enableRulesetIds: [STATIC_RULESET] });
    return;
  }
  const { rules, regexRules, skipped } = engine.dnrRules(WARN_PAGE, BLOCK_PAGE, 1, api.runtime.getURL('').replace(/\/$/, ''));
  if (skipped.length) console.info('AIGuard: covered by navigation checks only:', skipped);
  try {
    await dnr.updateDynamicRules({ removeRuleIds, addRules: rules });
  } catch (e) {
    // The update is all-or-nothing; one rule the browser refuses must not cost the others.
    // Install rule by rule and report the refused ones; navigation checks still cover them.
    console.error('AIGuard: network rules refused as a batch:', e);
    await dnr.updateDynamicRules({ removeRuleIds });
    const refused = [];
    for (const rule of rules) {
      await dnr.updateDynamicRules({ addRules: [rule] }).catch((err) => refused.push({ rule, error: String(err?.message ?? err) }));
    }
    await api.storage.local.set({ 'rules.refused': refused });
  }
  await dnr.updateEnabledRulesets({ disableRulesetIds: [STATIC_RULESET] });
  console.info(`AIGuard: ${rules.length} network rules (${regexRules} regex) from the ${source} policy`);
}

// --- Remembering which URL a warn/block page stands for ------------------------------------
// A network redirect to the warn page loses the original URL; the navigation events still
// carry it. Keyed by tab and frame; also kept in session storage in case this worker restarts
// between the navigation and the page asking.
const pending = new Map();
const frameOf = (tabId, frameId) => `${tabId}:${frameId}`;
const frameKey = (tabId, frameId) => `nav:${frameOf(tabId, frameId)}`;

function rememberNavigation(tabId, frameId, url) {
  pending.set(frameKey(tabId, frameId), url);
  api.storage.session?.set({ [frameKey(tabId, frameId)]: url }).catch(() => {});
}

async function pendingUrl(tabId, frameId) {
  const key = frameKey(tabId, frameId);
  if (pending.has(key)) return pending.get(key);
  const got = await api.storage.session?.get(key).catch(() => ({}));
  return got?.[key] ?? null;
}

const isOwnPage = (url) => url.startsWith(api.runtime.getURL(''));
const CONTENT_MESSAGES = new Set(['contentScope', 'contentEngine', 'contentEngineLoaded', 'contentEngineFailed', 'checkContent', 'contentDecision',
  'dialogInTopFrame', 'dialogAnswer']);
// Since this worker started: content checked here, engines compiled in pages and refused to
// them, the last one's WebAssembly memory after loading (bytes), and why the last failed.
const diagnostics = { contentChecks: 0, pageEngines: 0, pageEnginesRefused: 0, pageEngineMemory: null, lastPageEngineError: null };
const isWeb = (url) => /^(https?|wss?):/i.test(url);

api.webNavigation.onBeforeNavigate.addListener((d) => {
  // The frame's next document: its CSP record is the one its response will bring (a reload of
  // the same URL must not be judged by the previous response's headers).
  documentCsps.delete(frameOf(d.tabId, d.frameId));
  if (!isWeb(d.url)) return;
  rememberNavigation(d.tabId, d.frameId, d.url);
  void checkNavigation(d);
});

// The engine checks every top-level navigation as well as the network rules: it catches what
// those can't see or express (history.pushState changes, pages answered by the site's own
// service worker cache, filters with query tokens). The engine decides; the glue redirects.
async function checkNavigation(d) {
  if (d.frameId !== 0 || !isWeb(d.url)) return;
  const { engine } = await ready;
  const e = engine.explain(d.url, Date.now());
  if (e.action === 'allow') return;
  rememberNavigation(d.tabId, 0, d.url);
  const page = e.action === 'block' ? BLOCK_PAGE : WARN_PAGE;
  await api.tabs.update(d.tabId, { url: api.runtime.getURL(page) + '#url=' + d.url });
}
api.webNavigation.onHistoryStateUpdated.addListener((d) => void checkNavigation(d));
api.webNavigation.onCommitted.addListener((d) => void checkNavigation(d));

// --- The CSPs each frame's document was served with ----------------------------------------
// A content script may compile the engine in its page only where the page's CSP allows
// WebAssembly; where it does not, the attempt fails and tells the page (a CSP violation
// naming the extension). Response headers are visible here and not to the page's scripts, so
// the background keeps each frame's latest document's CSP headers (report-only included) and
// decides, with the page's <meta> policies the content script reports. A frame with no
// record (this worker restarted, about:blank and srcdoc frames, pages answered by a service
// worker the browser doesn't report) uses the engine in the background.
const documentCsps = new Map(); // "tabId:frameId" -> {url, policies}
const MAX_DOCUMENT_CSPS = 2000;
const withoutFragment = (url) => String(url ?? '').split('#')[0];
api.webRequest?.onHeadersReceived.addListener((d) => {
  const key = frameOf(d.tabId, d.frameId);
  const policies = (d.responseHeaders ?? [])
    .filter((h) => /^content-security-policy(-report-only)?$/i.test(h.name))
    .map((h) => h.value ?? '');
  documentCsps.delete(key);
  documentCsps.set(key, { url: withoutFragment(d.url), policies });
  if (documentCsps.size > MAX_DOCUMENT_CSPS) documentCsps.delete(documentCsps.keys().next().value);
}, { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] }, ['responseHeaders']);
// The record of the document a content script asks from. The headers' event can reach this
// worker after the document's own script has already asked (seen in Firefox, where the page had
// loaded by then), so a missing or older record is waited for, briefly.
async function documentCspRecord(sender) {
  const key = frameOf(sender.tab?.id, sender.frameId);
  const url = withoutFragment(sender.url);
  for (let waited = 0; ; waited += 50) {
    const record = documentCsps.get(key);
    if (record?.url === url) return record;
    if (waited >= 3000) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
api.tabs.onRemoved.addListener((tabId) => {
  for (const key of documentCsps.keys()) if (key.startsWith(frameOf(tabId, ''))) documentCsps.delete(key);
});

// Files travel from content scripts as base64 (messages are JSON in Chromium).
function decodePart(part) {
  if (part.kind !== 'file' || typeof part.base64 !== 'string') return part;
  const binary = atob(part.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { kind: 'file', name: part.name, size: part.size, bytes };
}

// In scope when the frame's own page or the tab's page is: a frame inside an AI tool's page
// (srcdoc, about:blank, another origin) is part of that tool.
function scansSender(engine, sender) {
  return [sender.url, sender.tab?.url].some((u) => u && isWeb(u) && engine.scansPage(u));
}

// The page an event came from, without its query or fragment (which can carry content).
function pageOf(sender) {
  const url = sender.tab?.url ?? sender.url ?? '';
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return null;
  }
}

// --- Messages from the extension's pages and content scripts ---------------------------------
const handlers = {
  async status() {
    const s = await ready;
    return { ready: true, source: s.source, stats: s.engine.stats(), error: await lastError(), diagnostics: { ...diagnostics } };
  },
  async verdict({ url }) {
    return (await ready).engine.verdict(url);
  },
  async explain({ url }, sender) {
    const s = await ready;
    url ??= await pendingUrl(sender.tab?.id, sender.frameId ?? 0);
    if (!url) return { error: 'unknown-url' };
    const explanation = s.engine.explain(url, Date.now());
    return explanation;
  },
  async shown({ url, action, rule }) {
    await audit.record({ type: 'navigation', action, rule, url });
    return {};
  },
  async decide({ url, choice, justification }) {
    const s = await ready;
    const e = s.engine.explain(url, Date.now());
    await audit.record({ type: 'warn-decision', choice, justification: justification || null, rule: e.rule, url: e.url });
    if (choice !== 'continue') return {};
    if (e.action !== 'warn') return { error: `not a warned URL (${e.action})` };
    if (e.justification === 'required' && !(justification ?? '').trim()) return { error: 'justification-required' };
    await grants.add(s.engine, url, e.host, Date.now() + e.rememberMinutes * 60_000);
    return { url: e.url };
  },
  // --- content on its way into a page (content scripts) ---
  async contentScope(_msg, sender) {
    const { engine, revision } = await ready;
    return { scan: scansSender(engine, sender), maxFileBytes: engine.maxFileBytes, revision };
  },
  // The policy for an engine in the page, when the page's CSPs (headers seen here, <meta>
  // ones from the content script) let it compile one without a violation; otherwise null.
  async contentEngine({ metaCsps }, sender) {
    const { engine, revision } = await ready;
    const record = await documentCspRecord(sender);
    const metas = Array.isArray(metaCsps) ? metaCsps.map(String) : [];
    // The policy may keep its engine out of pages (`content.engineInPage`: by default when it
    // has marker terms, which would then sit in the page's process). The engine in the page gets
    // the policy only: with a fingerprint database loaded here, content stays with this engine.
    const policy = engine.contentPolicy;
    const allowed = record && scansSender(engine, sender)
      && engine.engineInPage && engine.fingerprintCount() === 0 && await cspAllowsWasm([...record.policies, ...metas]);
    if (!allowed) diagnostics.pageEnginesRefused++;
    return { policy: allowed ? policy : null, revision };
  },
  // A dialog for a frame too small to show it, shown by the tab's top frame; the answer goes
  // back to the frame that asked.
  async dialogInTopFrame({ id, request }, sender) {
    const tabId = sender.tab?.id;
    if (tabId == null || !sender.frameId) return { error: 'no top frame to show the dialog' };
    const reply = await api.tabs.sendMessage(tabId, { type: 'showDialog', id, frameId: sender.frameId, request }, { frameId: 0 });
    return reply?.shown ? {} : { error: 'the top frame did not show the dialog' };
  },
  async dialogAnswer({ id, frameId, answer }, sender) {
    if (sender.frameId !== 0 || sender.tab?.id == null || typeof frameId !== 'number') return { error: 'forbidden' };
    await api.tabs.sendMessage(sender.tab.id, { type: 'dialogAnswer', id, answer }, { frameId });
    return {};
  },
  async contentEngineLoaded({ memoryBytes }) {
    diagnostics.pageEngines++;
    if (typeof memoryBytes === 'number') diagnostics.pageEngineMemory = memoryBytes;
    return {};
  },
  async contentEngineFailed({ error }, sender) {
    diagnostics.lastPageEngineError = { error: String(error).slice(0, 300), page: pageOf(sender), at: Date.now() };
    return {};
  },
  async checkContent({ kind, parts }, sender) {
    const { engine } = await ready;
    diagnostics.contentChecks++;
    // Asked before the page knew its scope (or after it changed URL): out of scope passes.
    if (!scansSender(engine, sender)) return { action: 'allow', parts: [], findings: [], justification: 'none', redactable: false };
    const verdict = engine.checkSubmission(parts.map(decodePart));
    const unscanned = verdict.parts.filter((p) => p.status === 'tooLarge').map((p) => p.name);
    if (unscanned.length) await audit.record({ type: 'content-unscanned', kind, files: unscanned, url: pageOf(sender) });
    return verdict;
  },
  // What the employee chose in the content dialog. The audit trail gets the detectors and
  // rules, never the content; the typed reason may itself hold a secret and is redacted.
  async contentDecision({ kind, choice, justification, action, findings }, sender) {
    const { engine } = await ready;
    const text = (v) => String(v ?? '').slice(0, 64);
    const why = typeof justification === 'string' && justification.trim() ? engine.redactSecrets(justification.trim()).slice(0, 1000) : null;
    const found = (Array.isArray(findings) ? findings : []).slice(0, 100).map((f) => ({ detector: text(f?.detector), rule: text(f?.rule) }));
    await audit.record({ type: 'content', kind: text(kind), action: text(action), choice: text(choice), justification: why, findings: found, url: pageOf(sender) });
    return {};
  },
  async checkPolicy({ text }) {
    return { problem: await checkPolicy(text) };
  },
  async savePolicy({ text }, sender) {
    if (!isOwnPage(sender.url ?? '')) return { error: 'forbidden' };
    const problem = text == null ? null : await checkPolicy(text);
    if (problem) return { problem };
    if (text == null) await clearLocalPolicy(); else await saveLocalPolicy(text);
    const s = await reload();
    return { source: s.source, stats: s.engine.stats() };
  },
  async audit() {
    return audit.entries();
  },
};

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Content scripts (the part of the extension that lives in web pages) may only ask about
  // content; everything else is for the extension's own pages.
  const handler = Object.hasOwn(handlers, msg?.type) ? handlers[msg.type] : null;
  if (!handler || sender.id !== api.runtime.id) return false;
  if (!CONTENT_MESSAGES.has(msg.type) && !isOwnPage(sender.url ?? '')) return false;
  handler(msg, sender).then(sendResponse, (e) => sendResponse({ error: String(e?.message ?? e) }));
  return true; // answer asynchronously
});

onPolicyChanged(() => void reload());
api.alarms.onAlarm.addListener((a) => {
  if (a.name === grants.ALARM) void ready.then((s) => grants.prune(s.engine));
});

// For tests and diagnostics from the service-worker console: `aiguard.verdict(url)`.
globalThis.aiguard = {
  ready: () => ready.then(() => true),
  verdict: async (url) => (await ready).engine.verdict(url),
  action: async (url) => ACTION[(await ready).engine.action(url)] ?? 'invalid',
  source: async () => (await ready).source,
  diagnostics: () => ({ ...diagnostics }),
};
