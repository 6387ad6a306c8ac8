// The composer test page: every kind of editor an AI chat site uses, each with the page-side spy.
// Bundled by ../build.mjs into dist/composer.js; Monaco comes from its prebuilt AMD tree
// (/composer/vs/loader.js runs before this file).
import { EditorState as PMState, Selection as PMSelection } from 'prosemirror-state';
import { EditorView as PMView } from 'prosemirror-view';
import { schema } from 'prosemirror-schema-basic';
import { history as pmHistory, undo as pmUndo, redo as pmRedo } from 'prosemirror-history';
import { keymap as pmKeymap } from 'prosemirror-keymap';
import { baseKeymap } from 'prosemirror-commands';
import { EditorState as CMState } from '@codemirror/state';
import { EditorView as CMView, keymap as cmKeymap } from '@codemirror/view';
import { history as cmHistory, defaultKeymap, historyKeymap } from '@codemirror/commands';
import { installSpy, focusEnd } from './spy.js';

const spy = installSpy();
const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

window.__sent = [];
window.__files = [];
window.__reads = [];
window.__ready = false;

// --- plain elements ---------------------------------------------------------------------------
const ta = $('#ta');
const ce = $('#ce');
const prompt = $('#prompt');
const clip = $('#clip');
spy.watch('ta', ta);
spy.watch('ce', ce);
spy.watch('prompt', prompt);
spy.watch('clip', clip);

// --- shadow DOM (open) ------------------------------------------------------------------------
class ComposerShadow extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<style>:host{display:block} input,textarea{display:block;width:90%;margin:4px 0}</style>'
      + '<input id="si" type="text" placeholder="shadow input"><textarea id="st" rows="2" placeholder="shadow textarea"></textarea>'
      + '<input id="sf" type="file" multiple>';
    // Inside the component, as web components do: `change` does not leave the shadow root.
    const sf = root.getElementById('sf');
    sf.addEventListener('change', () => {
      for (const f of sf.files) window.__files.push({ name: f.name, size: f.size, type: f.type, via: 'shadow' });
    });
  }
}
customElements.define('composer-shadow', ComposerShadow);
const shadowRoot = $('#shadow-host').shadowRoot;
const si = shadowRoot.getElementById('si');
const st = shadowRoot.getElementById('st');
spy.watch('si', si);
spy.watch('st', st);
spy.watch('sf', shadowRoot.getElementById('sf'));

// --- ProseMirror --------------------------------------------------------------------------------
const pmView = new PMView($('#pm'), {
  state: PMState.create({
    schema,
    plugins: [
      pmHistory(),
      pmKeymap({ 'Mod-z': pmUndo, 'Shift-Mod-z': pmRedo, 'Mod-y': pmRedo }),
      pmKeymap(baseKeymap),
    ],
  }),
});
spy.watch('pm', pmView.dom, $('#pm'));

// --- CodeMirror 6 -------------------------------------------------------------------------------
const cmView = new CMView({
  parent: $('#cm'),
  state: CMState.create({
    doc: '',
    extensions: [cmHistory(), cmKeymap.of([...defaultKeymap, ...historyKeymap])],
  }),
});
spy.watch('cm', cmView.contentDOM, $('#cm'));

// --- chat composer ------------------------------------------------------------------------------
const chat = $('#chat');
spy.watch('chat', chat, null, ['submit']);
spy.name('send', $('#send'));
const send = () => {
  const text = prompt.value;
  if (text.trim() === '') return;
  window.__sent.push(text);
  prompt.value = '';
};
prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
chat.addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});

// --- file input ---------------------------------------------------------------------------------
const file = $('#file');
spy.watch('file', file);
file.addEventListener('change', () => {
  for (const f of file.files) window.__files.push({ name: f.name, size: f.size, type: f.type });
});

// A file input the page never attaches, as upload buttons of many chat sites make one: opened
// by click(), and by a synthetic click event.
function openDetachedInput(via, open) {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.addEventListener('change', () => {
    for (const f of input.files) window.__files.push({ name: f.name, size: f.size, type: f.type, via, connected: input.isConnected });
  });
  open(input);
}
$('#pick-detached').addEventListener('click', () => openDetachedInput('detached', (input) => input.click()));
$('#pick-dispatched').addEventListener('click', () => openDetachedInput('dispatched', (input) => input.dispatchEvent(new MouseEvent('click'))));

// A "Paste" button that reads the clipboard itself: no paste event.
const recordRead = (p) => p.then((text) => window.__reads.push({ text }), (e) => window.__reads.push({ error: e.name }));
$('#read-text').addEventListener('click', () => recordRead(navigator.clipboard.readText()));
$('#read-items').addEventListener('click', () => recordRead(navigator.clipboard.read().then(async (items) => {
  const item = items.find((i) => i.types.includes('text/plain'));
  return item ? (await item.getType('text/plain')).text() : '';
})));

// --- Monaco (AMD build, loaded by /composer/vs/loader.js) ---------------------------------------
let monacoEditor = null;
const monacoReady = new Promise((resolve, reject) => {
  const amdRequire = globalThis.require;
  if (typeof amdRequire?.config !== 'function') {
    reject(new Error('the Monaco AMD loader (/composer/vs/loader.js) did not run'));
    return;
  }
  amdRequire.config({ paths: { vs: '/composer/vs' } });
  amdRequire(['vs/editor/editor.main'], () => {
    const options = {
      value: '',
      language: 'plaintext',
      automaticLayout: true,
      minimap: { enabled: false },
      wordWrap: 'on',
      lineNumbers: 'off',
    };
    // ?monacoEditContext=0|1 overrides Monaco's default (EditContext API on Chromium).
    if (params.has('monacoEditContext')) options.editContext = params.get('monacoEditContext') !== '0';
    monacoEditor = globalThis.monaco.editor.create($('#monaco'), options);
    // Watch Monaco's own input element (EditContext div or hidden textarea): Monaco stops the
    // propagation of some events there, so a listener on #monaco alone would miss them.
    const input = $('#monaco').querySelector('.native-edit-context, textarea') ?? $('#monaco');
    spy.watch('monaco', input, $('#monaco'));
    resolve(monacoEditor);
  }, reject);
});

// --- window.__editors ---------------------------------------------------------------------------
const plain = (el) => ({
  value: () => el.value,
  focus: () => focusEnd(el),
  set: (text) => { el.value = text; },
});
const pmText = () => pmView.state.doc.textBetween(0, pmView.state.doc.content.size, '\n');
const adapters = {
  ta: plain(ta),
  prompt: plain(prompt),
  si: plain(si),
  st: plain(st),
  clip: plain(clip),
  ce: {
    value: () => ce.innerText,
    focus: () => focusEnd(ce),
    set: (text) => { ce.innerText = text; },
  },
  pm: {
    value: pmText,
    focus: () => {
      pmView.focus();
      const { state } = pmView;
      pmView.dispatch(state.tr.setSelection(PMSelection.atEnd(state.doc)));
    },
    set: (text) => {
      const { state } = pmView;
      const paragraphs = text.split('\n').map((line) => schema.node('paragraph', null, line ? [schema.text(line)] : []));
      pmView.dispatch(state.tr.replaceWith(0, state.doc.content.size, paragraphs));
    },
  },
  cm: {
    value: () => cmView.state.doc.toString(),
    focus: () => {
      cmView.focus();
      cmView.dispatch({ selection: { anchor: cmView.state.doc.length } });
    },
    set: (text) => cmView.dispatch({ changes: { from: 0, to: cmView.state.doc.length, insert: text } }),
  },
  monaco: {
    value: () => monacoEditor?.getValue() ?? null,
    focus: () => {
      monacoEditor.focus();
      const model = monacoEditor.getModel();
      const line = model.getLineCount();
      monacoEditor.setPosition({ lineNumber: line, column: model.getLineMaxColumn(line) });
    },
    set: (text) => monacoEditor.setValue(text),
  },
};
const adapter = (name) => {
  const a = adapters[name];
  if (!a) throw new Error(`unknown editor ${name}; known: ${Object.keys(adapters).join(', ')}`);
  return a;
};
window.__editors = {
  names: ['ta', 'ce', 'pm', 'cm', 'monaco', 'si', 'st', 'prompt'],
  value: (name) => adapter(name).value(),
  focus: (name) => adapter(name).focus(),
  set: (name, text) => adapter(name).set(text),
  // The editor objects themselves, for tests that need more than the above.
  views: { pm: pmView, cm: cmView, get monaco() { return monacoEditor; } },
};

// --- frames: each answers a ping once its own script ran ---------------------------------------
const frameIds = ['f-same', 'f-cross', 'f-srcdoc'];
const framesReady = new Map();
window.__frames = {};
const allFramesReady = new Promise((resolve) => {
  window.addEventListener('message', (e) => {
    if (e.data?.composer !== 'frame-ready') return;
    const id = frameIds.find((fid) => $(`#${fid}`).contentWindow === e.source);
    if (!id || framesReady.has(id)) return;
    framesReady.set(id, e.data);
    window.__frames[id] = { kind: e.data.kind, href: e.data.href };
    if (framesReady.size === frameIds.length) resolve();
  });
});
const ping = () => {
  for (const id of frameIds) if (!framesReady.has(id)) $(`#${id}`).contentWindow?.postMessage({ composer: 'ping' }, '*');
};
for (const id of frameIds) $(`#${id}`).addEventListener('load', ping);
ping();
const pinger = setInterval(ping, 250);

Promise.all([monacoReady, allFramesReady]).then(() => {
  clearInterval(pinger);
  window.__ready = true;
  document.documentElement.dataset.ready = 'true';
}, (err) => {
  window.__errors.push(`composer init failed: ${err?.stack ?? err}`);
  document.documentElement.dataset.ready = 'failed';
});
