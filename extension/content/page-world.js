// Runs in the page's own JavaScript world ("world": "MAIN") at document_start, before any page
// script. It lets the content scripts see what arrives without an event they can hold, and
// tells them when the page replaces its document:
//
//   * Files chosen through inputs whose events never reach a window listener: inputs the page
//     never attaches (`const input = document.createElement('input'); input.type = 'file';
//     input.onchange = ...; input.click()`), inputs inside shadow roots (`change` is not
//     composed), and files chosen with showOpenFilePicker(). Such a selection is taken out of
//     the input at once (the page polling `input.files` finds nothing while it is checked),
//     sent to uploads.js, and the files it keeps are put back before the page's events fire.
//   * navigator.clipboard.readText()/read(): what they return is sent to clipboard-read.js, and
//     the page's promise settles with its answer (the content, the redacted text, or a
//     NotAllowedError).
//   * document.open()/write(): they remove every listener of the window, the content scripts'
//     included; core.js is told synchronously, inside the call, so its listeners are back
//     before the page can add one of its own.
//
// The channel. Everything goes over a MessagePort the content scripts hand over at document
// start, before any page script runs, through a private element only the two sides hold
// (see `connect`): the page cannot forge an answer, read one, or learn the ids in use. The
// page's world is the page's, so nothing here is trusted by the content scripts: they act only
// on what they hold themselves. This script holds no policy and sees no verdict. What it uses is
// captured before page scripts run, so a page that later replaces `addEventListener`,
// `dispatchEvent` or `postMessage` does not change what it does.
'use strict';

(() => {
  const REQUEST = 'aiguard-channel-request';
  const HELLO = 'aiguard-channel-hello';
  const OFFER = 'aiguard-channel-offer';
  const REATTACH = 'aiguard-reattach';
  const inputProto = HTMLInputElement.prototype;
  const originalClick = inputProto.click;
  const originalShowPicker = inputProto.showPicker;
  const originalAttachShadow = Element.prototype.attachShadow;
  const originalCreateElement = Document.prototype.createElement;
  const addListener = EventTarget.prototype.addEventListener;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const stop = Event.prototype.stopImmediatePropagation;
  const preventDefault = Event.prototype.preventDefault;
  const composedPath = Event.prototype.composedPath;
  // `isTrusted` is an own, unforgeable property of every event: no prototype getter to capture.
  const isConnected = Object.getOwnPropertyDescriptor(Node.prototype, 'isConnected').get;
  const getRootNode = Node.prototype.getRootNode;
  const typeOf = Object.getOwnPropertyDescriptor(inputProto, 'type').get;
  const filesOf = Object.getOwnPropertyDescriptor(inputProto, 'files').get;
  const setFiles = Object.getOwnPropertyDescriptor(inputProto, 'files').set;
  const fileListLength = Object.getOwnPropertyDescriptor(FileList.prototype, 'length').get;
  const fileListItem = FileList.prototype.item;
  const DataTransferCtor = DataTransfer;
  const itemsOf = Object.getOwnPropertyDescriptor(DataTransferCtor.prototype, 'items').get;
  const transferFilesOf = Object.getOwnPropertyDescriptor(DataTransferCtor.prototype, 'files').get;
  const addItem = DataTransferItemList.prototype.add;
  const portsOf = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'ports').get;
  const dataOf = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data').get;
  const portPost = MessagePort.prototype.postMessage;
  const portStart = MessagePort.prototype.start;
  const open = Document.prototype.open;
  const write = Document.prototype.write;
  const writeln = Document.prototype.writeln;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  const weakHas = WeakSet.prototype.has;
  const weakAdd = WeakSet.prototype.add;
  const weakDelete = WeakSet.prototype.delete;
  const EventCtor = Event;
  const MouseEventCtor = MouseEvent;
  const DOMExceptionCtor = DOMException;
  const BlobCtor = Blob;
  const PromiseCtor = Promise;
  const ClipboardItemCtor = globalThis.ClipboardItem;
  const InputCtor = HTMLInputElement;
  const ShadowRootCtor = ShadowRoot;
  const random = crypto.getRandomValues.bind(crypto);

  // --- the channel ------------------------------------------------------------------------------
  // This script makes a private element and sends it to the content scripts as the
  // relatedTarget of a REQUEST event on the window; they answer by dispatching OFFER, carrying a
  // MessagePort, at that element, which is in no document, so only this script's listener on it
  // hears. Whichever side runs first, the other completes the exchange at its own start (the
  // content scripts say HELLO when they arrive), and both do this once: before page scripts run.
  const channel = originalCreateElement.call(document, 'aiguard-channel');
  let port = null;
  const pending = new Map(); // request id -> settle
  addListener.call(channel, OFFER, (e) => {
    if (port) return;
    const [offered] = portsOf.call(e);
    if (!offered) return;
    port = offered;
    preventDefault.call(e); // accepted
    addListener.call(port, 'message', (m) => {
      const answer = dataOf.call(m);
      const settle = answer && mapGet.call(pending, answer.id);
      if (!settle) return;
      mapDelete.call(pending, answer.id);
      settle(answer);
    });
    portStart.call(port);
  });
  const request = () => dispatch.call(window, new MouseEventCtor(REQUEST, { relatedTarget: channel }));
  addListener.call(window, HELLO, () => { if (!port) request(); }, true);
  request();

  // An id the page cannot guess.
  function newId() {
    const words = random(new Uint32Array(4));
    return `${words[0].toString(36)}${words[1].toString(36)}${words[2].toString(36)}${words[3].toString(36)}`;
  }

  // Sends `message` to the content scripts; resolves to their answer, or to `fallback` when there
  // is no channel (the content scripts never arrived: nothing here is released unchecked).
  function ask(message, fallback) {
    return new PromiseCtor((settle) => {
      if (!port) return settle(fallback);
      const id = newId();
      mapSet.call(pending, id, settle);
      portPost.call(port, { ...message, id });
    });
  }

  // --- document.open() --------------------------------------------------------------------------
  const reattach = () => dispatch.call(channel, new EventCtor(REATTACH));
  for (const [name, original] of [['open', open], ['write', write], ['writeln', writeln]]) {
    Document.prototype[name] = function (...args) {
      try {
        return original.apply(this, args);
      } finally {
        reattach();
      }
    };
  }

  // --- file selections the window does not see -------------------------------------------------
  const watched = new WeakSet();
  const held = new WeakSet();   // inputs whose selection is being checked
  const ours = new WeakSet();   // events this script fires for the page

  function fire(input, type, composed) {
    const event = new EventCtor(type, { bubbles: true, composed });
    weakAdd.call(ours, event);
    dispatch.call(input, event);
  }

  function listOf(fileList) {
    const files = [];
    const n = fileList ? fileListLength.call(fileList) : 0;
    for (let i = 0; i < n; i++) files[i] = fileListItem.call(fileList, i);
    return files;
  }

  function fileListFrom(files) {
    const transfer = new DataTransferCtor();
    for (let i = 0; i < files.length; i++) addItem.call(itemsOf.call(transfer), files[i]);
    return transferFilesOf.call(transfer);
  }

  function fileInputOf(e) {
    const target = composedPath.call(e)[0];
    return target instanceof InputCtor && typeOf.call(target) === 'file' ? target : null;
  }

  // The files uploads.js kept of `files` (all when it can't be asked: none).
  async function checked(files) {
    const answer = await ask({ type: 'upload', files }, { keep: [] });
    const keep = answer.keep ?? [];
    const kept = [];
    for (let i = 0; i < keep.length; i++) if (files[keep[i]]) kept[kept.length] = files[keep[i]];
    return kept;
  }

  function selected(e) {
    const input = fileInputOf(e);
    if (!input || weakHas.call(ours, e)) return;
    if (weakHas.call(held, input)) {
      stop.call(e); // the second event of a selection being checked
      return;
    }
    if (!e.isTrusted) return; // the page's own event: its own files, if any
    if (isConnected.call(input) && !(getRootNode.call(input) instanceof ShadowRootCtor)) return; // the window sees it
    const files = listOf(filesOf.call(input));
    if (!files.length) return; // a cleared selection carries nothing
    stop.call(e);
    weakAdd.call(held, input);
    setFiles.call(input, fileListFrom([]));
    void checked(files).then((kept) => {
      weakDelete.call(held, input);
      if (!kept.length) return;
      setFiles.call(input, fileListFrom(kept));
      fire(input, 'input', true);
      fire(input, 'change', false);
    });
  }

  function watch(target) {
    if (weakHas.call(watched, target)) return;
    weakAdd.call(watched, target);
    addListener.call(target, 'input', selected, true);
    addListener.call(target, 'change', selected, true);
  }

  const isFileInput = (node) => node instanceof InputCtor && typeOf.call(node) === 'file';
  // Every input a script makes is watched from the start, so this listener comes before any the
  // page adds to it; inputs that became file inputs later are watched when they are opened.
  Document.prototype.createElement = function createElement(...args) {
    const node = originalCreateElement.apply(this, args);
    if (node instanceof InputCtor) watch(node);
    return node;
  };
  // A synthetic click opens the chooser too: `input.dispatchEvent(new MouseEvent('click'))`.
  EventTarget.prototype.dispatchEvent = function dispatchEvent(event) {
    if (isFileInput(this)) watch(this);
    return dispatch.call(this, event);
  };
  inputProto.click = function click() {
    if (isFileInput(this)) watch(this);
    return originalClick.call(this);
  };
  if (originalShowPicker) {
    inputProto.showPicker = function showPicker() {
      if (isFileInput(this)) watch(this);
      return originalShowPicker.call(this);
    };
  }
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = originalAttachShadow.call(this, init);
    watch(root);
    return root;
  };

  // --- files chosen with showOpenFilePicker (File System Access) ------------------------------
  // The picker returns file handles, not an input. Their files are checked like any other
  // selection, and the page gets only the handles whose files were kept; when none is, the
  // picker ends as a cancelled one does (AbortError).
  const originalOpenFilePicker = globalThis.showOpenFilePicker;
  const getFile = globalThis.FileSystemFileHandle?.prototype.getFile;
  if (originalOpenFilePicker && getFile) {
    globalThis.showOpenFilePicker = async function showOpenFilePicker(...args) {
      const handles = await originalOpenFilePicker.apply(this, args);
      const files = [];
      for (let i = 0; i < handles.length; i++) files[i] = await getFile.call(handles[i]);
      const kept = await checked(files);
      const result = [];
      for (let i = 0; i < handles.length; i++) {
        for (let j = 0; j < kept.length; j++) if (kept[j] === files[i]) { result[result.length] = handles[i]; break; }
      }
      if (!result.length) throw new DOMExceptionCtor('The user aborted a request.', 'AbortError');
      return result;
    };
  }

  // --- the clipboard read by the page -------------------------------------------------------------
  const clipboardProto = globalThis.Clipboard?.prototype;
  if (clipboardProto?.readText) {
    const originalReadText = clipboardProto.readText;
    const originalRead = clipboardProto.read;
    const refused = () => new DOMExceptionCtor('Your company\'s policy (AIGuard) did not release the clipboard content to this page.', 'NotAllowedError');
    // Without a channel nothing is released.
    const check = (text, html) => ask({ type: 'clipboard', text, html }, { deliver: 'none' });

    clipboardProto.readText = async function readText() {
      const text = await originalReadText.call(this);
      if (!text) return text;
      const answer = await check(text, '');
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
        const answer = await check(text, html);
        if (answer.deliver === 'all') return items;
        if (answer.deliver === 'redacted' && ClipboardItemCtor) {
          return [new ClipboardItemCtor({ 'text/plain': new BlobCtor([answer.text ?? ''], { type: 'text/plain' }) })];
        }
        throw refused();
      };
    }
  }
})();
