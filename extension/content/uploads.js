// File selections. The employee's selection in an input the window sees is held at its first
// event (`input`, composed, fires before `change`): its files are taken out of the input, so the
// page finds nothing there while they are checked, flagged files are dropped, and the rest are
// put back with the input and change events re-dispatched. Selections the window does not see
// (inputs the page never attached, inputs inside shadow roots, showOpenFilePicker()) come from
// page-world.js over the channel with their files, and the answer says which to keep.
// Collaborators: page-world.js, core.js, editing.js, scope.js (check, fileParts), dialog.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, onPageMessage, inScope, check, fileParts, decide, failClosed, deepTarget, replay } = ns;

  // The indices of `files` that may go in; shows the dialog when the engine flags any.
  async function keptOf(files) {
    const all = files.map((_, i) => i);
    const verdict = await check('upload', await fileParts(files));
    if (verdict?.action === 'allow') return all;
    const { choice } = await decide('upload', verdict);
    if (choice === 'proceed') return all;
    if (!verdict) return [];
    const flagged = new Set(verdict.findings.filter((f) => f.action !== 'allow').map((f) => f.part));
    return all.filter((i) => !flagged.has(i) && verdict.parts[i]?.action === 'allow');
  }

  // --- inputs the window sees ---------------------------------------------------------------------
  const held = new WeakMap(); // input -> the number of the selection being checked
  let selections = 0;
  const watchedRoots = new WeakSet();

  function hold(input) {
    const files = [...input.files];
    const mine = ++selections;
    held.set(input, mine);
    input.files = new DataTransfer().files; // out of the page's reach while checked
    const done = () => { if (held.get(input) === mine) held.delete(input); };
    failClosed('upload', (async () => {
      let keep;
      try {
        keep = await keptOf(files);
      } finally {
        done();
      }
      if (held.has(input) || !keep.length) return; // picked again meanwhile, or nothing may go
      const transfer = new DataTransfer();
      for (const i of keep) transfer.items.add(files[i]);
      input.files = transfer.files;
      replay(input, new Event('input', { bubbles: true, composed: true }));
      replay(input, new Event('change', { bubbles: true }));
    })(), done);
  }

  const fileInputOf = (e) => {
    const input = deepTarget(e);
    return input instanceof HTMLInputElement && input.type === 'file' ? input : null;
  };

  for (const type of ['input', 'change']) {
    on(type, (e) => {
      const input = fileInputOf(e);
      if (!input || !e.isTrusted) return; // the page's own events carry the page's own files
      if (held.has(input)) return e.stopImmediatePropagation(); // the second event of a held selection
      if (!inScope() || !input.files?.length) return;
      e.stopImmediatePropagation();
      // Inside a shadow root `change` stays in the root: stop it there too.
      const root = input.getRootNode();
      if (root instanceof ShadowRoot && !watchedRoots.has(root)) {
        watchedRoots.add(root);
        root.addEventListener('change', (c) => {
          if (c.isTrusted && held.has(c.composedPath()[0])) c.stopImmediatePropagation();
        }, true);
      }
      hold(input);
    });
  }

  // --- selections page-world.js hands over ----------------------------------------------------------
  onPageMessage('upload', async ({ files }) => {
    const list = Array.isArray(files) ? files.filter((f) => f instanceof File) : [];
    if (!list.length || !inScope()) return { keep: list.map((_, i) => i) };
    try {
      return { keep: await keptOf(list) };
    } catch (err) {
      failClosed('upload', Promise.reject(err));
      return { keep: [] };
    }
  });
})();
