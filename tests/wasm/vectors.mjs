// Reads a file of the shared vectors (tests/vectors/<kind>.json; the format is in the README
// there) and refuses one of another kind or format version, as the native runners do.
import { readFileSync } from 'node:fs';

export const VERSION = 2;

export function readVectors(kind) {
  const v = JSON.parse(readFileSync(new URL(`../vectors/${kind}.json`, import.meta.url), 'utf8'));
  if (v.schema !== `aiguard-vectors/${kind}` || v.version !== VERSION) {
    throw new Error(`${kind}.json: schema ${v.schema} version ${v.version}, want aiguard-vectors/${kind} version ${VERSION}`);
  }
  return v;
}
