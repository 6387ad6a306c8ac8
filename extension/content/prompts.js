// Typed prompts, the second line behind typing.js: Enter (or Ctrl+Enter) in an editor, a click
// on a send button next to it, and form submissions, when the employee makes them (trusted
// events only). Composer text is checked while the employee types, so Enter on checked text
// is decided at once and the original keystroke goes through untouched; a submission of text
// that was never checked is held for the check, and repeated once allowed.
// Collaborators: core.js, editing.js, scope.js (check), dialog.js (decide).
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, fromOverlay, followsGesture, inScope, localVerdict, check, decide, failClosed } = ns;
  const { deepTarget, editableRoot, isTextControl, composerText, replay, isReplay, consentedIn, forgetConsent, typingSettles, ownEdit } = ns;

  // Verdicts on composer text, filled while the user types. What the employee let through in an
  // editor (typing.js) is not asked about again: the verdict is on what else the text holds.
  const verdicts = new Map(); // `${consented}\u0001${text}` -> verdict
  const CACHE = 16;
  const keyOf = (root, text) => `${consentedIn(root)}\u0001${text}`;
  function remember(key, verdict) {
    verdicts.delete(key);
    verdicts.set(key, verdict);
    if (verdicts.size > CACHE) verdicts.delete(verdicts.keys().next().value);
  }
  async function verdictFor(root, text) {
    const key = keyOf(root, text);
    if (verdicts.has(key)) return verdicts.get(key);
    const v = await check('prompt', [{ kind: 'text', text }], { consented: consentedIn(root) });
    if (v) remember(key, v);
    return v;
  }

  let lastComposer = null;
  let pending = null;
  const PRESCAN_MS = 60;
  // Longer texts are checked at Enter instead of on every pause in typing.
  const PRESCAN_MAX_CHARS = 256 * 1024;
  on('input', (e) => {
    if (isReplay(e) || fromOverlay(e) || !e.isTrusted || !inScope()) return;
    const root = editableRoot(deepTarget(e));
    if (!root) return;
    lastComposer = root;
    clearTimeout(pending);
    pending = setTimeout(() => {
      const text = composerText(root);
      if (text.trim() && text.length <= PRESCAN_MAX_CHARS && !verdicts.has(keyOf(root, text))) void verdictFor(root, text);
    }, PRESCAN_MS);
  });

  // Holds a submission (Enter, send click, form submit) of the text typed into `root`; `resend`
  // repeats it once the engine allows it or the user proceeds. Returns true when held.
  // After "Send anyway" (or a check that allowed it) the same text passes the next submission
  // events for a moment: an Enter the page turns into a button click or a form submission
  // must not ask twice.
  let consent = null;
  const pendingRoots = new WeakSet();
  // `textOf()` is the text the submission would send, read again after a wait.
  function holdSubmission(e, textOf, root, resend) {
    const typing = typingSettles();
    let text = textOf();
    if (!typing) {
      if (!text.trim()) return false;
      if (consent && consent.text === text && performance.now() < consent.until) return false;
      const key = keyOf(root, text);
      if (!verdicts.has(key)) {
        const v = localVerdict([{ kind: 'text', text }], { consented: consentedIn(root) });
        if (v) remember(key, v);
      }
      if (verdicts.get(key)?.action === 'allow') return forgetConsent(root), false;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    if (pendingRoots.has(root)) return true; // a second Enter while the first is being checked
    pendingRoots.add(root);
    failClosed('prompt', (async () => {
      try {
        // Sent while typed edits were still held: it goes once they are in (and not when one
        // was stopped: the employee has just been shown why).
        if (typing) {
          if (!(await typing)) return;
          text = textOf();
          if (!text.trim()) return;
        }
        const verdict = await verdictFor(root, text);
        const sending = verdict?.action === 'allow' || (await decide('prompt', verdict)).choice === 'proceed';
        // Edited while held: what would go is not what was checked; the user sends again.
        if (!sending || textOf() !== text) return root.focus({ preventScroll: true });
        consent = { text, until: performance.now() + 2000 };
        forgetConsent(root);
        resend();
      } finally {
        pendingRoots.delete(root);
      }
    })());
    return true;
  }

  on('keydown', (e) => {
    if (fromOverlay(e)) return e.stopImmediatePropagation(); // the dialog's keys are not the page's
    if (isReplay(e) || !e.isTrusted || e.key !== 'Enter' || e.isComposing || e.keyCode === 229 || e.shiftKey || e.altKey || !inScope()) return;
    const target = deepTarget(e);
    const root = editableRoot(target);
    if (!root) return;
    const init = { key: e.key, code: e.code, keyCode: 13, which: 13, ctrlKey: e.ctrlKey, metaKey: e.metaKey, bubbles: true, cancelable: true, composed: true };
    holdSubmission(e, () => composerText(root), root, () => {
      root.focus({ preventScroll: true });
      const down = replay(target, new KeyboardEvent('keydown', init));
      if (down.defaultPrevented) return;
      // The page left the key to the browser: do what Enter does there.
      if (root instanceof HTMLInputElement) root.form?.requestSubmit();
      else ownEdit(() => root.ownerDocument.execCommand(root instanceof HTMLTextAreaElement ? 'insertText' : 'insertParagraph', false, '\n'));
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
    if (resending || fromOverlay(e) || !e.isTrusted || !inScope()) return;
    const button = sendButtonFor(deepTarget(e));
    if (!button) return;
    const composer = lastComposer;
    holdSubmission(e, () => composerText(composer), composer, () => {
      resending = true;
      try { button.click(); } finally { resending = false; }
    });
  });

  // A submit event is the browser's even when the page's script asked for it (requestSubmit):
  // it is judged only when it follows the employee's own key or click.
  on('submit', (e) => {
    if (resending || !e.isTrusted || !followsGesture() || !inScope()) return;
    const form = e.target;
    const fields = [...form.querySelectorAll('textarea, input')].filter(isTextControl);
    const root = fields.find((f) => f.value.trim());
    if (!root) return;
    // Everything the form sends is checked as one text.
    holdSubmission(e, () => fields.map((f) => f.value).join('\n'), root, () => {
      resending = true;
      try { form.requestSubmit(e.submitter ?? undefined); } finally { resending = false; }
    });
  });
})();
