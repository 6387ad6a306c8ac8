// What the content scripts ask: whether their page is in scope, whether they may run the engine
// themselves, the verdict on held content, the employee's choice in the dialog, and routing a
// dialog to the tab's top frame. Every answer is the engine's.
import { api } from '../shared/runtime-module.js';
import * as policy from './policy.js';
import * as audit from './audit.js';
import { documentCspHeaders } from './csp-records.js';
import * as fileDecoders from './file-decoders.js';
import { Engine } from '../wasm/aiguard_wasm.js';

// Since this worker started: content checked here, engines compiled in pages and refused to
// them (and why the last was refused), the last one's WebAssembly memory after loading (bytes),
// and why the last failed.
// `backgroundStartedAt` tells a restarted background (a stopped worker, a suspended event page) from a running one.
export const diagnostics = { backgroundStartedAt: Date.now(), contentChecks: 0, pageEngines: 0, pageEnginesRefused: 0, lastPageEngineRefusal: null, pageEngineMemory: null, lastPageEngineError: null };

// Whether the sender's frame is in scope, from what the browser says of it: its URL, its
// origin (for about:blank and data: documents, their creator's, where the browser reports it),
// its tab's URL, and the page that opened the tab (a popup at about:blank is its opener's).
async function scansSender(engine, sender) {
  const openerTabId = sender.tab?.openerTabId;
  const opener = openerTabId == null ? null : await api.tabs.get(openerTabId).catch(() => null);
  return engine.scansFrame(sender.url ?? undefined, sender.origin ?? undefined, sender.tab?.url ?? undefined, opener?.url ?? undefined);
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

// Files travel from content scripts as base64 (messages are JSON in Chromium).
function decodePart(part) {
  if (part.kind !== 'file' || typeof part.base64 !== 'string') return part;
  const binary = atob(part.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { kind: 'file', name: part.name, size: part.size, bytes };
}

// Files that are not plain UTF-8 text go through the file decoders, loaded for the first such
// file; plain text (whole, or its first `maxFileBytes`) goes to the engine as its bytes.
function readFiles(parts) {
  return Promise.all(parts.map(async (part) => {
    const p = decodePart(part);
    if (p.kind !== 'file' || !(p.bytes instanceof Uint8Array) || Engine.looksLikeText(p.bytes)) return p;
    const size = typeof p.size === 'number' ? p.size : p.bytes.length;
    return { kind: 'file', name: p.name, size, decoded: await fileDecoders.decode(p.bytes, size) };
  }));
}

// Every file that could not be read, or was read only in part, goes to the audit trail with
// its name, status and each entry's reason: never its content.
async function recordUnscannable(kind, verdict, sender) {
  const text = (v) => (v == null ? null : String(v).slice(0, 256));
  const files = verdict.parts.flatMap((p, i) => (p.kind !== 'file' || p.status === 'scanned' ? [] : [{
    name: text(p.name),
    status: p.status,
    problems: verdict.findings.filter((f) => f.part === i && f.detector === 'unscannable').slice(0, 100)
      .map((f) => ({ entry: text(f.entry), reason: text(f.rule) })),
  }]));
  if (files.length) await audit.record({ type: 'content-unscannable', kind, files, url: pageOf(sender) });
}

export async function contentScope(_msg, sender) {
  const { engine, revision } = await policy.current();
  return { scan: await scansSender(engine, sender), maxFileBytes: engine.maxFileBytes, revision };
}

// The policy for an engine in the page, when the engine says the page may have one (its scope,
// the policy, a loaded fingerprint database, the CSP headers seen here and the <meta> ones the
// content script reports); otherwise null.
export async function contentEngine({ metaCsps }, sender) {
  const { engine, revision } = await policy.current();
  const headers = await documentCspHeaders(sender);
  const metas = Array.isArray(metaCsps) ? metaCsps.map(String) : [];
  const placement = engine.pageEngine(await scansSender(engine, sender), headers ?? undefined, metas);
  if (placement !== 'allowed') {
    diagnostics.pageEnginesRefused++;
    diagnostics.lastPageEngineRefusal = placement;
  }
  return { policy: placement === 'allowed' ? engine.contentPolicy : null, revision, placement };
}

export async function contentEngineLoaded({ memoryBytes }) {
  diagnostics.pageEngines++;
  if (typeof memoryBytes === 'number') diagnostics.pageEngineMemory = memoryBytes;
  return {};
}

export async function contentEngineFailed({ error }, sender) {
  diagnostics.lastPageEngineError = { error: String(error).slice(0, 300), page: pageOf(sender), at: Date.now() };
  return {};
}

export async function checkContent({ kind, parts, before, consented }, sender) {
  const { engine } = await policy.current();
  diagnostics.contentChecks++;
  // Asked before the page knew its scope (or after it changed URL): out of scope passes.
  if (!(await scansSender(engine, sender))) return { action: 'allow', parts: [], findings: [], justification: 'none', redactable: false };
  parts = await readFiles(parts);
  const text = parts[0]?.kind === 'text' && typeof parts[0].text === 'string' ? parts[0].text : null;
  // A typed edit is judged by what it adds; a prompt by what the employee has not let through.
  const verdict = typeof before === 'string' && text != null ? engine.checkTyping(before, text)
    : typeof consented === 'string' && consented && text != null ? engine.checkSince(consented, text)
      : engine.checkSubmission(parts.map(decodePart));
  await recordUnscannable(kind, verdict, sender);
  return verdict;
}

// What the employee chose in the content dialog. The audit trail gets the detectors and rules,
// never the content; the typed reason may itself hold a secret and is redacted.
export async function contentDecision({ kind, choice, justification, action, findings }, sender) {
  const { engine } = await policy.current();
  const text = (v) => String(v ?? '').slice(0, 64);
  const why = typeof justification === 'string' && justification.trim() ? engine.redactSecrets(justification.trim()).slice(0, 1000) : null;
  // One entry per detector and rule, with how many times it was found and, for company code,
  // which lines of the content matched: what the team needs to judge the event, not the content.
  const found = [];
  for (const f of (Array.isArray(findings) ? findings : []).slice(0, 1000)) {
    const [detector, rule] = [text(f?.detector), text(f?.rule)];
    let entry = found.find((e) => e.detector === detector && e.rule === rule);
    if (!entry) found.push(entry = { detector, rule, count: 0 });
    entry.count++;
    const lines = f?.lines;
    if (Number.isInteger(lines?.first) && Number.isInteger(lines?.last)) {
      entry.lines = entry.lines ? { first: Math.min(entry.lines.first, lines.first), last: Math.max(entry.lines.last, lines.last) } : { first: lines.first, last: lines.last };
    }
  }
  await audit.record({ type: 'content', kind: text(kind), action: text(action), choice: text(choice), justification: why, findings: found, url: pageOf(sender) });
  return {};
}

// A dialog for a frame too small to show it, shown by the tab's top frame; the answer goes back
// to the frame that asked.
export async function dialogInTopFrame({ id, request }, sender) {
  const tabId = sender.tab?.id;
  if (tabId == null || !sender.frameId) return { error: 'no top frame to show the dialog' };
  const reply = await api.tabs.sendMessage(tabId, { type: 'showDialog', id, frameId: sender.frameId, request }, { frameId: 0 });
  return reply?.shown ? {} : { error: 'the top frame did not show the dialog' };
}

export async function dialogAnswer({ id, frameId, answer }, sender) {
  if (sender.frameId !== 0 || sender.tab?.id == null || typeof frameId !== 'number') return { error: 'forbidden' };
  await api.tabs.sendMessage(sender.tab.id, { type: 'dialogAnswer', id, answer }, { frameId });
  return {};
}
