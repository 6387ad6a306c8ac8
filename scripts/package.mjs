// Assembles the unpacked extensions (dist/chrome, dist/firefox) and their archives from
// extension/, the manifest sources in manifest/, the wasm package and the static ruleset.
//   node scripts/package.mjs <wasm-pkg-dir> <rules-dir>   (rules-dir holds default-rules-<browser>.json)
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
const version = readJson('package.json').version ?? base.version;

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

  const manifest = { ...base, ...readJson(`manifest/${browser}.json`) };
  if (browser === 'firefox') delete manifest.key; // Firefox takes its id from gecko.id
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  const archive = join('dist', browser === 'chrome' ? 'aiguard-chrome.zip' : 'aiguard-firefox.xpi');
  rmSync(archive, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', '-9', join('..', '..', archive), '.'], { cwd: out });
  console.log(`${out}/ and ${archive}`);
}
