// The local audit trail: every block, warn and decision, queued until a reporting endpoint takes
// it. Entries are never silently dropped; past the cap the oldest are folded into a counter
// that itself is reported.
import { api } from '../shared/runtime-module.js';

const KEY = 'audit.queue';
const DROPPED = 'audit.dropped';
const CAP = 5000;
let chain = Promise.resolve();

export function record(event) {
  const entry = { at: new Date().toISOString(), ...event };
  // Serialise writes so concurrent events don't overwrite each other.
  chain = chain.then(async () => {
    const got = await api.storage.local.get([KEY, DROPPED]);
    const queue = got[KEY] ?? [];
    queue.push(entry);
    let dropped = got[DROPPED] ?? 0;
    if (queue.length > CAP) dropped += queue.splice(0, queue.length - CAP).length;
    await api.storage.local.set({ [KEY]: queue, [DROPPED]: dropped });
  }).catch((e) => console.error('AIGuard audit write failed', e));
  return chain;
}

export async function entries() {
  await chain;
  const got = await api.storage.local.get([KEY, DROPPED]);
  return { entries: got[KEY] ?? [], dropped: got[DROPPED] ?? 0 };
}
