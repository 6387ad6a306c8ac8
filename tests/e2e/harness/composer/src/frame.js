// Script of /composer/frame and of the srcdoc frame: a textarea and a contenteditable with the spy.
import { installSpy, focusEnd, announceFrame } from './spy.js';

const spy = installSpy();
const ta = document.getElementById('ta');
const ce = document.getElementById('ce');
spy.watch('ta', ta);
if (ce) spy.watch('ce', ce);

const adapters = {
  ta: { value: () => ta.value, focus: () => focusEnd(ta), set: (t) => { ta.value = t; } },
  ...(ce ? { ce: { value: () => ce.innerText, focus: () => focusEnd(ce), set: (t) => { ce.innerText = t; } } } : {}),
};
const adapter = (name) => {
  const a = adapters[name];
  if (!a) throw new Error(`unknown editor ${name}; known: ${Object.keys(adapters).join(', ')}`);
  return a;
};
window.__sent = [];
window.__files = [];
window.__editors = {
  names: Object.keys(adapters),
  value: (name) => adapter(name).value(),
  focus: (name) => adapter(name).focus(),
  set: (name, text) => adapter(name).set(text),
};
window.__ready = true;
document.documentElement.dataset.ready = 'true';
announceFrame(location.protocol === 'about:' ? 'srcdoc' : 'frame');
