// The fingerprint database the CLI writes, loaded by the wasm engine under Node: the same
// snippet must give the same findings as the native `aiguard scan`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from './load.mjs';

const { Engine } = await loadEngine();
const aiguard = new URL('../../target/release/aiguard', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'aiguard-fp-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'company.db');
execFileSync(aiguard, ['fingerprint', '--out', db, 'wasm/engine/src/url_filter'], { stdio: 'ignore' });

// A pasted prompt: prose around a re-indented fragment with renamed identifiers.
const source = readFileSync('wasm/engine/src/url_filter/index.rs', 'utf8').split('\n').slice(70, 110).join('\n');
const pasted = 'Can you speed this up?\n```rust\n' + source.replaceAll('    ', '\t').replaceAll('exact_level', 'lvl') + '\n```\nThanks!';
const snippet = join(dir, 'prompt.txt');
writeFileSync(snippet, pasted);

test('wasm and native find the same proprietary code', () => {
  const native = JSON.parse(execFileSync(aiguard, ['scan', '--fingerprints', db, snippet], { encoding: 'utf8' }));
  const engine = Engine.builtin();
  engine.loadFingerprints(readFileSync(db));
  assert.ok(engine.fingerprintCount() > 100);
  const wasm = engine.scan(pasted);
  assert.equal(native.action, 'block');
  assert.deepEqual(wasm, native);
  const f = wasm.findings.find((x) => x.detector === 'fingerprint');
  assert.ok(f && f.matched >= 5, JSON.stringify(wasm));
});

test('unrelated text does not match, and a foreign file is refused with a reason', () => {
  const engine = Engine.builtin();
  engine.loadFingerprints(readFileSync(db));
  assert.equal(engine.scan('Please summarise the attached meeting notes for the team.').action, 'allow');
  assert.throws(() => engine.loadFingerprints(Buffer.from('not a database')), /not an AIGuard fingerprint database/);
});

// The tokenizer reads plain 64-byte blocks from vector masks (SSE2 natively, simd128 in wasm).
// Over a large text of every language in the repository, and code generated from pieces of
// every construct (the byte classes' edges: `$`, `_`, digits, `@`, `[`, `` ` ``, `{`, `~`, DEL,
// non-ASCII), with CRLF line ends and tabs too, each span's matched and total fingerprint counts
// must be the same in both builds, which they are only if every token is.
test('wasm and native tokenize a large mixed text alike', () => {
  const files = [
    'wasm/engine/src/content/fingerprint/tokenize.rs', 'wasm/engine/src/content/secrets/rules.rs',
    'extension/background/main.js', 'extension/content/paste-drop.js', 'extension/pages/options.html', 'scripts/test.sh',
  ];
  const pieces = [
    'let $x = foo_1(bar, 42);', 'if (a<b) { return c_d$; }', 'x.y[z] += 0x1F;', '@Override', 'a ~ b ^ c | d', '$HOME/$PATH',
    '"str"', "'c'", "don't", '`tpl ${a}`', '// note', '/* block */', '# comment', '#include <x.h>', 'i--;', '-- sql',
    '1.5e-3', '3.14f', 'r#"raw"#', 'f"{x}"', 'naïve_x = ü;', '\u00a0', '\x7f', 'SELECT name FROM users WHERE id = 1',
    'AbcdefghijklmnopqrstuvwxyzAbcdefghijklmnopqrstuvwxyzAbcdefghijklmnopqrstuvwxyz_0123', '    ', '\t', 'q = a//b',
  ];
  let seed = 12345;
  const pick = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const lines = [];
  for (let i = 0; i < 4000; i++) {
    lines.push(Array.from({ length: 2 + pick(6) }, () => pieces[pick(pieces.length)]).join(pick(2) ? ' ' : ''));
  }
  writeFileSync(join(dir, 'generated.js'), lines.join('\n'));
  const sources = [...files, join(dir, 'generated.js')];
  const mixed = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
  const text = mixed + '\n' + mixed.replaceAll('\n', '\r\n').replaceAll('    ', '\t');
  const file = join(dir, 'mixed.txt');
  writeFileSync(file, text);
  const mixedDb = join(dir, 'mixed.db');
  execFileSync(aiguard, ['fingerprint', '--out', mixedDb, ...sources], { stdio: 'ignore' });
  const native = JSON.parse(execFileSync(aiguard, ['scan', '--fingerprints', mixedDb, file], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const engine = Engine.builtin();
  engine.loadFingerprints(readFileSync(mixedDb));
  const wasm = engine.scan(text);
  assert.ok(native.findings.filter((f) => f.detector === 'fingerprint').length >= 5, JSON.stringify(native.findings.length));
  // A score is an f32: the CLI's JSON writes its shortest decimal, the wasm build hands
  // JavaScript the f64 it widens to. The same f32 either way.
  const f32 = (report) => ({ ...report, findings: report.findings.map((f) => (f.score == null ? f : { ...f, score: Math.fround(f.score) })) });
  assert.deepEqual(f32(wasm), f32(native));
});
