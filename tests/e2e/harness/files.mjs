// Files on disk for the browser's file chooser. Chromium fires trusted input and change events
// only for files it reads from disk (Playwright hands in-memory buffers over with script-made,
// untrusted events, which AIGuard leaves to the page as the page's own); so the tests choose
// real files, as the employee does. The directory goes when the test process ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir = null;

// Writes each {name, buffer} and returns their paths, in order.
export function filesOnDisk(files) {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'aiguard-files-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const sub = mkdtempSync(join(dir, 'pick-'));
  return files.map(({ name, buffer }) => {
    const path = join(sub, name);
    writeFileSync(path, buffer);
    return path;
  });
}
