// AIGuard's background: owns the engine, keeps the browser's network rules in step with the
// policy, checks navigations and answers the content scripts and the extension's pages.
// Listeners are registered synchronously at the top level (a service worker that wakes for an
// event must find them) and await the policy inside.
//
//   policy.js          the policy in force (the engine chooses), reloads, telling open pages
//   bundles.js         the signed bundle and its fingerprint database: fetch, verify, cache
//   network-rules.js   the policy as declarativeNetRequest rules
//   grants.js          "Continue" grants: storage, session rules, expiry alarm
//   navigation.js      navigation checks, decision records for the warn and block pages
//   csp-records.js     the CSP headers each frame's document was served with
//   content-checks.js  what content scripts ask: scope, the engine in the page, verdicts
//   file-decoders.js   the file decoders' wasm module, compiled for the first file that is not
//                      plain text
//   messages.js        who may ask what
//   audit.js           the audit trail: events reduced by the engine, in IndexedDB
//   reporter.js        delivery of the audit trail to the company's collector
import * as policy from './policy.js';
import * as bundles from './bundles.js';
import * as grants from './grants.js';
import { installRules } from './network-rules.js';
import { watchNavigations } from './navigation.js';
import { watchCspHeaders } from './csp-records.js';
import { answerMessages } from './messages.js';
import { diagnostics } from './content-checks.js';
import { api } from '../shared/runtime-module.js';
import { engineMemoryBytes } from './engine.js';
import * as audit from './audit.js';
import * as reporter from './reporter.js';

const ACTION = ['block', 'warn', 'allow'];

policy.onPolicyLoaded(async (next, previous) => {
  void audit.policyApplied(next);
  if (previous && next.text !== previous.text) await grants.clearAll(next.engine);
  await grants.prune(next.engine);
  await installRules(next);
  if (previous) void policy.announcePolicy(next);
});

watchNavigations();
watchCspHeaders();
answerMessages();
policy.watchPolicySources();
reporter.watchReporting();
void audit.migrate().catch((e) => console.error('AIGuard: the earlier audit trail could not be moved', e));
bundles.watchBundles(() => policy.reload());
api.alarms.onAlarm.addListener((a) => {
  if (a.name === grants.ALARM) void policy.current().then((s) => grants.prune(s.engine));
});
void policy.reload();

// For tests and diagnostics from the service-worker console: `aiguard.verdict(url)`.
globalThis.aiguard = {
  ready: () => policy.current().then(() => true),
  verdict: async (url) => (await policy.current()).engine.verdict(url),
  action: async (url) => ACTION[(await policy.current()).engine.action(url)] ?? 'invalid',
  source: async () => (await policy.current()).source,
  bundle: () => bundles.status(),
  // Fingerprints in the database the engine judges content with (0 without one).
  fingerprints: async () => (await policy.current()).engine.fingerprintCount(),
  // The engine module's WebAssembly memory: its high-water mark, as wasm memory never shrinks.
  engineMemory: () => engineMemoryBytes(),
  diagnostics: () => ({ ...diagnostics }),
  // The audit trail and its delivery.
  audit: () => audit.entries(),
  reporting: () => reporter.status(),
};
