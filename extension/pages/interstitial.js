// Draws the warn and block pages from the engine's explanation of the original URL.
import { api, t, localize, pickLocalized } from '../shared/runtime-module.js';
const root = document.querySelector('main');
const kind = root.dataset.kind;
const $ = (id) => document.getElementById(id);
const send = (msg) => api.runtime.sendMessage(msg);

// `#url=<original URL>`: written by the network rule's substitution or the background. It is only
// a check that this page is the one the background's decision record is for (a page restored
// from history may be an older one); the URL itself always comes from the record.
function urlFromHash() {
  const i = location.href.indexOf('#url=');
  return i < 0 ? null : location.href.slice(i + 5);
}

function goBack() {
  if (history.length > 1) history.back();
  else location.replace('about:blank');
}

// The background's explanation of the navigation it stopped in this tab and frame, or null.
// Right after the browser or the extension starts, the background may still be starting (keep
// asking for up to 20 s while it can't answer) or catching up with the navigation that brought
// us here (an answer that it doesn't know it: ask for 2 s more).
async function explanation() {
  const start = Date.now();
  for (;;) {
    const e = await send({ type: 'explain', url: urlFromHash() }).catch(() => null);
    if (e && !e.error) return e;
    if (Date.now() - start > (e ? 2000 : 20_000)) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Only a top-level page may give "Continue": in a frame, the page around it could make an
// employee click it without knowing (clickjacking). The background checks this too.
const framed = window.top !== window;

async function main() {
  localize();
  $('go-back').addEventListener('click', goBack);
  // In a frame, the page keeps the focus (the warn page also checks framed navigations, most of
  // which go straight on); a top-level block page takes it at once.
  if (kind === 'block' && !framed) $('go-back').focus();
  const ready = explanation();
  // "Continue" listens from the start, so a click made before the background has answered is
  // acted on once it has; only the employee's own click counts.
  let continuing = false;
  $('continue')?.addEventListener('click', async (event) => {
    const e = await ready;
    if (!event.isTrusted || framed || continuing || !e || e.action !== 'warn') return;
    const justification = $('justification').value.trim();
    if (e.justification === 'required' && !justification) {
      $('error').textContent = t('justificationMissing');
      $('justification').focus();
      return;
    }
    continuing = true;
    $('continue').disabled = true;
    const r = await send({ type: 'decide', decision: e.decision, choice: 'continue', justification }).catch((err) => ({ error: String(err?.message ?? err) }));
    if (r?.error) {
      $('error').textContent = r.error === 'justification-required' ? t('justificationMissing') : r.error;
      $('continue').disabled = false;
      continuing = false;
      return;
    }
    location.replace(r.url);
  });
  // Clickable from the moment a click is listened for (the page is drawn before this script runs).
  if ($('continue')) $('continue').disabled = false;

  const e = await ready;
  // The warn page is drawn only for a warning (it also takes navigations that go straight on,
  // which must not flash it).
  if (!e || e.action === 'warn') {
    root.hidden = false;
    if (!framed) $('go-back').focus();
  }
  if (!e) {
    $('message').textContent = t('unknownUrl');
    $('continue')?.remove();
    return;
  }
  // Keep the URL in the page's own address so reload and back/forward still know it.
  if (!urlFromHash()) history.replaceState(null, '', '#url=' + e.url);
  // This page also takes every navigation whose address carries text to a page in scope (the
  // network rules send it here first, whatever the site's verdict): a blocked site goes on to
  // the block page, an allowed one to the content check of its address, or on to the site.
  if (kind === 'warn' && e.action === 'block') return location.replace('block.html#url=' + e.url);
  if (kind === 'warn' && e.action === 'allow') return e.address ? checkAddress(e) : location.replace(e.url);
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
  void send({ type: 'shown', decision: e.decision, action: kind, rule: e.rule });
  if (kind !== 'warn') return;
  if (framed) {
    $('continue').remove();
    $('framed-note').hidden = false;
    return;
  }
  if (e.justification !== 'none') {
    $('justification-box').hidden = false;
    $('justification-label').textContent = t(e.justification === 'required' ? 'justificationRequired' : 'justificationOptional');
  }
  $('go-back').addEventListener('click', () => void send({ type: 'decide', decision: e.decision, choice: 'back' }), { once: true });
}

// The address carries something the engine flagged: the content dialog (the one pages show for
// a paste), over a page that says nothing else. Only a top-level page may go on.
async function checkAddress(e) {
  root.hidden = true;
  document.title = t('warnedAddress');
  const verdict = framed ? { ...e.address, action: 'block' } : e.address;
  for (;;) {
    const { choice, justification } = await aiguardOverlay.show({ kind: 'address', verdict });
    const r = await send({ type: 'decideAddress', decision: e.decision, choice, justification }).catch((err) => ({ error: String(err?.message ?? err) }));
    if (choice !== 'proceed') return goBack();
    if (r?.url) return location.replace(r.url);
    console.error('AIGuard: could not go on to the address', r?.error);
  }
}

main();
