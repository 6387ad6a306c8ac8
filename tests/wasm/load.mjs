// Loads the wasm engine exactly as shipped in dist/chrome/wasm, under Node.
import { readFileSync } from 'node:fs';

export async function loadEngine(dir = new URL('../../dist/chrome/wasm/', import.meta.url)) {
  const glue = await import(new URL('aiguard_wasm.js', dir));
  glue.initSync({ module: readFileSync(new URL('aiguard_wasm_bg.wasm', dir)) });
  return glue;
}
