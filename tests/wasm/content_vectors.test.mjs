// Runs the shared secret and scan vectors against the shipped wasm engine under Node, so the
// browser's engine finds exactly what the native one finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load.mjs';
import { readVectors } from './vectors.mjs';

const { Engine } = await loadEngine();

// The wasm API reports UTF-8 byte offsets; compare them on the UTF-8 bytes.
const utf8 = new TextEncoder();
const slice = (text, start, end) => Buffer.from(utf8.encode(text)).subarray(start, end).toString('utf8');

test('secret vectors', () => {
  const engine = Engine.builtin();
  const { cases } = readVectors('secrets');
  const failures = [];
  for (const c of cases) {
    const found = engine.scan(c.text).findings.filter((f) => f.detector === 'secret');
    if (c.expect === 'match') {
      const hit = found.find((f) => f.rule === c.rule && slice(c.text, f.start, f.end) === c.secret);
      if (!hit) failures.push(`${c.name}: ${c.rule} missed ${c.secret}`);
      else if (hit.excerpt.includes(c.secret)) failures.push(`${c.name}: ${c.rule}: excerpt echoes the secret`);
    } else if (c.rule === '*') {
      if (found.length) failures.push(`${c.name}: ${found.map((f) => f.rule)} fired on ${JSON.stringify(c.text)}`);
    } else if (found.some((f) => f.rule === c.rule)) {
      failures.push(`${c.name}: ${c.rule}: false positive on ${JSON.stringify(c.text)}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} secret cases failed`);
});

test('scan vectors', () => {
  const v = readVectors('scan');
  for (const c of v.cases) {
    const p = v.policies[c.policy];
    const engine = p === null ? Engine.builtin() : Engine.fromPolicy(JSON.stringify(p));
    const r = engine.scan(c.text);
    assert.equal(r.action, c.action, `${c.name}: [${c.policy}] ${c.text}`);
    assert.deepEqual(r.findings.map((f) => ({ detector: f.detector, rule: f.rule, ...(f.disguise ? { disguise: f.disguise } : {}) })), c.findings, `${c.name}: [${c.policy}] ${c.text}`);
    engine.free();
  }
  for (const c of v.invalid_policies) {
    const problem = Engine.checkPolicy(JSON.stringify(c.policy, null, 2));
    assert.ok(problem, `${c.name}: accepted (${c.why})`);
    for (const want of c.error_contains) assert.ok(problem.message.includes(want), `${c.name}: ${problem.message} lacks ${want}`);
  }
});

test('redaction', () => {
  const engine = Engine.builtin();
  const token = 'ghp_' + 'R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn';
  assert.equal(engine.redactSecrets(`use ${token} now`), 'use [REDACTED github-pat-classic] now');
});

test('a text of any characters comes in as UTF-8, with byte offsets', () => {
  const engine = Engine.builtin();
  const token = 'ghp_' + 'R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn';
  // Two-, three- and four-byte characters, and a lone surrogate (encoded as U+FFFD, three
  // bytes), before the secret; ASCII only; and a long ASCII run before the first other one.
  for (const before of ['é 日本 😀 \ud800 ', 'plain ', 'x'.repeat(100_000) + ' é ']) {
    const text = `${before}${token} after`;
    const [finding] = engine.scan(text).findings;
    const start = Buffer.byteLength(before.replace('\ud800', '\ufffd'));
    assert.deepEqual([finding.rule, finding.start, finding.end], ['github-pat-classic', start, start + token.length], JSON.stringify(before.slice(0, 20)));
    assert.equal(engine.redactSecrets(text), `${before.replace('\ud800', '\ufffd')}[REDACTED github-pat-classic] after`);
  }
  assert.equal(engine.scan('').action, 'allow');
  assert.throws(() => engine.scan(undefined), /expected a string/);
});
