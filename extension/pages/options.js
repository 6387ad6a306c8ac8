// The options page: status, policy editing (when not managed by the enterprise), a URL tester.
import { api, t, localize } from '../shared/runtime-module.js';
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
  const managed = s.source === 'managed';
  $('managed-note').hidden = !managed;
  for (const id of ['policy-text', 'save', 'reset']) $(id).disabled = managed;
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
    showProblem($('check-result'), r.problem ?? (r.error ? { message: r.error } : null));
    await refresh();
  });
  $('reset').addEventListener('click', async () => {
    await send({ type: 'savePolicy', text: null });
    $('check-result').textContent = '';
    await refresh();
  });
  $('try').addEventListener('click', async () => {
    const r = await send({ type: 'verdict', url: $('try-url').value });
    $('try-result').textContent = r.error ? r.error : t('tryValue', [r.action, r.rule ?? t('defaultRule')]);
  });
}

main();
