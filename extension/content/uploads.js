// File selections. `input` (composed) fires before `change` (not composed); both are held until
// the files are checked, flagged files are removed from the input, and the events are
// re-dispatched. Selections whose events never reach the window (inputs the page never
// attached, inputs inside shadow roots, showOpenFilePicker()) come from page-world.js as
// `aiguard-upload`, and go back to it with `aiguard-upload-done`, after which it fires the
// page's events.
// Collaborators: page-world.js, core.js, editing.js, scope.js (check, fileParts), dialog.js.
'use strict';

(() => {
  const ns = aiguardContent;
  const { on, inScope, check, fileParts, decide, failClosed, deepTarget, shadowOf, replay, isReplay } = ns;

  const heldInputs = new WeakSet();
  const handedOver = new WeakSet();
  const watchedRoots = new WeakSet();
  let releasing = null; // the input being handed back: what the page is sent meanwhile is not new
  const sameSelection = (a, b) => a.length === b.length && a.every((f, i) => f === b[i]
    || (f.name === b[i].name && f.size === b[i].size && f.lastModified === b[i].lastModified));

  // Hands the checked selection to the page.
  function release(input, withEvents) {
    if (handedOver.has(input)) {
      handedOver.delete(input);
      releasing = input;
      try {
        input.dispatchEvent(new Event('aiguard-upload-done'));
      } finally {
        releasing = null;
      }
    } else if (withEvents) {
      replay(input, new Event('input', { bubbles: true, composed: true }));
      replay(input, new Event('change', { bubbles: true }));
    }
  }

  async function checkFileInput(input) {
    const files = [...input.files];
    let keep = files;
    try {
      const verdict = await check('upload', await fileParts(files));
      if (!verdict || verdict.action !== 'allow') {
        const { choice } = await decide('upload', verdict);
        if (choice !== 'proceed') {
          const flagged = new Set((verdict?.findings ?? []).filter((f) => f.action !== 'allow').map((f) => f.part));
          keep = verdict ? files.filter((_, i) => !flagged.has(i) && verdict.parts[i]?.action === 'allow') : [];
        }
      }
    } finally {
      heldInputs.delete(input);
    }
    // Picked again while this selection was being checked: check what is there now.
    if (!sameSelection([...input.files], files)) {
      heldInputs.add(input);
      return checkFileInput(input);
    }
    if (keep.length === files.length) {
      // Nothing removed: the page gets the selection as made.
    } else if (keep.length) {
      const dt = new DataTransfer();
      for (const f of keep) dt.items.add(f);
      input.files = dt.files;
    } else {
      input.value = '';
      release(input, false);
      return;
    }
    release(input, true);
  }

  function holdFileInput(input) {
    if (heldInputs.has(input)) return;
    heldInputs.add(input);
    failClosed('upload', checkFileInput(input), () => {
      input.value = '';
      heldInputs.delete(input);
      release(input, false);
    });
  }

  const fileInputOf = (e) => {
    const input = deepTarget(e);
    return input instanceof HTMLInputElement && input.type === 'file' ? input : null;
  };

  for (const type of ['input', 'change']) {
    on(type, (e) => {
      const input = fileInputOf(e);
      if (!input || isReplay(e) || input === releasing || !inScope() || !input.files?.length) return;
      e.stopImmediatePropagation();
      // A shadow root page-world.js did not see being made (declarative shadow DOM): its
      // `change` stays inside, so stop it there.
      const root = input.getRootNode();
      if (root instanceof ShadowRoot && !watchedRoots.has(root)) {
        watchedRoots.add(root);
        root.addEventListener('change', (c) => {
          if (!isReplay(c) && heldInputs.has(c.composedPath()[0])) c.stopImmediatePropagation();
        }, true);
      }
      holdFileInput(input);
    });
  }

  // The marked input under `node`, through open and closed shadow roots.
  function markedInput(node) {
    const root = node instanceof Element ? shadowOf(node) : null;
    if (!root) return null;
    const found = root.querySelector('input[type=file][data-aiguard-upload]');
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      const inner = markedInput(el);
      if (inner) return inner;
    }
    return null;
  }

  on('aiguard-upload', (e) => {
    // From inside a closed shadow root the event shows only the host.
    const input = markedInput(e.composedPath()[0]) ?? fileInputOf(e);
    if (!(input instanceof HTMLInputElement) || input.type !== 'file') return;
    e.stopImmediatePropagation();
    handedOver.add(input);
    if (!inScope() || !input.files?.length) release(input, true);
    else holdFileInput(input);
  });
})();
