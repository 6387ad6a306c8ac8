// The console (the options page): what is in force and who controls it, a policy editor that
// checks as the admin types and shows the change before saving, the catalog under the edited
// policy, trying a URL and a text, reporting and the audit trail. Every verdict comes from the
// background's engine; the page draws.
import { api, t, localize, uiLanguage } from '../shared/runtime-module.js';
import { createPolicyEditor } from './policy-editor.js';
const $ = (id) => document.getElementById(id);
const send = (msg) => api.runtime.sendMessage(msg);

let inForce = { text: '', source: null };
let editor = null; // the CodeMirror policy editor (policy-editor.js)
let locked = false;
let dirty = false;
// The review in progress is for going back to the built-in policy (a reset, not a save of its text).
let resetting = false;

// The editor's text when it differs from the policy in force and compiles: what the catalog and
// "Try it" judge with; null for the policy in force.
let edited = null;

function showProblem(el, problem) {
  el.className = problem ? 'error' : 'ok';
  el.textContent = problem ? problem.message : t('policyValid');
}

async function refresh() {
  const s = await send({ type: 'status' });
  $('engine-state').textContent = s.ready ? t('engineReady') : '…';
  $('policy-source').textContent = t('source_' + s.source);
  $('rule-count').textContent = t('ruleCountValue', [String(s.stats.rules), String(s.stats.filters)]);
  $('catalog-version').textContent = t('catalogValue', [s.stats.catalogVersion, String(s.stats.catalogTools)]);
  $('extension-version').textContent = api.runtime.getManifest().version;
  $('policy-error').textContent = s.error ? t('policyRejected', [s.error.message]) : '';
  // A policy from managed storage or a signed bundle wins over one saved here; and an extension
  // the organisation installed or configures takes none from here (the background refuses it
  // too), unless the admin allows it.
  const managed = s.source === 'managed' || s.source === 'bundle';
  const editing = s.localEditing ?? {};
  locked = managed || editing.allowed === false;
  const why = s.source === 'bundle' ? t('lockedByBundle') : s.source === 'managed' ? t('lockedByManaged')
    : editing.adminInstalled ? t('lockedByInstall') : editing.managedConfigured ? t('lockedByManaged') : '';
  $('who-controls').textContent = locked ? why : t('controlledHere');
  $('managed-note').hidden = !locked;
  $('managed-note').textContent = `${t('managedNote')} ${why}`;
  $('policy-editor').dataset.locked = String(locked);
  for (const id of ['save', 'reset', 'import-file']) $(id).disabled = locked;
  editor.setReadOnly(locked);
  $('policy-text').dataset.locked = String(locked);
  showBundle(s.bundle, s.source);
  await showInForce();
}

// The managed settings by name, with where each comes from; the policy text in force in the
// editor (unless the admin is editing it).
async function showInForce() {
  const c = await send({ type: 'console' });
  inForce = c;
  const rows = Object.entries(c.managed ?? {});
  $('managed-none').hidden = rows.length > 0;
  $('managed-settings').hidden = rows.length === 0;
  $('managed-settings').tBodies[0].replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    const value = typeof v === 'string' ? (v.length > 120 ? `${v.slice(0, 120)}…` : v) : JSON.stringify(v);
    for (const [text, cls] of [[k, ''], [value, 'url'], [t('settingManaged'), '']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
  if (!dirty) {
    editor.value = c.text;
    markProblem(null);
  }
}

// --- The editor -----------------------------------------------------------------------------
// The engine's problem at its line in the editor (and the line on the element, for tests).
function markProblem(problem) {
  editor.setProblem(problem);
  $('policy-text').dataset.errorLine = problem?.line ? String(problem.line) : '';
}

let checkTimer = null;
async function checkEditor() {
  const text = editor.value;
  const { problem } = await send({ type: 'checkPolicy', text });
  showProblem($('check-result'), problem);
  markProblem(problem);
  const next = !problem && text !== inForce.text ? text : null;
  if (next !== edited) {
    edited = next;
    await Promise.all([loadCatalog(), retry()]);
  }
  return problem;
}

function onEdit() {
  dirty = editor.value !== inForce.text;
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => void checkEditor(), 250);
}

// A line diff of the policy in force and the edited text (longest common subsequence).
function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 4_000_000) return [...a.map((l) => ['-', l]), ...b.map((l) => ['+', l])];
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const out = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { out.push([' ', a[i]]); i++; j++; }
    else if (j < b.length && (i === a.length || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) out.push(['+', b[j++]]);
    else out.push(['-', a[i++]]);
  }
  return out;
}

async function review() {
  const problem = await checkEditor();
  if (problem) return;
  const diff = lineDiff(inForce.text, editor.value);
  const changed = diff.filter(([op]) => op !== ' ').length;
  $('diff').replaceChildren(...diff.map(([op, line]) => {
    const span = document.createElement('span');
    span.className = op === '+' ? 'add' : op === '-' ? 'del' : '';
    span.textContent = `${op} ${line}\n`;
    return span;
  }));
  $('diff').dataset.changed = String(changed);
  $('review').hidden = false;
  $('confirm-save').disabled = changed === 0 && !(resetting && inForce.source === 'local');
  $('confirm-save').focus();
}

async function save(text) {
  const r = await send({ type: 'savePolicy', text });
  showProblem($('check-result'), r.problem ?? (r.error ? { message: r.error === 'locked' ? t('managedNote') : r.error } : null));
  $('review').hidden = true;
  if (!r.problem && !r.error) {
    dirty = false;
    edited = null;
  }
  await refresh();
  await Promise.all([loadCatalog(), retry()]);
}

function download(text, name, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// --- The catalog ----------------------------------------------------------------------------
let tools = [];
async function loadCatalog() {
  const r = await send({ type: 'catalog', policyText: edited });
  tools = r.tools ?? [];
  $('catalog-basis').textContent = edited ? t('basisEdited') : t('basisInForce');
  fillChoices($('catalog-category'), tools.map((x) => x.category));
  fillChoices($('catalog-action'), tools.map((x) => x.action));
  drawCatalog();
}

function drawCatalog() {
  const q = $('catalog-search').value.trim().toLowerCase();
  const category = $('catalog-category').value;
  const action = $('catalog-action').value;
  const rows = tools.filter((x) => (!category || x.category === category) && (!action || x.action === action)
    && (!q || [x.name, x.vendor, x.id, ...x.patterns].some((v) => v.toLowerCase().includes(q))));
  $('catalog-count').textContent = t('catalogCountValue', [String(rows.length), String(tools.length)]);
  $('catalog-table').tBodies[0].replaceChildren(...rows.map((x) => {
    const tr = document.createElement('tr');
    tr.dataset.tool = x.id;
    tr.dataset.action = x.action;
    const cells = [`${x.name} (${x.vendor})`, t('category_' + x.category.replace('-', '_')), x.patterns.join(' '), null, x.rule ?? t('defaultRule'), null];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      if (i === 2) td.className = 'hosts';
      if (i === 3) {
        const badge = document.createElement('span');
        badge.className = `badge ${x.action}`;
        badge.textContent = x.action;
        td.append(badge);
      } else if (i === 5) {
        const add = document.createElement('button');
        add.className = 'small add-rule';
        add.textContent = t('addRule');
        add.disabled = locked;
        add.setAttribute('aria-label', t('addRuleFor', [x.name]));
        add.addEventListener('click', () => addRuleFor(x));
        td.append(add);
      } else {
        td.textContent = text;
      }
      tr.append(td);
    });
    return tr;
  }));
}

// "Add a rule for this tool": a block rule with the tool's patterns, added to the editor's
// policy for the admin to adjust, check and review.
function addRuleFor(tool) {
  let doc;
  try {
    doc = JSON.parse(editor.value);
  } catch {
    showProblem($('check-result'), { message: t('addRuleNeedsJson') });
    return;
  }
  doc.rules = Array.isArray(doc.rules) ? doc.rules : [];
  let id = tool.id;
  for (let n = 2; doc.rules.some((r) => r?.id === id); n++) id = `${tool.id}-${n}`;
  doc.rules.push({ id, action: 'block', patterns: tool.patterns });
  editor.value = JSON.stringify(doc, null, 2) + '\n';
  editor.focus();
}

// --- Try it ---------------------------------------------------------------------------------
async function tryUrl() {
  if (!$('try-url').value.trim()) return;
  const r = await send({ type: 'tryUrl', url: $('try-url').value.trim(), policyText: edited });
  const e = r.explanation;
  $('try-result').className = r.error ? 'error' : '';
  $('try-result').textContent = r.error ? r.error : [
    t('tryValue', [e.action, e.rule ?? t('defaultRule')]),
    e.filter ? t('tryFilter', [e.filter]) : null,
    e.tool ? t('toolLine', [e.tool.name, t('category_' + e.tool.category.replace('-', '_'))]) : null,
  ].filter(Boolean).join(' · ');
  $('try-result').dataset.action = e?.action ?? '';
}

async function tryText() {
  const text = $('try-text').value;
  if (!text) return;
  const r = await send({ type: 'tryText', text, policyText: edited });
  const findings = (r.findings ?? []).slice().sort((a, b) => a.from - b.from);
  $('try-text-result').textContent = r.error ?? (findings.length
    ? t('tryTextFound', [r.action, findings.map((f) => f.rule).join(', ')]) : t('tryTextClean'));
  $('try-text-result').dataset.action = r.action ?? '';
  // The text with each finding marked where it is, as the employee's dialog would point at it.
  const view = $('try-text-view');
  const parts = [];
  let at = 0;
  for (const f of findings) {
    if (f.from < at) continue;
    parts.push(document.createTextNode(text.slice(at, f.from)));
    const mark = document.createElement('mark');
    mark.className = f.action === 'warn' ? 'warn' : '';
    mark.dataset.rule = f.rule;
    mark.title = `${f.detector}: ${f.rule}`;
    mark.textContent = text.slice(f.from, f.to);
    parts.push(mark);
    at = f.to;
  }
  parts.push(document.createTextNode(text.slice(at)));
  view.replaceChildren(...parts);
  view.hidden = findings.length === 0;
}

async function retry() {
  await Promise.all([$('try-url').value.trim() ? tryUrl() : null, $('try-text').value ? tryText() : null]);
  $('try-basis').textContent = edited ? t('basisEdited') : t('basisInForce');
}

const when = (ms) => (typeof ms === 'number' ? new Date(ms).toLocaleString(uiLanguage()) : '—');

// The signed bundle: what is in force, the database loaded from it, the last fetch and the
// last refusal (its reason code first, as the audit trail records it).
function showBundle(b, source) {
  $('bundle-unconfigured').hidden = !!b?.configured;
  $('bundle').hidden = !b?.configured;
  $('bundle-refresh').hidden = !b?.configured;
  if (!b?.configured) return;
  $('bundle-url').textContent = b.url;
  $('bundle-version').textContent = b.inForce
    ? t('bundleVersionValue', [String(b.inForce.version), when(b.inForce.issuedMs), when(b.inForce.expiresMs)]) : t('bundleNone');
  $('bundle-version').dataset.version = b.inForce ? String(b.inForce.version) : '';
  $('bundle-version').dataset.policyFromBundle = String(source === 'bundle');
  $('bundle-fingerprints').textContent = b.fingerprints
    ? t('bundleFingerprintsValue', [b.fingerprints.toLocaleString(uiLanguage()), String(b.versionInUse)]) : t('bundleFingerprintsNone');
  $('bundle-last-fetch').textContent = when(b.lastFetch?.at);
  const e = b.lastError;
  $('bundle-error').textContent = e ? t('bundleErrorValue', [e.reason, e.message, when(e.at)]) : t('bundleNoError');
  $('bundle-error').dataset.reason = e?.reason ?? '';
  $('bundle-error').className = e ? 'error' : '';
}

// Delivery to the company's collector: what waits, what went, the last failure.
async function showReporting() {
  const r = await send({ type: 'reportingStatus' });
  $('reporting-unconfigured').hidden = r.configured || !!r.error;
  $('reporting').hidden = !r.configured && !r.error;
  $('reporting-url').textContent = r.error ? t('reportingMisconfigured', [r.error]) : r.url ?? '—';
  $('reporting-url').className = r.error ? 'error' : '';
  $('reporting-pending').textContent = String(r.pending);
  $('reporting-pending').dataset.pending = String(r.pending);
  $('reporting-sent').textContent = t('reportingSentValue', [String(r.sent), String(r.requests)]);
  $('reporting-last-success').textContent = when(r.lastSuccessAt);
  const e = r.lastError;
  $('reporting-error').textContent = e ? t('reportingErrorValue', [e.message, when(e.at), when(r.nextAt)]) : t('bundleNoError');
  $('reporting-error').className = e ? 'error' : '';
}

// The audit trail, newest first, through the page's filters.
let auditEvents = [];
const shown = () => {
  const type = $('audit-type').value;
  const action = $('audit-action').value;
  const rule = $('audit-rule').value.trim().toLowerCase();
  const since = $('audit-since').value ? Date.parse($('audit-since').value) : null;
  return auditEvents.filter((e) => (!type || e.type === type) && (!action || e.action === action || e.choice === action)
    && (!rule || String(e.rule ?? '').toLowerCase().includes(rule) || (e.findings ?? []).some((f) => String(f.rule ?? '').toLowerCase().includes(rule)))
    && (since == null || e.time >= since));
};

function fillChoices(select, values) {
  const current = select.value;
  for (const o of [...select.options].slice(1)) o.remove();
  for (const v of [...new Set(values.filter(Boolean))].sort()) select.add(new Option(v, v));
  select.value = current;
}

function detail(e) {
  const parts = [];
  if (e.kind) parts.push(e.kind);
  if (e.choice) parts.push(e.choice);
  if (e.findings?.length) parts.push(e.findings.map((f) => f.rule ?? f.detector).join(' '));
  if (e.files?.length) parts.push(e.files.map((f) => f.name).join(' '));
  if (e.reason) parts.push(e.reason);
  if (e.message) parts.push(e.message);
  if (e.justification) parts.push(`“${e.justification}”`);
  if (e.count != null) parts.push(String(e.count));
  return parts.join(' · ');
}

function drawAudit() {
  const rows = shown();
  $('audit-count').textContent = t('auditCountValue', [String(rows.length), String(auditEvents.length)]);
  const body = $('audit-table').tBodies[0];
  body.replaceChildren(...rows.slice(0, 500).map((e) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of [[when(e.time), ''], [e.type, ''], [e.action ?? '', ''], [e.rule ?? '', ''], [e.url ?? '', 'url'], [detail(e), '']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    tr.dataset.type = e.type;
    return tr;
  }));
}

async function loadAudit() {
  const { entries } = await send({ type: 'audit' });
  auditEvents = entries.slice().reverse();
  fillChoices($('audit-type'), auditEvents.map((e) => e.type));
  fillChoices($('audit-action'), auditEvents.flatMap((e) => [e.action, e.choice]));
  drawAudit();
}

async function exportAudit(format) {
  const { text } = await send({ type: 'auditExport', format, ids: shown().map((e) => e.id) });
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '');
  download(text, `aiguard-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}`, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
}

// Every control answers from the first paint: a click or a key while the page is still loading
// what is in force waits for it instead of being lost.
function main() {
  localize();
  editor = createPolicyEditor($('policy-text'), { label: t('policyHeading'), onChange: onEdit });
  const loaded = (async () => {
    await refresh();
    await Promise.all([showReporting(), loadAudit(), loadCatalog(), retry()]);
  })();
  const on = (id, type, handler) => $(id).addEventListener(type, async (event) => {
    await loaded.catch(() => {});
    await handler(event);
  });
  on('check', 'click', checkEditor);
  on('save', 'click', () => { resetting = false; return review(); });
  on('confirm-save', 'click', () => save(resetting ? null : editor.value));
  on('cancel-save', 'click', () => { $('review').hidden = true; });
  on('reset', 'click', () => {
    editor.value = inForce.builtin;
    resetting = true;
    return review();
  });
  on('export', 'click', () => download(editor.value, 'aiguard-policy.json', 'application/json'));
  on('import-file', 'change', async () => {
    const file = $('import-file').files[0];
    if (!file) return;
    editor.value = await file.text();
    $('import-file').value = '';
  });
  on('bundle-refresh', 'click', async () => {
    $('bundle-refresh').disabled = true;
    try {
      await send({ type: 'refreshBundle' });
      await refresh();
    } finally {
      $('bundle-refresh').disabled = false;
    }
  });
  on('try', 'click', tryUrl);
  on('try-url', 'keydown', (e) => (e.key === 'Enter' ? tryUrl() : undefined));
  on('try-text-button', 'click', tryText);
  for (const id of ['catalog-search', 'catalog-category', 'catalog-action']) on(id, 'input', drawCatalog);
  for (const id of ['audit-type', 'audit-action', 'audit-rule', 'audit-since']) on(id, 'input', drawAudit);
  on('audit-export-jsonl', 'click', () => exportAudit('jsonl'));
  on('audit-export-csv', 'click', () => exportAudit('csv'));
  loaded.then(() => setInterval(() => void showReporting(), 5000));
}

main();
