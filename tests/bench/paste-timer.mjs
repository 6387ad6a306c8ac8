// Paste timing in a real page, shared by the paste benchmarks: a textarea of the benchmark's own
// on the page, and the time from the Ctrl+V keystroke reaching the page to the (checked,
// allowed) paste reaching the textarea's listener.
const WARM_UP = 3;

// Adds the textarea and the listeners that time each paste.
export async function armPasteTarget(page) {
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<textarea id="bench-ta"></textarea>');
    window.__t = [];
    let down = 0;
    window.addEventListener('keydown', (e) => { if (e.key.toLowerCase() === 'v') down = performance.now(); }, true);
    document.getElementById('bench-ta').addEventListener('paste', (e) => {
      window.__t.push({ ms: performance.now() - down, bytes: e.clipboardData.getData('text/plain').length, trusted: e.isTrusted });
    });
  });
}

// Pastes `text` `runs` times (after a few untimed ones) into the empty textarea, `beforeEach`
// awaited before every paste. Resolves to {times (ms), intact ('all' when every paste arrived
// whole, else 'NO'), native (pastes the browser made itself, not re-dispatched), count}.
export async function timePastes(page, text, runs, beforeEach = null) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.evaluate(() => { window.__t = []; document.getElementById('bench-ta').value = ''; });
  await page.focus('#bench-ta');
  for (let i = 0; i < runs + WARM_UP; i++) {
    if (beforeEach) await beforeEach();
    await page.keyboard.press('Control+V');
    await page.waitForFunction((n) => window.__t.length >= n, i + 1, { polling: 10 });
    await page.evaluate(() => { document.getElementById('bench-ta').value = ''; }); // each paste into an empty composer
  }
  const seen = (await page.evaluate(() => window.__t)).slice(WARM_UP);
  return {
    times: seen.map((t) => t.ms),
    intact: seen.every((t) => t.bytes === text.length) ? 'all' : 'NO',
    native: seen.filter((t) => t.trusted).length,
    count: seen.length,
  };
}

export const quantile = (v, q) => v.slice().sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
