// An AI page as an adversary, in Debian's Chromium with the built extension: the page's own
// scripts (page.evaluate runs in the page's world) try to use AIGuard against the employee.
// Nothing they do may read the clipboard, learn a verdict on content the employee did not give
// them, reach a held file, or win a "Continue" the employee did not choose (SECURITY.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { filesOnDisk } from './harness/files.mjs';
import { launchChromium, waitForUrl, sleep, until, dialogText, saveLocalPolicy } from './harness/chromium.mjs';

const SECRET = 'AKIAFLHBMUAPTT2ZN5X2';
const SECRET_TEXT = `deploy with aws_access_key_id = ${SECRET} please`;
const MARKER = 'ACME CONFIDENTIAL';
const MARKER_TEXT = `Roadmap — ${MARKER} — do not forward`;
// Where the employee copies from: a page with clipboard access that is not the hostile one.
const CLIPBOARD_ORIGIN = 'https://example.org';
const POLICY = {
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'approved', action: 'allow', patterns: ['claude.ai'] },
    { id: 'internal-assistant', action: 'allow', patterns: ['example.com/ai'] },
    { id: 'genai', action: 'warn', patterns: ['chatgpt.com', 'gemini.google.com', 'perplexity.ai', 'poe.com', 'you.com', 'mistral.ai'] },
  ],
  content: {
    secrets: { action: 'warn' },
    markers: [{ id: 'acme-confidential', action: 'block', terms: [MARKER] }],
    engineInPage: 'allow',
  },
};

let sites, browser;
const ext = () => `chrome-extension://${browser.extensionId}/`;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
  const saved = await saveLocalPolicy(browser, POLICY);
  assert.equal(saved.source, 'local', JSON.stringify(saved));
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: CLIPBOARD_ORIGIN });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'https://example.com' });
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

// The employee copies `text` somewhere else (a page allowed to write the clipboard).
async function copyElsewhere(text) {
  const page = await browser.context.newPage();
  await page.goto(`${CLIPBOARD_ORIGIN}/`);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.close();
}

async function openHostile(url) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await page.goto(url);
  await page.waitForFunction(() => Array.isArray(window.__seen));
  return { page, cdp };
}

const seen = (page) => page.evaluate(() => window.__seen);
const backgroundChecks = async () => (await browser.worker.evaluate(() => globalThis.aiguard.diagnostics())).contentChecks;

for (const csp of ['permissive', 'strict']) {
  const url = `https://claude.ai/hostile${csp === 'strict' ? '?csp=strict' : ''}`;

  test(`${csp} CSP: a synthetic paste is passed untouched and never becomes a read of the clipboard`, async () => {
    await copyElsewhere(SECRET_TEXT);
    const { page, cdp } = await openHostile(url);
    const checks = await backgroundChecks();
    // claude.ai was given no clipboard permission; its script fakes a paste of harmless text.
    await page.evaluate(() => {
      const ta = document.getElementById('ta');
      ta.focus();
      const data = new DataTransfer();
      data.setData('text/plain', 'hello');
      window.__own = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      document.addEventListener('paste', (e) => { e.target.dataset.own = String(e === window.__own); });
      ta.dispatchEvent(window.__own);
    });
    await sleep(1500);
    const events = await seen(page);
    assert.deepEqual(events, [{ type: 'paste', trusted: false, prevented: false, text: 'hello' }], 'the page gets its own event, and nothing else');
    assert.equal(await page.evaluate(() => document.getElementById('ta').dataset.own), 'true', 'the very event the page sent, not a copy');
    assert.equal(await backgroundChecks(), checks, 'AIGuard was not asked about the page\'s own event');
    assert.ok(!(await page.evaluate(() => document.getElementById('ta').value)).includes(SECRET));
    assert.equal(await dialogText(cdp), null);
    await page.close();
  });

  test(`${csp} CSP: synthetic pastes, drops, Enter, script submissions and editing commands are no verdict oracle`, async () => {
    const { page, cdp } = await openHostile(url);
    await page.evaluate((text) => {
      const ta = document.getElementById('ta');
      const data = () => { const d = new DataTransfer(); d.setData('text/plain', text); return d; };
      ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data(), bubbles: true, cancelable: true }));
      ta.dispatchEvent(new DragEvent('drop', { dataTransfer: data(), bubbles: true, cancelable: true }));
      ta.value = text;
      ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
      ta.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, cancelable: true }));
      document.getElementById('fta').value = text;
      document.getElementById('form').requestSubmit();
      // Its own editing command, and a forged beforeinput.
      const box = document.createElement('textarea');
      document.body.append(box);
      box.focus();
      box.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertText', data: text, bubbles: true, cancelable: true }));
      document.execCommand('insertText', false, text);
      window.__commanded = box.value;
    }, MARKER_TEXT);
    await sleep(1500);
    assert.equal(await page.evaluate(() => window.__commanded), MARKER_TEXT, 'the page\'s editing command did what it does without AIGuard');
    const types = (await seen(page)).map((e) => [e.type, e.prevented, e.text.includes(MARKER)]);
    assert.deepEqual(types, [['paste', false, true], ['drop', false, true], ['keydown', false, true], ['submit', false, true]],
      'every event reaches the page as the page sent it');
    assert.equal(await dialogText(cdp), null, 'no dialog tells anyone what the engine thinks of the page\'s text');
    await page.close();
  });
}

test('forged clipboard answers do not release a read the employee has not answered', async () => {
  await copyElsewhere(SECRET_TEXT);
  // example.com/ai is in scope and may read the clipboard: the read waits for the dialog.
  const { page, cdp } = await openHostile('https://example.com/ai/hostile');
  await page.evaluate(() => {
    window.__read = null;
    navigator.clipboard.readText().then((text) => { window.__read = { text }; }, (e) => { window.__read = { error: e.name }; });
  });
  assert.match(await until('the dialog', () => dialogText(cdp)), /aws/i);
  // Every answer the page could forge: DOM events with any id, and window messages.
  await page.evaluate(() => {
    for (let id = 0; id < 300; id++) {
      const detail = JSON.stringify({ id, deliver: 'all', text: 'forged' });
      document.dispatchEvent(new CustomEvent('aiguard-clipboard-verdict', { detail }));
      window.postMessage({ id, deliver: 'all' }, '*');
    }
  });
  await sleep(800);
  assert.equal(await page.evaluate(() => window.__read), null, 'nothing settles while the dialog is open');
  await page.keyboard.press('Enter'); // Cancel
  await until('the read is refused', async () => (await page.evaluate(() => window.__read))?.error === 'NotAllowedError');
  await page.close();
});

test('a held file selection is out of the page\'s reach: polling and a forged hand-back get nothing', async () => {
  for (const how of ['attached', 'detached']) {
    const { page, cdp } = await openHostile('https://claude.ai/hostile');
    await page.evaluate((how) => {
      window.__polled = [];
      window.__changes = [];
      const input = how === 'attached' ? document.getElementById('file') : Object.assign(document.createElement('input'), { type: 'file' });
      input.addEventListener('change', () => window.__changes.push([...input.files].map((f) => f.name)));
      window.__input = input;
      setInterval(() => window.__polled.push(...[...window.__input.files].map((f) => f.name)), 5);
    }, how);
    const chooser = page.waitForEvent('filechooser');
    await page.evaluate(() => window.__input.click());
    await (await chooser).setFiles(filesOnDisk([{ name: 'prod.env', mimeType: 'text/plain', buffer: Buffer.from(`AWS_ACCESS_KEY_ID=${SECRET}\n`) }]));
    await until('the dialog', () => dialogText(cdp));
    // The page forges the hand-back events, at the input and everywhere else.
    await page.evaluate(() => {
      for (const target of [window.__input, document, window]) {
        target.dispatchEvent(new Event('aiguard-upload-done', { bubbles: true }));
        target.dispatchEvent(new CustomEvent('aiguard-upload-done', { bubbles: true, detail: '{}' }));
      }
    });
    await sleep(500);
    assert.deepEqual(await page.evaluate(() => window.__polled), [], `${how}: the held file is not in the input while it is checked`);
    assert.deepEqual(await page.evaluate(() => window.__changes), [], `${how}: no change reached the page while held`);
    await page.keyboard.press('Enter'); // Cancel: the flagged file goes
    await until('the dialog closes', async () => (await dialogText(cdp)) === null);
    await sleep(300);
    assert.ok(!(await page.evaluate(() => window.__polled)).includes('prod.env'), `${how}: never in the input`);
    assert.ok(!(await page.evaluate(() => window.__changes)).flat().includes('prod.env'), `${how}: never handed to the page`);
    await page.close();
  }
});

test('after document.open(), a capture listener the page adds at once still comes after AIGuard\'s', async () => {
  await copyElsewhere(MARKER_TEXT);
  const { page, cdp } = await openHostile('https://claude.ai/hostile');
  await page.evaluate(() => {
    document.open();
    document.write('<!doctype html><title>reopened</title><textarea id="t"></textarea>');
    document.close();
    window.__pasted = [];
    window.addEventListener('paste', (e) => window.__pasted.push(e.clipboardData.getData('text/plain')), true);
    document.getElementById('t').focus();
  });
  await page.keyboard.press('Control+V');
  assert.match(await until('the dialog', () => dialogText(cdp)), /acme-confidential/);
  assert.deepEqual(await page.evaluate(() => window.__pasted), [], 'the page\'s listener never saw the paste');
  await page.keyboard.press('Enter');
  await page.close();
});

test('the warn page opened by a web page is no redirect and gives no "Continue"', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/');
  for (const target of ['file:///etc/passwd', 'https://chatgpt.com/opened-by-a-page']) {
    const popup = page.waitForEvent('popup');
    await page.evaluate((url) => window.open(url), `${ext()}pages/warn.html#url=${target}`);
    const warn = await popup;
    await warn.waitForLoadState();
    // The page settles on "unknown" without a "Continue" for a navigation the extension did not stop.
    await until(`${target}: no "Continue"`, async () => (await warn.locator('#continue').count()) === 0, 8000);
    assert.ok(warn.url().startsWith(ext()), `stays on the warn page, not ${warn.url()}`);
    await warn.close();
  }
  // Still warned: nothing was granted.
  const check = await browser.context.newPage();
  await check.goto('https://chatgpt.com/opened-by-a-page').catch(() => {});
  await waitForUrl(check, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await check.close();
  await page.close();
});

test('the warn page in a frame offers no "Continue": a framed click grants nothing', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/frame?src=' + encodeURIComponent('https://poe.com/framed'));
  const frame = await until('the warn page in the frame', async () => page.frames().find((f) => f.url().startsWith(ext() + 'pages/warn.html')));
  await frame.locator('#original-url').filter({ hasText: 'https://poe.com/framed' }).waitFor();
  await sleep(500);
  // What a clickjacking page would make the employee click.
  await frame.locator('#continue').click({ timeout: 2000, force: true }).catch(() => {});
  await sleep(800);
  const check = await browser.context.newPage();
  await check.goto('https://poe.com/framed').catch(() => {});
  await waitForUrl(check, (u) => u.startsWith(ext() + 'pages/warn.html'));
  await check.close();
  await page.close();
});

test('"Continue" clicked the moment the warn page shows is acted on, every time', async () => {
  for (const host of ['gemini.google.com', 'perplexity.ai', 'you.com', 'mistral.ai']) {
    const page = await browser.context.newPage();
    page.goto(`https://${host}/now`).catch(() => {});
    await waitForUrl(page, (u) => u.startsWith(ext() + 'pages/warn.html'));
    // A real click where the button is, the moment it can be clicked: before the background has
    // answered the page, most of the time.
    const button = page.locator('#continue');
    await until('the button to be clickable', () => button.isEnabled().catch(() => false), 10_000);
    const box = await button.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await waitForUrl(page, (u) => u === `https://${host}/now`, 5000);
    await page.close();
  }
});

// Last: it reloads the extension.
test('a lost extension context: a paste that cannot be checked is refused visibly, with the reason', async () => {
  await copyElsewhere(MARKER_TEXT);
  // Under a strict CSP the background judges content: with the extension gone there is no one
  // to ask. (Where the engine runs in the page, it still judges there.)
  const { page, cdp } = await openHostile('https://claude.ai/hostile?csp=strict');
  await page.evaluate(() => document.getElementById('ta').focus());
  // The extension reloads under the open tab (as an update does): this tab's content scripts
  // lose their extension.
  await browser.worker.evaluate(() => chrome.runtime.reload()).catch(() => {});
  await sleep(2000);
  await page.keyboard.press('Control+V');
  const shown = await until('the dialog', () => dialogText(cdp));
  assert.match(shown, /updated or restarted/, shown);
  assert.match(shown, /Reload the page/, shown);
  assert.ok(!(await page.evaluate(() => document.getElementById('ta').value)).includes(MARKER));
  assert.ok(!(await seen(page)).some((e) => e.text?.includes(MARKER)));
  await page.close();
});
