// Loads the wasm engine once per background lifetime.
import init, { Engine } from '../wasm/aiguard_wasm.js';
import { api } from './browser.js';

let initialised;

export function loadWasm() {
  initialised ??= init({ module_or_path: api.runtime.getURL('wasm/aiguard_wasm_bg.wasm') });
  return initialised;
}

// Compiles policy text, or the built-in policy when `text` is null. Throws with the engine's
// message (line, rule and field) when the policy is invalid.
export async function compile(text) {
  await loadWasm();
  return text == null ? Engine.builtin() : Engine.fromPolicy(text);
}

export async function checkPolicy(text) {
  await loadWasm();
  return Engine.checkPolicy(text);
}

// Whether a document served with these CSPs lets a content script compile the engine.
export async function cspAllowsWasm(policies) {
  await loadWasm();
  return Engine.cspAllowsWasm(policies);
}
