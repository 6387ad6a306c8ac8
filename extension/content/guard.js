// Stops content at the page's door. Runs at document_start in every frame, before any page
// script, so its capture-phase listeners on the window see each paste, drop, Enter, send click,
// form submission and file selection first. What is held goes to the background, whose Rust
// engine decides; allowed content is then handed to the page exactly as the user sent it:
//
//   paste          the browser pastes again (natively: trusted event, its own insertion and
//                  undo) when the clipboard still holds what was checked; otherwise, as below.
//   paste / drop   the original DataTransfer's flavours and files are re-dispatched as a paste
//                  or drop event at the same target, so the page's own editor (ProseMirror,
//                  CodeMirror, Monaco, ...) inserts them with its own model, selection and undo;
//                  where no page code takes the event, the text goes in at the caret.
//   Enter / send   the keystroke, click or submission is repeated.
//   clipboard read navigator.clipboard.readText()/read() by the page settle with the content,
//                  the redacted text or a refusal (through page-world.js).
//   file input     the input and change events are re-dispatched; flagged files are removed
//                  from the input first (inputs in shadow roots too, and, with page-world.js,
//                  inputs the page never attached).
//
// Nothing here judges content: every verdict comes from the engine.
//
// Where the engine runs. Chromium checks a content script's WebAssembly against the page's CSP,
// and most AI sites' CSPs lack 'wasm-unsafe-eval'; trying there would fail and tell the page (a
// CSP violation naming the extension). So the background decides from the CSP headers it saw
// and the page's <meta> policies (the engine's `cspAllowsWasm`), and only where the page allows
// it does this script compile the engine itself, with the policy's content section: text is
// then judged synchronously inside the event, and allowed content goes on as the original,
// untouched event. Everywhere else, and for files (read asynchronously anyway), the content is
// held and the background's engine decides, as described above. The engine is loaded in a top
// frame when its page is in scope, and in a subframe when an editable element in it is first
// focused, so frames nobody types into don't carry it. Latency of both paths: BENCHMARKS.md,
// "Paste latency in the browser".
'use strict';

(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const overlay = aiguardOverlay;

  // Every listener goes on the window in the capture phase, through `on`. document.open()
  // (how some editors build their editing iframe) removes all of a window's listeners, this
  // script's included, and the script is not injected again: the observer sees the document
  // being replaced and puts them back (adding a listener twice is a no-op).
  const installed = [];
  function on(type, listener) {
    installed.push([type, listener]);
    window.addEventListener(type, listener, true);
  }
  new MutationObserver(() => {
    for (const [type, listener] of installed) window.addEventListener(type, listener, true);
  }).observe(document, { childList: true });

  // --- scope ------------------------------------------------------------------------------------
  // Until the background answers, content is treated as in scope (held and checked), never
  // waved through.
  let scope = null; // {scan, maxFileBytes}
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
  // waits for it to start and load the engine (about 130-160 ms, against 6-11 ms warm:
  // BENCHMARKS.md). While a page in scope is visible, its top frame asks for its scope every
  // 20 s, which keeps the worker running and the scope fresh.
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

  function ask(message) {
    try {
      return Promise.resolve(api.runtime.sendMessage(message)).then((reply) => {
        if (!reply || reply.error) throw new Error(reply?.error ?? 'no answer');
        return reply;
      });
    } catch (e) {
      return Promise.reject(e); // the extension was updated or removed under this page
    }
  }

  // --- the engine in this page, where its CSP allows it ------------------------------------------
  let local = null; // {engine, revision}
  let localLoading = false;
  let localRefusedFor = null; // the policy revision under which the background said no
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
      const { policy, revision } = await ask({ type: 'contentEngine', metaCsps });
      if (policy == null) localRefusedFor = revision;
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
  // The verdict of the engine in this page on text parts, or null (none here, or files).
  function localVerdict(parts) {
    if (!local || parts.some((p) => p.kind === 'file')) return null;
    try {
      return local.engine.checkSubmission(parts);
    } catch (e) {
      console.error('AIGuard: the engine in this page failed; checking in the background', e);
      dropLocalEngine();
      return null;
    }
  }

  // --- what the event targets ---------------------------------------------------------------------
  // The element an event is really for. Events from inside a closed shadow root reach the
  // window retargeted to its host; the extension may open any shadow root to find the focused
  // element inside (keys, pastes, drops land on the focused editor).
  const shadowOf = (el) => {
    try { return api.dom?.openOrClosedShadowRoot?.(el) ?? el.openOrClosedShadowRoot ?? null; } catch { return null; }
  };
  function deepTarget(e) {
    let target = e.composedPath?.()[0] ?? e.target;
    for (let root; target instanceof Element && !overlay.owns(target) && (root = shadowOf(target)) && root.activeElement;) {
      target = root.activeElement;
    }
    return target;
  }
  const isTextControl = (n) => n instanceof HTMLTextAreaElement
    || (n instanceof HTMLInputElement && /^(text|search|email|url|tel|password|)$/i.test(n.type));
  const hasSelectionApi = (n) => isTextControl(n) && n.type !== 'email'; // email inputs have no selection API
  function editableRoot(node) {
    if (!(node instanceof Element)) node = node?.parentElement;
    if (!node) return null;
    if (isTextControl(node)) return node;
    if (!node.isContentEditable) return null;
    while (node.parentElement?.isContentEditable) node = node.parentElement;
    return node;
  }
  const composerText = (root) => (isTextControl(root) ? root.value : root.innerText ?? root.textContent ?? '');
  const fromOverlay = (e) => overlay.owns(e.target);
  // What happens in the dialog (typing the reason, pasting into it) is not the page's business.
  for (const type of ['paste', 'copy', 'cut', 'drop', 'dragover', 'textInput', 'input', 'beforeinput']) {
    on(type, (e) => { if (overlay.owns(e.target)) e.stopImmediatePropagation(); });
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
      // Larger files are not read; the engine reports them as unscanned.
      base64: f.size <= limit ? await readBase64(f) : '',
    })));
  }

  // Resolves to the engine's verdict, or to null when the background can't be reached (the
  // caller then holds the content: it can't be checked).
  async function check(kind, parts) {
    try {
      return localVerdict(parts) ?? await ask({ type: 'checkContent', kind, parts });
    } catch {
      return null;
    }
  }

  // The dialog. A frame too small to show it whole (a chat widget, an editor in a narrow
  // frame) has the top frame show it: the request goes there through the background, and the
  // answer comes back the same way, each step a short message (a dialog may stay open longer
  // than a background may wait). If the top frame can't be reached, it shows here.
  const SMALL_FRAME = { width: 480, height: 360 };
  const dialogsInTop = new Map(); // id -> resolve
  let nextDialog = 0;
  function showDialog(request) {
    const small = window !== window.top && (window.innerWidth < SMALL_FRAME.width || window.innerHeight < SMALL_FRAME.height);
    if (!small) return overlay.show(request);
    const id = ++nextDialog;
    return new Promise((resolve) => {
      dialogsInTop.set(id, resolve);
      ask({ type: 'dialogInTopFrame', id, request }).catch(() => {
        dialogsInTop.delete(id);
        overlay.show(request).then(resolve);
      });
    });
  }
  // From the background: a new policy, a dialog to show for a small frame, or its answer.
  api.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (msg?.type === 'policyChanged' && local && local.revision !== msg.revision) {
      dropLocalEngine();
      askScope();
    } else if (msg?.type === 'showDialog' && window === window.top) {
      const { id, frameId, request } = msg;
      overlay.show(request).then((answer) => ask({ type: 'dialogAnswer', id, frameId, answer }).catch(() => {}));
      sendResponse({ shown: true });
    } else if (msg?.type === 'dialogAnswer' && dialogsInTop.has(msg.id)) {
      dialogsInTop.get(msg.id)(msg.answer);
      dialogsInTop.delete(msg.id);
      sendResponse({});
    }
  });

  // Shows the verdict and records the choice; resolves to the choice.
  async function decide(kind, verdict) {
    const answer = await showDialog({ kind, verdict: verdict ?? { action: 'block', findings: [], parts: [] }, unavailable: !verdict });
    ask({
      type: 'contentDecision', kind, choice: answer.choice, justification: answer.justification,
      action: verdict?.action ?? 'block',
      findings: (verdict?.findings ?? []).map((f) => ({ detector: f.detector, rule: f.rule })),
    }).catch(() => {});
    return answer;
  }

  // A held event whose handling failed stays held (the content is not delivered unchecked) and
  // the employee is told, rather than the paste or upload silently vanishing.
  function failClosed(kind, work, cleanup) {
    work.catch((err) => {
      console.error('AIGuard: could not check content', err);
      cleanup?.();
      showDialog({ kind, verdict: { action: 'block', findings: [], parts: [] }, unavailable: true }).catch(() => {});
    });
  }

  // --- the caret, kept across the wait ------------------------------------------------------------
  function saveCaret(target) {
    const root = editableRoot(target);
    if (root && isTextControl(root)) return { root, start: root.selectionStart, end: root.selectionEnd, api: hasSelectionApi(root) };
    const sel = (target.getRootNode?.() ?? document).getSelection?.() ?? document.getSelection();
    return { root, range: sel && sel.rangeCount ? sel.getRangeAt(0).cloneRange() : null, sel };
  }

  function restoreCaret(saved) {
    const { root } = saved;
    if (!root || !root.isConnected) return;
    const active = root.getRootNode().activeElement;
    if (active !== root && !root.contains(active)) root.focus({ preventScroll: true });
    if (isTextControl(root)) {
      if (saved.api && (root.selectionStart !== saved.start || root.selectionEnd !== saved.end)) root.setSelectionRange(saved.start, saved.end);
    } else if (saved.range && saved.sel) {
      const now = saved.sel.rangeCount ? saved.sel.getRangeAt(0) : null;
      const same = now && now.startContainer === saved.range.startContainer && now.startOffset === saved.range.startOffset
        && now.endContainer === saved.range.endContainer && now.endOffset === saved.range.endOffset;
      if (!same) { saved.sel.removeAllRanges(); saved.sel.addRange(saved.range); }
    }
  }

  // HTML from the clipboard for a plain contenteditable: parsed inertly, with scripts, frames,
  // event handlers and script URLs removed before the editing command inserts it.
  function inertHtml(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const n of doc.querySelectorAll('script,style,iframe,frame,object,embed,link,meta,base,form')) n.remove();
    for (const n of doc.body.querySelectorAll('*')) {
      for (const a of [...n.attributes]) {
        if (/^on/i.test(a.name) || /^\s*(javascript|data|vbscript):/i.test(a.value)) n.removeAttribute(a.name);
      }
    }
    return doc.body.innerHTML;
  }

  // Inserts what no page code took, as the browser would have.
  function insertLikeTheBrowser(saved, { text, html }) {
    const root = saved.root;
    if (!root || !root.isConnected) return;
    const doc = root.ownerDocument;
    if (isTextControl(root)) {
      // Not the editing command: it takes seconds for a few thousand lines in a textarea.
      if (root instanceof HTMLInputElement) text = text.replace(/\r?\n/g, ' ');
      if (hasSelectionApi(root)) root.setRangeText(text, root.selectionStart, root.selectionEnd, 'end');
      else root.value += text;
      root.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste', data: text }));
    } else if (html) {
      doc.execCommand('insertHTML', false, inertHtml(html)) || doc.execCommand('insertText', false, text);
    } else {
      doc.execCommand('insertText', false, text);
    }
  }

  // Events this script dispatches itself pass its own listeners untouched.
  let replaying = null;
  function replay(target, event) {
    replaying = event;
    try {
      target.dispatchEvent(event);
    } finally {
      replaying = null;
    }
    return event;
  }
  const isReplay = (e) => e === replaying;

  // --- paste and drop -----------------------------------------------------------------------------
  function payloadOf(dt) {
    const text = dt.getData('text/plain');
    const html = dt.getData('text/html');
    const files = [...(dt.files ?? [])];
    const extra = {};
    for (const type of dt.types ?? []) {
      if (type !== 'Files' && type !== 'text/plain' && type !== 'text/html') {
        try { extra[type] = dt.getData(type); } catch { /* not readable */ }
      }
    }
    return { text, html, files, extra };
  }

  // What the engine is asked about content: its plain text, its HTML and any other text flavours.
  function textParts({ text, html, extra = {} }) {
    const parts = [];
    if (text) parts.push({ kind: 'text', text });
    if (html) parts.push({ kind: 'html', text: html });
    for (const value of Object.values(extra)) parts.push({ kind: 'text', text: value });
    return parts;
  }

  function transferOf({ text, html, files, extra }) {
    const dt = new DataTransfer();
    for (const [type, value] of Object.entries(extra)) dt.setData(type, value);
    if (html) dt.setData('text/html', html);
    if (text || !html) dt.setData('text/plain', text);
    for (const f of files) dt.items.add(f);
    return dt;
  }

  let dragFromThisDocument = false;
  on('dragstart', (e) => {
    dragFromThisDocument = true;
    // dragend goes to the source node, which may have left the document; a cancelled
    // dragstart starts no drag at all.
    e.target.addEventListener?.('dragend', () => { dragFromThisDocument = false; }, { once: true });
    setTimeout(() => { if (e.defaultPrevented) dragFromThisDocument = false; });
  });
  on('dragend', () => { dragFromThisDocument = false; });

  // Returns null when the event may go on untouched (nothing to check, or the engine in this
  // page allowed it), else the promise of its handling.
  function intercept(kind, e, dt) {
    const payload = payloadOf(dt);
    if (!payload.text && !payload.html && payload.files.length === 0) return null;
    const parts = textParts(payload);
    const early = payload.files.length ? null : localVerdict(parts);
    if (early?.action === 'allow') return null;
    e.preventDefault();
    e.stopImmediatePropagation();
    return held(kind, e, payload, parts, early);
  }

  async function held(kind, e, payload, parts, early) {
    const target = deepTarget(e);
    const saved = saveCaret(target);
    const point = kind === 'drop' ? { clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY } : null;
    parts.push(...(await fileParts(payload.files)));

    const verdict = early ?? await check(kind, parts);
    let deliver = payload;
    if (!verdict || verdict.action !== 'allow') {
      const { choice } = await decide(kind, verdict);
      if (choice === 'redact') {
        // The engine's redacted plain text; files go only if nothing was found in them.
        const firstFile = parts.length - payload.files.length;
        const files = payload.files.filter((_, i) => verdict.parts[firstFile + i]?.action === 'allow');
        deliver = { text: verdict.redactedText ?? '', html: '', files, extra: {} };
      } else if (choice !== 'proceed') {
        restoreCaret(saved);
        return;
      }
    }
    restoreCaret(saved);
    if (kind === 'paste' && deliver === payload && pasteNatively(saved, payload)) return;
    const transfer = transferOf(deliver);
    const event = kind === 'paste'
      ? new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true, composed: true })
      : new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true, ...point });
    // Firefox builds its own empty DataTransfer for a constructed paste event; an editor given
    // that would take nothing. There the text goes in directly.
    const carried = kind === 'drop' || event.clipboardData?.getData('text/plain') === transfer.getData('text/plain');
    if ((!carried || !replay(target, event).defaultPrevented) && (deliver.text || deliver.html)) {
      if (kind === 'drop') caretAtPoint(saved, point);
      insertLikeTheBrowser(saved, deliver);
    }
  }

  // Allowed pastes are pasted again by the browser itself (the extension may read the
  // clipboard): the page gets a trusted paste event and the browser's own insertion, caret and
  // undo, exactly as if nothing had been in between. The repeated paste passes the listener
  // below only if the clipboard still holds what was checked; anything else is checked anew.
  let passPaste = null;
  let pastedNatively = false;
  function pasteNatively(saved, payload) {
    const doc = saved.root?.ownerDocument ?? document;
    passPaste = payload;
    pastedNatively = false;
    try {
      doc.execCommand('paste');
    } catch { /* not allowed here: fall back to re-dispatching */ }
    passPaste = null;
    return pastedNatively;
  }
  // True when `e` is the repeated paste and may pass. A repeated paste whose clipboard changed
  // since the check is not what the user pasted: it is stopped, and the checked content goes
  // in by the fallback instead.
  function isCheckedPaste(e) {
    if (!passPaste) return false;
    const now = payloadOf(e.clipboardData);
    const sameFiles = now.files.length === passPaste.files.length
      && now.files.every((f, i) => f.name === passPaste.files[i].name && f.size === passPaste.files[i].size && f.type === passPaste.files[i].type);
    const same = e.isTrusted && now.text === passPaste.text && now.html === passPaste.html && sameFiles
      && JSON.stringify(now.extra) === JSON.stringify(passPaste.extra);
    if (same) {
      pastedNatively = true;
    } else {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
    return true;
  }

  function caretAtPoint(saved, { clientX, clientY }) {
    if (!saved.root || isTextControl(saved.root)) return;
    const doc = saved.root.ownerDocument;
    const pos = doc.caretPositionFromPoint?.(clientX, clientY);
    const range = pos ? doc.createRange() : doc.caretRangeFromPoint?.(clientX, clientY);
    if (pos) range.setStart(pos.offsetNode, pos.offset);
    if (!range || !saved.root.contains(range.startContainer)) return;
    const sel = doc.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  on('paste', (e) => {
    if (isReplay(e) || fromOverlay(e) || !inScope() || !e.clipboardData || isCheckedPaste(e)) return;
    const handling = intercept('paste', e, e.clipboardData);
    if (handling) failClosed('paste', handling);
  });

  on('drop', (e) => {
    // Files never come from a drag inside the page.
    const internal = dragFromThisDocument && !e.dataTransfer?.files?.length;
    dragFromThisDocument = false;
    // Moving text within the page is not content arriving from outside.
    if (isReplay(e) || internal || !inScope() || !e.dataTransfer) return;
    const handling = intercept('drop', e, e.dataTransfer);
    if (handling) failClosed('drop', handling);
  });

  // A subframe loads the engine when an editable element in it is first focused.
  if (window !== window.top) {
    on('focusin', (e) => {
      if (!local && editableRoot(deepTarget(e))) loadLocalEngine();
    });
  }

  // --- typed prompts ----------------------------------------------------------------------------
  // Verdicts on composer text, filled while the user types, so that Enter on checked text is
  // decided at once and the original keystroke goes through untouched.
  const verdicts = new Map();
  const CACHE = 16;
  function remember(text, verdict) {
    verdicts.delete(text);
    verdicts.set(text, verdict);
    if (verdicts.size > CACHE) verdicts.delete(verdicts.keys().next().value);
  }
  async function verdictFor(text) {
    if (verdicts.has(text)) return verdicts.get(text);
    const v = await check('prompt', [{ kind: 'text', text }]);
    if (v) remember(text, v);
    return v;
  }

  let lastComposer = null;
  let pending = null;
  const PRESCAN_MS = 60;
  // Longer texts are checked at Enter instead of on every pause in typing.
  const PRESCAN_MAX_CHARS = 256 * 1024;
  on('input', (e) => {
    if (isReplay(e) || fromOverlay(e) || !inScope()) return;
    const root = editableRoot(deepTarget(e));
    if (!root) return;
    lastComposer = root;
    clearTimeout(pending);
    pending = setTimeout(() => {
      const text = composerText(root);
      if (text.trim() && text.length <= PRESCAN_MAX_CHARS && !verdicts.has(text)) void verdictFor(text);
    }, PRESCAN_MS);
  });

  // Holds a submission (Enter, send click, form submit) of `text` typed into `root`; `resend`
  // repeats it once the engine allows it or the user proceeds. Returns true when held.
  // After "Send anyway" (or a check that allowed it) the same text passes the next submission
  // events for a moment: an Enter the page turns into a button click or a form submission
  // must not ask twice.
  let consent = null;
  const pendingRoots = new WeakSet();
  function holdSubmission(e, text, root, resend) {
    if (!text.trim()) return false;
    if (consent && consent.text === text && performance.now() < consent.until) return false;
    if (!verdicts.has(text)) {
      const v = localVerdict([{ kind: 'text', text }]);
      if (v) remember(text, v);
    }
    if (verdicts.get(text)?.action === 'allow') return false;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (pendingRoots.has(root)) return true; // a second Enter while the first is being checked
    pendingRoots.add(root);
    failClosed('prompt', (async () => {
      try {
        const verdict = await verdictFor(text);
        const sending = verdict?.action === 'allow' || (await decide('prompt', verdict)).choice === 'proceed';
        // Edited while held: what would go is not what was checked; the user sends again.
        if (!sending || composerText(root) !== text) return root.focus({ preventScroll: true });
        consent = { text, until: performance.now() + 2000 };
        resend();
      } finally {
        pendingRoots.delete(root);
      }
    })());
    return true;
  }

  on('keydown', (e) => {
    if (fromOverlay(e)) return e.stopImmediatePropagation(); // the dialog's keys are not the page's
    if (isReplay(e) || e.key !== 'Enter' || e.isComposing || e.keyCode === 229 || e.shiftKey || e.altKey || !inScope()) return;
    const target = deepTarget(e);
    const root = editableRoot(target);
    if (!root) return;
    const init = { key: e.key, code: e.code, keyCode: 13, which: 13, ctrlKey: e.ctrlKey, metaKey: e.metaKey, bubbles: true, cancelable: true, composed: true };
    holdSubmission(e, composerText(root), root, () => {
      root.focus({ preventScroll: true });
      const down = replay(target, new KeyboardEvent('keydown', init));
      if (down.defaultPrevented) return;
      // The page left the key to the browser: do what Enter does there.
      if (root instanceof HTMLInputElement) root.form?.requestSubmit();
      else root.ownerDocument.execCommand(root instanceof HTMLTextAreaElement ? 'insertText' : 'insertParagraph', false, '\n');
    });
  });
  for (const type of ['keyup', 'keypress', 'beforeinput', 'compositionstart', 'compositionupdate', 'compositionend']) {
    on(type, (e) => { if (fromOverlay(e)) e.stopImmediatePropagation(); });
  }

  // A click on a send button next to the composer the user last typed in.
  const SEND_HINT = /send|submit|发送|提交|送信|전송/i;
  function sendButtonFor(target) {
    const button = target.closest?.('button, [role="button"], input[type="submit"]');
    if (!button || !lastComposer?.isConnected) return null;
    if (button.type === 'submit' && button.form && button.form.contains(lastComposer)) return button;
    const label = `${button.getAttribute('aria-label') ?? ''} ${button.getAttribute('data-testid') ?? ''} ${button.title ?? ''} ${button.id ?? ''} ${button.textContent ?? ''}`;
    if (!SEND_HINT.test(label)) return null;
    let scopeNode = button;
    for (let i = 0; i < 6 && scopeNode; i++, scopeNode = scopeNode.parentElement) {
      if (scopeNode.contains(lastComposer)) return button;
    }
    return null;
  }

  let resending = false;
  on('click', (e) => {
    if (resending || fromOverlay(e) || !inScope()) return;
    const button = sendButtonFor(deepTarget(e));
    if (!button) return;
    holdSubmission(e, composerText(lastComposer), lastComposer, () => {
      resending = true;
      try { button.click(); } finally { resending = false; }
    });
  });

  on('submit', (e) => {
    if (resending || !inScope()) return;
    const form = e.target;
    const fields = [...form.querySelectorAll('textarea, input')].filter(isTextControl);
    const root = fields.find((f) => f.value.trim());
    if (!root) return;
    // Everything the form sends is checked as one text.
    holdSubmission(e, fields.map((f) => f.value).join('\n'), root, () => {
      resending = true;
      try { form.requestSubmit(e.submitter ?? undefined); } finally { resending = false; }
    });
  });

  // --- the clipboard read by the page ----------------------------------------------------------
  // navigator.clipboard.readText()/read() fire no paste event: page-world.js sends what they
  // returned as `aiguard-clipboard-read` (strings; cancelling the event acknowledges it) and
  // waits for `aiguard-clipboard-verdict` on the document.
  on('aiguard-clipboard-read', (e) => {
    let request;
    try { request = JSON.parse(e.detail); } catch { return; }
    if (typeof request?.id !== 'number') return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const answer = (deliver, text) => document.dispatchEvent(new CustomEvent('aiguard-clipboard-verdict',
      { detail: JSON.stringify({ id: request.id, deliver, text }) }));
    if (!inScope()) {
      answer('all');
      return;
    }
    const parts = textParts({ text: String(request.text ?? ''), html: String(request.html ?? '') });
    (async () => {
      const verdict = await check('paste', parts);
      if (verdict?.action === 'allow') return answer('all');
      const { choice } = await decide('paste', verdict);
      if (choice === 'proceed') answer('all');
      else if (choice === 'redact') answer('redacted', verdict?.redactedText ?? '');
      else answer('none');
    })().catch(() => answer('none'));
  });

  // --- file inputs --------------------------------------------------------------------------------
  // `input` (composed) fires before `change` (not composed); both are held until the files are
  // checked. Selections whose events never reach the window (inputs the page never attached,
  // inputs inside shadow roots) come from page-world.js as `aiguard-upload`, and go back to it
  // with `aiguard-upload-done`, after which it fires the page's events.
  const heldInputs = new WeakSet();
  const handedOver = new WeakSet();
  const watchedRoots = new WeakSet();
  let releasing = null; // the input being handed back: what the page is sent meanwhile is not new
  const sameSelection = (a, b) => a.length === b.length && a.every((f, i) => f === b[i]
    || (f.name === b[i].name && f.size === b[i].size && f.lastModified === b[i].lastModified));

  // Hands the checked selection to the page.
  function release(input, withEvents) {
    if (handedOver.has(input)) {
      handedOver.delete(input);
      releasing = input;
      try {
        input.dispatchEvent(new Event('aiguard-upload-done'));
      } finally {
        releasing = null;
      }
    } else if (withEvents) {
      replay(input, new Event('input', { bubbles: true, composed: true }));
      replay(input, new Event('change', { bubbles: true }));
    }
  }

  async function checkFileInput(input) {
    const files = [...input.files];
    let keep = files;
    try {
      const verdict = await check('upload', await fileParts(files));
      if (!verdict || verdict.action !== 'allow') {
        const { choice } = await decide('upload', verdict);
        if (choice !== 'proceed') {
          const flagged = new Set((verdict?.findings ?? []).filter((f) => f.action !== 'allow').map((f) => f.part));
          keep = verdict ? files.filter((_, i) => !flagged.has(i) && verdict.parts[i]?.action === 'allow') : [];
        }
      }
    } finally {
      heldInputs.delete(input);
    }
    // Picked again while this selection was being checked: check what is there now.
    if (!sameSelection([...input.files], files)) {
      heldInputs.add(input);
      return checkFileInput(input);
    }
    if (keep.length === files.length) {
      // Nothing removed: the page gets the selection as made.
    } else if (keep.length) {
      const dt = new DataTransfer();
      for (const f of keep) dt.items.add(f);
      input.files = dt.files;
    } else {
      input.value = '';
      release(input, false);
      return;
    }
    release(input, true);
  }

  function holdFileInput(input) {
    if (heldInputs.has(input)) return;
    heldInputs.add(input);
    failClosed('upload', checkFileInput(input), () => {
      input.value = '';
      heldInputs.delete(input);
      release(input, false);
    });
  }

  const fileInputOf = (e) => {
    const input = deepTarget(e);
    return input instanceof HTMLInputElement && input.type === 'file' ? input : null;
  };

  for (const type of ['input', 'change']) {
    on(type, (e) => {
      const input = fileInputOf(e);
      if (!input || isReplay(e) || input === releasing || !inScope() || !input.files?.length) return;
      e.stopImmediatePropagation();
      // A shadow root page-world.js did not see being made (declarative shadow DOM): its
      // `change` stays inside, so stop it there.
      const root = input.getRootNode();
      if (root instanceof ShadowRoot && !watchedRoots.has(root)) {
        watchedRoots.add(root);
        root.addEventListener('change', (c) => {
          if (!isReplay(c) && heldInputs.has(c.composedPath()[0])) c.stopImmediatePropagation();
        }, true);
      }
      holdFileInput(input);
    });
  }

  // The marked input under `node`, through open and closed shadow roots.
  function markedInput(node) {
    const root = node instanceof Element ? shadowOf(node) : null;
    if (!root) return null;
    const found = root.querySelector('input[type=file][data-aiguard-upload]');
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      const inner = markedInput(el);
      if (inner) return inner;
    }
    return null;
  }

  on('aiguard-upload', (e) => {
    // From inside a closed shadow root the event shows only the host.
    const input = markedInput(e.composedPath()[0]) ?? fileInputOf(e);
    if (!(input instanceof HTMLInputElement) || input.type !== 'file') return;
    e.stopImmediatePropagation();
    handedOver.add(input);
    if (!inScope() || !input.files?.length) release(input, true);
    else holdFileInput(input);
  });
})();
