// Fetches the pinned packages of a corpus manifest into target/corpus/<name>-<version>/.
//
//   node tests/corpora/fetch.mjs [tests/corpora/fingerprint/packages.json]
//
// Each archive is checked against the manifest's SHA-256 before it is unpacked, so a corpus is
// the same bytes on every machine or the run stops. A package already unpacked with the same
// checksum is not fetched again. The archive's single top directory (`package/`, `name-1.0/`)
// is stripped. Only the package registries are contacted (crates.io, npm, PyPI, Debian).

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const manifestPath = resolve(process.argv[2] ?? join(root, 'tests/corpora/fingerprint/packages.json'));
const outDir = join(root, 'target/corpus');
const FIELDS = ['name', 'version', 'language', 'role', 'url', 'sha256', 'paths'];

function fail(message) {
  console.error(`corpus: ${message}`);
  process.exit(1);
}

let manifest;
try {
  manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
} catch (e) {
  fail(`${manifestPath}: ${e.message}`);
}
if (!Array.isArray(manifest.packages)) fail(`${manifestPath}: expected a "packages" array`);
manifest.packages.forEach((p, i) => {
  const missing = FIELDS.filter((f) => p[f] === undefined);
  if (missing.length) fail(`${manifestPath}: packages[${i}] (${p.name ?? 'unnamed'}): missing ${missing.join(', ')}`);
  if (!/^[0-9a-f]{64}$/.test(p.sha256)) fail(`${manifestPath}: packages[${i}] (${p.name}): sha256 must be 64 hex digits`);
});

mkdirSync(outDir, { recursive: true });
let fetched = 0;
for (const p of manifest.packages) {
  const dest = join(outDir, `${p.name}-${p.version}`);
  const marker = join(dest, '.corpus-sha256');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === p.sha256) continue;

  let body;
  try {
    const response = await fetch(p.url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = Buffer.from(await response.arrayBuffer());
  } catch (e) {
    fail(`${p.name} ${p.version}: cannot download ${p.url}: ${e.cause?.message ?? e.message}`);
  }
  const got = createHash('sha256').update(body).digest('hex');
  if (got !== p.sha256) fail(`${p.name} ${p.version}: ${p.url}: SHA-256 ${got}, the manifest pins ${p.sha256}`);

  const archive = `${dest}.download`;
  const staging = `${dest}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(archive, body);
  try {
    // tar picks gzip, xz or bzip2 from the content.
    execFileSync('tar', ['-xf', archive, '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    fail(`${p.name} ${p.version}: cannot unpack ${archive}: ${e.stderr?.toString().trim() || e.message}`);
  }
  rmSync(archive);
  // One top directory is the archive's wrapper: its contents are the package.
  const top = readdirSync(staging);
  const content = top.length === 1 && statSync(join(staging, top[0])).isDirectory() ? join(staging, top[0]) : staging;
  rmSync(dest, { recursive: true, force: true });
  renameSync(content, dest);
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(marker, `${p.sha256}\n`);
  fetched++;
}
console.log(`corpus: ${manifest.packages.length} packages in target/corpus (${fetched} fetched now)`);
