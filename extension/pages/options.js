// The options page: status, the signed bundle, policy editing (when not managed by the
// enterprise), a URL tester.
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

async function main() {
  localize();
  await refresh();
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
