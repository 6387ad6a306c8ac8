// AIGuard's content scripts stop content at the page's door. They run at document_start in
// every frame, before any page script, so their capture-phase listeners on the window see each
// paste, drop, Enter, send click, form submission and file selection first. What is held goes
// to the engine; allowed content is then handed to the page exactly as the user sent it.
// Nothing in these scripts judges content: every verdict comes from the engine.
//
// The scripts share one namespace, `aiguardContent`, and load in this order (manifest.json):
//
//   shared/runtime.js   the browser API and translations (aiguardRuntime)
//   overlay.js          the dialog, in a closed shadow root (aiguardOverlay)
//   core.js             this file: listeners that survive document.open(), asking the background
//   editing.js          the event's real target, the caret, payloads, inserting and replaying
//   scope.js            is this page in scope; the engine in this page; check(kind, parts)
//   dialog.js           decide(): the dialog here or in the top frame; failing closed
//   paste-drop.js       paste and drop ─┐
//   prompts.js          Enter, send buttons, form submissions ─┤  scope.check ─► dialog.decide
//   clipboard-read.js   the page's navigator.clipboard reads ─┤  ─► editing (deliver or not)
//   uploads.js          file inputs, and selections page-world.js hands over ─┘
//
// page-world.js runs apart, in the page's own world, and talks to clipboard-read.js and
// uploads.js through DOM events.
'use strict';

var aiguardContent = (() => {
  const { api } = aiguardRuntime;
  const overlay = aiguardOverlay;

  // Every listener goes on the window in the capture phase, through `on`. document.open()
  // (how some editors build their editing iframe) removes all of a window's listeners, these
  // scripts' included, and the scripts are not injected again: the observer sees the document
  // being replaced and puts them back (adding a listener twice is a no-op).
  const installed = [];
  function on(type, listener) {
    installed.push([type, listener]);
    window.addEventListener(type, listener, true);
  }
  new MutationObserver(() => {
    for (const [type, listener] of installed) window.addEventListener(type, listener, true);
  }).observe(document, { childList: true });

  // A question to the background; rejects when it can't answer (or answers with an error).
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

  const fromOverlay = (e) => overlay.owns(e.target);
  // What happens in the dialog (typing the reason, pasting into it) is not the page's business.
  for (const type of ['paste', 'copy', 'cut', 'drop', 'dragover', 'textInput', 'input', 'beforeinput']) {
    on(type, (e) => { if (overlay.owns(e.target)) e.stopImmediatePropagation(); });
  }

  return { api, overlay, on, ask, fromOverlay };
})();
