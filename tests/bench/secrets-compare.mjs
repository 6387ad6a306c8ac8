// Secret detection compared: AIGuard's shipped wasm engine (built-in policy) and secretlint with
// its recommended rule preset (@secretlint/secretlint-rule-preset-recommend, default options,
// through @secretlint/node's createEngine / executeOnContent), both run under the same Node
// process on the same inputs. Prints figures and writes them to
// target/bench/secrets-compare.json; asserts nothing.
//
// Method
// * Inputs: the shared vectors tests/vectors/secrets.json. Each text is scanned on its own, as
//   one paste. secretlint is told the text comes from "pasted.txt" (plain text): a paste has no
//   file name, and secretlint's GCP rule only looks at files named *.json, so the GCP
//   service-account JSON case is left to its private-key rule.
// * What counts as a report: for AIGuard, a finding of the secret detector in `scan`; for
//   secretlint, a result message of type "message" (any rule). Rule names are never compared
//   across tools: a user sees a finding, not a rule id.
// * Recall: a `match` case is a positive. It counts as found when the tool reports a range that
//   overlaps some occurrence of the case's `secret` substring in the text (half-open ranges;
//   AIGuard's UTF-8 byte offsets and secretlint's UTF-16 indices are each compared with the
//   secret's range in the same unit). Overlap, not exact bounds, because the tools delimit
//   secrets differently (secretlint reports a whole connection URI or PEM block, AIGuard the
//   password or the key). Given overall and on the subset whose AIGuard rule belongs to a
//   credential family the recommended preset claims to cover (SECRETLINT_FAMILIES below, read
//   from the preset's rule list).
// * False positives: only the `rule: "*"` none cases, ordinary text where nothing may fire; any
//   report there is a false positive. The other none cases are written against one rule and
//   some of them legitimately hold a credential of another type, so a report there is not
//   necessarily wrong: for information only, the number of those cases with any report is
//   given per tool, and for AIGuard also the number where the named rule itself fired (the
//   case's own expectation, which the vector tests hold at zero).
// * Time: median of interleaved passes after warm-up, the same passes alternating between the
//   tools so both see the same machine conditions. (a) every vector text scanned once, one call
//   per text; (b) one text of 1,000,000 UTF-8 bytes: all vector texts, then ordinary source code
//   (the .js files of the installed playwright-core/lib package, in sorted path order, cut at a
//   character boundary), scanned in one call. MB/s uses 1 MB = 1,000,000 bytes. AIGuard's figure
//   includes building the JS result object. secretlint's is given twice: through its Node API
//   (executeOnContent, which also formats the result, here as JSON: the form that carries
//   ranges) and through the bare lintSource of @secretlint/core (the engine under that API,
//   installed with secretlint at the same version), which does no formatting. secretlint's
//   profiler is off, as its CLI has it by default.
// * Also for information: how many reports each tool makes in the source-code part of the
//   1 MB text, which holds no credentials, so every one there is a false positive.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lintSource } from '@secretlint/core';
import { createEngine } from '@secretlint/node';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as preset, rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { loadEngine } from '../wasm/load.mjs';
import { record, WASM_TOOL } from './record.mjs';

const root = new URL('../../', import.meta.url);
const VECTOR_PASSES = 15;
const BIG_PASSES = 5;
const BIG_BYTES = 1_000_000;
const PRESET = '@secretlint/secretlint-rule-preset-recommend';

// AIGuard rule -> the preset rule that claims its credential family. Left out on purpose:
// aws-access-key-id (the preset's AWS rule scans key IDs only with enableIDScanRule, off by
// default), slack-config-token (xoxe. is not among the Slack rule's prefixes),
// anthropic-admin-api-key (the rule matches sk-ant-api0N- keys only), pkcs8-encrypted-private-key
// ("ENCRYPTED PRIVATE KEY" is not among the private-key rule's headers), and every family the
// preset has no rule for (Azure, GCP API keys, Alibaba, Twilio, Datadog, JWTs, ...).
const SECRETLINT_FAMILIES = {
  aws: ['aws-secret-access-key'],
  gcp: ['gcp-service-account-private-key'],
  privatekey: ['rsa-private-key', 'ec-private-key', 'dsa-private-key', 'openssh-private-key', 'pkcs8-private-key', 'pgp-private-key-block'],
  npm: ['npm-access-token'],
  basicauth: ['url-embedded-credentials'],
  slack: ['slack-bot-token', 'slack-user-token', 'slack-app-token', 'slack-legacy-workspace-token', 'slack-webhook-url'],
  sendgrid: ['sendgrid-api-key'],
  shopify: ['shopify-access-token', 'shopify-shared-secret'],
  stripe: ['stripe-secret-key', 'stripe-restricted-key'],
  github: ['github-pat-classic', 'github-fine-grained-pat', 'github-oauth-token', 'github-app-token', 'github-refresh-token'],
  gitlab: ['gitlab-pat'],
  grafana: ['grafana-cloud-api-token', 'grafana-service-account-token'],
  openai: ['openai-api-key'],
  anthropic: ['anthropic-api-key'],
  groq: ['groq-api-key'],
  huggingface: ['huggingface-access-token'],
  linear: ['linear-api-key'],
  notion: ['notion-integration-token'],
  '1password': ['1password-service-account-token'],
  'database-connection-string': ['postgres-connection-string', 'mysql-connection-string', 'mongodb-connection-string'],
  'hashicorp-vault': ['vault-service-token', 'vault-batch-token'],
  vercel: ['vercel-token'],
  databricks: ['databricks-api-token'],
  docker: ['docker-hub-pat'],
  figma: ['figma-pat'],
  cloudflare: ['cloudflare-api-token', 'cloudflare-global-api-key'],
  tailscale: ['tailscale-key'],
};
const familyOf = new Map(Object.entries(SECRETLINT_FAMILIES).flatMap(([fam, rules]) => rules.map((r) => [r, fam])));

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const pct = (n, d) => (d ? (100 * n) / d : 0);
const version = (pkg) => JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), 'utf8')).version;
const utf8Len = (s) => Buffer.byteLength(s, 'utf8');

// Every [start, end) of `needle` in `text`, in UTF-16 indices and in UTF-8 bytes.
function occurrences(text, needle) {
  const out = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
    const b = utf8Len(text.slice(0, i));
    out.push({ u16: [i, i + needle.length], u8: [b, b + utf8Len(needle)] });
  }
  return out;
}
const overlaps = ([s, e], [a, b]) => s < b && a < e;

// --- the two tools, each returning ranges in its own unit --------------------------------------
const { Engine } = await loadEngine();
const aiguard = Engine.builtin();
const aiguardScan = (text) => aiguard.scan(text).findings.filter((f) => f.detector === 'secret');

// The Node API leaves secretlint's profiler on (a performance mark per rule and per text);
// its CLI turns it off unless asked to profile, and so does this comparison.
secretLintProfiler.setEnabled(false);
const presetIds = presetRules.map((r) => r.meta.id.replace('@secretlint/secretlint-rule-', ''));
const unknown = Object.keys(SECRETLINT_FAMILIES).filter((f) => !presetIds.includes(f));
const secretlint = await createEngine({
  cwd: fileURLToPath(root),
  configFileJSON: { rules: [{ id: PRESET }] },
  formatter: 'json',
  color: false,
});
const FILE = 'pasted.txt';
const secretlintRaw = (text) => secretlint.executeOnContent({ content: text, filePath: FILE });
const coreConfig = { rules: [{ id: PRESET, rule: preset, options: {} }] };
const secretlintCore = (text) =>
  lintSource({ source: { filePath: FILE, content: text, ext: '.txt', contentType: 'text' }, options: { config: coreConfig } });
const secretlintScan = async (text) =>
  JSON.parse((await secretlintRaw(text)).output).flatMap((r) => r.messages).filter((m) => m.type === 'message');

// --- detection ---------------------------------------------------------------------------------
const { cases } = JSON.parse(readFileSync(new URL('tests/vectors/secrets.json', root), 'utf8'));
const tools = {
  aiguard: { scan: async (t) => aiguardScan(t).map((f) => ({ id: f.rule, range: [f.start, f.end] })), unit: 'u8' },
  secretlint: { scan: async (t) => (await secretlintScan(t)).map((m) => ({ id: m.ruleId.replace('@secretlint/secretlint-rule-', ''), range: m.range })), unit: 'u16' },
};
const positives = cases.filter((c) => c.expect === 'match');
const covered = positives.filter((c) => familyOf.has(c.rule));
const plainNone = cases.filter((c) => c.expect === 'none' && c.rule === '*');
const ruleNone = cases.filter((c) => c.expect === 'none' && c.rule !== '*');

const detection = {};
for (const [name, tool] of Object.entries(tools)) {
  const d = { found: 0, foundCovered: 0, missed: [], missedCovered: [], falsePositives: [], ruleNoneWithReport: 0, ruleNoneSameRule: 0 };
  for (const c of positives) {
    const reports = await tool.scan(c.text);
    const spans = occurrences(c.text, c.secret).map((o) => o[tool.unit]);
    const hit = reports.some((r) => spans.some((s) => overlaps(r.range, s)));
    if (hit) d.found++;
    else d.missed.push(c.rule);
    if (familyOf.has(c.rule)) {
      if (hit) d.foundCovered++;
      else d.missedCovered.push(c.rule);
    }
  }
  for (const c of plainNone) {
    const reports = await tool.scan(c.text);
    if (reports.length) d.falsePositives.push({ text: c.text.slice(0, 60), reports: reports.map((r) => r.id) });
  }
  for (const c of ruleNone) {
    const reports = await tool.scan(c.text);
    if (reports.length) d.ruleNoneWithReport++;
    if (name === 'aiguard' && reports.some((r) => r.id === c.rule)) d.ruleNoneSameRule++;
  }
  if (name !== 'aiguard') d.ruleNoneSameRule = null;
  detection[name] = d;
}

// --- time --------------------------------------------------------------------------------------
const texts = cases.map((c) => c.text);
const vectorBytes = texts.reduce((n, t) => n + utf8Len(t), 0);

function codeCorpus(dir) {
  const files = [];
  const walk = (rel) => {
    for (const e of readdirSync(new URL(rel, dir), { withFileTypes: true })) {
      const p = rel + e.name;
      if (e.isDirectory()) walk(`${p}/`);
      else if (e.isFile() && e.name.endsWith('.js')) files.push(p);
    }
  };
  walk('');
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
function bigText() {
  const head = `${texts.join('\n\n')}\n\n`;
  const parts = [head];
  let bytes = utf8Len(head);
  const codeDir = new URL('node_modules/playwright-core/lib/', root);
  let files = 0;
  for (const f of codeCorpus(codeDir)) {
    if (bytes >= BIG_BYTES) break;
    const buf = readFileSync(new URL(f, codeDir));
    let take = Math.min(buf.length, BIG_BYTES - bytes);
    while (take < buf.length && (buf[take] & 0xc0) === 0x80) take--; // keep whole characters
    parts.push(buf.subarray(0, take).toString('utf8'));
    bytes += take;
    files++;
  }
  // Where the source code starts, in each tool's unit.
  return { text: parts.join(''), files, code: { u8: utf8Len(head), u16: head.length } };
}
const big = bigText();
const bigBytes = utf8Len(big.text);

const aiguardAll = async () => { for (const t of texts) aiguard.scan(t); };
const secretlintAll = async () => { for (const t of texts) await secretlintRaw(t); };
const aiguardBig = async () => aiguard.scan(big.text);
const secretlintBig = async () => secretlintRaw(big.text);
const coreAll = async () => { for (const t of texts) await secretlintCore(t); };
const coreBig = async () => secretlintCore(big.text);

async function timeInterleaved(fns, passes, warmups) {
  for (let w = 0; w < warmups; w++) for (const f of fns) await f();
  const ms = fns.map(() => []);
  for (let p = 0; p < passes; p++) {
    for (const [i, f] of fns.entries()) {
      const t = performance.now();
      await f();
      ms[i].push(performance.now() - t);
    }
  }
  return ms.map(median);
}
const vectorsMs = await timeInterleaved([aiguardAll, secretlintAll, coreAll], VECTOR_PASSES, 3);
const bigMs = await timeInterleaved([aiguardBig, secretlintBig, coreBig], BIG_PASSES, 1);
const mbps = (ms) => bigBytes / 1e6 / (ms / 1000);
const bigReports = {};
for (const [name, tool] of Object.entries(tools)) {
  const reports = await tool.scan(big.text);
  bigReports[name] = { all: reports.length, inCode: reports.filter((r) => r.range[0] >= big.code[tool.unit]).length };
}
const timing = (i, name) => ({
  vectorsMs: vectorsMs[i],
  bigMs: bigMs[i],
  bigMBps: mbps(bigMs[i]),
  ...(name && { bigReports: bigReports[name].all, bigReportsInCode: bigReports[name].inCode }),
});

// --- report ------------------------------------------------------------------------------------
const result = {
  node: process.version,
  secretlint: version('secretlint'),
  preset: version(PRESET),
  presetRules: presetIds,
  familiesNotInPreset: unknown,
  cases: { match: positives.length, matchCovered: covered.length, plainNone: plainNone.length, ruleNone: ruleNone.length },
  tools: Object.fromEntries(Object.entries(detection).map(([name, d]) => [name, {
    recall: { found: d.found, of: positives.length, pct: pct(d.found, positives.length) },
    recallCovered: { found: d.foundCovered, of: covered.length, pct: pct(d.foundCovered, covered.length) },
    falsePositives: { cases: d.falsePositives.length, of: plainNone.length, detail: d.falsePositives },
    ruleNoneWithReport: { cases: d.ruleNoneWithReport, of: ruleNone.length },
    ruleNoneSameRule: d.ruleNoneSameRule,
    missedCovered: d.missedCovered,
    missed: d.missed,
    time: timing(name === 'aiguard' ? 0 : 1, name),
  }])),
  secretlintCoreTime: timing(2),
  workload: {
    vectorTexts: texts.length, vectorBytes, bigBytes, bigCodeBytes: bigBytes - big.code.u8, bigCodeFiles: big.files,
    vectorPasses: VECTOR_PASSES, bigPasses: BIG_PASSES,
  },
};
mkdirSync(new URL('target/bench/', root), { recursive: true });
writeFileSync(new URL('target/bench/secrets-compare.json', root), `${JSON.stringify(result, null, 2)}\n`);

const a = result.tools.aiguard;
const s = result.tools.secretlint;
const frac = (x) => `${x.found ?? x.cases}/${x.of} ${x.pct === undefined ? '' : `(${x.pct.toFixed(1)}%)`}`.trim();
const c = result.secretlintCoreTime;
const ms = (x) => `${x.toFixed(1)} ms`;
const rows = [
  ['recall, all match cases', frac(a.recall), frac(s.recall), ''],
  ['recall, families secretlint covers', frac(a.recallCovered), frac(s.recallCovered), ''],
  ["false positives, '*' cases", frac(a.falsePositives), frac(s.falsePositives), ''],
  ['info: rule-named none cases with a report', frac(a.ruleNoneWithReport), frac(s.ruleNoneWithReport), ''],
  ['info: ... where the named rule fired', `${a.ruleNoneSameRule}`, 'n/a', ''],
  [`time, ${texts.length} vector texts, one call each`, ms(a.time.vectorsMs), ms(s.time.vectorsMs), ms(c.vectorsMs)],
  [`time, one ${(bigBytes / 1e6).toFixed(2)} MB text`, ms(a.time.bigMs), ms(s.time.bigMs), ms(c.bigMs)],
  ['throughput, that text', `${a.time.bigMBps.toFixed(1)} MB/s`, `${s.time.bigMBps.toFixed(1)} MB/s`, `${c.bigMBps.toFixed(1)} MB/s`],
  ['info: reports on that text', `${a.time.bigReports}`, `${s.time.bigReports}`, ''],
  [`info: ... in its code part (${((bigBytes - big.code.u8) / 1e6).toFixed(2)} MB)`, `${a.time.bigReportsInCode}`, `${s.time.bigReportsInCode}`, ''],
];
const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
const line = (r) => r[0].padEnd(w0) + r.slice(1).map((x) => x.padStart(18)).join('');
console.log(`\nSecret detection: AIGuard (wasm, built-in policy) vs secretlint ${result.secretlint} + preset-recommend ${result.preset}, Node ${process.version}`);
console.log(`(times: median of ${VECTOR_PASSES} / ${BIG_PASSES} interleaved passes after warm-up; "secretlint core" is lintSource without the Node API's formatting)`);
console.log(line(['', 'AIGuard', 'secretlint', 'secretlint core']));
for (const r of rows) console.log(line(r));
if (s.missedCovered.length) console.log(`secretlint misses in the families it covers: ${s.missedCovered.join(', ')}`);
if (a.missedCovered.length) console.log(`AIGuard misses in those families: ${a.missedCovered.join(', ')}`);
for (const [name, t] of Object.entries(result.tools)) {
  for (const fp of t.falsePositives.detail) console.log(`${name} false positive (${fp.reports.join(', ')}): ${JSON.stringify(fp.text)}`);
}
if (unknown.length) console.log(`note: not in the installed preset: ${unknown.join(', ')}`);

const toolNames = { aiguard: WASM_TOOL, secretlint: `secretlint ${result.secretlint} + preset-recommend ${result.preset}` };
for (const [name, t] of Object.entries(result.tools)) {
  const tool = toolNames[name];
  record('secret-detection', 'secret vectors', tool, 'secrets found', t.recall.found, `of ${t.recall.of} secrets`);
  record('secret-detection', 'secret vectors in families secretlint covers', tool, 'secrets found', t.recallCovered.found, `of ${t.recallCovered.of} secrets`);
  record('secret-detection', 'ordinary texts', tool, 'false positives', t.falsePositives.cases, `of ${t.falsePositives.of} texts`);
}
for (const [tool, time] of [[toolNames.aiguard, a.time], [toolNames.secretlint, s.time], [`secretlint ${result.secretlint} core lintSource`, c]]) {
  record('secret-detection', `${texts.length} vector texts one call each`, tool, 'time', time.vectorsMs.toFixed(1), 'ms');
  record('secret-detection', '1 MB text', tool, 'time', time.bigMs.toFixed(1), 'ms');
}
aiguard.free();
