// runtime.js for ES modules (the background and the extension's pages).
import './runtime.js';

export const { api, isFirefox, t, uiLanguage, extensionAlive, pickLocalized, localize } = globalThis.aiguardRuntime;
