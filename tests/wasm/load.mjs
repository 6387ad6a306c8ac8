// Loads the wasm engine exactly as shipped in dist/chrome/wasm, under Node. AIGUARD_WASM_DIR
// points the benchmarks at another build of the module (to compare build settings).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const shipped = process.env.AIGUARD_WASM_DIR
  ? pathToFileURL(`${process.env.AIGUARD_WASM_DIR.replace(/\/?$/, '/')}`)
  : new URL('../../dist/chrome/wasm/', import.meta.url);

// The module's bindings, initialised, and its exports (`wasmExports.memory`). Each distinct `instance` name is a module instance of its
// own, with its own WebAssembly memory (to measure what one workload leaves in it).
export async function loadEngine(dir = shipped, { instance = null } = {}) {
  const glue = await import(new URL(`aiguard_wasm.js${instance ? `?instance=${encodeURIComponent(instance)}` : ''}`, dir));
  const wasmExports = glue.initSync({ module: readFileSync(new URL('aiguard_wasm_bg.wasm', dir)) });
  return { ...glue, wasmExports };
}
