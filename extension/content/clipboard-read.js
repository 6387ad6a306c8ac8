// The clipboard read by the page itself: navigator.clipboard.readText()/read() fire no paste
// event. page-world.js sends what they returned as `aiguard-clipboard-read` (strings; cancelling
// the event acknowledges it) and waits for `aiguard-clipboard-verdict` on the document, which
// settles the page's promise with the content, the redacted text or a refusal.
// Collaborators: page-world.js, core.js, editing.js (textParts), scope.js, dialog.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, inScope, check, decide, textParts } = ns;

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
})();
