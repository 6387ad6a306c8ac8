// Shows the product working on its built-in policy: Chromium with dist/chrome loaded opens
// https://chatgpt.com/ (served locally under its real hostname) and the warn page appears; after
// "Continue", a pasted credential is stopped by the dialog; then the employee's toolbar popup
// for that tab, and the admin's console. Each view is saved under dist/screenshots/. With a
// display the browser stays open to explore; without one it runs headless and prints the paths.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSites } from '../tests/e2e/harness/sites.mjs';
import { launchChromium, waitForUrl, until, dialogText } from '../tests/e2e/harness/chromium.mjs';
import { buildComposerBundle } from '../tests/e2e/harness/composer.mjs';

const headless = !process.env.DISPLAY || process.env.AIGUARD_DEMO_HEADLESS === '1';
const dir = resolve('dist/screenshots');
mkdirSync(dir, { recursive: true });
const shots = [];
async function shoot(page, name, options = {}) {
  const path = `${dir}/${name}.png`;
  await page.screenshot({ path, ...options });
  shots.push(path);
}

await buildComposerBundle();
const sites = await startSites();
const browser = await launchChromium({ ...sites, headless });
await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'https://chatgpt.com' });
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1100, height: 760 });
await page.goto('https://chatgpt.com/composer?csp=strict').catch(() => {});
await waitForUrl(page, (u) => u.includes('/pages/warn.html'));
await page.locator('#original-url').filter({ hasText: 'chatgpt.com' }).waitFor();
await shoot(page, 'warn-page');
console.log(`AIGuard is running in Chromium (extension id ${browser.extensionId}).`);
console.log(`https://chatgpt.com/ was stopped by the warn page: ${await page.locator('#title').innerText()}`);

// The employee goes on; a credential pasted into the assistant is stopped.
if (await page.locator('#justification-box').isVisible()) await page.fill('#justification', 'Evaluating it for the platform team');
await page.locator('#continue:not([disabled])').click();
await waitForUrl(page, (u) => u.startsWith('https://chatgpt.com/composer'));
await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
await page.evaluate(() => navigator.clipboard.writeText('deploy with aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2 please'));
await page.evaluate(() => window.__editors.focus('ta'));
await page.keyboard.press('Control+V');
const cdp = await browser.context.newCDPSession(page);
const dialog = await until('the paste dialog', () => dialogText(cdp), 15_000);
await shoot(page, 'paste-dialog');
console.log(`A pasted AWS key was stopped: ${dialog.split('\n')[0]}`);
await page.keyboard.press('Enter');

// What the toolbar popup tells the employee about that tab, and the admin's console.
const tabId = await browser.worker.evaluate(async () => (await chrome.tabs.query({})).find((t) => t.url.startsWith('https://chatgpt.com/'))?.id);
const popup = await browser.context.newPage();
await popup.setViewportSize({ width: 360, height: 300 });
await popup.goto(`chrome-extension://${browser.extensionId}/pages/popup.html?tab=${tabId}`);
await popup.locator('#popup[data-state="applies"]').waitFor();
await shoot(popup, 'popup', { clip: { x: 0, y: 0, width: 360, height: await popup.evaluate(() => document.body.scrollHeight) } });
await popup.close();
const console_ = await browser.context.newPage();
await console_.setViewportSize({ width: 1100, height: 900 });
await console_.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
await console_.locator('#engine-state').filter({ hasText: 'running' }).waitFor();
await console_.locator('#catalog-table tbody tr').first().waitFor();
await shoot(console_, 'console');
await console_.fill('#try-url', 'https://claude.ai/new');
await console_.click('#try');
await console_.fill('#try-text', 'Quarterly numbers — key AKIAFLHBMUAPTT2ZN5X2');
await console_.click('#try-text-button');
await console_.locator('#try-text-view mark').first().waitFor();
await console_.locator('#try-h').scrollIntoViewIfNeeded();
await shoot(console_, 'console-try');
await console_.locator('#catalog-h').scrollIntoViewIfNeeded();
await shoot(console_, 'console-catalog');

console.log(`Screenshots:\n  ${shots.join('\n  ')}`);
if (headless) {
  await browser.close();
  await sites.close();
} else {
  console.log('The browser stays open; close it to finish.');
  browser.context.on('close', () => void sites.close());
}
