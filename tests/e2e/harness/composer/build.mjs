// Bundles the composer page scripts (ProseMirror + CodeMirror + spy) with esbuild into dist/.
// Run at test time through buildComposerBundle(); `node tests/e2e/harness/composer/build.mjs`
// builds by hand (add --force to rebuild). The output is skipped when a stamp of the sources,
// package-lock.json and the esbuild version is unchanged. dist/ is gitignored.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COMPOSER_DIR = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = join(COMPOSER_DIR, 'dist');
const SRC_DIR = join(COMPOSER_DIR, 'src');
const REPO_ROOT = join(COMPOSER_DIR, '..', '..', '..', '..');
const ENTRIES = { composer: join(SRC_DIR, 'main.js'), frame: join(SRC_DIR, 'frame.js') };
export const BUNDLE_FILES = Object.keys(ENTRIES).map((n) => `${n}.js`);

async function stampOf(esbuild) {
  const hash = createHash('sha256');
  hash.update(`esbuild ${esbuild.version}\n`);
  for (const f of readdirSync(SRC_DIR).sort()) hash.update(`${f}\n`).update(readFileSync(join(SRC_DIR, f)));
  hash.update(readFileSync(join(COMPOSER_DIR, 'build.mjs')));
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

let pending = null;

// Returns { dir, built } where built says whether esbuild ran. Safe to call concurrently, from
// this process (memoised) or from parallel test processes (files land by atomic rename).
export function buildComposerBundle({ force = false } = {}) {
  if (force) pending = null;
  pending ??= (async () => {
    const esbuild = await import('esbuild');
    const stamp = await stampOf(esbuild);
    const stampFile = join(DIST_DIR, '.stamp');
    const upToDate = !force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp
      && BUNDLE_FILES.every((f) => existsSync(join(DIST_DIR, f)));
    if (upToDate) return { dir: DIST_DIR, built: false };
    mkdirSync(DIST_DIR, { recursive: true });
    const tmp = mkdtempSync(join(DIST_DIR, '.tmp-'));
    try {
      await esbuild.build({
        entryPoints: ENTRIES,
        outdir: tmp,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: ['chrome110', 'firefox115'],
        minify: false,
        sourcemap: false,
        legalComments: 'none',
        logLevel: 'warning',
        absWorkingDir: REPO_ROOT,
      });
      for (const f of BUNDLE_FILES) renameSync(join(tmp, f), join(DIST_DIR, f));
      writeFileSync(join(tmp, '.stamp'), stamp);
      renameSync(join(tmp, '.stamp'), stampFile);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return { dir: DIST_DIR, built: true };
  })();
  pending.catch(() => { pending = null; });
  return pending;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { built, dir } = await buildComposerBundle({ force: process.argv.includes('--force') });
  console.log(built ? `built ${BUNDLE_FILES.join(', ')} into ${dir}` : `up to date: ${dir}`);
}
