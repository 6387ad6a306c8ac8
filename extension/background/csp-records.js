// The CSPs each frame's document was served with. A content script may compile the engine in
// its page only where the page's CSP allows WebAssembly (the engine's `pageEngine` decides).
// Response headers are visible here and not to the page's scripts, so the background keeps each
// frame's latest document's CSP headers (report-only included). A frame with no record (this
// worker restarted, about:blank and srcdoc frames, pages answered by a service worker the
// browser doesn't report) uses the engine in the background.
import { api } from '../shared/runtime-module.js';

const documentCsps = new Map(); // "tabId:frameId" -> {url, policies, at}
const MAX_DOCUMENT_CSPS = 2000;
const frameOf = (tabId, frameId) => `${tabId}:${frameId}`;
const withoutFragment = (url) => String(url ?? '').split('#')[0];

// The frame's next document, a navigation to `url` that started at `since` (the event's
// timeStamp): its record is the one its response will bring (a reload of the same URL must not
// be judged by an old response's headers). Firefox can report a navigation after its response,
// and twice (seen for a navigation an extension page started): a record of a response to the
// same URL received in the moment before is that document's own, and stays.
const SAME_NAVIGATION_MS = 2000;
export function forgetFrame(tabId, frameId, since, url) {
  const key = frameOf(tabId, frameId);
  const record = documentCsps.get(key);
  const own = record && record.url === withoutFragment(url) && since - record.at < SAME_NAVIGATION_MS;
  if (!own) documentCsps.delete(key);
}

export function watchCspHeaders() {
  api.webRequest?.onHeadersReceived.addListener((d) => {
    const key = frameOf(d.tabId, d.frameId);
    const policies = (d.responseHeaders ?? [])
      .filter((h) => /^content-security-policy(-report-only)?$/i.test(h.name))
      .map((h) => h.value ?? '');
    documentCsps.delete(key);
    documentCsps.set(key, { url: withoutFragment(d.url), policies, at: d.timeStamp });
    if (documentCsps.size > MAX_DOCUMENT_CSPS) documentCsps.delete(documentCsps.keys().next().value);
  }, { urls: ['<all_urls>'], types: ['main_frame', 'sub_frame'] }, ['responseHeaders']);
  api.tabs.onRemoved.addListener((tabId) => {
    for (const key of documentCsps.keys()) if (key.startsWith(frameOf(tabId, ''))) documentCsps.delete(key);
  });
}

// The CSP header values of the document a content script asks from, or null. The headers'
// event can reach this worker after the document's own script has already asked (seen in
// Firefox, where the page had loaded by then), so a missing or older record is waited for,
// briefly.
export async function documentCspHeaders(sender) {
  const key = frameOf(sender.tab?.id, sender.frameId);
  const url = withoutFragment(sender.url);
  for (let waited = 0; ; waited += 50) {
    const record = documentCsps.get(key);
    if (record?.url === url) return record.policies;
    if (waited >= 3000) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
