// Fills every [data-i18n] element from the extension's locale files (en, zh_CN).
const api = globalThis.browser ?? globalThis.chrome;

export const t = (key, subs) => api.i18n.getMessage(key, subs) || key;

export function uiLanguage() {
  return api.i18n.getUILanguage?.() ?? navigator.language ?? 'en';
}

// Picks the best message from a policy's {lang: text} map for the browser language.
export function pickLocalized(map) {
  if (!map) return '';
  const lang = uiLanguage();
  const keys = Object.keys(map);
  const lower = lang.toLowerCase();
  const hit = keys.find((k) => k.toLowerCase() === lower)
    ?? keys.find((k) => k.toLowerCase().split('-')[0] === lower.split('-')[0])
    ?? keys.find((k) => k.toLowerCase() === 'en')
    ?? keys[0];
  return hit ? map[hit] : '';
}

export function localize(root = document) {
  document.documentElement.lang = uiLanguage();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}
