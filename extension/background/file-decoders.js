// The file decoders (wasm/files): a second wasm module that turns a file that is not plain
// UTF-8 text (UTF-16, zip and Office containers, PDFs, other binaries) into the texts the
// engine scans. The engine every page and this worker load stays lean: this module is compiled
// only when the first such file arrives. Its small JS glue is imported statically, since a
// Chrome service worker may not import() a module at run time; only the wasm is fetched and
// instantiated on first need.
import init, { decodeFile } from '../wasm/aiguard_files.js';
import { api } from '../shared/runtime-module.js';

let loading = null;

function load() {
  loading ??= init({ module_or_path: api.runtime.getURL('wasm/aiguard_files_bg.wasm') }).catch((e) => {
    loading = null; // a failed fetch or compile is tried again with the next file
    throw e;
  });
  return loading;
}

// What the engine takes as a file part's `decoded`: `{texts, unreadable, truncated, size}`.
// When the decoders cannot run (or trap on a hostile file), the file is reported unreadable
// rather than passed.
export async function decode(bytes, size) {
  try {
    await load();
    return decodeFile(bytes, size);
  } catch (e) {
    console.error('AIGuard: the file decoders failed', e);
    return { texts: [], unreadable: [{ reason: 'decoder-failed' }], truncated: size > bytes.length, size };
  }
}
