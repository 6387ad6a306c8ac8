// Content-scan throughput of the shipped wasm engine under Node (V8), on the inputs the native
// scan benchmark wrote to target/bench/, printed next to the native figures of the same run.
import { readFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../wasm/load.mjs';
import { record, WASM_TOOL } from './record.mjs';

const dir = new URL('../../target/bench/', import.meta.url);
const read = (f) => readFileSync(new URL(f, dir), 'utf8');
const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];

const { Engine } = await loadEngine();
const native = JSON.parse(read('scan-native.json'));
const engine = Engine.fromPolicy(read('scan-policy.json'));
let fingerprints = 'none';
if (existsSync(new URL('fp-bench.db', dir)) && typeof engine.loadFingerprints === 'function') {
  const bytes = readFileSync(new URL('fp-bench.db', dir));
  const t = performance.now();
  engine.loadFingerprints(bytes);
  const loadMs = performance.now() - t;
  fingerprints = `${(bytes.length / 1e6).toFixed(1)} MB database loaded in ${loadMs.toFixed(1)} ms`;
  record('fingerprint-db', `bench database of ${engine.fingerprintCount()} fingerprints`, WASM_TOOL, 'load', loadMs.toFixed(1), 'ms');
}

const cold = performance.now();
engine.scan(read(native[0].file));
const coldMs = performance.now() - cold;

console.log(`\nContent scan, wasm under Node ${process.version} (fingerprints: ${fingerprints})`);
console.log(`first 4 KB scan (compiles the regexes it needs): ${coldMs.toFixed(2)} ms`);
record('content-scan', native[0].input, WASM_TOOL, 'first scan after start', coldMs.toFixed(2), 'ms');
console.log(['input', 'wasm time', 'wasm MB/s', 'native MB/s', 'findings'].map((h, i) => i ? h.padStart(14) : h.padEnd(12)).join(''));
for (const n of native) {
  const text = read(n.file);
  const bytes = Buffer.byteLength(text);
  const runs = bytes < 10_000 ? 201 : bytes < 2e6 ? 21 : 5;
  let findings = 0;
  // Untimed scans first, three and for at least half a second: V8 runs a function in its
  // baseline tier until it has run enough to be compiled by the optimizing one, in the
  // background, so the first scans of a larger input than before are partly slower code (the
  // first 4 KB scan is timed on its own above). After the 4 KB runs, a 256 KB text took 7.5 ms
  // a scan for its first 18 scans and 1.7 ms after them.
  for (let i = 0, start = performance.now(); i < 3 || performance.now() - start < 500; i++) engine.scan(text);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    findings = engine.scan(text).findings.length;
    times.push(performance.now() - t);
  }
  const ms = median(times);
  console.log([n.input.padEnd(12), `${ms.toFixed(3)} ms`, (bytes / ms / 1e3).toFixed(0), n.mbPerS.toFixed(0), String(findings)]
    .map((c, i) => i ? c.padStart(14) : c).join(''));
  record('content-scan', n.input, WASM_TOOL, 'scan', ms.toFixed(3), 'ms');
  record('content-scan', n.input, WASM_TOOL, 'scan', (bytes / ms / 1e3).toFixed(0), 'MB/s');
}
