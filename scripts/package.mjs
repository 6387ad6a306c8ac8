// Assembles the unpacked extensions (dist/chrome, dist/firefox) and their archives from
// extension/, the bundles of extension-bundles/ (npm code the pages use), the manifest sources
// in manifest/, the wasm package and the static ruleset.
//   node scripts/package.mjs <wasm-pkg-dir> <rules-dir>   (rules-dir holds default-rules-<browser>.json)
//
// The version is manifest/base.json's major.minor and a build stamp, so every build is newer
// than the last and browsers take it as an update: days since 2025-01-01, then the UTC second
// of the day halved (both within Chrome's 65535 per component). AIGUARD_VERSION overrides it.
// The Chrome manifest's `key` is the development key's public half (manifest/dev-key.pem, as
// `aiguard pack` derives it), which fixes the id the static ruleset names; `aiguard pack` with
// the company's key replaces both in the CRX it makes. AIGUARD_GECKO_ID gives the Firefox
// package a company's own add-on id, for signing it under the company's Mozilla account.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const [wasmDir, rulesDir] = process.argv.slice(2);
if (!wasmDir || !rulesDir) {
  console.error('usage: node scripts/package.mjs <wasm-pkg-dir> <rules-dir>');
  process.exit(2);
}
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const base = readJson('manifest/base.json');

function buildVersion(now = new Date()) {
  if (process.env.AIGUARD_VERSION) {
    if (!/^\d+(\.\d+){0,3}$/.test(process.env.AIGUARD_VERSION)) {
      console.error(`AIGUARD_VERSION=${process.env.AIGUARD_VERSION}: expected one to four dot-separated integers`);
      process.exit(2);
    }
    return process.env.AIGUARD_VERSION;
  }
  const day = Math.floor((now.getTime() - Date.UTC(2025, 0, 1)) / 86_400_000);
  const halfSecond = Math.floor((now.getTime() % 86_400_000) / 2000);
  return `${base.version}.${day}.${halfSecond}`;
}
const version = buildVersion();
const aiguard = process.env.AIGUARD_CLI ?? 'target/release/aiguard';
const manifestKey = execFileSync(aiguard, ['pack', '--key', 'manifest/dev-key.pem', '--print-manifest-key'], { encoding: 'utf8' }).trim();

for (const browser of ['chrome', 'firefox']) {
  const out = join('dist', browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync('extension', out, { recursive: true });
  mkdirSync(join(out, 'wasm'));
  // The engine, and the file decoders the background loads only when a file needs them.
  for (const f of ['aiguard_wasm.js', 'aiguard_wasm_bg.wasm', 'aiguard_files.js', 'aiguard_files_bg.wasm']) cpSync(join(wasmDir, f), join(out, 'wasm', f));
  mkdirSync(join(out, 'rules'));
  cpSync(join(rulesDir, `default-rules-${browser}.json`), join(out, 'rules', 'default.json'));
  cpSync('manifest/managed_schema.json', join(out, 'managed_schema.json'));
  // The console's policy editor (CodeMirror 6), bundled from extension-bundles/.
  execFileSync('node_modules/.bin/esbuild', ['extension-bundles/policy-editor.mjs', '--bundle', '--format=esm', '--minify', '--log-level=warning',
    `--outfile=${join(out, 'pages', 'policy-editor.js')}`], { stdio: 'inherit' });

  const manifest = { ...base, version, ...readJson(`manifest/${browser}.json`) };
  if (browser === 'chrome') manifest.key = manifestKey; // Firefox takes its id from gecko.id
  if (browser === 'firefox' && process.env.AIGUARD_GECKO_ID) {
    if (!/^([\w.-]*@[\w.-]+|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$/.test(process.env.AIGUARD_GECKO_ID)) {
      console.error(`AIGUARD_GECKO_ID=${process.env.AIGUARD_GECKO_ID}: expected a Firefox add-on id, name@domain or {UUID}`);
      process.exit(2);
    }
    manifest.browser_specific_settings.gecko.id = process.env.AIGUARD_GECKO_ID;
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  const archive = join('dist', browser === 'chrome' ? 'aiguard-chrome.zip' : 'aiguard-firefox.xpi');
  rmSync(archive, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', '-9', join('..', '..', archive), '.'], { cwd: out });
  console.log(`${out}/ and ${archive} (version ${version})`);
}
