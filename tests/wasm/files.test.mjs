// The file decoders module as shipped (dist/chrome/wasm/aiguard_files*), with the engine module
// judging what they read: the same credential in every file shape is found, with the entry it
// is in, and what cannot be read gets the policy's `unscannable` action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadEngine } from './load.mjs';
import { keyFiles, lockedZip, ENV, KEY } from '../fixtures/files.mjs';

const dir = new URL('../../dist/chrome/wasm/', import.meta.url);
const files = await import(new URL('aiguard_files.js', dir));
files.initSync({ module: readFileSync(new URL('aiguard_files_bg.wasm', dir)) });
const { Engine } = await loadEngine();

const judge = (engine, name, bytes, size = bytes.length) => {
  const part = Engine.looksLikeText(bytes)
    ? { kind: 'file', name, bytes, size }
    : { kind: 'file', name, size, decoded: files.decodeFile(bytes, size) };
  return engine.checkSubmission([part]);
};

test('every shape of the same .env gives its key, in the entry it is in', () => {
  const engine = Engine.builtin();
  const entries = { 'config.zip': 'prod/.env', 'nested.zip': 'inner.zip/.env', 'notes.docx': 'word/document.xml' };
  for (const [name, bytes] of Object.entries(keyFiles())) {
    assert.equal(Engine.looksLikeText(bytes), false, `${name} needs the decoders`);
    const v = judge(engine, name, bytes);
    assert.equal(v.action, 'block', name);
    assert.deepEqual(v.findings.map((f) => [f.detector, f.rule, f.entry ?? null]), [['secret', 'aws-access-key-id', entries[name] ?? null]], name);
    assert.equal(v.parts[0].status, 'scanned', name);
  }
});

test('what cannot be read gets the unscannable action: warn by default, block or allow by policy', () => {
  const policy = (unscannable) => Engine.fromPolicy(JSON.stringify({ version: 1, rules: [], content: unscannable ? { unscannable } : {} }));
  for (const [engine, action] of [[Engine.builtin(), 'warn'], [policy('block'), 'block'], [policy('allow'), 'allow']]) {
    const v = judge(engine, 'locked.zip', lockedZip());
    assert.equal(v.action, action);
    assert.deepEqual(v.findings.map((f) => [f.detector, f.rule, f.entry, f.action]), [['unscannable', 'encrypted', 'secrets/prod.env', action]]);
    assert.equal(v.parts[0].status, 'unscannable');
  }
  assert.throws(() => policy('ignore'), /content\.unscannable.*block, warn, allow/);
});

test('a file over the limit is read up to it: its key is found and the file reported truncated', () => {
  const engine = Engine.builtin();
  const limit = engine.maxFileBytes;
  const big = Buffer.concat([Buffer.from(ENV), Buffer.alloc(limit, 'x')]);
  const v = judge(engine, 'big.log', big.subarray(0, limit), big.length);
  assert.deepEqual(v.findings.map((f) => [f.detector, f.rule]), [['secret', 'aws-access-key-id'], ['unscannable', 'truncated']]);
  assert.equal(v.parts[0].status, 'partial');
  // The same through the decoders (a UTF-16 file cut at the limit).
  const wide = Buffer.from(ENV + 'y'.repeat(limit), 'utf16le');
  const w = judge(engine, 'big.env', wide.subarray(0, limit), wide.length);
  assert.deepEqual(w.findings.map((f) => [f.detector, f.rule]), [['secret', 'aws-access-key-id'], ['unscannable', 'truncated']]);
});

test('plain UTF-8 text needs no decoder, and a decoded file and its bytes agree', () => {
  const engine = Engine.builtin();
  const bytes = Buffer.from(ENV);
  assert.equal(Engine.looksLikeText(bytes), true);
  const direct = engine.checkSubmission([{ kind: 'file', name: '.env', bytes, size: bytes.length }]);
  const decoded = engine.checkSubmission([{ kind: 'file', name: '.env', decoded: files.decodeFile(bytes, bytes.length) }]);
  assert.deepEqual(decoded.findings, direct.findings);
  assert.ok(direct.findings[0].excerpt && !direct.findings[0].excerpt.includes(KEY));
});

test('the decoders answer bad input with a clear error', () => {
  assert.throws(() => files.decodeFile(new Uint8Array(1), -1), /size: expected a byte count/);
  const engine = Engine.builtin();
  assert.throws(() => engine.checkSubmission([{ kind: 'file', name: 'x', decoded: { texts: 'no' } }]), /parts\[0\]\.decoded/);
});
