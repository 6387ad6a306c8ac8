// Loads the wasm engine once per background lifetime, and compiles policies with it.
import init, { Engine, Grants } from '../wasm/aiguard_wasm.js';
import { api } from '../shared/runtime-module.js';

let initialised;

export function loadWasm() {
  initialised ??= init({ module_or_path: api.runtime.getURL('wasm/aiguard_wasm_bg.wasm') });
  return initialised;
}

// The policy in force from the texts the extension holds: the engine picks (managed, local,
// last good, built-in) and compiles it. See the engine's `policy_source` module for the rule.
export async function choosePolicy({ managed, local, lastGood }) {
  await loadWasm();
  return Engine.choose(managed ?? undefined, local ?? undefined, lastGood?.source ?? undefined, lastGood?.text ?? undefined);
}

// `null` when the text is a valid policy, else `{message, line, column, rule, field}`.
export async function checkPolicy(text) {
  await loadWasm();
  return Engine.checkPolicy(text);
}

// "Continue" grants read from their stored form (a broken one reads as none).
export async function readGrants(text) {
  await loadWasm();
  try {
    return Grants.fromJson(text ?? null);
  } catch (e) {
    console.error('AIGuard: stored grants unreadable; starting without', e);
    return Grants.fromJson(null);
  }
}
