// Content stopped at the page's door in Firefox ESR with the built add-on, over WebDriver: real
// clipboard (Ctrl+C / Ctrl+V key presses) into a textarea, ProseMirror and CodeMirror on an AI
// site under a strict CSP, and a typed secret followed by Enter. The dialog is in a closed
// shadow root that page scripts can't read; the tests assert what reaches the page, and read the
// dialog's text through WebDriver where what it names matters.
// Also the page reading the clipboard itself, and a page whose CSP lets the engine run in it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSites } from './harness/sites.mjs';
import { startProxy } from './harness/proxy.mjs';
import { launchFirefox, waitFor } from './harness/firefox.mjs';
import { buildComposerBundle } from './harness/composer.mjs';
import { ENV, utf16le, zip } from '../fixtures/files.mjs';

const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const MARKER_TEXT = 'Roadmap — ACME CONFIDENTIAL — do not forward';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'approved', action: 'allow', patterns: ['claude.ai'] },
    // An extension page the tests can reach to read the background's counters.
    { id: 'diagnostics', action: 'block', patterns: ['blocked.example'] },
  ],
  content: {
    secrets: { action: 'warn' },
    markers: [{ id: 'acme-confidential', action: 'block', terms: ['ACME CONFIDENTIAL'] }],
    // With markers, the engine runs in pages only when the policy says so.
    engineInPage: 'allow',
  },
};

let sites, proxy, ff;
before(async () => {
  await buildComposerBundle();
  sites = await startSites();
  proxy = await startProxy(sites);
  ff = await launchFirefox({ proxyPort: proxy.port });
  // WebDriver may not open extension pages directly; the built-in policy's warn page is one.
  await ff.navigate('https://chatgpt.com/').catch(() => {});
  await waitFor(async () => (await ff.url()).startsWith(ff.extensionBase), 'the warn page');
  const saved = await waitFor(() => ff.execAsync(`
    const [text, done] = arguments;
    if (document.readyState !== 'complete' || typeof browser === 'undefined') return done(null);
    browser.runtime.sendMessage({ type: 'savePolicy', text }).then(done, (e) => done({ error: String(e) }));`, [JSON.stringify(POLICY)]), 'policy saved');
  assert.equal(saved.source, 'local', JSON.stringify(saved));
  await ff.navigate('https://claude.ai/composer?csp=strict');
  await waitFor(() => ff.exec('return window.__ready === true'), 'the composer page', 40_000);
});
after(async () => {
  await ff?.close();
  await proxy?.close();
  await sites?.close();
});

const value = (name) => ff.exec('return window.__editors.value(arguments[0])', [name]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dialogOpen = () => ff.exec('return document.querySelector("aiguard-dialog") !== null');
const pageSaw = async () => JSON.stringify(await ff.exec('return window.__spy'));

// Puts text on the real clipboard by selecting it in the page's #clip box and pressing Ctrl+C.
async function copy(text) {
  await ff.exec('window.__editors.set("clip", arguments[0]); const c = document.getElementById("clip"); c.focus(); c.select();', [text]);
  await ff.press('Control', 'c');
}

async function pasteInto(name) {
  await ff.exec('window.__spyClear(); window.__editors.focus(arguments[0]);', [name]);
  await ff.press('Control', 'v');
}

for (const name of ['ta', 'pm', 'cm', 'monaco']) {
  test(`${name}: a clean paste arrives intact`, async () => {
    await ff.exec('window.__editors.set(arguments[0], "")', [name]);
    const text = `clean paste for ${name}`;
    await copy(text);
    await pasteInto(name);
    await waitFor(async () => (await value(name)) === text, `${name} holds the paste`);
  });

  test(`${name}: a paste with a confidential marker never reaches the page`, async () => {
    await ff.exec('window.__editors.set(arguments[0], "before")', [name]);
    await copy(MARKER_TEXT);
    await pasteInto(name);
    await waitFor(dialogOpen, 'the dialog');
    await ff.press('Enter'); // OK
    await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
    await sleep(100);
    assert.equal(await value(name), 'before');
    assert.ok(!(await pageSaw()).includes('ACME'), 'no page listener saw the content');
  });
}

for (const id of ['f-same', 'f-cross', 'f-srcdoc']) {
  test(`iframe #${id}: a clean paste arrives, a flagged one does not`, async () => {
    for (const [text, arrives] of [[`clean in ${id}`, true], [MARKER_TEXT, false]]) {
      await copy(text);
      await ff.frame(`#${id}`);
      try {
        await ff.exec('window.__editors.set("ta", "before"); window.__editors.focus("ta");');
        await ff.press('Control', 'a');
        await ff.press('Control', 'v');
        if (arrives) {
          await waitFor(async () => (await value('ta')) === text, `the frame's textarea holds the paste`);
        } else {
          // The frame (110 px high) is too small for the dialog: the top frame shows it.
          await ff.frame(null);
          await waitFor(dialogOpen, 'the dialog in the top frame');
          await ff.frame(`#${id}`);
          assert.equal(await dialogOpen(), false, 'no dialog in the frame');
          await ff.frame(null);
          await ff.press('Enter'); // OK
          await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
          await ff.frame(`#${id}`);
          await sleep(100);
          assert.equal(await value('ta'), 'before');
          // The caret is back in the frame's textarea.
          await ff.press('End');
          await ff.type('Z');
          await waitFor(async () => (await value('ta')) === 'beforeZ', 'typing goes on in the frame');
        }
      } finally {
        await ff.frame(null);
      }
    }
  });
}

for (const [name, label] of [['ta', 'a textarea'], ['pm', 'ProseMirror']]) {
  test(`a secret paste into ${label}: "Paste with secrets redacted" puts the redacted text in its model`, async () => {
    await ff.exec('window.__editors.set(arguments[0], "")', [name]);
    await copy(`key ${SECRET} here`);
    await pasteInto(name);
    await waitFor(dialogOpen, 'the dialog');
    await ff.press('Tab'); // Cancel → "Paste with secrets redacted"
    await ff.press('Enter');
    await waitFor(async () => (await value(name)) === 'key [REDACTED aws-access-key-id] here', 'the redacted paste');
    assert.ok(!(await pageSaw()).includes(SECRET));
  });
}

test('typing: the keystroke that would complete a secret is stopped, and the editor goes on taking keys', async () => {
  for (const name of ['ta', 'pm']) {
    await ff.exec('window.__editors.set(arguments[0], ""); window.__editors.focus(arguments[0]);', [name]);
    await ff.type(`my key is ${SECRET}`);
    await waitFor(dialogOpen, 'the dialog');
    await ff.press('Escape');
    await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
    assert.equal((await value(name)).trim(), `my key is ${SECRET.slice(0, -1)}`, name);
    await ff.type('!');
    await waitFor(async () => (await value(name)).trim() === `my key is ${SECRET.slice(0, -1)}!`, `${name} takes the next key`);
  }
});

test('a secret in the composer followed by Enter is not sent; a clean prompt is', async () => {
  // Put there by the page itself (no keystroke of the employee's to stop): the send is held.
  await ff.exec('window.__sent.length = 0; window.__editors.set("prompt", arguments[0]); window.__spyClear(); window.__editors.focus("prompt");', [`my key is ${SECRET}`]);
  await ff.press('Enter');
  await waitFor(dialogOpen, 'the dialog');
  await ff.press('Escape');
  await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
  assert.deepEqual(await ff.exec('return window.__sent'), []);
  assert.equal(await value('prompt'), `my key is ${SECRET}`);

  await ff.exec('window.__editors.set("prompt", ""); window.__editors.focus("prompt");');
  await ff.type('what is a monad?');
  await ff.press('Enter');
  await waitFor(async () => (await ff.exec('return window.__sent')).length === 1, 'the clean prompt is sent');
  assert.deepEqual(await ff.exec('return window.__sent'), ['what is a monad?']);
});

test('file input: a flagged file is removed before the page sees it; a clean one passes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aiguard-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const notes = join(dir, 'notes.txt'), env = join(dir, 'prod.env');
  writeFileSync(notes, 'meeting notes\n');
  writeFileSync(env, `AWS_ACCESS_KEY_ID=${SECRET}\n`);
  await ff.exec('window.__files.length = 0; window.__spyClear();');
  await ff.chooseFiles('#file', [notes, env]);
  await waitFor(dialogOpen, 'the dialog');
  await ff.press('Enter'); // Cancel: the flagged file goes
  await waitFor(async () => (await ff.exec('return window.__files')).length > 0, 'the page sees the clean file');
  assert.deepEqual((await ff.exec('return window.__files')).map((f) => f.name), ['notes.txt']);
  assert.deepEqual(await ff.exec('return [...document.getElementById("file").files].map((f) => f.name)'), ['notes.txt']);

  // The same inside a shadow root, whose `change` never reaches a window listener.
  await ff.exec('window.__files.length = 0;');
  await ff.chooseFiles('#sf', [notes, env], '#shadow-host');
  await waitFor(dialogOpen, 'the dialog for the shadow-root input');
  await ff.press('Enter');
  await waitFor(async () => (await ff.exec('return window.__files')).length > 0, 'the component sees the clean file');
  assert.deepEqual((await ff.exec('return window.__files')).map((f) => [f.name, f.via]), [['notes.txt', 'shadow']]);
});

// Files that are not plain UTF-8 text go through the file decoders module, which the background
// compiles for the first of them (the page's CSP forbids wasm: the background judges files).
test('file input: a UTF-16 .env and a zip holding a .env are read by the file decoders and stopped, the dialog naming the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aiguard-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = [
    ['prod-utf16.env', utf16le(ENV), 'prod-utf16.env'],
    ['bundle.zip', zip([{ name: 'readme.txt', data: 'deployment bundle\n' }, { name: 'config/.env', data: ENV }]), 'bundle.zip › config/.env'],
  ];
  for (const [name, bytes, where] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    // WebDriver adds to a multiple input's selection; the file the last test left selected is
    // gone from disk with its folder.
    await ff.exec('window.__files.length = 0; window.__spyClear(); document.getElementById("file").value = "";');
    await ff.chooseFiles('#file', [path]);
    const text = await waitFor(() => ff.dialogText(), `the dialog for ${name}`, 20_000);
    assert.ok(text.includes(`aws-access-key-id · ${where}`), text);
    assert.ok(!text.includes(SECRET), 'the dialog shows a masked excerpt only');
    await ff.press('Enter'); // Cancel: the file goes
    await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
    await sleep(300);
    assert.deepEqual(await ff.exec('return window.__files'), [], `${name} reached the page`);
    assert.equal(await ff.exec('return document.getElementById("file").files.length'), 0);
  }
});

test('the page reading the clipboard itself: clean text passes, a secret waits for the dialog', async () => {
  await ff.navigate('https://claude.ai/composer?csp=strict');
  await waitFor(() => ff.exec('return window.__ready === true'), 'the composer page', 40_000);
  const reads = () => ff.exec('return window.__reads');
  await copy('clean clipboard text');
  await ff.exec('window.__reads.length = 0; document.getElementById("read-text").click()');
  await waitFor(async () => (await reads()).length === 1, 'readText settles');
  assert.deepEqual(await reads(), [{ text: 'clean clipboard text' }]);
  assert.equal(await dialogOpen(), false);

  await copy(`export AWS_ACCESS_KEY_ID=${SECRET}`);
  const redacted = 'export AWS_ACCESS_KEY_ID=[REDACTED aws-access-key-id]';
  for (const [button, keys, want] of [
    ['read-text', ['Enter'], { error: 'NotAllowedError' }], // Cancel
    ['read-items', ['Tab', 'Enter'], { text: redacted }], // "Paste with secrets redacted"
  ]) {
    const n = (await reads()).length;
    await ff.exec('document.getElementById(arguments[0]).click()', [button]);
    await waitFor(dialogOpen, 'the dialog');
    assert.equal((await reads()).length, n, 'nothing settles while the dialog is open');
    for (const key of keys) await ff.press(key);
    await waitFor(async () => (await reads()).length === n + 1, `${button} settles`);
    assert.deepEqual((await reads())[n], want);
  }
  assert.ok(!JSON.stringify(await reads()).includes(SECRET));
});

// The background's counters, read from an extension page (the block page of a rule kept for
// this) in a tab of its own, so the page under test stays as it is.
async function backgroundDiagnostics() {
  const pageTab = await ff.window();
  const tab = await ff.newTab();
  try {
    await ff.switchTo(tab);
    await ff.navigate('https://blocked.example/').catch(() => {});
    await waitFor(async () => (await ff.url()).startsWith(ff.extensionBase), 'the block page');
    const status = await waitFor(() => ff.execAsync(`
      const [done] = arguments;
      if (document.readyState !== 'complete' || typeof browser === 'undefined') return done(null);
      browser.runtime.sendMessage({ type: 'status' }).then(done, (e) => done({ error: String(e) }));`), 'the status');
    return status.diagnostics;
  } finally {
    await ff.exec('window.close()');
    await ff.switchTo(pageTab);
  }
}

for (const csp of ['permissive', 'wasm']) test(`a page whose CSP allows wasm (csp=${csp}): content is checked by the engine in the page`, async () => {
  const before = await backgroundDiagnostics();
  await ff.navigate(`https://claude.ai/composer?csp=${csp}`);
  await waitFor(() => ff.exec('return window.__ready === true'), 'the composer page', 40_000);
  // On a timeout, the background's own account (engines refused, the last load error) says why.
  let seen = before;
  await waitFor(async () => (seen = await backgroundDiagnostics()).pageEngines > before.pageEngines, 'the engine in the page', 30_000)
    .catch((e) => { throw new Error(`${e.message}; background: ${JSON.stringify(seen)}`); });
  const checks = (await backgroundDiagnostics()).contentChecks;
  await ff.exec('window.__editors.set("ta", "")');
  await copy('clean text, checked in the page');
  await pasteInto('ta');
  await waitFor(async () => (await value('ta')) === 'clean text, checked in the page', 'the clean paste');
  await copy(MARKER_TEXT);
  await pasteInto('ta');
  await waitFor(dialogOpen, 'the dialog');
  await ff.press('Enter'); // OK
  await waitFor(async () => !(await dialogOpen()), 'the dialog to close');
  assert.equal(await value('ta'), 'clean text, checked in the page');
  assert.ok(!(await pageSaw()).includes('ACME'));
  assert.equal((await backgroundDiagnostics()).contentChecks, checks, 'no paste went to the background');
  assert.deepEqual(await ff.exec('return window.__cspViolations'), []);
});


// The page as an adversary (SECURITY.md; the Chromium suite has the full set).
for (const csp of ['permissive', 'strict']) test(`a hostile page (csp=${csp}): its synthetic paste, drop, Enter, submission and editing command pass untouched, with no dialog`, async () => {
  await ff.navigate(`https://claude.ai/hostile${csp === 'strict' ? '?csp=strict' : ''}`);
  await waitFor(() => ff.exec('return Array.isArray(window.__seen)'), 'the hostile page');
  await ff.exec(`
    const text = arguments[0];
    const ta = document.getElementById('ta');
    const data = () => { const d = new DataTransfer(); d.setData('text/plain', text); return d; };
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data(), bubbles: true, cancelable: true }));
    ta.dispatchEvent(new DragEvent('drop', { dataTransfer: data(), bubbles: true, cancelable: true }));
    ta.value = text;
    ta.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, cancelable: true }));
    document.getElementById('fta').value = text;
    document.getElementById('form').requestSubmit();
    // Its own editing command (which Firefox reports as a trusted beforeinput).
    const box = document.createElement('textarea');
    document.body.append(box);
    box.focus();
    document.execCommand('insertText', false, text);
    window.__commanded = box.value;`, [MARKER_TEXT]);
  await sleep(1500);
  assert.equal(await ff.exec('return window.__commanded'), MARKER_TEXT, 'the page\'s editing command did what it does without AIGuard');
  const seen = await ff.exec('return window.__seen');
  // Firefox gives a constructed paste event an empty clipboard of its own: the page's listener
  // reads '' there, whatever the page put in it.
  assert.deepEqual(seen.map((e) => [e.type, e.prevented, e.text.includes('ACME') || (e.type === 'paste' && e.text === '')]),
    [['paste', false, true], ['drop', false, true], ['keydown', false, true], ['submit', false, true]]);
  assert.equal(await dialogOpen(), false);
});

test('a hostile page: after document.open(), a capture listener it adds at once still comes after AIGuard\'s', async () => {
  await ff.navigate('https://claude.ai/composer?csp=strict');
  await waitFor(() => ff.exec('return window.__ready === true'), 'the composer page', 40_000);
  await copy(MARKER_TEXT);
  await ff.navigate('https://claude.ai/hostile');
  await waitFor(() => ff.exec('return Array.isArray(window.__seen)'), 'the hostile page');
  await ff.exec(`
    document.open();
    document.write('<!doctype html><title>reopened</title><textarea id="t"></textarea>');
    document.close();
    window.__pasted = [];
    window.addEventListener('paste', (e) => window.__pasted.push(e.clipboardData.getData('text/plain')), true);
    document.getElementById('t').focus();`);
  await ff.press('Control', 'v');
  await waitFor(dialogOpen, 'the dialog');
  assert.deepEqual(await ff.exec('return window.__pasted'), []);
  await ff.press('Enter');
});
