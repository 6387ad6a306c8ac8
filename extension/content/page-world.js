// Runs in the page's own JavaScript world ("world": "MAIN") at document_start, before any page
// script, and does one thing: it lets guard.js see files chosen through a file input that is not
// in the document.
//
// A page can open the file chooser from an input it never attaches:
//
//   const input = document.createElement('input');
//   input.type = 'file';
//   input.onchange = () => upload(input.files);
//   input.click();
//
// The input and change events of such an input reach nothing but the input itself: no window
// listener, so not guard.js, sees them. This script wraps `click()` and `showPicker()` of file
// inputs to put a capture listener on the input first. When the selection arrives on an input
// that is still detached, the listener stops the events, attaches the input to a hidden holder
// element and fires a composed `input` event from it, which guard.js handles like any other file
// selection (the check, the dialog, flagged files removed). guard.js then fires
// `aiguard-upload-done` at the input; this script detaches it again and, if files are left,
// fires input and change for the page.
//
// It holds no policy and sees no verdict: guard.js and the engine decide. Everything it uses is
// captured before page scripts run, so a page that later replaces `addEventListener` or
// `dispatchEvent` does not change what it does.
'use strict';

(() => {
  const HOLDER = 'aiguard-upload-holder';
  const DONE = 'aiguard-upload-done';
  const proto = HTMLInputElement.prototype;
  const originalClick = proto.click;
  const originalShowPicker = proto.showPicker;
  const addListener = EventTarget.prototype.addEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const stop = Event.prototype.stopImmediatePropagation;
  const isConnected = Object.getOwnPropertyDescriptor(Node.prototype, 'isConnected').get;
  const typeOf = Object.getOwnPropertyDescriptor(proto, 'type').get;
  const filesOf = Object.getOwnPropertyDescriptor(proto, 'files').get;
  const createElement = Document.prototype.createElement;
  const append = Node.prototype.appendChild;
  const remove = Element.prototype.remove;
  const setAttribute = Element.prototype.setAttribute;
  const documentElementOf = Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get;
  const EventCtor = Event;

  let holderElement = null;
  const watched = new WeakSet();
  const handedOver = new WeakSet();
  const ours = new WeakSet(); // events this script fires for the page

  function fire(input, type, composed) {
    const event = new EventCtor(type, { bubbles: true, composed });
    ours.add(event);
    dispatch.call(input, event);
  }

  // A hidden element at the end of <html>, made once and put back if the page removed it.
  function holder() {
    const root = documentElementOf.call(document);
    if (!root) return null;
    if (!holderElement) {
      holderElement = createElement.call(document, HOLDER);
      setAttribute.call(holderElement, 'hidden', '');
      setAttribute.call(holderElement, 'style', 'display:none !important');
    }
    if (!isConnected.call(holderElement)) append.call(root, holderElement);
    return holderElement;
  }

  function selected(e) {
    const input = e.currentTarget;
    if (ours.has(e)) return;
    if (handedOver.has(input)) {
      // guard.js is checking this selection; nothing reaches the page until it is done.
      stop.call(e);
      return;
    }
    if (isConnected.call(input)) return; // guard.js sees events of attached inputs itself
    stop.call(e);
    if (e.type !== 'input') return; // change follows input in the same task: already handed over
    const place = holder();
    if (!place) return;
    handedOver.add(input);
    append.call(place, input);
    fire(input, 'input', true);
  }

  function done(e) {
    const input = e.currentTarget;
    if (!handedOver.has(input)) return;
    handedOver.delete(input);
    remove.call(input);
    if (filesOf.call(input)?.length) {
      fire(input, 'input', true);
      fire(input, 'change', false);
    }
  }

  function watch(input) {
    if (watched.has(input) || typeOf.call(input) !== 'file') return;
    watched.add(input);
    addListener.call(input, 'input', selected, true);
    addListener.call(input, 'change', selected, true);
    addListener.call(input, DONE, done, true);
  }

  proto.click = function click() {
    if (this instanceof HTMLInputElement) watch(this);
    return originalClick.call(this);
  };
  if (originalShowPicker) {
    proto.showPicker = function showPicker() {
      if (this instanceof HTMLInputElement) watch(this);
      return originalShowPicker.call(this);
    };
  }
})();
