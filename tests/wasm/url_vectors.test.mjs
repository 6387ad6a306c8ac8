// Runs the shared URL vectors (tests/vectors/url.json) against the shipped wasm engine under
// Node, so the wasm build answers exactly what the native engine answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load.mjs';
import { readVectors } from './vectors.mjs';

const { Engine } = await loadEngine();
const vectors = readVectors('url');

const engines = new Map();
function engineFor(name) {
  if (!engines.has(name)) {
    const policy = vectors.policies[name];
    engines.set(name, policy === null ? Engine.builtin() : Engine.fromPolicy(JSON.stringify(policy)));
  }
  return engines.get(name);
}

test('URL cases', () => {
  const failures = [];
  for (const c of vectors.cases) {
    const got = engineFor(c.policy).verdict(c.url);
    if (got.action !== c.action || got.rule !== c.rule || (got.monitor ?? false) !== (c.monitor ?? false)) {
      failures.push(`${c.name}: [${c.policy}] ${c.url}: got ${got.action} ${got.rule} monitor ${got.monitor ?? false}, want ${c.action} ${c.rule} monitor ${c.monitor ?? false} (${c.why})`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${vectors.cases.length} cases failed`);
});

test('invalid policies are rejected with rule and field', () => {
  const failures = [];
  for (const c of vectors.invalid_policies) {
    const problem = Engine.checkPolicy(JSON.stringify(c.policy, null, 2));
    if (!problem) { failures.push(`${c.name}: accepted (${c.why})`); continue; }
    for (const want of c.error_contains) {
      if (!problem.message.includes(want)) failures.push(`${c.name}: ${problem.message} lacks ${want} (${c.why})`);
    }
  }
  assert.deepEqual(failures, []);
});

test('the action fast path agrees with verdict', () => {
  const names = ['block', 'warn', 'allow'];
  for (const c of vectors.cases) {
    assert.equal(names[engineFor(c.policy).action(c.url)], c.action, `${c.name}: ${c.url}`);
  }
});
