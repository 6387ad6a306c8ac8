// The one browser-API shim and translation helper, for every part of the extension: content
// scripts load it first (manifest order), and the background and the extension's pages import
// it through runtime-module.js. It has no import or export so that it runs as either a classic
// script or a module, and publishes `aiguardRuntime` on the global object of the world it runs
// in (a content script's isolated world, never the page's).
'use strict';

globalThis.aiguardRuntime ??= (() => {
  // Firefox's promise-based `browser`, else Chrome's `chrome` (whose MV3 APIs return promises).
  const api = globalThis.browser ?? globalThis.chrome;
  const isFirefox = typeof globalThis.browser !== 'undefined' && api.runtime.getURL('').startsWith('moz-extension:');

  // A message from the extension's locale files (en, zh_CN), or the key when there is none.
  // A content script whose extension was updated or reloaded under its page can no longer read
  // them: what it may have to say then is read at its start (`preload`) and kept.
  const kept = new Map();
  const SUB = ['\u0001', '\u0002', '\u0003'];
  function t(key, subs = []) {
    try {
      const live = api.i18n.getMessage(key, subs);
      if (live) return live;
    } catch { /* the extension is gone from under this page */ }
    const raw = kept.get(key);
    if (raw == null) return key;
    return raw.replace(/[\u0001-\u0003]/g, (c) => String([].concat(subs)[SUB.indexOf(c)] ?? ''));
  }
  function preload(keys) {
    for (const key of keys) {
      try { kept.set(key, api.i18n.getMessage(key, SUB) || key); } catch { /* gone already */ }
    }
  }

  let language = null;
  const uiLanguage = () => {
    try {
      language ??= api.i18n.getUILanguage?.() ?? globalThis.navigator?.language ?? 'en';
    } catch {
      language ??= globalThis.navigator?.language ?? 'en';
    }
    return language;
  };

  // Whether this script's extension is still there (an update or reload leaves content scripts
  // of open pages without one).
  const extensionAlive = () => {
    try {
      return Boolean(api.runtime?.id);
    } catch {
      return false;
    }
  };

  // The best text from a policy's {lang: text} map for the browser language.
  function pickLocalized(map) {
    if (!map) return '';
    const lower = uiLanguage().toLowerCase();
    const keys = Object.keys(map);
    const hit = keys.find((k) => k.toLowerCase() === lower)
      ?? keys.find((k) => k.toLowerCase().split('-')[0] === lower.split('-')[0])
      ?? keys.find((k) => k.toLowerCase() === 'en')
      ?? keys[0];
    return hit ? map[hit] : '';
  }

  // Fills an extension page's [data-i18n], [data-i18n-placeholder] and [data-i18n-aria-label].
  function localize(root = document) {
    document.documentElement.lang = uiLanguage();
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }

  return Object.freeze({ api, isFirefox, t, preload, uiLanguage, extensionAlive, pickLocalized, localize });
})();
