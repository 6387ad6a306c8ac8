// Runs in the page's own JavaScript world ("world": "MAIN") at document_start, before any page
// script. It lets the content scripts see content that arrives without an event they can hold: files
// chosen through file inputs whose events never reach a window listener, and the clipboard read
// by the page itself.
//
//   * Inputs the page never attaches: the events of
//       const input = document.createElement('input'); input.type = 'file';
//       input.onchange = () => upload(input.files); input.click();
//     reach nothing but the input itself.
//   * Inputs inside shadow roots: `change` is not composed, so it stays inside the root (and
//     Firefox does not compose every `input` event either).
//
// This script puts a capture listener on every shadow root as it is attached (before the page
// can add its own) and on every file input whose `click()` or `showPicker()` is called or that
// a script dispatches an event at. When a
// selection arrives that the window cannot see, the listener stops the events and fires a
// composed `aiguard-upload` event from the input, after attaching a detached input to a hidden
// holder element so the event has a way out. uploads.js checks the selection as it checks any
// other (the dialog, flagged files removed) and fires `aiguard-upload-done` at the input; this
// script then detaches a parked input again and, if files are left, fires input and change for
// the page.
//
// `navigator.clipboard.readText()` and `read()` (a page's own "Paste" button or context menu)
// fire no paste event. Their results are sent to clipboard-read.js as strings in an
// `aiguard-clipboard-read` event (only primitives cross between this world and clipboard-read.js's),
// and the promise settles with its answer: the content, the redacted text, or a
// NotAllowedError. clipboard-read.js acknowledges the request by cancelling the event; a request nobody
// acknowledges is refused rather than answered unchecked.
//
// Files chosen with `showOpenFilePicker()` come back as handles; their files are handed to
// uploads.js the same way, in a parked input, and only the handles of the files it kept are
// returned.
//
// It holds no policy and sees no verdict: the content scripts and the engine decide. Everything it uses is
// captured before page scripts run, so a page that later replaces `addEventListener` or
// `dispatchEvent` does not change what it does.
'use strict';

(() => {
  const HOLDER = 'aiguard-upload-holder';
  const UPLOAD = 'aiguard-upload';
  const DONE = 'aiguard-upload-done';
  const inputProto = HTMLInputElement.prototype;
  const originalClick = inputProto.click;
  const originalShowPicker = inputProto.showPicker;
  const originalAttachShadow = Element.prototype.attachShadow;
  const addListener = EventTarget.prototype.addEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const stop = Event.prototype.stopImmediatePropagation;
  const composedPath = Event.prototype.composedPath;
  const isConnected = Object.getOwnPropertyDescriptor(Node.prototype, 'isConnected').get;
  const getRootNode = Node.prototype.getRootNode;
  const typeOf = Object.getOwnPropertyDescriptor(inputProto, 'type').get;
  const filesOf = Object.getOwnPropertyDescriptor(inputProto, 'files').get;
  const createElement = Document.prototype.createElement;
  const append = Node.prototype.appendChild;
  const remove = Element.prototype.remove;
  const setAttribute = Element.prototype.setAttribute;
  const removeAttribute = Element.prototype.removeAttribute;
  // Marks the input being handed over: inside a closed shadow root uploads.js cannot learn it
  // from the event (it sees the host), so it looks for the mark through the root.
  const MARK = 'data-aiguard-upload';
  const documentElementOf = Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get;
  const EventCtor = Event;
  const CustomEventCtor = CustomEvent;
  const DOMExceptionCtor = DOMException;
  const BlobCtor = Blob;
  const ClipboardItemCtor = globalThis.ClipboardItem;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const InputCtor = HTMLInputElement;
  const ShadowRootCtor = ShadowRoot;

  let holderElement = null;
  const watched = new WeakSet();
  const handedOver = new WeakSet();
  const parked = new WeakSet();
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

  function fileInputOf(e) {
    const target = composedPath.call(e)[0];
    return target instanceof InputCtor && typeOf.call(target) === 'file' ? target : null;
  }

  function selected(e) {
    const input = fileInputOf(e);
    if (!input || ours.has(e)) return;
    if (handedOver.has(input)) {
      stop.call(e); // uploads.js is checking this selection
      return;
    }
    const attached = isConnected.call(input);
    if (attached && !(getRootNode.call(input) instanceof ShadowRootCtor)) return; // the window sees it
    if (!filesOf.call(input)?.length) return; // a cleared selection carries nothing
    stop.call(e);
    if (!attached) {
      const place = holder();
      if (!place) return;
      append.call(place, input);
      parked.add(input);
    }
    handedOver.add(input);
    setAttribute.call(input, MARK, '');
    fire(input, UPLOAD, true);
  }

  function done(e) {
    const input = fileInputOf(e);
    if (!input || !handedOver.has(input)) return;
    handedOver.delete(input);
    removeAttribute.call(input, MARK);
    if (parked.has(input)) {
      parked.delete(input);
      remove.call(input);
    }
    if (filesOf.call(input)?.length) {
      fire(input, 'input', true);
      fire(input, 'change', false);
    }
  }

  function watch(target) {
    if (watched.has(target)) return;
    watched.add(target);
    addListener.call(target, 'input', selected, true);
    addListener.call(target, 'change', selected, true);
    addListener.call(target, DONE, done, true);
  }

  // A synthetic click opens the chooser too: `input.dispatchEvent(new MouseEvent('click'))`.
  EventTarget.prototype.dispatchEvent = function dispatchEvent(event) {
    if (this instanceof InputCtor && typeOf.call(this) === 'file') watch(this);
    return dispatch.call(this, event);
  };
  inputProto.click = function click() {
    if (this instanceof InputCtor && typeOf.call(this) === 'file') watch(this);
    return originalClick.call(this);
  };
  if (originalShowPicker) {
    inputProto.showPicker = function showPicker() {
      if (this instanceof InputCtor && typeOf.call(this) === 'file') watch(this);
      return originalShowPicker.call(this);
    };
  }
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = originalAttachShadow.call(this, init);
    watch(root);
    return root;
  };

  // --- files chosen with showOpenFilePicker (File System Access) ------------------------------
  // The picker returns file handles, not an input. Their files go to uploads.js in a parked input,
  // as any other selection, and the page gets only the handles whose files were kept; when none
  // is, the picker ends as a cancelled one does (AbortError).
  const originalOpenFilePicker = globalThis.showOpenFilePicker;
  const getFile = globalThis.FileSystemFileHandle?.prototype.getFile;
  if (originalOpenFilePicker && getFile) {
    const DataTransferCtor = DataTransfer;
    const addItem = DataTransferItemList.prototype.add;
    const itemsOf = Object.getOwnPropertyDescriptor(DataTransferCtor.prototype, 'items').get;
    const transferFilesOf = Object.getOwnPropertyDescriptor(DataTransferCtor.prototype, 'files').get;
    const setFiles = Object.getOwnPropertyDescriptor(inputProto, 'files').set;
    const all = Promise.all.bind(Promise);
    const keyOf = (f) => `${f.name}\u0000${f.size}\u0000${f.lastModified}`;

    // Resolves to the keys of the files uploads.js left in the selection.
    const checkedByGuard = (files) => new Promise((resolve) => {
      const input = createElement.call(document, 'input');
      setAttribute.call(input, 'type', 'file');
      setAttribute.call(input, 'multiple', '');
      const transfer = new DataTransferCtor();
      for (const f of files) addItem.call(itemsOf.call(transfer), f);
      setFiles.call(input, transferFilesOf.call(transfer));
      watch(input);
      addListener.call(input, DONE, () => resolve(new Set([...(filesOf.call(input) ?? [])].map(keyOf))), true);
      const place = holder();
      if (!place) return resolve(new Set());
      append.call(place, input);
      parked.add(input);
      handedOver.add(input);
      setAttribute.call(input, MARK, '');
      fire(input, UPLOAD, true);
    });

    globalThis.showOpenFilePicker = async function showOpenFilePicker(...args) {
      const handles = await originalOpenFilePicker.apply(this, args);
      const files = await all(handles.map((h) => getFile.call(h)));
      const kept = await checkedByGuard(files);
      const result = handles.filter((_, i) => kept.has(keyOf(files[i])));
      if (!result.length) throw new DOMExceptionCtor('The user aborted a request.', 'AbortError');
      return result;
    };
  }

  // --- the clipboard read by the page -------------------------------------------------------------
  const clipboardProto = globalThis.Clipboard?.prototype;
  if (clipboardProto?.readText) {
    const originalReadText = clipboardProto.readText;
    const originalRead = clipboardProto.read;
    const pending = new Map();
    let nextId = 0;
    addListener.call(document, 'aiguard-clipboard-verdict', (e) => {
      let answer;
      try { answer = parse(e.detail); } catch { return; }
      const settle = pending.get(answer?.id);
      if (!settle) return;
      pending.delete(answer.id);
      settle(answer);
    }, true);

    const refused = () => new DOMExceptionCtor('Your company\'s policy (AIGuard) did not release the clipboard content to this page.', 'NotAllowedError');
    const askGuard = (text, html) => new Promise((settle) => {
      const id = ++nextId;
      pending.set(id, settle);
      const request = new CustomEventCtor('aiguard-clipboard-read', { cancelable: true, detail: stringify({ id, text, html }) });
      dispatch.call(document, request);
      if (!request.defaultPrevented) {
        pending.delete(id);
        settle({ id, deliver: 'none' });
      }
    });

    clipboardProto.readText = async function readText() {
      const text = await originalReadText.call(this);
      if (!text) return text;
      const answer = await askGuard(text, '');
      if (answer.deliver === 'all') return text;
      if (answer.deliver === 'redacted') return answer.text ?? '';
      throw refused();
    };
    if (originalRead) {
      clipboardProto.read = async function read(...args) {
        const items = await originalRead.apply(this, args);
        let text = '';
        let html = '';
        for (const item of items) {
          if (item.types.includes('text/plain')) text += await (await item.getType('text/plain')).text();
          if (item.types.includes('text/html')) html += await (await item.getType('text/html')).text();
        }
        if (!text && !html) return items;
        const answer = await askGuard(text, html);
        if (answer.deliver === 'all') return items;
        if (answer.deliver === 'redacted' && ClipboardItemCtor) {
          return [new ClipboardItemCtor({ 'text/plain': new BlobCtor([answer.text ?? ''], { type: 'text/plain' }) })];
        }
        throw refused();
      };
    }
  }
})();
