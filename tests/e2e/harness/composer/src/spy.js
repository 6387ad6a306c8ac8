// Page-side spy: what the page itself can observe of input events. Page scripts run after the
// extension's document_start content script, so every listener here is registered after the
// extension's own: an event the extension stops at window capture never reaches this log, and an
// event it cancels arrives with prevented: true.
//
// window.__spy is an array of records, oldest first:
//   { type, phase, target, text, trusted, prevented, inputType, key, shift, files }
//   type      one of SPY_TYPES (keydown is recorded for Enter only)
//   phase     'window-capture' | 'document-capture' | 'element' | 'document-bubble' | 'window-bubble'
//             (in dispatch order; 'element' is a capture listener on the editor's own input element,
//             so it precedes the editor's handlers; an editor that stops propagation leaves no
//             '*-bubble' records)
//   target    editor name ('ta', 'ce', 'pm', 'cm', 'monaco', 'si', 'st', 'prompt', 'chat', 'file',
//             'send', 'clip') of the innermost watched element on the composed path (shadow-piercing),
//             else the innermost node's id, else its lower-case node name
//   text      clipboardData / dataTransfer 'text/plain' if non-empty, else event.data if a string,
//             else null; cut to 200 characters
//   trusted   event.isTrusted
//   prevented event.defaultPrevented at the moment this listener ran
//   inputType event.inputType for beforeinput / input, else null
//   key       event.key for keydown, else null;  shift: event.shiftKey for keydown, else null
//   files     names of files in clipboardData / dataTransfer / <input type=file>, else []
export const SPY_TYPES = ['paste', 'drop', 'beforeinput', 'input', 'keydown', 'submit', 'change'];
const MAX_TEXT = 200;

export function installSpy() {
  const log = [];
  const names = new WeakMap();
  window.__spy = log;
  window.__spyClear = () => { log.length = 0; };

  const nameOf = (event) => {
    const path = event.composedPath();
    for (const node of path) if (names.has(node)) return names.get(node);
    const node = path[0] ?? event.target;
    if (node === window) return 'window';
    if (node === document) return 'document';
    return node?.id || node?.nodeName?.toLowerCase() || null;
  };

  const filesOf = (event) => {
    const list = event.clipboardData?.files ?? event.dataTransfer?.files
      ?? (event.type === 'change' ? event.composedPath()[0]?.files : null);
    return list ? Array.from(list, (f) => f.name) : [];
  };

  const textOf = (event) => {
    let text = null;
    try {
      const dt = event.clipboardData ?? event.dataTransfer;
      const plain = dt ? dt.getData('text/plain') : '';
      if (plain) text = plain;
    } catch { /* a DataTransfer outside its protected window */ }
    if (text == null && typeof event.data === 'string') text = event.data;
    return text == null ? null : text.slice(0, MAX_TEXT);
  };

  const record = (event, phase, target) => {
    if (event.type === 'keydown' && event.key !== 'Enter') return;
    const isKey = event.type === 'keydown';
    const isInput = event.type === 'beforeinput' || event.type === 'input';
    log.push({
      type: event.type,
      phase,
      target: target ?? nameOf(event),
      text: textOf(event),
      trusted: event.isTrusted,
      prevented: event.defaultPrevented,
      inputType: isInput ? (event.inputType ?? null) : null,
      key: isKey ? event.key : null,
      shift: isKey ? event.shiftKey : null,
      files: filesOf(event),
    });
  };

  for (const type of SPY_TYPES) {
    window.addEventListener(type, (e) => record(e, 'window-capture'), true);
    document.addEventListener(type, (e) => record(e, 'document-capture'), true);
    document.addEventListener(type, (e) => record(e, 'document-bubble'), false);
    window.addEventListener(type, (e) => record(e, 'window-bubble'), false);
  }

  // Errors and CSP violations the page sees (the extension's own violations included).
  window.__errors = [];
  window.addEventListener('error', (e) => window.__errors.push(String(e.message ?? e)));
  window.addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason?.stack ?? e.reason)));
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
  }));

  return {
    // Names `el` for target resolution and records events that reach it as phase 'element', with
    // a capture listener on `el`: it runs before the editor's own (non-capture) handlers there,
    // which matters for Monaco, whose paste handler calls stopImmediatePropagation. `root` is an
    // outer element (e.g. the editor's container) that also resolves to `name`.
    watch(name, el, root = null, types = SPY_TYPES) {
      names.set(el, name);
      if (root) names.set(root, name);
      for (const type of types) el.addEventListener(type, (e) => record(e, 'element', name), true);
    },
    // Names an element for target resolution only.
    name(name, el) { names.set(el, name); },
  };
}

// Caret-at-end focus for <textarea>/<input> and contenteditable elements.
export function focusEnd(el) {
  el.focus();
  if ('value' in el && typeof el.setSelectionRange === 'function') {
    const end = el.value.length;
    el.setSelectionRange(end, end);
  } else {
    const sel = el.getRootNode().getSelection?.() ?? window.getSelection();
    sel.selectAllChildren(el);
    sel.collapseToEnd();
  }
}

// Frames answer the parent's 'composer-ping' and announce themselves once ready.
export function announceFrame(kind) {
  const reply = (target) => target?.postMessage({ composer: 'frame-ready', kind, href: location.href }, '*');
  window.addEventListener('message', (e) => {
    if (e.data?.composer === 'ping') reply(e.source);
  });
  if (window.parent !== window) reply(window.parent);
}
