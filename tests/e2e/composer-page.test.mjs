// Self-test of the composer pages (harness/composer.mjs) in Debian's Chromium WITHOUT the
// extension: every editor takes typed text, real-clipboard pastes and (for some) trusted drops,
// and the page-side spy sees them. The extension tests rely on exactly these paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startComposerServer, STRICT_CSP } from './harness/composer.mjs';
import { CHROMIUM } from './harness/chromium.mjs';

const EDITORS = ['ta', 'ce', 'pm', 'cm', 'monaco', 'si', 'st', 'prompt'];
const FRAMES = ['f-same', 'f-cross', 'f-srcdoc'];
const ORIGIN = 'https://claude.ai';

let server, browser;
before(async () => {
  server = await startComposerServer(); // builds the bundle first
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--ignore-certificate-errors',
      `--host-resolver-rules=MAP * 127.0.0.1:${server.port}`,
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// Puts `text` on the system clipboard: 'api' through navigator.clipboard.writeText, 'keys' by
// selecting it in the page's #clip textarea and pressing Control+C.
async function putOnClipboard(page, text, via) {
  if (via === 'api') {
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  } else {
    await page.evaluate((t) => {
      window.__editors.set('clip', t);
      const clip = document.getElementById('clip');
      clip.focus();
      clip.select();
    }, text);
    await page.keyboard.press('Control+C');
  }
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text, `clipboard via ${via}`);
}

const spyOf = (target) => target.evaluate(() => window.__spy);
const clear = (target) => target.evaluate(() => window.__spyClear());
const valueOf = (target, name) => target.evaluate((n) => window.__editors.value(n), name);
const focus = (target, name) => target.evaluate((n) => window.__editors.focus(n), name);
const pollValue = async (target, name, text) => {
  const end = Date.now() + 3000;
  let v;
  while (Date.now() < end) {
    v = await valueOf(target, name);
    if (v?.includes(text)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${name} never contained ${JSON.stringify(text)}; value ${JSON.stringify(v)}`);
};

// Types into `name` (in `target`, a page or frame) and checks the model and the spy.
async function checkTyping(page, target, name, label) {
  const line = `typed ${label}`;
  await clear(target);
  await focus(target, name);
  await page.keyboard.type(line);
  await pollValue(target, name, line);
  const spy = await spyOf(target);
  const seen = (phase) => spy.filter((s) => s.type === 'beforeinput' && s.phase === phase && s.target === name && s.trusted);
  assert.equal(seen('window-capture').map((s) => s.text).join(''), line, `${label}: window-capture beforeinput`);
  assert.equal(seen('element').length, line.length, `${label}: element beforeinput`);
}

// Pastes through the real clipboard and checks the model and the spy.
async function checkPaste(page, target, name, label, via) {
  const text = `pasted into ${label} via ${via}`;
  await putOnClipboard(page, text, via);
  await clear(target);
  await focus(target, name);
  await page.keyboard.press('Control+V');
  await pollValue(target, name, text);
  const pastes = (await spyOf(target)).filter((s) => s.type === 'paste');
  for (const phase of ['window-capture', 'document-capture', 'element']) {
    assert.ok(pastes.some((s) => s.phase === phase && s.target === name && s.trusted && s.text === text),
      `${label}: trusted paste at ${phase}; saw ${JSON.stringify(pastes)}`);
  }
}

// A trusted drop of external text (as if dragged in from another application), through CDP.
async function dropText(page, cdp, locator, text) {
  const box = await locator.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(box.height / 2, 10);
  const data = { items: [{ mimeType: 'text/plain', data: text }], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
}

for (const csp of ['strict', 'permissive']) {
  test(`composer page, csp=${csp}`, async (t) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    try {
      const response = await page.goto(`${ORIGIN}/composer?csp=${csp}`);
      assert.equal(response.headers()['content-security-policy'], csp === 'strict' ? STRICT_CSP : undefined);
      await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
      assert.deepEqual(await page.evaluate(() => window.__errors), []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'the page itself breaks no CSP rule');

      for (const name of EDITORS) {
        await t.test(`type and paste into ${name}`, async () => {
          await checkTyping(page, page, name, name);
          await checkPaste(page, page, name, name, 'keys');
          await checkPaste(page, page, name, name, 'api');
        });
      }

      await t.test('Enter in #prompt sends, Shift+Enter does not, #send click sends', async () => {
        await clear(page);
        await page.evaluate(() => { window.__editors.set('prompt', ''); window.__sent.length = 0; });
        await focus(page, 'prompt');
        await page.keyboard.type('first line');
        await page.keyboard.press('Shift+Enter');
        await page.keyboard.type('second line');
        assert.deepEqual(await page.evaluate(() => window.__sent), []);
        await page.keyboard.press('Enter');
        assert.deepEqual(await page.evaluate(() => window.__sent), ['first line\nsecond line']);
        assert.equal(await valueOf(page, 'prompt'), '');
        const enters = (await spyOf(page)).filter((s) => s.type === 'keydown' && s.target === 'prompt' && s.phase === 'element');
        assert.deepEqual(enters.map((s) => [s.key, s.shift, s.trusted]), [['Enter', true, true], ['Enter', false, true]]);

        await page.keyboard.type('by button');
        await page.click('#send');
        assert.deepEqual(await page.evaluate(() => window.__sent), ['first line\nsecond line', 'by button']);
        const submits = (await spyOf(page)).filter((s) => s.type === 'submit' && s.phase === 'element');
        assert.deepEqual(submits.map((s) => [s.target, s.trusted]), [['chat', true]]);
        assert.equal(new URL(page.url()).pathname, '/composer', 'the form did not navigate');
      });

      await t.test('file input reports names and sizes', async () => {
        await clear(page);
        await page.setInputFiles('#file', [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }]);
        assert.deepEqual(await page.evaluate(() => window.__files), [{ name: 'notes.txt', size: 5, type: 'text/plain' }]);
        const changes = (await spyOf(page)).filter((s) => s.type === 'change' && s.phase === 'element');
        assert.deepEqual(changes.map((s) => [s.target, s.files]), [['file', ['notes.txt']]]);
      });

      await t.test('trusted text drops (CDP Input.dispatchDragEvent)', async () => {
        for (const name of ['ta', 'ce', 'pm', 'cm', 'monaco']) {
          const text = `dropped into ${name}`;
          await clear(page);
          await dropText(page, cdp, page.locator(`#${name}`), text);
          await pollValue(page, name, text);
          const drops = (await spyOf(page)).filter((s) => s.type === 'drop' && s.phase === 'window-capture');
          assert.deepEqual(drops.map((s) => [s.target, s.text, s.trusted]), [[name, text, true]], name);
        }
      });

      for (const id of FRAMES) {
        await t.test(`iframe #${id}: type and paste into its textarea`, async () => {
          const frame = await (await page.$(`#${id}`)).contentFrame();
          assert.equal(await frame.evaluate(() => window.__ready), true);
          await checkTyping(page, frame, 'ta', id);
          await checkPaste(page, frame, 'ta', id, 'api');
          await checkPaste(page, frame, 'ce', `${id} ce`, 'keys');
          assert.deepEqual(await frame.evaluate(() => window.__cspViolations), []);
        });
      }
    } finally {
      await context.close();
    }
  });
}
