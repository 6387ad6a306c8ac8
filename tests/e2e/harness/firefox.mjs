// Firefox ESR with the built add-on installed (temporarily, unless a profile is kept), driven through geckodriver over plain
// WebDriver HTTP. All traffic goes through the local proxy (see proxy.mjs).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const GECKO_ID = 'aiguard@aiguard.dev';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// With `keepProfile`, Firefox runs on a profile of its own and the add-on is installed from its
// package (dist/aiguard-firefox.xpi) as a company installs it, not temporarily: what it stored
// survives `restart({prefs})`, which quits and starts Firefox again on the same profile and
// add-on UUID (the add-on's storage belongs to its moz-extension:// origin, so a new UUID would
// start it empty). `close()` removes the profile.
export async function launchFirefox(options) {
  const { keepProfile = false, ...rest } = options;
  const profileDir = keepProfile ? mkdtempSync(join(tmpdir(), 'aiguard-firefox-')) : null;
  let ff;
  try {
    ff = await startFirefox({ ...rest, profileDir });
  } catch (e) {
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    throw e;
  }
  if (!profileDir) return ff;
  const kept = (session) => ({
    ...session,
    async restart({ prefs = {} } = {}) {
      await session.close();
      return kept(await startFirefox({ ...rest, prefs, profileDir, install: false, uuid: session.uuid }));
    },
    async close() {
      await session.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  });
  return kept(ff);
}

async function startFirefox({ proxyPort, extensionDir = 'dist/firefox', profileDir = null, install = true, uuid = randomUUID(), prefs = {} }) {
  const port = await freePort();
  const driver = spawn('geckodriver', ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let driverLog = '';
  driver.stderr.on('data', (d) => { driverLog += d; });
  const base = `http://127.0.0.1:${port}`;
  async function call(method, path, body, timeoutMs) {
    const signal = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body), signal });
    const j = await r.json();
    if (j.value?.error) throw new Error(`WebDriver ${method} ${path}: ${j.value.error}: ${j.value.message}`);
    return j.value;
  }
  for (let i = 0; ; i++) {
    try { await call('GET', '/status'); break; } catch (e) {
      if (i > 100) throw new Error(`geckodriver did not start: ${e.message}\n${driverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const session = await call('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'firefox',
        acceptInsecureCerts: true,
        'moz:firefoxOptions': {
          binary: FIREFOX,
          args: ['-headless', ...(profileDir ? ['-profile', profileDir] : [])],
          prefs: {
            'network.proxy.type': 1,
            'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': proxyPort,
            'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': proxyPort,
            'network.proxy.no_proxies_on': '', 'network.proxy.allow_hijacking_localhost': true,
            'network.dns.disablePrefetch': true, 'network.http.speculative-parallel-limit': 0,
            'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
            // navigator.clipboard.read*() without Firefox's own "Paste" prompt, which WebDriver
            // cannot click.
            'dom.events.testing.asyncClipboard': true,
            // An unsigned package installed for good (Firefox ESR honours this).
            'xpinstall.signatures.required': false,
            ...prefs,
          },
        },
      },
    },
  });
  const sid = session.sessionId;
  const s = (method, path, body) => call(method, `/session/${sid}${path}`, body);
  if (profileDir && install) await s('POST', '/moz/addon/install', { path: resolve('dist/aiguard-firefox.xpi'), temporary: false });
  else if (!profileDir) await s('POST', '/moz/addon/install', { path: resolve(extensionDir), temporary: true });
  return {
    uuid,
    extensionBase: `moz-extension://${uuid}/`,
    navigate: (url) => s('POST', '/url', { url }),
    url: () => s('GET', '/url'),
    exec: (script, args = []) => s('POST', '/execute/sync', { script, args }),
    execAsync: (script, args = []) => s('POST', '/execute/async', { script, args }),
    screenshot: () => s('GET', '/screenshot'),
    // Windows: the current one's handle, a new tab (its handle), and switching commands to one.
    window: () => s('GET', '/window'),
    newTab: async () => (await s('POST', '/window/new', { type: 'tab' })).handle,
    switchTo: (handle) => s('POST', '/window', { handle }),
    // Real key presses through WebDriver actions: `keys` like ['Control', 'v'] are held in order
    // and released in reverse.
    async press(...keys) {
      const code = { Control: '\uE009', Shift: '\uE008', Enter: '\uE007', Escape: '\uE00C', Tab: '\uE004', End: '\uE010' };
      const values = keys.map((k) => code[k] ?? k);
      const actions = [...values.map((value) => ({ type: 'keyDown', value })), ...values.reverse().map((value) => ({ type: 'keyUp', value }))];
      await s('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
      await s('DELETE', '/actions');
    },
    // Switches the commands' context to the iframe `selector` names, or back to the top page.
    async frame(selector) {
      if (selector == null) return s('POST', '/frame', { id: null });
      const found = await s('POST', '/element', { using: 'css selector', value: selector });
      return s('POST', '/frame', { id: found });
    },
    // A real click on the element `selector` names (WebDriver's element click: a trusted event).
    async click(selector) {
      const found = await s('POST', '/element', { using: 'css selector', value: selector });
      await s('POST', `/element/${Object.values(found)[0]}/click`, {});
    },
    // Picks files in an <input type=file> the WebDriver way (as the file chooser would);
    // `host` names the element whose shadow root holds the input, if it is in one.
    async chooseFiles(selector, paths, host = null) {
      let found;
      if (host) {
        const hostId = Object.values(await s('POST', '/element', { using: 'css selector', value: host }))[0];
        const rootId = Object.values(await s('GET', `/element/${hostId}/shadow`))[0];
        found = await s('POST', `/shadow/${rootId}/element`, { using: 'css selector', value: selector });
      } else {
        found = await s('POST', '/element', { using: 'css selector', value: selector });
      }
      const id = Object.values(found)[0];
      await s('POST', `/element/${id}/value`, { text: paths.join('\n') });
    },
    // The text of AIGuard's dialog, or null when there is none. WebDriver reaches into the
    // dialog's closed shadow root, which page scripts cannot.
    async dialogText() {
      let host;
      try { host = await s('POST', '/element', { using: 'css selector', value: 'aiguard-dialog' }); } catch { return null; }
      const root = Object.values(await s('GET', `/element/${Object.values(host)[0]}/shadow`))[0];
      const dialog = await s('POST', `/shadow/${root}/element`, { using: 'css selector', value: 'dialog' });
      return s('GET', `/element/${Object.values(dialog)[0]}/text`);
    },
    async type(text) {
      const actions = [...text].flatMap((value) => [{ type: 'keyDown', value }, { type: 'keyUp', value }]);
      await s('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
    },
    // Ends the session (Firefox quits), bounded: a session that does not end is left to the
    // driver's own shutdown rather than holding the test run open.
    async close() {
      try { await call('DELETE', `/session/${sid}`, undefined, 30_000); } catch { /* already gone, or stuck */ }
      driver.kill();
    },
  };
}

export async function waitFor(fn, what, timeout = 15_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e.message; }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last}`);
}

// Goes to `url` until AIGuard's warn or block page for it shows: an extension page, from which
// the background can be asked (WebDriver may not open an extension page itself).
export async function extensionPageFor(ff, url, timeout = 60_000) {
  await waitFor(async () => {
    const at = await ff.url();
    if (at.startsWith(ff.extensionBase) && (await ff.exec('return document.readyState')) === 'complete') return true;
    await ff.navigate(url).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    return false;
  }, `AIGuard's page for ${url}`, timeout);
}

// The background's answer to `msg`, asked from the extension page the session is on (wrapped:
// WebDriver takes a result with an `error` field for its own). `findPage` runs before each
// attempt, for a session whose page may have navigated away meanwhile.
export function askBackground(ff, msg, { findPage = null, timeout = 30_000 } = {}) {
  return waitFor(async () => {
    if (findPage) await findPage();
    return (await ff.execAsync(`const [msg, done] = arguments;
      browser.runtime.sendMessage(msg).then((answer) => done({ answer }), () => done(null));`, [msg]))?.answer;
  }, `the background to answer ${msg.type}`, timeout);
}
