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
//   typing.js           each typed insertion or deletion ─┤
//   prompts.js          Enter, send buttons, form submissions ─┤  scope.check ─► dialog.decide
//   clipboard-read.js   the page's navigator.clipboard reads ─┤  ─► editing (deliver or not)
//   uploads.js          file inputs, and selections page-world.js hands over ─┘
//
// page-world.js runs apart, in the page's own world. It talks to clipboard-read.js and
// uploads.js over a MessagePort that core.js hands it before any page script runs, and tells
// core.js synchronously when the page's document.open() has removed the window's listeners.
//
// The page is an adversary (SECURITY.md): only trusted events (the employee's own paste, drop,
// keys and clicks) make these scripts act; the page's synthetic events pass untouched and
// unjudged, so AIGuard never does for the page what the page could not do itself.
'use strict';

var aiguardContent = (() => {
  const { api } = aiguardRuntime;
  const overlay = aiguardOverlay;

  // Every listener goes on the window in the capture phase, through `on`. document.open()
  // (how some editors build their editing iframe) removes all of a window's listeners, these
  // scripts' included, and the scripts are not injected again. page-world.js's document.open()
  // tells the channel's element at once, inside the call, so they are back before the page can
  // add a listener of its own; the observer, which sees the document being replaced, puts them
  // back too when the call came another way (adding a listener twice is a no-op).
  const installed = [];
  function on(type, listener) {
    installed.push([type, listener]);
    window.addEventListener(type, listener, true);
  }
  const reinstall = () => {
    for (const [type, listener] of installed) window.addEventListener(type, listener, true);
  };
  new MutationObserver(reinstall).observe(document, { childList: true });

  // --- the channel to page-world.js ---------------------------------------------------------------
  // page-world.js sends a private element (in no document) as the relatedTarget of a request on
  // the window; the answer, a MessagePort, is dispatched at that element, where only its
  // listener hears. The first request is page-world.js's: both scripts run before any page
  // script, and whichever runs second completes the exchange (HELLO asks page-world.js to
  // request again). Later requests, the page's, are ignored.
  const pageHandlers = {}; // message type -> async (message) => answer
  let channelElement = null;
  function connect(e) {
    const element = e.relatedTarget;
    if (channelElement || !(element instanceof HTMLElement) || element.localName !== 'aiguard-channel' || element.isConnected) return;
    const { port1, port2 } = new MessageChannel();
    const offer = new MessageEvent('aiguard-channel-offer', { ports: [port2], cancelable: true });
    element.dispatchEvent(offer);
    if (!offer.defaultPrevented) return;
    channelElement = element;
    element.addEventListener('aiguard-reattach', reinstall);
    port1.onmessage = async ({ data }) => {
      const handler = Object.hasOwn(pageHandlers, data?.type) ? pageHandlers[data.type] : null;
      if (!handler || typeof data.id !== 'string') return;
      const answer = await handler(data).catch(() => null);
      port1.postMessage({ ...(answer ?? {}), id: data.id });
    };
  }
  window.addEventListener('aiguard-channel-request', connect, true);
  window.dispatchEvent(new Event('aiguard-channel-hello'));
  // `handler(message)` answers page-world.js's messages of `type` (its answer goes back with
  // the message's id).
  const onPageMessage = (type, handler) => { pageHandlers[type] = handler; };

  // When the employee last pressed a key, clicked or touched: a submission the page makes with
  // no such gesture just before it is the page's own doing, not the employee's.
  let lastGesture = -Infinity;
  for (const type of ['keydown', 'mousedown', 'pointerdown', 'touchend', 'click']) {
    on(type, (e) => { if (e.isTrusted) lastGesture = performance.now(); });
  }
  const GESTURE_MS = 1000;
  const followsGesture = () => performance.now() - lastGesture < GESTURE_MS;

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

  return { api, overlay, on, ask, fromOverlay, onPageMessage, followsGesture };
})();
