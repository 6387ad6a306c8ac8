// The WebExtension namespace: Firefox's promise-based `browser`, else Chrome's `chrome`
// (whose MV3 APIs return promises too).
export const api = globalThis.browser ?? globalThis.chrome;
export const isFirefox = typeof globalThis.browser !== 'undefined' && api.runtime.getURL('').startsWith('moz-extension:');
