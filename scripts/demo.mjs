// Shows the product working on its built-in policy: Chromium with dist/chrome loaded opens
// https://chatgpt.com/ (served locally under its real hostname) and the warn page appears.
// With a display the browser stays open to explore; without one it runs headless, saves a
// screenshot and prints its path.
import { resolve } from 'node:path';
import { startSites } from '../tests/e2e/harness/sites.mjs';
import { launchChromium, waitForUrl } from '../tests/e2e/harness/chromium.mjs';

const headless = !process.env.DISPLAY || process.env.AIGUARD_DEMO_HEADLESS === '1';
const sites = await startSites();
const browser = await launchChromium({ ...sites, headless });
const page = await browser.context.newPage();
await page.goto('https://chatgpt.com/').catch(() => {});
await waitForUrl(page, (u) => u.includes('/pages/warn.html'));
await page.locator('#original-url').filter({ hasText: 'chatgpt.com' }).waitFor();
const shot = resolve('dist/demo-warn-page.png');
await page.screenshot({ path: shot });
console.log(`AIGuard is running in Chromium (extension id ${browser.extensionId}).`);
console.log(`https://chatgpt.com/ was stopped by the warn page: ${await page.locator('#title').innerText()}`);
console.log(`Screenshot: ${shot}`);
if (headless) {
  await browser.close();
  await sites.close();
} else {
  console.log('The browser stays open; close it to finish.');
  browser.context.on('close', () => void sites.close());
}
