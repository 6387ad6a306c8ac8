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
import { checkPolicy } from './engine.js';

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
};

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
