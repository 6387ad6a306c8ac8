// The options page: status, the signed bundle, reporting and the audit trail, policy editing
// (when not managed by the enterprise), a URL tester.
import { api, t, localize, uiLanguage } from '../shared/runtime-module.js';
const $ = (id) => document.getElementById(id);
const send = (msg) => api.runtime.sendMessage(msg);

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
  $('policy-error').textContent = s.error ? t('policyRejected', [s.error.message]) : '';
  // A policy from managed storage or a signed bundle wins over one saved here; and an extension
  // the organisation installed or configures takes none from here (the background refuses it
  // too), unless the admin allows it.
  const managed = s.source === 'managed' || s.source === 'bundle';
  const locked = managed || s.localEditing?.allowed === false;
  $('managed-note').hidden = !locked;
  $('policy-editor').dataset.locked = String(locked);
  for (const id of ['policy-text', 'save', 'reset']) $(id).disabled = locked;
  showBundle(s.bundle, s.source);
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
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }));
  a.download = `aiguard-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.${format === 'csv' ? 'csv' : 'jsonl'}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function main() {
  localize();
  await refresh();
  await Promise.all([showReporting(), loadAudit()]);
  for (const id of ['audit-type', 'audit-action', 'audit-rule', 'audit-since']) $(id).addEventListener('input', drawAudit);
  $('audit-export-jsonl').addEventListener('click', () => exportAudit('jsonl'));
  $('audit-export-csv').addEventListener('click', () => exportAudit('csv'));
  setInterval(() => void showReporting(), 5000);
  $('check').addEventListener('click', async () => {
    const { problem } = await send({ type: 'checkPolicy', text: $('policy-text').value });
    showProblem($('check-result'), problem);
  });
  $('save').addEventListener('click', async () => {
    const r = await send({ type: 'savePolicy', text: $('policy-text').value });
    showProblem($('check-result'), r.problem ?? (r.error ? { message: r.error === 'locked' ? t('managedNote') : r.error } : null));
    await refresh();
  });
  $('reset').addEventListener('click', async () => {
    await send({ type: 'savePolicy', text: null });
    $('check-result').textContent = '';
    await refresh();
  });
  $('bundle-refresh').addEventListener('click', async () => {
    $('bundle-refresh').disabled = true;
    try {
      await send({ type: 'refreshBundle' });
      await refresh();
    } finally {
      $('bundle-refresh').disabled = false;
    }
  });
  $('try').addEventListener('click', async () => {
    const r = await send({ type: 'verdict', url: $('try-url').value });
    $('try-result').textContent = r.error ? r.error : t('tryValue', [r.action, r.rule ?? t('defaultRule')]);
  });
}

main();
