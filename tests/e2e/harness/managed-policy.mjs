// Enterprise policy as the browsers read it from disk (the tests run as root): Chromium's managed
// policy directory and Firefox's distribution policies.json. Each writer returns a function that
// removes what it wrote (and puts back a policies.json that was there before); the removal also
// runs when the test process exits, so a failed or interrupted test leaves no policy behind for
// the next browser on the machine.
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { CHROMIUM } from './chromium.mjs';
import { FIREFOX } from './firefox.mjs';

// The built package's id, as Chromium derives it from the manifest key: the first 16 bytes of the
// key's SHA-256, each nibble a letter a-p.
export const CHROMIUM_ID = extensionIdOf(readFileSync(new URL('../../../dist/chrome/manifest.json', import.meta.url), 'utf8'));

export function extensionIdOf(manifestText) {
  const key = Buffer.from(JSON.parse(manifestText).key, 'base64');
  return [...createHash('sha256').update(key).digest().subarray(0, 16)].map((b) => (b >> 4).toString(16) + (b & 15).toString(16)).join('')
    .replace(/[0-9a-f]/g, (h) => String.fromCharCode(97 + parseInt(h, 16)));
}
export const GECKO_ID = 'aiguard@aiguard.dev';
export const CHROMIUM_POLICY_DIR = process.env.CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';

function removable(remove) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    remove();
  };
  process.once('exit', once);
  return once;
}

// A file in Chromium's managed policy directory for a test to write (with `aiguard deploy`, say),
// removed by `remove()` or when the test process exits.
export function chromiumPolicyFile(name = 'aiguard-e2e.json') {
  mkdirSync(CHROMIUM_POLICY_DIR, { recursive: true });
  const path = join(CHROMIUM_POLICY_DIR, name);
  return { path, remove: removable(() => rmSync(path, { force: true })) };
}

// Writes `settings` (the extension's managed-storage keys) as a Chromium managed policy file.
export function writeChromiumPolicy(settings, name = 'aiguard-e2e.json') {
  mkdirSync(CHROMIUM_POLICY_DIR, { recursive: true });
  const file = join(CHROMIUM_POLICY_DIR, name);
  writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [CHROMIUM_ID]: settings } } }, null, 2));
  return removable(() => rmSync(file, { force: true }));
}

// The distribution directory next to the real Firefox binary (/usr/bin/firefox-esr is a link).
export function firefoxDistributionDir() {
  return process.env.FIREFOX_DISTRIBUTION_DIR ?? join(dirname(realpathSync(FIREFOX)), 'distribution');
}

// Firefox's policies.json for a test to write (with `aiguard deploy`, say); `remove()`, or the
// test process's exit, puts back the file that was there before, or removes it.
export function firefoxPolicyFile() {
  const dir = firefoxDistributionDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'policies.json');
  const before = existsSync(path) ? readFileSync(path) : null;
  return { path, remove: removable(() => (before ? writeFileSync(path, before) : rmSync(path, { force: true }))) };
}

// Writes `settings` as the add-on's 3rdparty policy in Firefox's policies.json.
export function writeFirefoxPolicy(settings) {
  const dir = firefoxDistributionDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'policies.json');
  const before = existsSync(file) ? readFileSync(file) : null;
  writeFileSync(file, JSON.stringify({ policies: { '3rdparty': { Extensions: { [GECKO_ID]: settings } } } }, null, 2));
  return removable(() => (before ? writeFileSync(file, before) : rmSync(file, { force: true })));
}
