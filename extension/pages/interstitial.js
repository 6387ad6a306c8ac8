// Draws the warn and block pages from the engine's explanation of the original URL.
import { api, t, localize, pickLocalized } from '../shared/runtime-module.js';
const root = document.querySelector('main');
const kind = root.dataset.kind;
const $ = (id) => document.getElementById(id);
const send = (msg) => api.runtime.sendMessage(msg);

// `#url=<original URL, verbatim>`: written by the network rule's substitution or the background.
function urlFromHash() {
  const i = location.href.indexOf('#url=');
  return i < 0 ? null : location.href.slice(i + 5);
}

function goBack() {
  if (history.length > 1) history.back();
  else location.replace('about:blank');
}

async function main() {
  localize();
  $('go-back').addEventListener('click', goBack);
  $('go-back').focus();
  // Right after the browser or the extension starts, the background may still be starting
  // (keep asking for up to 20 s while it can't answer) or catching up with the navigation that
  // brought us here (an answer that it doesn't know the URL: ask for 2 s more).
  let e;
  const start = Date.now();
  for (;;) {
    e = await send({ type: 'explain', url: urlFromHash() }).catch(() => null);
    if (e && !e.error) break;
    if (Date.now() - start > (e ? 2000 : 20_000)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!e || e.error) {
    $('message').textContent = t('unknownUrl');
    $('continue')?.setAttribute('disabled', '');
    return;
  }
  // Keep the URL in the page's own address so reload and back/forward still know it.
  if (!urlFromHash()) history.replaceState(null, '', '#url=' + e.url);
  const toolName = e.tool ? e.tool.name : e.host;
  document.title = `${t(kind + 'Title')} – ${toolName}`;
  $('tool-name').textContent = e.tool ? t('toolLine', [e.tool.name, t('category_' + e.tool.category.replace('-', '_'))]) : e.host;
  $('message').textContent = pickLocalized(e.message) || t(kind + 'Default');
  $('original-url').textContent = e.url;
  if (e.alternative) {
    $('alternative').hidden = false;
    $('alternative-link').href = e.alternative;
    $('alternative-link').textContent = e.alternative;
  }
  void send({ type: 'shown', url: e.url, action: kind, rule: e.rule });
  if (kind !== 'warn') return;
  if (e.action === 'allow') { location.replace(e.url); return; } // continued in another tab
  if (e.justification !== 'none') {
    $('justification-box').hidden = false;
    $('justification-label').textContent = t(e.justification === 'required' ? 'justificationRequired' : 'justificationOptional');
  }
  $('continue').addEventListener('click', async () => {
    const justification = $('justification').value.trim();
    if (e.justification === 'required' && !justification) {
      $('error').textContent = t('justificationMissing');
      $('justification').focus();
      return;
    }
    $('continue').disabled = true;
    const r = await send({ type: 'decide', decision: e.decision, url: urlFromHash() ?? e.url, choice: 'continue', justification });
    if (r?.error) {
      $('error').textContent = r.error === 'justification-required' ? t('justificationMissing') : r.error;
      $('continue').disabled = false;
      return;
    }
    location.replace(r.url);
  });
  $('go-back').addEventListener('click', () => void send({ type: 'decide', decision: e.decision, url: urlFromHash() ?? e.url, choice: 'back' }), { once: true });
}

main();
