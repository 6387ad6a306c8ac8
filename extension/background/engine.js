// Loads the wasm engine once per background lifetime, and compiles policies with it.
import init, * as wasm from '../wasm/aiguard_wasm.js';
import { api } from '../shared/runtime-module.js';

let initialised;

export function loadWasm() {
  initialised ??= init({ module_or_path: api.runtime.getURL('wasm/aiguard_wasm_bg.wasm') });
  return initialised;
}

// Bytes of the engine module's WebAssembly memory (for diagnostics and benchmarks).
export async function engineMemoryBytes() {
  return (await loadWasm()).memory.buffer.byteLength;
}

const { Engine, Grants } = wasm;

// The policy in force from the texts the extension holds: the engine picks (signed bundle,
// managed, local, last good, built-in) and compiles it. See the engine's `policy_source` module
// for the rule.
export async function choosePolicy({ managed, local, lastGood, bundle }) {
  await loadWasm();
  return Engine.choose(managed ?? undefined, local ?? undefined, lastGood?.source ?? undefined, lastGood?.text ?? undefined,
    bundle ?? undefined);
}

// Whether a policy may be saved on the options page (and one saved there used): the engine's
// rule over how the extension was installed and what managed storage says.
export async function localPolicyAllowed({ adminInstalled, managedConfigured, allowLocal }) {
  await loadWasm();
  return Engine.localPolicyAllowed(adminInstalled, managedConfigured, allowLocal ?? undefined);
}

// Whether the toolbar popup links to the console: the engine's rule over how the extension was
// installed and what managed storage says (showConsole).
export async function consoleVisible({ adminInstalled, managedConfigured, showConsole }) {
  await loadWasm();
  return Engine.consoleVisible(adminInstalled, managedConfigured, showConsole ?? undefined);
}

// A refusal from the engine's bundle checks, as {reason, message} (a thrown error, for
// arguments of the wrong type, is `malformed`).
const refusal = (e) => ({ reason: typeof e?.reason === 'string' ? e.reason : 'malformed', message: String(e?.message ?? e) });

// `{bundle}` with what the engine read from a signed bundle (version, issuedMs, expiresMs,
// policyText, fingerprints), or `{error: {reason, message}}`: the engine's verdict on its
// signature under `keys`, its version against `inForceVersion` (no rollback) and its expiry at
// `nowMs` (see the engine's `bundle` module).
export async function verifyBundle(text, keys, inForceVersion, nowMs) {
  await loadWasm();
  try {
    const verified = wasm.verifyBundle(text, keys, inForceVersion ?? undefined, nowMs);
    return verified.error ? { error: refusal(verified.error) } : { bundle: verified };
  } catch (e) {
    return { error: refusal(e) };
  }
}

// The SHA-256 of `data` (bytes, or a string as UTF-8), in hex, by WebCrypto.
export async function sha256Hex(data) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// null when `bytes` are the database `fingerprints` ({url, sha256, bytes}) names, else
// {reason, message}. The bytes are hashed with WebCrypto, not copied into the engine to be
// hashed there; the engine compares.
export async function checkDatabase(bytes, fingerprints) {
  const hex = await sha256Hex(bytes);
  await loadWasm();
  try {
    return wasm.checkDatabaseDigest(bytes.byteLength, hex, fingerprints) ?? null;
  } catch (e) {
    return refusal(e);
  }
}

// null when the engine loads `bytes` as a fingerprint database, else its message.
export async function fingerprintsAccepted(bytes) {
  await loadWasm();
  const engine = Engine.builtin();
  try {
    engine.loadFingerprints(bytes);
    return null;
  } catch (e) {
    return String(e?.message ?? e);
  } finally {
    engine.free();
  }
}

// `null` when the text is a valid policy, else `{message, line, column, rule, field}`.
export async function checkPolicy(text) {
  await loadWasm();
  return Engine.checkPolicy(text);
}

// `fn(engine)` with `text` compiled (the console's edited policy), or {error} when it does not
// compile; the engine is freed after.
export async function withPolicy(text, fn) {
  await loadWasm();
  let engine;
  try {
    engine = Engine.fromPolicy(text);
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
  try {
    return fn(engine);
  } finally {
    engine.free();
  }
}

// The built-in default policy's text: what the console starts from.
export async function builtinPolicyText() {
  await loadWasm();
  return Engine.builtinPolicyText();
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

// The reporting settings in managed storage, as the engine reads them: {none}, {config: {url,
// format, headers, tags, timeoutMs, batchEvents, batchBytes}} or {error}.
export async function reportingConfig(managed) {
  await loadWasm();
  try {
    return wasm.reportingConfig(managed ?? {});
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

// The request body for a batch of events, the wait after a failure, and what a status means:
// the engine's reporting rules.
export async function reportingBody(events, format) {
  await loadWasm();
  return wasm.reportingBody(events, format);
}
export async function retryDelay(attempt, retryAfter, nowMs) {
  await loadWasm();
  return wasm.retryDelay(attempt, retryAfter ?? undefined, nowMs, Math.random());
}
export async function delivery(status) {
  await loadWasm();
  return wasm.delivery(status);
}

// The audit trail exported: `jsonl` (one event per line) or `csv`.
export async function auditExport(events, format) {
  await loadWasm();
  return format === 'csv' ? wasm.auditCsv(events) : wasm.reportingBody(events, 'jsonl');
}
