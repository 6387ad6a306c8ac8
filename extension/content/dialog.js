// The dialog's routing: where the employee is shown what was found, and what is recorded of the
// choice. A frame too small to show the dialog whole (a chat widget, an editor in a narrow
// frame) has the tab's top frame show it: the request goes there through the background, and
// the answer comes back the same way, each step a short message (a dialog may stay open longer
// than a background may wait). If the top frame can't be reached, it shows here.
// Collaborators: core.js (ask, overlay); used by paste-drop.js, prompts.js, clipboard-read.js
// and uploads.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { api, ask, overlay } = ns;
  const { extensionAlive } = aiguardRuntime;

  const SMALL_FRAME = { width: 480, height: 360 };
  const dialogsInTop = new Map(); // id -> resolve
  let nextDialog = 0;
  function showDialog(request) {
    const small = window !== window.top && extensionAlive() && (window.innerWidth < SMALL_FRAME.width || window.innerHeight < SMALL_FRAME.height);
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
  // From the background: a dialog to show for a small frame, or its answer.
  api.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (msg?.type === 'showDialog' && window === window.top) {
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
    const answer = await showDialog({ kind, verdict: verdict ?? { action: 'block', findings: [], parts: [] }, unavailable: !verdict, contextLost: !extensionAlive() });
    ask({
      type: 'contentDecision', kind, choice: answer.choice, justification: answer.justification,
      action: verdict?.action ?? 'block',
      findings: (verdict?.findings ?? []).map((f) => ({ detector: f.detector, rule: f.rule, lines: f.lines ?? null })),
    }).catch(() => {});
    return answer;
  }

  // A held event whose handling failed stays held (the content is not delivered unchecked) and
  // the employee is told, rather than the paste or upload silently vanishing.
  function failClosed(kind, work, cleanup) {
    work.catch((err) => {
      console.error('AIGuard: could not check content', err);
      cleanup?.();
      showDialog({ kind, verdict: { action: 'block', findings: [], parts: [] }, unavailable: true, contextLost: !extensionAlive() }).catch(() => {});
    });
  }

  Object.assign(ns, { decide, failClosed });
})();
