// Typing: every insertion or deletion the employee makes in an editor of an in-scope page is
// checked before it happens (its trusted `beforeinput`, which is cancelable for typing,
// spelling replacements, autocompletion and deletion), so that the keystroke that would complete
// a credential or a marker is stopped while the editor still holds clean text: the page's
// autosave, its send path (whatever button or gesture it uses) and its scripts never see it.
//
// The engine judges what the edit adds: the text around the caret before and after it (a few
// thousand characters each side, which holds any credential or marker the edit could complete),
// less what was there already. Where the engine runs in the page, an edit is judged inside its
// event and goes on untouched when clean. Elsewhere the edit is held, the background judges it,
// and it is then made as the browser would have (the page's editor first gets a `beforeinput`
// of its own to apply, as it would the original); edits typed meanwhile wait in order behind
// it. A stopped edit shows the dialog; "Type it anyway" makes it and remembers what the
// employee let through, so the send-time check (prompts.js) does not ask twice.
//
// Not judged here: pastes and drops (paste-drop.js checks them whole), IME compositions (the
// browser does not let a composition be cancelled; the send-time check sees the result), and
// undo/redo (they restore earlier text). What a typed prefix can leak is in SECURITY.md.
// Collaborators: core.js, editing.js, scope.js (check), dialog.js (decide); prompts.js reads
// `consentedIn`, ends it with `forgetConsent` when the prompt goes, and holds a send behind
// held edits (`typingSettles`).
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, fromOverlay, inScope, localVerdict, check, decide, failClosed } = ns;
  const { deepTarget, editableRoot, isTextControl, saveCaret, restoreCaret, replay, isReplay, ownEdit, inOwnEdit } = ns;

  // Characters of context each side of an edit.
  const CONTEXT = 4096;
  const SKIPPED = new Set(['insertFromPaste', 'insertFromPasteAsQuotation', 'insertFromDrop', 'insertCompositionText', 'deleteCompositionText']);
  const judged = (type) => /^(insert|delete)/.test(type) && !SKIPPED.has(type);

  // --- what the employee let through, per editor --------------------------------------------------
  const consented = new WeakMap(); // editor root -> text
  const CONSENT_MAX = 256 * 1024;
  function consent(root, text) {
    const all = `${consented.get(root) ?? ''}\n\0\n${text}`;
    consented.set(root, all.length > CONSENT_MAX ? all.slice(-CONSENT_MAX) : all);
  }
  const consentedIn = (root) => consented.get(root) ?? '';
  // What was let through goes with the prompt it was typed for: a send, or an emptied editor,
  // ends it.
  const forgetConsent = (root) => consented.delete(root);
  const isEmpty = (root) => (isTextControl(root) ? root.value === '' : root.childNodes.length <= 1 && !root.textContent);

  // --- the edit -----------------------------------------------------------------------------------
  function insertedText(inputType, data, dataTransfer) {
    if (inputType === 'insertParagraph' || inputType === 'insertLineBreak') return '\n';
    if (!inputType.startsWith('insert')) return '';
    return data ?? dataTransfer?.getData('text/plain') ?? '';
  }

  // [start, end) that a deletion of `inputType` at a collapsed caret `at` removes from `value`:
  // what the browser's own text control does, closely enough to see what comes together.
  function deletion(value, at, inputType) {
    const forward = inputType.includes('Forward');
    if (/Word/.test(inputType)) {
      if (forward) return [at, at + /^\s*[^\s]*/.exec(value.slice(at))[0].length];
      return [at - /[^\s]*\s*$/.exec(value.slice(0, at))[0].length, at];
    }
    if (/Line/.test(inputType)) {
      if (forward) { const nl = value.indexOf('\n', at); return [at, nl < 0 ? value.length : nl]; }
      return [value.lastIndexOf('\n', at - 1) + 1, at];
    }
    // One character: a surrogate pair is one.
    if (forward) return [at, Math.min(value.length, at + (value.codePointAt(at) > 0xffff ? 2 : 1))];
    const pair = at >= 2 && /[\udc00-\udfff]/.test(value[at - 1]) && /[\ud800-\udbff]/.test(value[at - 2]);
    return [Math.max(0, at - (pair ? 2 : 1)), at];
  }

  // An <input>/<textarea>: the edit as text and as the change to make.
  function controlEdit(root, { inputType, text }) {
    const value = root.value;
    const api = isTextControl(root) && root.type !== 'email';
    let start = api ? root.selectionStart : value.length;
    let end = api ? root.selectionEnd : value.length;
    if (inputType.startsWith('delete') && start === end) [start, end] = deletion(value, start, inputType);
    if (root instanceof HTMLInputElement) text = text.replace(/\r?\n/g, inputType === 'insertText' ? ' ' : '');
    const lo = Math.max(0, start - CONTEXT), hi = Math.min(value.length, end + CONTEXT);
    return {
      before: value.slice(lo, hi),
      after: value.slice(lo, start) + text + value.slice(end, hi),
      make() {
        const init = { inputType, data: text || null, bubbles: true, cancelable: true, composed: true };
        if (replay(root, new InputEvent('beforeinput', init)).defaultPrevented) return;
        // The editing command keeps the control's own undo; without a selection API (email
        // inputs) the value is set.
        if (api) {
          root.setSelectionRange(start, end);
          if (root.ownerDocument.execCommand(text ? 'insertText' : 'delete', false, text)) return;
          root.setRangeText(text, start, end, 'end');
        } else {
          root.value = value.slice(0, start) + text + value.slice(end);
        }
        root.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType, data: text || null }));
      },
    };
  }

  // Text of a contenteditable between two boundary points, with a line break for each block
  // and <br> (as the employee sees it): a key cannot seem to continue into the next paragraph.
  const BLOCK = /^(p|div|li|h[1-6]|pre|blockquote|tr|section|article|header|footer|ul|ol|table|dd|dt)$/;
  function textBetween(root, from, to) {
    const range = root.ownerDocument.createRange();
    range.setStart(...(from ?? [root, 0]));
    range.setEnd(...(to ?? [root, root.childNodes.length]));
    const walker = root.ownerDocument.createTreeWalker(range.commonAncestorContainer, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let out = '';
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (!range.intersectsNode(n)) continue;
      if (n.nodeType === Node.TEXT_NODE) {
        out += n.data.slice(n === range.startContainer ? range.startOffset : 0, n === range.endContainer ? range.endOffset : n.length);
      } else if (n !== range.commonAncestorContainer && (n.localName === 'br' || BLOCK.test(n.localName))) {
        out += '\n';
      }
    }
    return out;
  }

  // A contenteditable: the edit over `range` (the browser's target range, or the selection).
  function editableEdit(root, target, { inputType, text, data, dataTransfer }, range) {
    const start = [range.startContainer, range.startOffset], end = [range.endContainer, range.endOffset];
    const head = textBetween(root, null, start).slice(-CONTEXT);
    const tail = textBetween(root, end, null).slice(0, CONTEXT);
    const doc = root.ownerDocument;
    return {
      before: head + textBetween(root, start, end) + tail,
      after: head + text + tail,
      make() {
        const live = doc.createRange();
        live.setStart(...start);
        live.setEnd(...end);
        const sel = doc.getSelection();
        sel.removeAllRanges();
        sel.addRange(live);
        // The page's editor applies the edit to its own model, as it would the original.
        const init = { inputType, data: data ?? null, dataTransfer: dataTransfer ?? null, targetRanges: [new StaticRange({ startContainer: start[0], startOffset: start[1], endContainer: end[0], endOffset: end[1] })], bubbles: true, cancelable: true, composed: true };
        if (replay(target, new InputEvent('beforeinput', init)).defaultPrevented) return;
        if (inputType === 'insertParagraph' || inputType === 'insertLineBreak') doc.execCommand(inputType);
        else if (text) doc.execCommand('insertText', false, text);
        else if (!live.collapsed) doc.execCommand('delete');
      },
    };
  }

  // The range a deletion at the caret removes in a contenteditable, found by extending a copy
  // of the selection as the browser would.
  function selectionDeletion(doc, inputType) {
    const sel = doc.getSelection();
    if (!sel?.rangeCount) return null;
    const saved = sel.getRangeAt(0).cloneRange();
    if (!saved.collapsed || !inputType.startsWith('delete')) return saved;
    const unit = /Word/.test(inputType) ? 'word' : /Line/.test(inputType) ? 'lineboundary' : 'character';
    sel.modify('extend', inputType.includes('Forward') ? 'forward' : 'backward', unit);
    const range = sel.getRangeAt(0).cloneRange();
    sel.removeAllRanges();
    sel.addRange(saved);
    return range;
  }

  // `ranges` are the browser's target ranges for an edit judged inside its own event; an edit
  // that waited behind another is placed by the selection as it is now.
  function editOf(item, ranges) {
    const { root, target } = item;
    if (isTextControl(root)) return controlEdit(root, item);
    const range = ranges?.[0] ?? selectionDeletion(root.ownerDocument, item.inputType);
    return range ? editableEdit(root, target, item, range) : null;
  }

  // --- holding and judging ------------------------------------------------------------------------
  // Firefox fires a trusted beforeinput for the editing command that makes an edit: it is this
  // script's own, and passes.
  const make = (edit) => ownEdit(() => edit.make());
  const queue = [];
  let draining = null; // the promise of the held edits' handling, while there are any

  async function settle(item, edit, verdict) {
    if (verdict?.action === 'allow') return make(edit), true;
    queue.length = 0; // what was typed after a stopped edit goes with it
    const caret = saveCaret(item.target);
    const { choice } = await decide('typing', verdict);
    // Focus again from scratch: a stopped insertion that came from an input method (an IME's
    // commit, dictation) leaves Chromium's text input state waiting on it, and the editor would
    // take no more keys.
    item.root.blur();
    restoreCaret(caret);
    if (choice !== 'proceed' || !item.root.isConnected) return false;
    make(edit);
    consent(item.root, edit.after);
    return true;
  }

  // Resolves to whether every held edit was made.
  async function drain(first) {
    let made = true;
    try {
      for (let item = first; item; item = queue.shift()) {
        if (!item.root.isConnected) continue;
        const edit = editOf(item, item === first ? item.ranges : null);
        if (!edit) continue;
        const verdict = await check('typing', [{ kind: 'text', text: edit.after }], { before: edit.before });
        made = (await settle(item, edit, verdict)) && made;
      }
      return made;
    } finally {
      draining = null;
      queue.length = 0;
    }
  }
  // While edits are held: the promise that they are settled (true when all were made). A send
  // the employee makes meanwhile waits for it, so it never goes without what was typed before.
  const typingSettles = () => draining;

  on('beforeinput', (e) => {
    if (inOwnEdit() || isReplay(e) || fromOverlay(e) || !e.isTrusted || !e.cancelable || !judged(e.inputType) || !inScope()) return;
    const target = deepTarget(e);
    const root = editableRoot(target);
    if (!root) return;
    if (isEmpty(root)) forgetConsent(root);
    const item = {
      root, target, inputType: e.inputType, data: e.data, dataTransfer: e.dataTransfer,
      text: insertedText(e.inputType, e.data, e.dataTransfer), ranges: e.getTargetRanges?.() ?? [],
    };
    if (!draining) {
      // The engine in this page judges it now; a clean edit goes on as it came.
      const edit = editOf(item, item.ranges);
      if (!edit) return;
      const verdict = localVerdict([{ kind: 'text', text: edit.after }], { before: edit.before });
      if (verdict?.action === 'allow') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      draining = verdict ? settle(item, edit, verdict).finally(() => { draining = null; }) : drain(item);
      failClosed('typing', draining);
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    queue.push(item);
  });

  Object.assign(ns, { consentedIn, forgetConsent, typingSettles });
})();
