// Files an employee might send a credential in, chosen through a file input on an AI site in
// Chromium with the built extension (the policy approves the site, with no content section:
// credentials block, what cannot be read warns): a UTF-16 `.env`, a zip holding a
// `.env` and a `.docx` whose key is split across runs are each stopped with the dialog naming the
// file (and the entry inside it), and an encrypted zip, which cannot be read, gets the warn
// dialog saying so and is recorded in the audit trail. Before the file decoders each of them
// reached the page unread. The page's CSP forbids WebAssembly, as most AI sites' do: files are
// always judged in the background, which loads the decoders module for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSites } from './harness/sites.mjs';
import { launchChromium, until, dialogText, saveLocalPolicy } from './harness/chromium.mjs';
import { filesOnDisk } from './harness/files.mjs';
import { ENV, KEY, utf16le, zip, docx, lockedZip } from '../fixtures/files.mjs';

let sites, browser, page, cdp;
before(async () => {
  sites = await startSites();
  browser = await launchChromium(sites);
  const saved = await saveLocalPolicy(browser, { version: 1, rules: [{ id: 'approved', action: 'allow', patterns: ['claude.ai'] }] });
  assert.equal(saved.source, 'local', JSON.stringify(saved));
  page = await browser.context.newPage();
  cdp = await browser.context.newCDPSession(page);
  await page.goto('https://claude.ai/hostile?csp=strict');
  await page.waitForFunction(() => Array.isArray(window.__seen));
});
after(async () => {
  await browser?.close();
  await sites?.close();
});

const shown = () => dialogText(cdp);
const noDialog = () => until('the dialog to close', async () => (await shown()) === null);
// The file selections that reached the page (its spy listens to `change`).
const delivered = () => page.evaluate(() => window.__seen.filter((e) => e.type === 'change').map((e) => e.files));

// Chooses one file from disk as the employee does; resolves to the dialog's text.
async function choose(name, buffer) {
  await page.evaluate(() => { window.__seen.length = 0; });
  const chooser = page.waitForEvent('filechooser');
  await page.click('#file');
  await (await chooser).setFiles(filesOnDisk([{ name, buffer }]));
  return until(`the dialog for ${name}`, shown, 15_000);
}

const keyFiles = [
  ['prod-utf16.env', utf16le(ENV), null],
  ['bundle.zip', zip([{ name: 'readme.txt', data: 'deployment bundle\n' }, { name: 'config/.env', data: ENV }]), 'config/.env'],
  ['notes.docx', docx(['aws_access_key_id = ', 'AKIA', KEY.slice(4)]), 'word/document.xml'],
];

for (const [name, buffer, entry] of keyFiles) {
  test(`${name}: the key inside is found and the file never reaches the page`, async () => {
    const text = await choose(name, buffer);
    assert.match(text, /File removed/);
    assert.ok(text.includes(`aws-access-key-id · ${name}${entry ? ` › ${entry}` : ''}`), text);
    assert.ok(!text.includes(KEY), 'the dialog shows a masked excerpt only');
    await page.keyboard.press('Enter'); // OK
    await noDialog();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await delivered(), []);
    assert.equal(await page.evaluate(() => document.getElementById('file').files.length), 0);
  });
}

test('an encrypted zip cannot be read: the warn dialog says so, Cancel keeps it out, "Upload anyway" lets it in, and the audit trail records it', async () => {
  let text = await choose('locked.zip', lockedZip());
  assert.match(text, /Check before you upload/);
  assert.ok(text.includes('encrypted · locked.zip › secrets/prod.env'), text);
  await page.keyboard.press('Enter'); // Cancel is focused
  await noDialog();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await delivered(), []);

  text = await choose('locked.zip', lockedZip());
  await page.keyboard.press('Tab'); // Cancel → "Upload anyway"
  await page.keyboard.press('Enter');
  await noDialog();
  await until('the page gets the file', async () => (await delivered()).length > 0);
  assert.deepEqual(await delivered(), [['locked.zip']]);

  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
  const { entries } = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'audit' }));
  await options.close();
  const unscannable = entries.filter((e) => e.type === 'content-unscannable');
  assert.ok(unscannable.length >= 2, JSON.stringify(entries));
  assert.deepEqual(unscannable.at(-1).files, [{ name: 'locked.zip', status: 'unscannable', problems: [{ entry: 'secrets/prod.env', reason: 'encrypted' }] }]);
  assert.equal(unscannable.at(-1).url, 'https://claude.ai/hostile');
  assert.ok(!JSON.stringify(entries).includes(KEY));
});
