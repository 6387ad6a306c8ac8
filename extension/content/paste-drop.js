// Pastes and drops. Each one with content is held (unless the engine in this page allows it
// inside the event) until the engine decides; allowed content then goes in as it came:
//
//   paste          the browser pastes again (natively: trusted event, its own insertion and
//                  undo) when the clipboard still holds what was checked; otherwise, as below.
//   paste / drop   the original DataTransfer's flavours and files are re-dispatched as a paste
//                  or drop event at the same target, so the page's own editor (ProseMirror,
//                  CodeMirror, Monaco, ...) inserts them with its own model, selection and undo;
//                  where no page code takes the event, the text goes in at the caret.
// Collaborators: core.js, editing.js, scope.js (check), dialog.js (decide).
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, fromOverlay, inScope, localVerdict, check, fileParts, decide, failClosed } = ns;
  const { deepTarget, saveCaret, restoreCaret, caretAtPoint, insertLikeTheBrowser, replay, isReplay, payloadOf, textParts, transferOf } = ns;

  let dragFromThisDocument = false;
  on('dragstart', (e) => {
    if (!e.isTrusted) return;
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

  // Only the employee's own paste or drop is judged. A page's synthetic event carries what the
  // page already has: it passes untouched, unjudged (no verdict oracle), and never becomes a
  // native paste (which would hand the page the clipboard).
  on('paste', (e) => {
    if (isReplay(e) || fromOverlay(e) || !e.isTrusted || !inScope() || !e.clipboardData || isCheckedPaste(e)) return;
    const handling = intercept('paste', e, e.clipboardData);
    if (handling) failClosed('paste', handling);
  });

  on('drop', (e) => {
    // Files never come from a drag inside the page.
    const internal = dragFromThisDocument && !e.dataTransfer?.files?.length;
    dragFromThisDocument = false;
    // Moving text within the page is not content arriving from outside.
    if (isReplay(e) || internal || !e.isTrusted || !inScope() || !e.dataTransfer) return;
    const handling = intercept('drop', e, e.dataTransfer);
    if (handling) failClosed('drop', handling);
  });
})();
