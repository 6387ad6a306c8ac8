// The dialog an employee sees when content is stopped at the page's door. It lives in a closed
// shadow root (page CSS can't restyle it, page scripts can't read it) and is a modal <dialog>:
// the browser makes the rest of the page inert, traps focus and turns Esc into "cancel".
// Loaded after shared/runtime.js and before core.js (manifest order); exposes `aiguardOverlay`.
'use strict';

var aiguardOverlay = (() => {
  const { t, preload, uiLanguage } = aiguardRuntime;

  const CSS = `
    :host { all: initial !important; }
    dialog { --bg:#ffffff; --fg:#0f172a; --muted:#475569; --accent:#1e3a8a; --warn:#b45309; --block:#b91c1c; --chip:#f1f5f9;
      color-scheme: light; max-width: min(560px, calc(100vw - 32px)); width: 100%; box-sizing: border-box; padding: 24px;
      border: 0; border-top: 6px solid var(--warn); border-radius: 12px; background: var(--bg); color: var(--fg);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
      box-shadow: 0 8px 40px rgb(0 0 0 / 35%); text-align: start; }
    @media (prefers-color-scheme: dark) { dialog { --bg:#111827; --fg:#e5e7eb; --muted:#9ca3af; --accent:#93c5fd; --chip:#1f2937; --block:#f87171; color-scheme: dark; } }
    dialog.block { border-top-color: var(--block); }
    dialog::backdrop { background: rgb(15 23 42 / 55%); }
    h2 { font-size: 18px; margin: 0 0 8px; font-weight: 700; }
    p { margin: 0 0 12px; }
    ul { list-style: none; margin: 0 0 12px; padding: 0; max-height: 40vh; overflow: auto; }
    li { background: var(--chip); border-radius: 8px; padding: 8px 10px; margin-bottom: 6px; }
    .what { font-weight: 600; }
    .rule, .excerpt { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
    .rule { color: var(--muted); }
    label { display: block; font-weight: 600; margin-top: 8px; }
    textarea { display: block; width: 100%; box-sizing: border-box; min-height: 64px; margin-top: 4px; padding: 8px; font: inherit;
      border-radius: 6px; border: 1px solid var(--muted); background: transparent; color: inherit; }
    .error { color: var(--block); min-height: 1.4em; margin: 4px 0 0; }
    .actions { display: flex; flex-wrap: wrap; gap: 10px; justify-content: flex-end; margin-top: 16px; }
    button { font: inherit; padding: 8px 16px; border-radius: 8px; border: 1px solid var(--accent); background: transparent; color: var(--fg); cursor: pointer; }
    button.primary { background: var(--accent); color: var(--bg); }
    button:focus-visible, textarea:focus-visible { outline: 3px solid #b45309; outline-offset: 2px; }
    @media (prefers-color-scheme: dark) { button:focus-visible, textarea:focus-visible { outline-color: #fbbf24; } }
    .brand { color: var(--muted); font-size: 12px; margin: 12px 0 0; }`;

  const hosts = new WeakSet();
  const DETECTOR_KEY = { secret: 'findingSecret', fingerprint: 'findingCode', marker: 'findingMarker' };
  const KINDS = ['paste', 'drop', 'prompt', 'typing', 'upload', 'address'];
  // How a finding was disguised (the engine's `normalise` module), named beside its rule.
  const DISGUISES = ['unicode', 'concatenated', 'spaced', 'base64', 'hex', 'percent'];
  // Everything the dialog may say, read now: after an update of the extension under this page
  // the locale files can no longer be read, and the dialog must still say why.
  preload([
    ...Object.values(DETECTOR_KEY), 'findingUnscannable', ...DISGUISES.map((d) => 'disguise_' + d), 'codeCoverage', 'codeLines', 'codeLine', 'contentUnavailableTitle', 'contentUnavailable', 'contentContextLost',
    'blockedExplain', 'warnedExplain', 'findingsLabel', 'justificationPlaceholder', 'contentJustificationRequired',
    'contentJustificationOptional', 'contentJustificationMissing', 'brand', 'ok', 'cancel',
    ...KINDS.flatMap((k) => ['blocked', 'warned', 'redacted', 'anyway'].map((w) => w + k[0].toUpperCase() + k.slice(1))),
  ]);
  uiLanguage();

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  function findingItem(f, part) {
    const li = el('li');
    // A file that could not be read (whole or in part): its rule is the reason.
    const what = f.detector === 'unscannable' ? 'findingUnscannable' : DETECTOR_KEY[f.detector] ?? 'findingMarker';
    li.append(el('div', { class: 'what', text: t(what) }));
    const disguise = f.disguise ? ` · ${t('disguise_' + f.disguise)}` : '';
    // The file, and the entry of a container (a zip, an Office document) the finding is in.
    const where = [part?.name, f.entry].filter(Boolean).join(' › ');
    li.append(el('div', { class: 'rule', text: (where ? `${f.rule} · ${where}` : f.rule) + disguise }));
    // Which lines of the paste (or of the file) are the company's code: every match's.
    for (const { first, last } of f.detector === 'fingerprint' ? f.allLines ?? [] : []) {
      li.append(el('div', { text: first === last ? t('codeLine', [String(first)]) : t('codeLines', [String(first), String(last)]) }));
    }
    if (f.detector === 'fingerprint' && part) {
      li.append(el('div', { text: t('codeCoverage', [String(Math.max(1, Math.round(part.codeCoverage * 100)))]) }));
    } else if (f.excerpt) {
      li.append(el('div', { class: 'excerpt', text: f.excerpt }));
    }
    return li;
  }

  // At most one finding per (detector, rule, part) is listed: a paste with forty keys of one
  // kind says so once. The company-code one lists the lines of every match (at most five).
  function distinctFindings(verdict) {
    const seen = new Map();
    const kept = [];
    for (const f of verdict.findings.filter((x) => x.action !== 'allow')) {
      const key = `${f.detector}\u0000${f.rule}\u0000${f.part}\u0000${f.entry ?? ''}`;
      let first = seen.get(key);
      if (!first) {
        first = { ...f, allLines: [] };
        seen.set(key, first);
        kept.push(first);
      }
      if (f.lines && first.allLines.length < 5) first.allLines.push(f.lines);
    }
    return kept;
  }

  // Shows the verdict; resolves to {choice: 'ok'|'cancel'|'proceed'|'redact', justification}.
  // `kind` is paste, drop, prompt, typing, upload or address (the warn page's check of what an
  // address carries). `unavailable` is set when the content could not be
  // checked: `contextLost` says it is because the extension was updated or reloaded under the
  // page (which a reload of the page mends).
  function show({ kind, verdict, unavailable = false, contextLost = false }) {
    kind = KINDS.includes(kind) ? kind : 'paste';
    const Kind = kind[0].toUpperCase() + kind.slice(1);
    const blocking = unavailable || verdict.action === 'block';
    const host = document.createElement('aiguard-dialog');
    hosts.add(host);
    host.setAttribute('style', 'all: initial !important; position: fixed !important; inset: 0 auto auto 0 !important; width: 0 !important; height: 0 !important;');
    const root = host.attachShadow({ mode: 'closed' });
    root.append(el('style', { text: CSS }));
    const titleId = 'aiguard-title', bodyId = 'aiguard-body';
    const dialog = el('dialog', { class: blocking ? 'block' : 'warn', 'aria-labelledby': titleId, 'aria-describedby': bodyId });
    root.append(dialog);
    dialog.lang = uiLanguage();

    const title = unavailable ? t('contentUnavailableTitle') : t(blocking ? `blocked${Kind}` : `warned${Kind}`);
    dialog.append(el('h2', { id: titleId, text: title }));
    const body = el('div', { id: bodyId });
    dialog.append(body);
    if (unavailable) {
      body.append(el('p', { text: t(contextLost ? 'contentContextLost' : 'contentUnavailable') }));
    } else {
      body.append(el('p', { text: t(blocking ? 'blockedExplain' : 'warnedExplain') }));
      const list = el('ul', { 'aria-label': t('findingsLabel') });
      for (const f of distinctFindings(verdict)) list.append(findingItem(f, verdict.parts[f.part]));
      body.append(list);
    }

    let justification = null, error = null;
    const needsWhy = !blocking && verdict.justification !== 'none';
    if (needsWhy) {
      const required = verdict.justification === 'required';
      justification = el('textarea', { id: 'aiguard-why', placeholder: t('justificationPlaceholder') });
      if (required) justification.setAttribute('aria-required', 'true');
      dialog.append(el('label', { for: 'aiguard-why', text: t(required ? 'contentJustificationRequired' : 'contentJustificationOptional') }), justification);
      error = el('p', { class: 'error', role: 'alert' });
      dialog.append(error);
    }

    const actions = el('div', { class: 'actions' });
    dialog.append(actions, el('p', { class: 'brand', text: t('brand') }));
    return new Promise((resolve) => {
      let settled = false;
      let keeper = null;
      const done = (choice) => {
        if (settled) return;
        settled = true;
        keeper?.disconnect();
        dialog.close();
        host.remove();
        resolve({ choice, justification: justification?.value.trim() || null });
      };
      const button = (label, choice, primary = false) => {
        const b = el('button', { type: 'button', class: primary ? 'primary' : '', text: label });
        b.addEventListener('click', () => {
          if ((choice === 'proceed' || choice === 'redact') && verdict.justification === 'required' && !justification.value.trim()) {
            error.textContent = t('contentJustificationMissing');
            justification.focus();
            return;
          }
          done(choice);
        });
        actions.append(b);
        return b;
      };
      let focusFirst;
      if (blocking) {
        focusFirst = button(t('ok'), 'ok', true);
      } else {
        focusFirst = button(t('cancel'), 'cancel', true);
        // A prompt stays in the composer for the employee to edit; files are not rewritten.
        if (verdict.redactable && (kind === 'paste' || kind === 'drop')) button(t(`redacted${Kind}`), 'redact');
        button(t(`anyway${Kind}`), 'proceed');
      }
      // Esc: the browser fires "cancel" on a modal dialog; that is the safe choice.
      dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(blocking ? 'ok' : 'cancel'); });
      // Keys typed in the dialog are ours, not the page's editor's.
      for (const type of ['keydown', 'keyup', 'keypress', 'paste', 'input', 'beforeinput']) {
        dialog.addEventListener(type, (e) => { if (e.key !== 'Escape') e.stopPropagation(); });
      }
      // Outside <body>: in an iframe editor the body is the user's document, and modal
      // libraries hide what is added under it. A page that removes the dialog gets it back.
      document.documentElement.append(host);
      dialog.showModal();
      focusFirst.focus();
      keeper = new MutationObserver(() => {
        if (!settled && !host.isConnected) {
          document.documentElement.append(host);
          // Removal took it out of the top layer but left it "open": close, then show again.
          dialog.close();
          dialog.showModal();
          focusFirst.focus();
        }
      });
      keeper.observe(document, { childList: true, subtree: true });
    });
  }

  return { show, owns: (node) => hosts.has(node) };
})();
