// Every message the background answers, in two tables: what content scripts may ask, and what
// only the extension's own pages may ask. A message from anywhere else, or of a type in neither
// table, gets no answer.
//
//   content scripts   sender.id is this extension (content scripts run in web pages, so their
//                     sender.url is the page's); they may ask about content only.
//   extension pages   sender.id is this extension and sender.url is one of its own pages
//                     (options, warn, block).
import { api } from '../shared/runtime-module.js';
import * as policy from './policy.js';
import * as navigation from './navigation.js';
import * as content from './content-checks.js';
import * as audit from './audit.js';
import * as reporter from './reporter.js';
import { auditExport } from './engine.js';
import * as bundles from './bundles.js';
import * as grants from './grants.js';
import { checkPolicy, withPolicy, builtinPolicyText, readGrants } from './engine.js';

const CONTENT_SCRIPT_MESSAGES = {
  contentScope: content.contentScope,
  contentEngine: content.contentEngine,
  contentEngineLoaded: content.contentEngineLoaded,
  contentEngineFailed: content.contentEngineFailed,
  checkContent: content.checkContent,
  contentDecision: content.contentDecision,
  dialogInTopFrame: content.dialogInTopFrame,
  dialogAnswer: content.dialogAnswer,
};

const EXTENSION_PAGE_MESSAGES = {
  async status() {
    const s = await policy.current();
    return { ready: true, source: s.source, stats: s.engine.stats(), error: await policy.lastError(), diagnostics: { ...content.diagnostics },
      localEditing: await policy.localEditing(),
      bundle: { ...(await bundles.status()), versionInUse: s.bundleVersion, fingerprints: s.engine.fingerprintCount() } };
  },
  // "Check now" on the options page: fetches the bundle at once; answers with the new status.
  async refreshBundle() {
    const outcome = await bundles.refresh(() => policy.reload());
    return { outcome, bundle: await bundles.status() };
  },
  async verdict({ url }) {
    return (await policy.current()).engine.verdict(url);
  },
  explain: navigation.explain,
  shown: navigation.shown,
  decide: navigation.decide,
  decideAddress: navigation.decideAddress,
  async checkPolicy({ text }) {
    return { problem: await checkPolicy(text) };
  },
  // The console: the policy in force as text (the built-in one's too), and the managed settings
  // by name, a credential shown as set, never its value.
  async console() {
    const s = await policy.current();
    let managed = {};
    try {
      managed = (await api.storage.managed.get(null)) ?? {};
    } catch { /* no managed storage */ }
    const shown = Object.fromEntries(Object.entries(managed).map(([k, v]) => [k, /token/i.test(k) && v ? '••••••' : v]));
    const builtin = await builtinPolicyText();
    return { source: s.source, text: s.text ?? builtin, builtin, managed: shown };
  },
  // The catalog, URL verdicts and content verdicts under the editor's policy (`policyText`), or
  // the one in force: the admin tries a change before saving it.
  async catalog({ policyText }) {
    const run = (engine) => ({ tools: engine.catalogActions() });
    return policyText == null ? run((await policy.current()).engine) : withPolicy(policyText, run);
  },
  async tryUrl({ url, policyText }) {
    const none = await readGrants(null);
    const run = (engine) => {
      try {
        return { explanation: engine.explain(String(url), none, Date.now()) };
      } catch (e) {
        return { error: String(e?.message ?? e) };
      }
    };
    try {
      return policyText == null ? run((await policy.current()).engine) : await withPolicy(policyText, run);
    } finally {
      none.free();
    }
  },
  async tryText({ text, policyText }) {
    const value = String(text ?? '');
    const run = (engine) => {
      const report = engine.scan(value);
      return { action: report.action, findings: report.findings.map((f) => ({ ...f, ...utf16Span(value, f.start, f.end) })) };
    };
    return policyText == null ? run((await policy.current()).engine) : withPolicy(policyText, run);
  },
  async savePolicy({ text }) {
    // The admin's extension: nobody saves a policy here, whoever asks.
    if (!(await policy.localEditing()).allowed) return { error: 'locked' };
    const problem = text == null ? null : await checkPolicy(text);
    if (problem) return { problem };
    if (text == null) await policy.clearLocalPolicy(); else await policy.saveLocalPolicy(text);
    const s = await policy.reload();
    return { source: s.source, stats: s.engine.stats() };
  },
  async audit() {
    return audit.entries();
  },
  // The audit trail as a file: `jsonl` or `csv`, of the events the page's filters kept (their
  // ids), or all.
  async auditExport({ format, ids }) {
    let { entries } = await audit.entries();
    if (Array.isArray(ids)) {
      const keep = new Set(ids);
      entries = entries.filter((e) => keep.has(e.id));
    }
    return { text: await auditExport(entries, format === 'csv' ? 'csv' : 'jsonl') };
  },
  async reportingStatus() {
    return reporter.status();
  },
  // The toolbar popup: what applies to the tab the employee is looking at. The tab's address
  // is read here, from the browser, not taken from the asker.
  async tabStatus({ tabId }) {
    const tab = Number.isInteger(tabId) ? await api.tabs.get(tabId).catch(() => null) : null;
    const { console } = await policy.localEditing();
    let url = tab?.url ?? '';
    // On AIGuard's own block or warn page, the page it stands in for.
    for (const page of ['pages/block.html', 'pages/warn.html']) {
      if (url.startsWith(api.runtime.getURL(page) + '#url=')) url = url.slice(api.runtime.getURL(page).length + 5);
    }
    if (!/^https?:\/\//i.test(url)) return { applies: false, console };
    const { engine } = await policy.current();
    try {
      return { applies: true, console, ...engine.tabStatus(url, await grants.current(), Date.now()) };
    } catch {
      return { applies: false, console };
    }
  },
};

// The engine reports byte offsets into the UTF-8 text; the page highlights UTF-16 ones.
function utf16Span(text, start, end) {
  let bytes = 0;
  let at = 0;
  let from = null;
  for (const ch of text) {
    if (from == null && bytes >= start) from = at;
    if (bytes >= end) break;
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    at += ch.length;
  }
  return { from: from ?? at, to: at };
}

const isOwnPage = (url) => String(url ?? '').startsWith(api.runtime.getURL(''));

function handlerFor(msg, sender) {
  if (sender.id !== api.runtime.id || typeof msg?.type !== 'string') return null;
  if (Object.hasOwn(CONTENT_SCRIPT_MESSAGES, msg.type)) return CONTENT_SCRIPT_MESSAGES[msg.type];
  if (Object.hasOwn(EXTENSION_PAGE_MESSAGES, msg.type) && isOwnPage(sender.url)) return EXTENSION_PAGE_MESSAGES[msg.type];
  return null;
}

export function answerMessages() {
  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    const handler = handlerFor(msg, sender);
    if (!handler) return false;
    handler(msg, sender).then(sendResponse, (e) => sendResponse({ error: String(e?.message ?? e) }));
    return true; // answer asynchronously
  });
}
