// How much of the shipped logic is JavaScript: lines of code (not blank, not only a comment) in
// the engine and its bindings (Rust, without unit-test modules and the secret rule table) and in
// the extension (JavaScript). Every decision belongs in Rust; the JavaScript should only carry
// events and draw, so its share is watched as the extension grows.
//   node scripts/code-share.mjs [REV]     (default: the working tree)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const rev = process.argv[2] ?? null;
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const files = (rev ? git('ls-tree', '-r', '--name-only', rev) : git('ls-files', '--cached', '--others', '--exclude-standard'))
  .split('\n').filter(Boolean);
const read = (path) => (rev ? git('show', `${rev}:${path}`) : readFileSync(path, 'utf8'));

// Rule tables are data, whatever language they are written in.
const TABLES = new Set(['wasm/engine/src/content/secrets/rules.rs']);

function codeLines(text, rust) {
  let n = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (rust && line === '#[cfg(test)]') break; // unit tests close a Rust file
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    n++;
  }
  return n;
}

const groups = {
  'engine (Rust)': (f) => f.startsWith('wasm/engine/src/') && f.endsWith('.rs'),
  'bindings (Rust)': (f) => f.startsWith('wasm/bindings/src/') && f.endsWith('.rs'),
  'extension (JavaScript)': (f) => f.startsWith('extension/') && f.endsWith('.js'),
};
const totals = {};
for (const [name, match] of Object.entries(groups)) {
  totals[name] = files.filter((f) => match(f) && !TABLES.has(f)).reduce((sum, f) => sum + codeLines(read(f), f.endsWith('.rs')), 0);
}
const all = Object.values(totals).reduce((a, b) => a + b, 0);
console.log(`code lines at ${rev ?? 'the working tree'}:`);
for (const [name, n] of Object.entries(totals)) console.log(`  ${name.padEnd(24)} ${String(n).padStart(6)}`);
console.log(`  JavaScript share         ${(100 * totals['extension (JavaScript)'] / all).toFixed(1)}%`);
