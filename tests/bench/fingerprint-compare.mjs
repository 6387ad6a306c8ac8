// Proprietary-code detection side by side: AIGuard's shipped wasm engine and Dolos
// (@dodona/dolos-lib: winnowing over tree-sitter syntax tokens), on exactly the snippets the
// accuracy benchmark drew (target/corpus/accuracy-sample.json, written by
// `cargo run --release -p aiguard-bench --bin fingerprint-accuracy`).
//
// AIGuard scans each snippet against the database built from the company packages
// (target/corpus/company.aigfp). Dolos has no database: per language it analyses the company
// files together with the snippets, and a snippet counts as found when one company file covers
// at least half of the snippet's k-grams (the share Dolos reports as the pair's coverage). Dolos
// runs with its defaults (k 23, window 17) and with a setting sized for short pastes (k 12,
// window 8). Ruby has no Dolos grammar and is left out of both columns. Dolos's PHP grammar reads
// anything before `<?php` as HTML, so PHP snippets get that tag prepended for Dolos (without it,
// Dolos finds none of them).
//
// Prints figures; asserts nothing.

import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../wasm/load.mjs';
import { record, WASM_TOOL } from './record.mjs';

const root = new URL('../../', import.meta.url);
const samplePath = new URL('target/corpus/accuracy-sample.json', root);
if (!existsSync(samplePath)) {
  console.error('fingerprint-compare: no sample; run the fingerprint-accuracy benchmark first');
  process.exit(1);
}
const sample = JSON.parse(readFileSync(samplePath, 'utf8'));
const dbBytes = readFileSync(new URL('target/corpus/company.aigfp', root));

let dolosLib;
try {
  dolosLib = await import('./dolos/index.mjs');
} catch (e) {
  console.error(`fingerprint-compare: Dolos is not installed (bash scripts/setup.sh bench): ${e.message}`);
  process.exit(1);
}
const { Dolos, File } = dolosLib;
const dolosVersion = JSON.parse(readFileSync(new URL('dolos/node_modules/@dodona/dolos-lib/package.json', import.meta.url), 'utf8')).version;

const LANGUAGES = { rust: 'rust', javascript: 'javascript', python: 'python', go: 'go', java: 'java', php: 'php', c: 'c', cpp: 'cpp', shell: 'bash' };
const SETS = ['30 lines', '30 lines, renamed', '12 lines', '12 lines, renamed', 'unrelated'];
const CONFIGS = [
  { name: 'Dolos k23 w17', kgramLength: 23, kgramsInWindow: 17 },
  { name: 'Dolos k12 w8', kgramLength: 12, kgramsInWindow: 8 },
];
const MIN_COVERAGE = 0.5;

const snippets = sample.snippets.filter((s) => LANGUAGES[s.family]);
const companyFiles = sample.company.filter((f) => LANGUAGES[f.family])
  .map((f) => ({ ...f, text: readFileSync(new URL(f.path, root), 'utf8') }));

// AIGuard: the shipped engine, this run's database, the same threshold as the native run.
const { Engine } = await loadEngine();
const engine = Engine.fromPolicy(JSON.stringify({
  version: 1, defaultAction: 'allow', rules: [],
  content: { secrets: { action: 'allow' }, fingerprints: { action: 'block', minMatches: sample.minMatches } },
}));
let t = performance.now();
engine.loadFingerprints(dbBytes);
const loadMs = performance.now() - t;
const found = { aiguard: new Map() };
t = performance.now();
for (const s of snippets) {
  found.aiguard.set(s, engine.scan(s.text).findings.some((f) => f.detector === 'fingerprint'));
}
const aiguardMs = performance.now() - t;
const disagreements = snippets.filter((s) => found.aiguard.get(s) !== s.aiguard).length;

// Dolos, one analysis per language and setting.
const dolosMs = {};
const crashes = [];
for (const config of CONFIGS) {
  found[config.name] = new Map();
  dolosMs[config.name] = 0;
  for (const [family, language] of Object.entries(LANGUAGES)) {
    const company = companyFiles.filter((f) => f.family === family);
    const mine = snippets.filter((s) => s.family === family);
    if (!company.length || !mine.length) continue;
    const files = [
      ...company.map((f, i) => new File(`company/${i}`, f.text)),
      ...mine.map((s, i) => new File(`snippet/${i}`, language === 'php' ? `<?php\n${s.text}` : s.text)),
    ];
    const started = performance.now();
    let report;
    try {
      report = await new Dolos({ language, kgramLength: config.kgramLength, kgramsInWindow: config.kgramsInWindow }).analyze(files);
    } catch (e) {
      crashes.push(`${config.name} ${family}: ${e.message.split('\n')[0]}`);
      for (const s of mine) found[config.name].set(s, false);
      continue;
    }
    const tokenized = report.files;
    const byPath = new Map(tokenized.map((f) => [f.path, f]));
    const entryOf = new Map(report.entries().map((e) => [e.file, e]));
    mine.forEach((s, i) => {
      const file = byPath.get(`snippet/${i}`);
      const entry = file && entryOf.get(file);
      let best = 0;
      if (entry) {
        // Only company files that share a fingerprint with the snippet can cover it.
        const candidates = new Set();
        for (const shared of entry.shared) for (const f of shared.files()) if (f.path.startsWith('company/')) candidates.add(f);
        for (const c of candidates) {
          const pair = report.getPair(c, file);
          const coverage = file === pair.rightFile ? pair.rightCovered / pair.rightTotal : pair.leftCovered / pair.leftTotal;
          if (coverage > best) best = coverage;
        }
      }
      found[config.name].set(s, best >= MIN_COVERAGE);
    });
    dolosMs[config.name] += performance.now() - started;
  }
}

const share = (tool, set) => {
  const in_set = snippets.filter((s) => s.set === set);
  const k = in_set.filter((s) => found[tool].get(s)).length;
  return { k, n: in_set.length, pct: (100 * k / in_set.length).toFixed(1) };
};
const rate = (tool, set) => {
  const { k, n, pct } = share(tool, set);
  return `${pct}% (${k}/${n})`;
};
const tools = ['aiguard', ...CONFIGS.map((c) => c.name)];
console.log(`\nProprietary code, AIGuard (wasm, minMatches ${sample.minMatches}) vs Dolos ${dolosVersion}, same snippets (seed ${sample.seed}), ${Object.keys(LANGUAGES).length} languages, ${companyFiles.length} company files`);
console.log(['snippets', ...tools.map((n) => n === 'aiguard' ? 'AIGuard' : n)].map((h, i) => i ? h.padStart(22) : h.padEnd(22)).join(''));
for (const set of SETS) {
  const label = set === 'unrelated' ? 'unrelated (false pos.)' : set;
  console.log([label, ...tools.map((n) => rate(n, set))].map((c, i) => i ? c.padStart(22) : c.padEnd(22)).join(''));
}
console.log(['time, all snippets', `${aiguardMs.toFixed(0)} ms`, ...CONFIGS.map((c) => `${(dolosMs[c.name] / 1000).toFixed(1)} s`)]
  .map((c, i) => i ? c.padStart(22) : c.padEnd(22)).join(''));
console.log(`AIGuard: database of ${(dbBytes.length / 1e6).toFixed(2)} MB loaded in ${loadMs.toFixed(1)} ms, ${snippets.length} snippets scanned one by one; ` +
  `verdicts that differ from the native run: ${disagreements}. Dolos: company files and snippets analysed together per language ` +
  `(it keeps no index between runs), found = one company file covers >= ${MIN_COVERAGE * 100}% of the snippet.`);
for (const c of crashes) console.log(`Dolos failed: ${c}`);

const sampleName = `seed ${sample.seed} minMatches ${sample.minMatches}`;
const toolNames = { aiguard: WASM_TOOL, ...Object.fromEntries(CONFIGS.map((c) => [c.name, `Dolos ${dolosVersion} k${c.kgramLength} w${c.kgramsInWindow}`])) };
// A setting under which Dolos failed on some language measured less than the whole sample.
const complete = CONFIGS.filter((c) => !crashes.some((x) => x.startsWith(`${c.name} `)));
for (const set of SETS) {
  for (const t of ['aiguard', ...complete.map((c) => c.name)]) record('fingerprint-vs-dolos', `${sampleName}: ${set}`, toolNames[t], 'found', share(t, set).pct, '%');
}
const timeInput = `${sampleName}: ${snippets.length} snippets`;
record('fingerprint-vs-dolos', timeInput, WASM_TOOL, 'time', aiguardMs.toFixed(0), 'ms');
for (const c of complete) record('fingerprint-vs-dolos', timeInput, toolNames[c.name], 'time', (dolosMs[c.name] / 1000).toFixed(1), 's');
record('fingerprint-db', 'accuracy corpus database', WASM_TOOL, 'load', loadMs.toFixed(1), 'ms');
