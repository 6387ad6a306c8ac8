// The file decoders module (shipped build) under Node: how fast a few megabytes of a `.docx`,
// a zip of source files and a PDF are read into their texts, and with the engine's scan of
// those texts, as the background does for an upload.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../wasm/load.mjs';
import { record, WASM_TOOL } from './record.mjs';
import { zip, docx, pdf } from '../fixtures/files.mjs';

const dir = process.env.AIGUARD_WASM_DIR ? new URL(`file://${process.env.AIGUARD_WASM_DIR.replace(/\/?$/, '/')}`) : new URL('../../dist/chrome/wasm/', import.meta.url);
const files = await import(new URL('aiguard_files.js', dir));
files.initSync({ module: readFileSync(new URL('aiguard_files_bg.wasm', dir)) });
const { Engine } = await loadEngine();
const engine = Engine.builtin();
const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];

// Prose with ticket numbers in it, so that deflate gives about the ratio of real documents
// (about 3:1).
const words = 'the quarterly deployment plan covers regional rollout budget owners risks and the migration of billing services to new clusters'.split(' ');
let seed = 7;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const sentence = () => Array.from({ length: 8 + rand(12) }, () => (rand(4) ? words[rand(words.length)] : `#${rand(1 << 30).toString(36)}`)).join(' ') + '.';
const paragraphs = (n) => Array.from({ length: n }, sentence);

const inputs = [
  ['docx, 60,000 paragraphs', docx(paragraphs(60_000).map((p) => `${p} `))],
  ['zip of 1,000 text files', zip(Array.from({ length: 1000 }, (_, i) => ({ name: `src/module${i}.txt`, data: paragraphs(60).join('\n') })))],
  ['pdf, 60,000 lines', pdf(paragraphs(60_000))],
];

console.log(`\nFile decoders, wasm under Node ${process.version}`);
console.log(['input', 'file MB', 'text MB', 'decode ms', 'file MB/s', 'text MB/s', '+ scan ms'].map((h, i) => i ? h.padStart(11) : h.padEnd(26)).join(''));
for (const [name, bytes] of inputs) {
  for (let i = 0; i < 3; i++) files.decodeFile(bytes, bytes.length); // warm-up (V8 tiers up)
  const decodeTimes = [];
  const checkTimes = [];
  let decoded;
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    decoded = files.decodeFile(bytes, bytes.length);
    decodeTimes.push(performance.now() - t);
    t = performance.now();
    engine.checkSubmission([{ kind: 'file', name, size: bytes.length, decoded }]);
    checkTimes.push(performance.now() - t);
  }
  const textBytes = decoded.texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
  const ms = median(decodeTimes);
  const scanMs = median(checkTimes);
  console.log([name.padEnd(26), (bytes.length / 1e6).toFixed(2), (textBytes / 1e6).toFixed(2), ms.toFixed(1), (bytes.length / ms / 1e3).toFixed(0), (textBytes / ms / 1e3).toFixed(0), scanMs.toFixed(1)]
    .map((c, i) => i ? c.padStart(11) : c).join(''));
  record('file-decode', name, WASM_TOOL, 'decode', ms.toFixed(1), 'ms');
  record('file-decode', name, WASM_TOOL, 'decode', (bytes.length / ms / 1e3).toFixed(0), 'MB/s');
  record('file-decode', name, WASM_TOOL, 'scan of the decoded texts', scanMs.toFixed(1), 'ms');
}
