// Content stopped at the page's door, in Debian's Chromium with the built extension: real
// clipboard pastes, trusted drops, typed prompts and file selections into real editors
// (textarea, contenteditable, ProseMirror, CodeMirror 6, Monaco, shadow-root inputs, iframes)
// on an AI site served under a strict CSP (no 'wasm-unsafe-eval', as real AI sites) and a
// permissive one. Both sides are asserted: clean content arrives intact in the editor's own
// model; flagged content never reaches any page listener (the page's spy records every paste,
// drop, beforeinput, input, Enter and submit it sees).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSites } from './harness/sites.mjs';
import { filesOnDisk } from './harness/files.mjs';
import { launchChromium, sleep, until, dialogText as shownDialog } from './harness/chromium.mjs';
import { buildComposerBundle } from './harness/composer.mjs';

const ORIGIN = 'https://claude.ai';
const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const SECRET_TEXT = `deploy with aws_access_key_id = ${SECRET} please`;
const MARKER_TEXT = 'Roadmap — ACME CONFIDENTIAL — do not forward';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'approved', action: 'allow', patterns: ['claude.ai'] },
    { id: 'internal-assistant', action: 'allow', patterns: ['example.com/ai'] },
  ],
  content: {
    secrets: { action: 'warn' },
    markers: [{ id: 'acme-confidential', action: 'block', terms: ['ACME CONFIDENTIAL'] }],
    // With markers, the engine runs in pages only when the policy says so.
    engineInPage: 'allow',
  },
};

let sites, browser, page, cdp;
before(async () => {
  await buildComposerBundle();
  sites = await startSites();
  browser = await launchChromium(sites);
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const saved = await options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(POLICY));
  assert.equal(saved.source, 'local', JSON.stringify(saved));
  await options.close();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

const diagnostics = () => browser.worker.evaluate(() => globalThis.aiguard.diagnostics());
const pageEngines = async () => (await diagnostics()).pageEngines;
const backgroundChecks = async () => (await diagnostics()).contentChecks;

// Under the permissive CSP the top frame compiles the engine itself; the tests wait for it, so
// that they run against the path the page really takes.
async function openComposer(csp) {
  const engines = await pageEngines();
  page = await browser.context.newPage();
  cdp = await browser.context.newCDPSession(page);
  await page.goto(`${ORIGIN}/composer?csp=${csp}`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
  assert.deepEqual(await page.evaluate(() => window.__errors), []);
  if (csp !== 'strict') await until('the engine in the page', async () => (await pageEngines()) > engines, 15_000);
}

const spyOf = (target) => target.evaluate(() => window.__spy);
const clearSpy = (target) => target.evaluate(() => window.__spyClear());
const valueOf = (target, name) => target.evaluate((n) => window.__editors.value(n), name);
const setValue = (target, name, text) => target.evaluate(([n, t]) => window.__editors.set(n, t), [name, text]);
const focus = (target, name) => target.evaluate((n) => window.__editors.focus(n), name);
const dialogText = () => shownDialog(cdp);
const waitDialog = () => until('the AIGuard dialog', dialogText);
const waitNoDialog = () => until('the dialog to close', async () => (await dialogText()) === null);

async function putOnClipboard(text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

// Everything the page's listeners saw, as one string: flagged text must not be in it.
const pageSaw = async (target) => JSON.stringify(await spyOf(target));

// A clean paste into the top page's textarea, then one with the marker (blocked): how many of
// the two the background checked.
async function cleanThenFlaggedPaste(clean) {
  const before = await backgroundChecks();
  await setValue(page, 'ta', '');
  await putOnClipboard(clean);
  await clearSpy(page);
  await focus(page, 'ta');
  await page.keyboard.press('Control+V');
  await until('the paste', async () => (await valueOf(page, 'ta')) === clean);
  await setValue(page, 'ta', '');
  await putOnClipboard(MARKER_TEXT);
  await pasteIsBlocked('ACME', /acme-confidential/);
  return (await backgroundChecks()) - before;
}

// Ctrl+V into the top page's focused textarea, whose clipboard holds flagged text: the block
// dialog (naming `rule`), OK, and nothing in the textarea or seen by the page.
async function pasteIsBlocked(flagged, rule) {
  await page.keyboard.press('Control+V');
  const shown = await waitDialog();
  assert.match(shown, /Paste blocked/);
  assert.match(shown, rule);
  await page.keyboard.press('Enter'); // OK
  await waitNoDialog();
  assert.equal(await valueOf(page, 'ta'), '');
  assert.ok(!(await pageSaw(page)).includes(flagged), 'no page listener saw the content');
}

for (const csp of ['strict', 'permissive']) {
  test(`content checks on a real AI composer page, csp=${csp}`, async (t) => {
    await openComposer(csp);
    try {
      await t.test(csp === 'strict'
        ? 'a page whose CSP forbids wasm: checked in the background, and the page sees no CSP violation'
        : 'a page whose CSP allows wasm: checked in the page, the original events untouched', async () => {
        const inBackground = await cleanThenFlaggedPaste('checked where?');
        if (csp === 'strict') {
          assert.equal(inBackground, 2, 'both pastes were checked in the background');
          assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
        } else {
          assert.equal(inBackground, 0, 'no paste went to the background');
        }
      });

      await t.test('disguised content is stopped: encoded, split, invisible characters, look-alike letters', async () => {
        const b64 = (s) => Buffer.from(s).toString('base64');
        const fullwidth = (s) => [...s].map((c) => (c > ' ' && c <= '~' ? String.fromCodePoint(c.codePointAt(0) - 0x21 + 0xff01) : c)).join('');
        for (const [text, label, ruleLike] of [
          [`config: ${b64(`AWS_ACCESS_KEY_ID=${SECRET}`)}`, /base64-encoded/, /aws-access-key-id/],
          [`key = "${SECRET.slice(0, 8)}" + "${SECRET.slice(8)}";`, /split across strings/, /aws-access-key-id/],
          [`AWS key AKIA\u200b${SECRET.slice(4)}`, /invisible or look-alike/, /aws-access-key-id/],
          [`AWS key AKI\u0410${SECRET.slice(4)}`, /invisible or look-alike/, /aws-access-key-id/],
          [`token ${fullwidth(SECRET)}`, /invisible or look-alike/, /aws-access-key-id/],
          ['Roadmap — ACME CONFI\u200dDENTIAL — draft', /invisible or look-alike/, /acme-confidential/],
        ]) {
          await setValue(page, 'ta', '');
          await putOnClipboard(text);
          await clearSpy(page);
          await focus(page, 'ta');
          await page.keyboard.press('Control+V');
          const shown = await waitDialog();
          assert.match(shown, ruleLike, text);
          assert.match(shown, label, text);
          await page.keyboard.press('Enter'); // Cancel (warn) or OK (block)
          await waitNoDialog();
          assert.equal(await valueOf(page, 'ta'), '', text);
          assert.ok(!(await pageSaw(page)).includes(text.slice(-12)), `no page listener saw ${text}`);
        }
      });

      for (const name of ['ta', 'ce', 'pm', 'cm', 'monaco', 'si', 'st', 'prompt']) {
        await t.test(`${name}: a clean paste arrives intact`, async () => {
          const text = `clean paste for ${name}\nsecond line`;
          await setValue(page, name, '');
          await putOnClipboard(text);
          await clearSpy(page);
          await focus(page, name);
          await page.keyboard.press('Control+V');
          const expected = name === 'si' ? text.replace('\n', ' ') : text;
          await until(`${name} holds the paste`, async () => (await valueOf(page, name)) === expected);
          const pastes = (await spyOf(page)).filter((s) => s.type === 'paste' && s.phase === 'window-capture');
          // Monaco edits through EditContext, which the browser's paste command does not
          // target: there a paste checked in the background is re-dispatched to Monaco's own
          // handler. Checked by the engine in the page, the original paste goes on.
          const native = name !== 'monaco' || csp === 'permissive';
          assert.deepEqual(pastes.map((s) => [s.text, s.trusted]), [[text, native]], 'one paste, as without the extension');
          // The caret is after the pasted text, and the editor's undo takes the paste back.
          await page.keyboard.type('Z');
          await until(`${name}: typing continues after the paste`, async () => (await valueOf(page, name)) === `${expected}Z`);
          // Editors group a quick paste and keystroke into one undo step or two.
          const undone = [];
          for (let i = 0; i < 3 && undone.at(-1) !== ''; i++) {
            await page.keyboard.press('Control+Z');
            await sleep(50);
            undone.push(await valueOf(page, name));
          }
          assert.equal(undone.at(-1), '', `${name}: undo goes back to before the paste (${JSON.stringify(undone)})`);
        });

        await t.test(`${name}: a paste with a confidential marker is blocked before any page listener`, async () => {
          await setValue(page, name, 'before');
          await putOnClipboard(MARKER_TEXT);
          await clearSpy(page);
          await focus(page, name);
          await page.keyboard.press('Control+V');
          const shown = await waitDialog();
          assert.match(shown, /Paste blocked/);
          assert.match(shown, /Confidential marker/);
          assert.match(shown, /acme-confidential/);
          if (name === 'ta') {
            // A page that clears its DOM doesn't make the decision go away.
            await page.evaluate(() => document.querySelector('aiguard-dialog').remove());
            await waitDialog();
          }
          await page.keyboard.press('Enter'); // "OK" has the focus
          await waitNoDialog();
          await sleep(100);
          assert.equal(await valueOf(page, name), 'before');
          assert.ok(!(await pageSaw(page)).includes('ACME'), 'no page listener saw the content');
        });
      }

      await t.test('a secret: warn dialog with a masked excerpt; Cancel, redacted and anyway do what they say', async () => {
        await setValue(page, 'pm', '');
        await putOnClipboard(SECRET_TEXT);
        await clearSpy(page);
        await focus(page, 'pm');
        await page.keyboard.press('Control+V');
        const shown = await waitDialog();
        assert.match(shown, /Check before you paste/);
        assert.match(shown, /Credential/);
        assert.match(shown, /aws-access-key-id/);
        assert.ok(!shown.includes(SECRET), 'the dialog never shows the whole secret');
        assert.match(shown, /Paste with secrets redacted/);
        await page.keyboard.press('Escape');
        await waitNoDialog();
        assert.equal(await valueOf(page, 'pm'), '');
        assert.ok(!(await pageSaw(page)).includes(SECRET));

        await page.keyboard.press('Control+V');
        await waitDialog();
        await page.keyboard.press('Tab'); // Cancel → "Paste with secrets redacted"
        await page.keyboard.press('Enter');
        await until('redacted text in ProseMirror', async () => (await valueOf(page, 'pm')) === 'deploy with aws_access_key_id = [REDACTED aws-access-key-id] please');
        assert.ok(!(await pageSaw(page)).includes(SECRET), 'the redacted paste carries no secret');

        await setValue(page, 'pm', '');
        await page.keyboard.press('Control+V');
        await waitDialog();
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab'); // → "Paste anyway"
        await page.keyboard.press('Enter');
        await until('the original text in ProseMirror', async () => (await valueOf(page, 'pm')) === SECRET_TEXT);
      });

      await t.test('typing: the keystroke that would complete a secret is stopped in every editor, and the page never holds it', async () => {
        const typed = SECRET_TEXT.slice(0, SECRET_TEXT.indexOf(SECRET) + SECRET.length);
        for (const name of ['ta', 'ce', 'pm', 'cm']) await setValue(page, name, '');
        // The page's autosave: the editor's whole text at every input event it sees.
        await page.evaluate(() => {
          window.__autosaved = [];
          for (const type of ['input', 'keyup']) {
            document.addEventListener(type, () => {
              for (const n of ['ta', 'ce', 'pm', 'cm']) window.__autosaved.push(String(window.__editors.value(n)));
            }, true);
          }
        });
        for (const name of ['ta', 'ce', 'pm', 'cm']) {
          await setValue(page, name, '');
          await focus(page, name);
          await page.keyboard.type(typed);
          const shown = await waitDialog();
          assert.match(shown, /Check before you type this/, name);
          assert.match(shown, /aws/i, name);
          await page.keyboard.press('Escape');
          await waitNoDialog();
          assert.equal((await valueOf(page, name)).trim(), typed.slice(0, -1), `${name}: all but the completing keystroke`);
          // Text inserted whole (dictation, an IME's commit, an extension's insertText) likewise.
          await setValue(page, name, '');
          await focus(page, name);
          await cdp.send('Input.insertText', { text: typed });
          await waitDialog();
          await page.keyboard.press('Escape');
          await waitNoDialog();
          assert.equal((await valueOf(page, name)).trim(), '', `${name}: nothing inserted`);
          // Clean typing goes on untouched.
          await page.keyboard.type('hello');
          await until(`${name} takes clean typing`, async () => (await valueOf(page, name)).trim() === 'hello');
          await setValue(page, name, '');
        }
        const saved = await page.evaluate(() => window.__autosaved);
        assert.ok(saved.length > 0);
        assert.ok(!saved.some((v) => v.includes(SECRET)), 'no autosave ever held the secret');
      });

      await t.test('typing: "Type it anyway" puts it in and the send that follows does not ask again', async () => {
        await page.evaluate(() => { window.__sent.length = 0; });
        await setValue(page, 'prompt', '');
        await focus(page, 'prompt');
        await page.keyboard.type(`my key is ${SECRET}`);
        await waitDialog();
        await page.keyboard.press('Tab'); // Cancel → "Type it anyway"
        await page.keyboard.press('Enter');
        await waitNoDialog();
        await until('the key typed', async () => (await valueOf(page, 'prompt')) === `my key is ${SECRET}`);
        await page.keyboard.type(' ok');
        await page.keyboard.press('Enter');
        await until('the prompt is sent', async () => (await page.evaluate(() => window.__sent)).length === 1);
        assert.deepEqual(await page.evaluate(() => window.__sent), [`my key is ${SECRET} ok`]);
        assert.equal(await dialogText(), null);
      });

      await t.test('IME: the Enter that commits a composition is the IME\'s, even in a composer holding a secret', async () => {
        await page.evaluate(() => { window.__sent.length = 0; });
        await setValue(page, 'prompt', `my key is ${SECRET} `);
        await focus(page, 'prompt');
        await clearSpy(page);
        // An IME composition, then Enter to commit it, as a Japanese or Chinese keyboard sends it.
        await cdp.send('Input.imeSetComposition', { text: 'にほんご', selectionStart: 4, selectionEnd: 4 });
        await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229 });
        await cdp.send('Input.insertText', { text: '日本語' });
        await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229 });
        await sleep(300);
        assert.equal(await dialogText(), null, 'no dialog in the middle of a composition');
        assert.equal(await valueOf(page, 'prompt'), `my key is ${SECRET} 日本語`, 'the composition is committed');
        const enters = (await spyOf(page)).filter((s) => s.type === 'keydown');
        assert.ok(enters.length > 0, 'the page saw the composing keystroke');
        assert.deepEqual(await page.evaluate(() => window.__sent), []);

        // The next Enter is a send, and is held.
        await page.keyboard.press('Enter');
        await waitDialog();
        await page.keyboard.press('Escape');
        await waitNoDialog();
        assert.deepEqual(await page.evaluate(() => window.__sent), []);
        await clearSpy(page);
      });

      await t.test('a secret in the composer followed by Enter is not sent; a clean prompt is', async () => {
        await page.evaluate(() => { window.__sent.length = 0; });
        // Put there by the page itself (no keystroke of the employee's to stop): the send is held.
        await setValue(page, 'prompt', `my key is ${SECRET}`);
        await focus(page, 'prompt');
        await page.keyboard.press('Enter');
        const shown = await waitDialog();
        assert.match(shown, /Check before you send/);
        await page.keyboard.press('Enter'); // Cancel
        await waitNoDialog();
        assert.deepEqual(await page.evaluate(() => window.__sent), []);
        assert.equal(await valueOf(page, 'prompt'), `my key is ${SECRET}`, 'the text stays for the user to edit');
        const enters = (await spyOf(page)).filter((s) => s.type === 'keydown');
        assert.ok(enters.every((s) => s.shift), 'no page listener saw the Enter');

        // The send button is held the same way.
        await page.click('#send');
        await waitDialog();
        await page.keyboard.press('Escape');
        await waitNoDialog();
        assert.deepEqual(await page.evaluate(() => window.__sent), []);

        // "Send anyway" sends it, with the reason in the audit trail.
        await focus(page, 'prompt');
        await page.keyboard.press('Enter');
        await waitDialog();
        await page.keyboard.press('Shift+Tab'); // Cancel → the reason box
        await page.keyboard.type(`rotating ${SECRET} today`); // a reason may itself hold the secret
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab'); // → "Send anyway"
        await page.keyboard.press('Enter');
        await until('the prompt is sent anyway', async () => (await page.evaluate(() => window.__sent)).length === 1);
        assert.deepEqual(await page.evaluate(() => window.__sent), [`my key is ${SECRET}`]);

        await page.evaluate(() => { window.__sent.length = 0; });
        await setValue(page, 'prompt', '');
        await focus(page, 'prompt');
        await page.keyboard.type('what is a monad?');
        await page.keyboard.press('Enter');
        await until('the clean prompt is sent', async () => (await page.evaluate(() => window.__sent)).length === 1);
        assert.deepEqual(await page.evaluate(() => window.__sent), ['what is a monad?']);
      });

      await t.test('drops: a flagged drop never reaches the page, a clean one arrives', async () => {
        const drop = async (name, text) => {
          const box = await page.locator(`#${name}`).boundingBox();
          const x = box.x + box.width / 2, y = box.y + Math.min(box.height / 2, 10);
          const data = { items: [{ mimeType: 'text/plain', data: text }], dragOperationsMask: 1 };
          for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
        };
        // A flagged drop into CodeMirror: the dialog, and nothing reaches the page.
        const flaggedDropIsBlocked = async () => {
          await clearSpy(page);
          await drop('cm', MARKER_TEXT);
          assert.match(await waitDialog(), /Drop blocked/);
          await page.keyboard.press('Enter');
          await waitNoDialog();
          assert.equal(await valueOf(page, 'cm'), '');
          assert.ok(!(await pageSaw(page)).includes('ACME'));
        };
        await setValue(page, 'cm', '');
        await flaggedDropIsBlocked();

        // A drag the page cancels at its start is no drag: the next drop from outside is
        // still checked.
        await page.evaluate(() => {
          const handle = document.createElement('div');
          handle.id = 'no-drag';
          handle.draggable = true;
          handle.textContent = 'handle';
          handle.addEventListener('dragstart', (e) => e.preventDefault());
          document.body.prepend(handle);
        });
        const handle = await page.locator('#no-drag').boundingBox();
        await page.mouse.move(handle.x + 5, handle.y + 5);
        await page.mouse.down();
        await page.mouse.move(handle.x + 60, handle.y + 40, { steps: 5 });
        await page.mouse.up();
        await flaggedDropIsBlocked();

        for (const name of ['ta', 'cm', 'pm']) {
          await setValue(page, name, '');
          await drop(name, `dropped into ${name}`);
          await until(`${name} holds the drop`, async () => (await valueOf(page, name)).includes(`dropped into ${name}`));
        }
      });

      // Picks notes.txt and prod.env (a key inside) through the chooser `open` opens, cancels
      // at the dialog, and returns what the page recorded.
      const pickFlaggedAndClean = async (open) => {
        await page.evaluate(() => { window.__files.length = 0; });
        await clearSpy(page);
        const chooser = page.waitForEvent('filechooser');
        await open();
        await (await chooser).setFiles(filesOnDisk([
          { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('meeting notes\n') },
          { name: 'prod.env', mimeType: 'application/octet-stream', buffer: Buffer.from(`AWS_ACCESS_KEY_ID=${SECRET}\n`) },
        ]));
        const shown = await waitDialog();
        assert.match(shown, /Check before you upload/);
        assert.match(shown, /prod\.env/);
        await page.keyboard.press('Enter'); // Cancel: the flagged file goes
        await waitNoDialog();
        await until('the page sees a file', async () => (await page.evaluate(() => window.__files)).length > 0);
        return page.evaluate(() => window.__files);
      };

      await t.test('file input: a flagged file is removed before the page sees it; a clean one passes', async () => {
        // Through the browser's file chooser, as when the employee picks files.
        const files = await pickFlaggedAndClean(() => page.click('#file'));
        assert.deepEqual(files.map((f) => f.name), ['notes.txt']);
        assert.deepEqual(await page.evaluate(() => [...document.getElementById('file').files].map((f) => f.name)), ['notes.txt']);
      });

      await t.test('file input inside a shadow root: the page\'s own change listener gets the clean file only', async () => {
        // `change` is not composed: it never reaches a window listener.
        const files = await pickFlaggedAndClean(() => page.click('#sf'));
        assert.deepEqual(files.map((f) => [f.name, f.via]), [['notes.txt', 'shadow']]);
        assert.deepEqual(await page.evaluate(() => [...document.querySelector('#shadow-host').shadowRoot.getElementById('sf').files].map((f) => f.name)), ['notes.txt']);
      });

      await t.test('file input the page never attaches: flagged file removed, input detached again', async () => {
        const files = await pickFlaggedAndClean(() => page.click('#pick-detached'));
        assert.deepEqual(files.map((f) => [f.name, f.via, f.connected]), [['notes.txt', 'detached', false]]);
        assert.equal(await page.evaluate(() => document.querySelectorAll('aiguard-upload-holder input').length), 0);

        // A clean selection passes without a dialog.
        await page.evaluate(() => { window.__files.length = 0; });
        const chooser = page.waitForEvent('filechooser');
        await page.click('#pick-detached');
        await (await chooser).setFiles(filesOnDisk([{ name: 'plan.md', mimeType: 'text/markdown', buffer: Buffer.from('# plan\n') }]));
        await until('the page sees the clean file', async () => (await page.evaluate(() => window.__files)).length > 0);
        assert.deepEqual((await page.evaluate(() => window.__files)).map((f) => [f.name, f.via, f.connected]), [['plan.md', 'detached', false]]);
        assert.equal(await dialogText(), null);

        // Opened by a synthetic click event rather than click().
        const dispatched = await pickFlaggedAndClean(() => page.click('#pick-dispatched'));
        assert.deepEqual(dispatched.map((f) => [f.name, f.via, f.connected]), [['notes.txt', 'dispatched', false]]);
      });

      await t.test('the page reading the clipboard itself: clean text passes, a secret waits for the dialog', async () => {
        const reads = () => page.evaluate(() => window.__reads);
        const read = async (button) => {
          const before = (await reads()).length;
          await page.click(button);
          return before;
        };
        await page.evaluate(() => { window.__reads.length = 0; });
        await putOnClipboard('clean clipboard text');
        await read('#read-text');
        await until('readText settles', async () => (await reads()).length === 1);
        assert.deepEqual(await reads(), [{ text: 'clean clipboard text' }]);
        assert.equal(await dialogText(), null);

        await putOnClipboard(`export AWS_ACCESS_KEY_ID=${SECRET}`);
        const redacted = 'export AWS_ACCESS_KEY_ID=[REDACTED aws-access-key-id]';
        for (const [button, keys, want] of [
          ['#read-text', ['Enter'], { error: 'NotAllowedError' }], // Cancel
          ['#read-items', ['Enter'], { error: 'NotAllowedError' }],
          ['#read-text', ['Tab', 'Enter'], { text: redacted }], // "Paste with secrets redacted"
          ['#read-items', ['Tab', 'Enter'], { text: redacted }],
        ]) {
          const n = await read(button);
          const shown = await waitDialog();
          assert.match(shown, /aws/i);
          assert.equal((await reads()).length, n, 'nothing settles while the dialog is open');
          for (const key of keys) await page.keyboard.press(key);
          await waitNoDialog();
          await until(`${button} settles`, async () => (await reads()).length === n + 1);
          assert.deepEqual((await reads())[n], want);
        }
        assert.ok(!JSON.stringify(await reads()).includes(SECRET));
      });

      for (const id of ['f-same', 'f-cross', 'f-srcdoc']) {
        await t.test(`iframe #${id}: clean paste arrives, flagged paste is blocked`, async () => {
          const frame = await (await page.$(`#${id}`)).contentFrame();
          await setValue(frame, 'ta', '');
          await putOnClipboard('clean in a frame');
          await focus(frame, 'ta');
          await page.keyboard.press('Control+V');
          await until('frame textarea holds the paste', async () => (await valueOf(frame, 'ta')) === 'clean in a frame');

          await clearSpy(frame);
          await putOnClipboard(MARKER_TEXT);
          await focus(frame, 'ta');
          await page.keyboard.press('Control+V');
          assert.match(await waitDialog(), /Paste blocked/);
          // The frame (110 px high) is too small for the dialog: the top frame shows it.
          assert.equal(await page.evaluate(() => document.querySelectorAll('aiguard-dialog').length), 1);
          assert.equal(await frame.evaluate(() => document.querySelectorAll('aiguard-dialog').length), 0);
          await page.keyboard.press('Enter'); // OK has the focus
          await waitNoDialog();
          assert.equal(await valueOf(frame, 'ta'), 'clean in a frame');
          assert.ok(!(await pageSaw(frame)).includes('ACME'), 'no listener in the frame saw it');
          // The caret is back in the frame's textarea.
          await page.keyboard.type('Z');
          await until('typing goes on in the frame', async () => (await valueOf(frame, 'ta')) === 'clean in a frameZ');
        });
      }

      await t.test('an editing iframe built with document.open() (as older rich-text editors do) is still guarded', async () => {
        await page.evaluate(async () => {
          const f = document.createElement('iframe');
          f.id = 'f-written';
          document.body.append(f);
          await new Promise((r) => setTimeout(r, 200));
          const d = f.contentDocument;
          d.open();
          d.write('<!doctype html><body contenteditable="true"></body>');
          d.close();
          f.contentWindow.__seen = [];
          // On the editable body, as such editors listen. (A window capture-phase listener added
          // in the same task as document.open() would run before the guard's, which is put
          // back only when that task ends.)
          d.body.addEventListener('paste', (e) => f.contentWindow.__seen.push(e.clipboardData.getData('text/plain')), true);
        });
        const written = () => page.evaluate(() => {
          const f = document.getElementById('f-written');
          return { seen: f.contentWindow.__seen, text: f.contentDocument.body.innerText };
        });
        const focusBody = () => page.evaluate(() => {
          const f = document.getElementById('f-written');
          f.contentWindow.focus();
          f.contentDocument.body.focus();
        });
        await putOnClipboard(MARKER_TEXT);
        await focusBody();
        await page.keyboard.press('Control+V');
        await sleep(600);
        await page.keyboard.press('Enter'); // OK in the frame's dialog
        await sleep(200);
        assert.deepEqual(await written(), { seen: [], text: '' }, 'nothing reached the written frame');

        await putOnClipboard('clean text');
        await focusBody();
        await page.keyboard.press('Control+V');
        await until('the clean paste in the written frame', async () => (await written()).text.includes('clean text'));
      });

      await t.test('no CSP violation from the extension in the page or its frames', async () => {
        for (const frame of page.frames()) {
          const seen = await frame.evaluate(() => window.__cspViolations ?? []).catch(() => []);
          assert.deepEqual(seen, [], frame.url());
        }
      });
    } finally {
      await page.close();
    }
  });
}

test('a policy with marker terms keeps its engine out of pages unless it says otherwise', async () => {
  const { engineInPage, ...content } = POLICY.content;
  assert.equal(engineInPage, 'allow');
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const save = (policy) => options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(policy));
  try {
    assert.equal((await save({ ...POLICY, content })).source, 'local');
    const refused = (await diagnostics()).pageEnginesRefused;
    const engines = await pageEngines();
    page = await browser.context.newPage();
    cdp = await browser.context.newCDPSession(page);
    await page.goto(`${ORIGIN}/composer?csp=permissive`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await until('the page to ask for the engine', async () => (await diagnostics()).pageEnginesRefused > refused, 15_000);
    const checks = await backgroundChecks();
    await setValue(page, 'ta', '');
    await putOnClipboard(MARKER_TEXT);
    await focus(page, 'ta');
    await pasteIsBlocked('ACME', /acme-confidential/);
    assert.equal((await backgroundChecks()) - checks, 1, 'checked in the background');
    assert.equal(await pageEngines(), engines, 'no engine was compiled in the page');
    await page.close();
  } finally {
    await save(POLICY);
    await options.close();
  }
});

test('a page whose strict CSP allows WebAssembly only: the engine runs in it, and the page sees no violation', async () => {
  await openComposer('wasm');
  try {
    assert.equal(await cleanThenFlaggedPaste('clean, checked in the page'), 0, 'no paste went to the background');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  } finally {
    await page.close();
  }
});

test('a new policy reaches the engine in an open page at once', async () => {
  await openComposer('permissive');
  const saveFromOptions = async (policy) => {
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
    const saved = await options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(policy));
    await options.close();
    assert.equal(saved.source, 'local', JSON.stringify(saved));
  };
  const text = 'Status of Project Bluebird for the board';
  try {
    await putOnClipboard(text);
    await focus(page, 'ta');
    await page.keyboard.press('Control+V');
    await until('the paste before the new policy', async () => (await valueOf(page, 'ta')) === text);

    const engines = await pageEngines();
    const before = await backgroundChecks();
    await saveFromOptions({ ...POLICY, content: { ...POLICY.content, markers: [...POLICY.content.markers, { id: 'bluebird', action: 'block', terms: ['Project Bluebird'] }] } });
    await until('the page to compile the new policy', async () => (await pageEngines()) > engines, 15_000);
    await setValue(page, 'ta', '');
    await clearSpy(page);
    await focus(page, 'ta');
    await pasteIsBlocked('Bluebird', /bluebird/);
    assert.equal((await backgroundChecks()) - before, 0, 'decided by the engine in the page');
  } finally {
    await saveFromOptions(POLICY);
    await page.close();
  }
});

test('scope follows the page: out of scope untouched, in scope after history.pushState into a matched path', async () => {
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'https://example.com' });
  page = await browser.context.newPage();
  cdp = await browser.context.newCDPSession(page);
  try {
    await page.goto('https://example.com/composer?csp=permissive');
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await setValue(page, 'ta', '');
    await putOnClipboard(MARKER_TEXT);
    await focus(page, 'ta');
    await page.keyboard.press('Control+V');
    await until('out of scope, the paste goes in untouched', async () => (await valueOf(page, 'ta')) === MARKER_TEXT);
    const pastes = (await spyOf(page)).filter((s) => s.type === 'paste' && s.phase === 'window-capture');
    assert.deepEqual(pastes.map((s) => s.trusted), [true]);

    await page.evaluate(() => history.pushState({}, '', '/ai/chat'));
    await setValue(page, 'ta', '');
    await clearSpy(page);
    await focus(page, 'ta');
    await pasteIsBlocked('ACME', /acme-confidential/);
  } finally {
    await page.close();
  }
});

test('inside a closed shadow root: a typed secret is stopped and Enter is held; a flagged upload is removed', async () => {
  page = await browser.context.newPage();
  cdp = await browser.context.newCDPSession(page);
  try {
    await page.goto(`${ORIGIN}/composer?csp=permissive`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await page.evaluate(() => {
      const host = document.createElement('div');
      host.id = 'closed-host';
      document.body.prepend(host);
      const root = host.attachShadow({ mode: 'closed' });
      const box = document.createElement('textarea');
      root.append(box);
      window.__closed = { box, enters: [] };
      box.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__closed.enters.push(box.value); });
      box.focus();
    });
    // The keystroke that completes the key is stopped inside the closed root too.
    await page.keyboard.type(`key ${SECRET}`);
    assert.match(await waitDialog(), /Check before you type this/);
    await page.keyboard.press('Escape');
    await waitNoDialog();
    assert.equal(await page.evaluate(() => window.__closed.box.value), `key ${SECRET.slice(0, -1)}`);
    // Put there by the component's own script, it is held at Enter.
    await page.evaluate((text) => { window.__closed.box.value = text; window.__closed.box.focus(); }, `key ${SECRET}`);
    await page.keyboard.press('Enter');
    assert.match(await waitDialog(), /Check before you send/);
    await page.keyboard.press('Escape');
    await waitNoDialog();
    assert.deepEqual(await page.evaluate(() => window.__closed.enters), [], 'the page never saw the Enter');
    assert.equal(await page.evaluate(() => window.__closed.box.value), `key ${SECRET}`);

    // A file input in the closed root, opened by a button's script (focus stays on the button).
    await page.evaluate(() => {
      const root = window.__closed.box.getRootNode();
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      root.append(input);
      window.__closed.files = [];
      input.addEventListener('change', () => window.__closed.files.push(...[...input.files].map((f) => f.name)));
      const button = document.createElement('button');
      button.id = 'closed-upload';
      button.textContent = 'Upload';
      button.addEventListener('click', () => input.click());
      document.body.prepend(button);
    });
    const chooser = page.waitForEvent('filechooser');
    await page.click('#closed-upload');
    await (await chooser).setFiles(filesOnDisk([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('meeting notes\n') },
      { name: 'prod.env', mimeType: 'application/octet-stream', buffer: Buffer.from(`AWS_ACCESS_KEY_ID=${SECRET}\n`) },
    ]));
    assert.match(await waitDialog(), /prod\.env/);
    await page.keyboard.press('Enter'); // Cancel: the flagged file goes
    await waitNoDialog();
    await until('the component sees the clean file', async () => (await page.evaluate(() => window.__closed.files)).length > 0);
    assert.deepEqual(await page.evaluate(() => window.__closed.files), ['notes.txt']);
  } finally {
    await page.close();
  }
});

// No automation can drive the File System Access picker (DevTools' file chooser interception
// aborts it). A copy of the built extension gets one more script, run in the page's world
// before page-world.js, that stands in for the browser's picker: it returns real
// FileSystemFileHandles of files the test wrote to the origin's private file system.
test('showOpenFilePicker: a flagged file\'s handle is withheld, a clean one is returned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aiguard-picker-'));
  let other;
  try {
    cpSync('dist/chrome', dir, { recursive: true });
    writeFileSync(join(dir, 'content', 'stand-in-picker.js'), `window.showOpenFilePicker = async function showOpenFilePicker() {
      const root = await navigator.storage.getDirectory();
      const names = JSON.parse(document.documentElement.dataset.pick ?? '[]');
      return Promise.all(names.map((n) => root.getFileHandle(n)));
    };`);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.content_scripts.find((c) => c.world === 'MAIN').js.unshift('content/stand-in-picker.js');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    other = await launchChromium({ ...sites, extensionDir: dir });
    const options = await other.context.newPage();
    await options.goto(`chrome-extension://${other.extensionId}/pages/options.html`);
    await options.evaluate((text) => chrome.runtime.sendMessage({ type: 'savePolicy', text }), JSON.stringify(POLICY));
    await options.close();
    page = await other.context.newPage();
    cdp = await other.context.newCDPSession(page);
    await page.goto(`${ORIGIN}/composer?csp=strict`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    await page.evaluate(async (secret) => {
      const root = await navigator.storage.getDirectory();
      for (const [name, text] of [['notes.txt', 'meeting notes\n'], ['prod.env', `AWS_ACCESS_KEY_ID=${secret}\n`]]) {
        const writable = await (await root.getFileHandle(name, { create: true })).createWritable();
        await writable.write(text);
        await writable.close();
      }
    }, SECRET);
    // What the page gets back from the picker: the names of the handles' files, or the error.
    const pick = (names) => page.evaluate(async (n) => {
      document.documentElement.dataset.pick = JSON.stringify(n);
      try {
        const handles = await window.showOpenFilePicker({ multiple: true });
        return Promise.all(handles.map(async (h) => (await h.getFile()).name));
      } catch (e) {
        return e.name;
      }
    }, names);

    const both = pick(['notes.txt', 'prod.env']);
    const shown = await waitDialog();
    assert.match(shown, /Check before you upload/);
    assert.match(shown, /prod\.env/);
    await page.keyboard.press('Enter'); // Cancel: the flagged file goes
    await waitNoDialog();
    assert.deepEqual(await both, ['notes.txt']);

    const flaggedOnly = pick(['prod.env']);
    await waitDialog();
    await page.keyboard.press('Enter');
    assert.equal(await flaggedOnly, 'AbortError', 'nothing left: the picker ends as a cancelled one');

    assert.deepEqual(await pick(['notes.txt']), ['notes.txt'], 'a clean file passes without a dialog');
    assert.equal(await dialogText(), null);
    assert.equal(await page.evaluate(() => document.querySelectorAll('aiguard-upload-holder input').length), 0);
  } finally {
    await other?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a popup the AI page opens at about:blank or at a blob: URL is in the page\'s scope', async () => {
  page = await browser.context.newPage();
  try {
    await page.goto(`${ORIGIN}/composer?csp=strict`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    const opens = {
      'about:blank': () => {
        const w = window.open('about:blank', '_blank', 'popup');
        w.document.body.innerHTML = '<textarea id="box"></textarea>';
      },
      'blob:': () => {
        const html = '<!doctype html><title>draft</title><textarea id="box"></textarea>';
        window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), '_blank', 'popup');
      },
    };
    for (const [kind, open] of Object.entries(opens)) {
      const popupOpened = browser.context.waitForEvent('page');
      await page.evaluate(open);
      const popup = await popupOpened;
      await popup.waitForSelector('#box');
      const popupCdp = await browser.context.newCDPSession(popup);
      await popup.evaluate(() => {
        window.__pasted = [];
        document.addEventListener('paste', (e) => window.__pasted.push(e.clipboardData.getData('text/plain')));
      });
      await page.evaluate((t) => navigator.clipboard.writeText(t), MARKER_TEXT);
      await popup.focus('#box');
      await popup.keyboard.press('Control+V');
      assert.match(await until(`the dialog in the ${kind} popup`, () => shownDialog(popupCdp)), /Paste blocked/, kind);
      await popup.keyboard.press('Enter');
      assert.equal(await popup.inputValue('#box'), '', kind);
      assert.deepEqual(await popup.evaluate(() => window.__pasted), [], `${kind}: the popup's page saw no paste`);
      await popup.close();
    }
  } finally {
    await page.close();
  }
});

test('a warned prompt in the address: "Open anyway" opens it once; the audit trail has the choice without the address', async () => {
  page = await browser.context.newPage();
  cdp = await browser.context.newCDPSession(page);
  try {
    const url = `${ORIGIN}/new?q=${encodeURIComponent(SECRET_TEXT)}`;
    await page.goto(url).catch(() => {});
    assert.match(await waitDialog(), /Check before you open this address/);
    assert.ok(!sites.received.some((r) => r.includes(SECRET)), 'held before the request left');
    await page.keyboard.press('Tab'); // Cancel → "Open anyway"
    await page.keyboard.press('Enter');
    await until('the page opens', async () => page.url() === url);
    assert.ok(sites.received.some((r) => r.includes(SECRET)), 'sent once the employee chose to');
    const { entries: queue } = await browser.worker.evaluate(() => globalThis.aiguard.audit());
    const entry = queue.findLast((e) => e.kind === 'address');
    assert.equal(entry.choice, 'proceed');
    assert.equal(entry.url, `${ORIGIN}/new`, 'the address is recorded without what it carried');
    assert.ok(!JSON.stringify(queue).includes(SECRET));
  } finally {
    await page.close();
  }
});

test('every decision is in the audit trail, without the content', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const { entries } = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'audit' }));
  await options.close();
  const content = entries.filter((e) => e.type === 'content');
  assert.ok(content.some((e) => e.kind === 'paste' && e.action === 'block' && e.choice === 'ok' && e.findings.some((f) => f.rule === 'acme-confidential')));
  assert.ok(content.some((e) => e.kind === 'paste' && e.action === 'warn' && e.choice === 'redact'));
  assert.ok(content.some((e) => e.kind === 'prompt' && e.choice === 'cancel'));
  assert.ok(content.some((e) => e.kind === 'prompt' && e.choice === 'proceed' && e.justification === 'rotating [REDACTED aws-access-key-id] today'),
    'the reason is kept, with secrets redacted');
  assert.ok(content.some((e) => e.kind === 'upload'));
  const all = JSON.stringify(entries);
  assert.ok(!all.includes(SECRET) && !all.includes('ACME CONFIDENTIAL'), 'the trail holds rule ids, never the content');
});
