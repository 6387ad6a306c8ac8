// Scope: whether content going into this page is checked, and where the engine runs for it.
//
// Chromium checks a content script's WebAssembly against the page's CSP, and most AI sites' CSPs
// lack 'wasm-unsafe-eval'; trying there would fail and tell the page (a CSP violation naming the
// extension). So the background's engine decides from the CSP headers it saw and the page's
// <meta> policies, and only where it says so does this script compile the engine itself, with
// the policy's content section: text is then judged synchronously inside the event, and allowed
// content goes on as the original, untouched event. Everywhere else, and for files, the content
// is held and the background's engine decides. The engine is loaded in a top frame when its
// page is in scope, and in a subframe when an editable element in it is first focused, so frames
// nobody types into don't carry it.
// Collaborators: core.js (ask, on), editing.js; used by every script that checks content.
'use strict';

(() => {
  const ns = aiguardContent;
  const { api, ask, on } = ns;

  // Until the background answers, content is treated as in scope (held and checked), never
  // waved through.
  let scope = null; // {scan, maxFileBytes, revision}
  let scopeUrl = location.href;
  let scopeReady;
  const askScope = () => {
    scopeUrl = location.href;
    scopeReady = ask({ type: 'contentScope' }).then((s) => {
      scope = s;
      if (local && local.revision !== s.revision) dropLocalEngine();
      if (s.scan && window === window.top) loadLocalEngine();
    }, () => { scope = null; });
    return scopeReady;
  };
  askScope();
  // Chrome stops an idle extension service worker after 30 s, and the first paste after that
  // waits for it to start and load the engine (BENCHMARKS.md, paste latency). While a page in
  // scope is visible, its top frame asks for its scope every 20 s, which keeps the worker
  // running and the scope fresh.
  if (window === window.top) {
    setInterval(() => {
      if (document.visibilityState === 'visible' && scope?.scan) askScope();
    }, 20_000);
  }
  // Unknown scope (no answer yet, the background failed, or the page moved to another URL
  // with history.pushState): hold and check, and ask again.
  const inScope = () => {
    if (location.href !== scopeUrl) {
      scope = null;
      askScope();
    } else if (scope == null) {
      void scopeReady.then(() => scope ?? askScope());
    }
    return scope == null || scope.scan;
  };

  // --- the engine in this page, where its CSP allows it ------------------------------------------
  let local = null; // {engine, revision}
  let localLoading = false;
  let localRefusedFor = null; // the policy revision under which the background said no
  let askedAgain = false;
  const domParsed = () => new Promise((resolve) => {
    if (document.readyState !== 'loading') resolve();
    else document.addEventListener('DOMContentLoaded', () => resolve(), { once: true });
  });
  async function loadLocalEngine() {
    if (local || localLoading || !scope?.scan || localRefusedFor === scope.revision) return;
    localLoading = true;
    try {
      await domParsed(); // <meta> policies in the head are known by then
      const metaCsps = [...document.querySelectorAll('meta[http-equiv]')]
        .filter((m) => m.httpEquiv.toLowerCase() === 'content-security-policy').map((m) => m.content);
      const { policy, revision, placement } = await ask({ type: 'contentEngine', metaCsps });
      // The background had not yet seen this document's response headers (Firefox can report
      // them late): ask once more a moment later. Any other refusal stands for this policy.
      if (policy == null && placement === 'no-csp-record' && !askedAgain) {
        askedAgain = true;
        setTimeout(loadLocalEngine, 2000);
      } else if (policy == null) {
        localRefusedFor = revision;
      }
      if (policy == null || revision !== scope?.revision) return;
      const glue = await import(api.runtime.getURL('wasm/aiguard_wasm.js'));
      const wasm = await glue.default({ module_or_path: api.runtime.getURL('wasm/aiguard_wasm_bg.wasm') });
      const engine = glue.Engine.fromPolicy(policy);
      if (revision !== scope?.revision) return engine.free();
      // The first check builds the detectors' automata: pay it now, not in the first paste.
      engine.checkSubmission([{ kind: 'text', text: 'warm-up' }]);
      local = { engine, revision };
      ask({ type: 'contentEngineLoaded', memoryBytes: wasm.memory?.buffer.byteLength ?? null }).catch(() => {});
    } catch (e) {
      console.info('AIGuard: content is checked in the background on this page', e);
      ask({ type: 'contentEngineFailed', error: String(e?.message ?? e).slice(0, 300) }).catch(() => {});
    } finally {
      localLoading = false;
    }
  }
  function dropLocalEngine() {
    local?.engine.free();
    local = null;
  }
  // The engine's verdict on text parts. `question` narrows it to what is new: `{before}` for a
  // typed edit (its one part is the text after it), `{consented}` for a prompt whose editor
  // holds content the employee already let through.
  function judge(engine, parts, { before, consented } = {}) {
    if (typeof before === 'string') return engine.checkTyping(before, parts[0].text);
    if (consented) return engine.checkSince(consented, parts[0].text);
    return engine.checkSubmission(parts);
  }

  // The verdict of the engine in this page on text parts, or null (none here, or files).
  function localVerdict(parts, question) {
    if (!local || parts.some((p) => p.kind === 'file')) return null;
    try {
      return judge(local.engine, parts, question);
    } catch (e) {
      console.error('AIGuard: the engine in this page failed; checking in the background', e);
      dropLocalEngine();
      return null;
    }
  }

  // A new policy: an engine in this page drops its copy and asks for the new one.
  api.runtime.onMessage.addListener((msg) => {
    if (msg?.type === 'policyChanged' && local && local.revision !== msg.revision) {
      dropLocalEngine();
      askScope();
    }
  });

  // A subframe loads the engine when an editable element in it is first focused.
  if (window !== window.top) {
    on('focusin', (e) => {
      if (!local && ns.editableRoot(ns.deepTarget(e))) loadLocalEngine();
    });
  }

  // --- asking the engine --------------------------------------------------------------------------
  // A file's bytes as base64, for the message to the background (JSON in Chromium). Read as a
  // data URL: a string, which Firefox lets this script use whichever side made it; an
  // ArrayBuffer from a page's File is the page's, and this script may not read it.
  function readBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function fileParts(files) {
    await scopeReady;
    const limit = scope?.maxFileBytes ?? 1 << 20;
    return Promise.all(files.map(async (f) => ({
      kind: 'file', name: f.name, size: f.size,
      // A larger file is read up to the limit: the engine scans that much and reports the file
      // as truncated.
      base64: await readBase64(f.size <= limit ? f : f.slice(0, limit)),
    })));
  }

  // Resolves to the engine's verdict, or to null when the background can't be reached (the
  // caller then holds the content: it can't be checked).
  async function check(kind, parts, question = {}) {
    try {
      return localVerdict(parts, question) ?? await ask({ type: 'checkContent', kind, parts, ...question });
    } catch {
      return null;
    }
  }

  Object.assign(ns, { inScope, localVerdict, check, fileParts });
})();
