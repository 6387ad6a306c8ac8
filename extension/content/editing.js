// Editing: the element an event is really for, the caret kept across a wait, what a paste or
// drop carries, and putting checked content in as the browser or the page's editor would.
// Collaborators: core.js (namespace); used by paste-drop.js, prompts.js, clipboard-read.js and
// uploads.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { api, overlay } = ns;

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

  // --- inserting ----------------------------------------------------------------------------------
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
  const insertLikeTheBrowser = (saved, payload) => ownEdit(() => insertAsTheBrowser(saved, payload));
  function insertAsTheBrowser(saved, { text, html }) {
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

  // Events these scripts dispatch themselves pass their own listeners untouched.
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

  // Edits these scripts make themselves with an editing command (content already checked):
  // Firefox fires a trusted beforeinput for the command, which must not be judged again.
  let editing = 0;
  function ownEdit(make) {
    editing++;
    try {
      return make();
    } finally {
      editing--;
    }
  }
  const inOwnEdit = () => editing > 0;

  // --- what a paste or drop carries ---------------------------------------------------------------
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

  Object.assign(ns, {
    deepTarget, isTextControl, editableRoot, composerText,
    saveCaret, restoreCaret, caretAtPoint, insertLikeTheBrowser, replay, isReplay, ownEdit, inOwnEdit,
    payloadOf, textParts, transferOf,
  });
})();
