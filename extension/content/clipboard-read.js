// The clipboard read by the page itself: navigator.clipboard.readText()/read() fire no paste
// event. page-world.js sends what they returned over the channel (core.js) and settles the
// page's promise with the answer: all of it, the redacted text, or nothing (a NotAllowedError).
// The browser has already let the page read the clipboard by then; the check is whether the
// content may go on into it.
// Collaborators: page-world.js, core.js, editing.js (textParts), scope.js, dialog.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { onPageMessage, inScope, check, decide, textParts } = ns;

  onPageMessage('clipboard', async ({ text, html }) => {
    if (!inScope()) return { deliver: 'all' };
    const parts = textParts({ text: String(text ?? ''), html: String(html ?? '') });
    const verdict = await check('paste', parts);
    if (verdict?.action === 'allow') return { deliver: 'all' };
    const { choice } = await decide('paste', verdict);
    if (choice === 'proceed') return { deliver: 'all' };
    if (choice === 'redact') return { deliver: 'redacted', text: verdict?.redactedText ?? '' };
    return { deliver: 'none' };
  });
})();
