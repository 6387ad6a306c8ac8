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
