// URL verdict benchmark of the shipped wasm engine under Node (V8, Chrome's engine), on the
// workload the native benchmark wrote to target/bench/, printed next to the native figures
// from the same run.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../wasm/load.mjs';
import { record, WASM_TOOL } from './record.mjs';

const PASSES = 31;
const COMPILES = 11;
const dir = new URL('../../target/bench/', import.meta.url);
const read = (f) => readFileSync(new URL(f, dir), 'utf8');
const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];

function perUrlNs(urls, f) {
  for (let i = 0; i < 1000; i++) f(urls[i % urls.length]);
  const passes = [];
  for (let p = 0; p < PASSES; p++) {
    const t = performance.now();
    for (const u of urls) f(u);
    passes.push(((performance.now() - t) * 1e6) / urls.length);
  }
  return median(passes);
}

function compileMs(f) {
  const runs = [];
  for (let i = 0; i < COMPILES; i++) {
    const t = performance.now();
    f().free();
    runs.push(performance.now() - t);
  }
  return median(runs);
}

const { Engine } = await loadEngine();
const native = JSON.parse(read('url-native.json'));
const policy10k = read('policy-10k.json');
const workloads = [
  { name: 'catalog', make: () => Engine.builtin(), urls: read('urls-catalog.txt').split('\n') },
  { name: '10k rules', make: () => Engine.fromPolicy(policy10k), urls: read('urls-10k.txt').split('\n') },
];

console.log(`\nURL verdicts, wasm under Node ${process.version} (same workload, median of ${PASSES} passes)`);
console.log(['workload', 'wasm action ns', 'wasm verdict ns', 'native ns', 'adblock native ns', 'wasm compile', 'native compile'].map((h, i) => i ? h.padStart(19) : h.padEnd(10)).join(''));
for (const w of workloads) {
  const engine = w.make();
  const action = perUrlNs(w.urls, (u) => engine.action(u));
  const verdict = perUrlNs(w.urls, (u) => engine.verdict(u));
  const compile = compileMs(w.make);
  const n = native.find((r) => r.workload === w.name);
  console.log([w.name.padEnd(10), action.toFixed(0), verdict.toFixed(0), n.aiguardNsPerUrl.toFixed(0), n.adblockNsPerUrl.toFixed(0),
    `${compile.toFixed(2)} ms`, `${n.aiguardCompileMs.toFixed(2)} ms`].map((c, i) => i ? c.padStart(19) : c).join(''));
  record('url-verdict', w.name, WASM_TOOL, 'action', action.toFixed(0), 'ns/URL');
  record('url-verdict', w.name, WASM_TOOL, 'verdict', verdict.toFixed(0), 'ns/URL');
  record('policy-compile', w.name, WASM_TOOL, 'compile', compile.toFixed(2), 'ms');
  engine.free();
}
