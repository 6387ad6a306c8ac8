// The policy as the browser's network rules (declarativeNetRequest), which stop a navigation
// before its request leaves. The built-in policy ships as a static ruleset (covering the first
// navigation after install or browser start, before this code runs); any other policy replaces
// it with dynamic rules the engine compiles.
import { api } from '../shared/runtime-module.js';

export const WARN_PAGE = '/pages/warn.html';
export const BLOCK_PAGE = '/pages/block.html';
const STATIC_RULESET = 'default';
const ADDRESS_FIRST_ID = 900_000; // above any policy's own rule ids

export async function installRules({ engine, source }) {
  const dnr = api.declarativeNetRequest;
  const old = await dnr.getDynamicRules();
  const removeRuleIds = old.map((r) => r.id);
  const base = api.runtime.getURL('').replace(/\/$/, '');
  // Navigations that carry text in their query to a page in scope go to the warn page first,
  // under every policy (the engine's url_content rules).
  const addressRules = engine.urlContentRules(WARN_PAGE, ADDRESS_FIRST_ID, base);
  if (source === 'builtin') {
    await dnr.updateDynamicRules({ removeRuleIds, addRules: addressRules });
    await dnr.updateEnabledRulesets({ enableRulesetIds: [STATIC_RULESET] });
    return;
  }
  const compiled = engine.dnrRules(WARN_PAGE, BLOCK_PAGE, 1, base);
  const { regexRules, skipped } = compiled;
  const rules = [...compiled.rules, ...addressRules];
  if (skipped.length) console.info('AIGuard: covered by navigation checks only:', skipped);
  try {
    await dnr.updateDynamicRules({ removeRuleIds, addRules: rules });
  } catch (e) {
    // The update is all-or-nothing; one rule the browser refuses must not cost the others.
    // Install rule by rule and report the refused ones; navigation checks still cover them.
    console.error('AIGuard: network rules refused as a batch:', e);
    await dnr.updateDynamicRules({ removeRuleIds });
    const refused = [];
    for (const rule of rules) {
      await dnr.updateDynamicRules({ addRules: [rule] }).catch((err) => refused.push({ rule, error: String(err?.message ?? err) }));
    }
    await api.storage.local.set({ 'rules.refused': refused });
  }
  await dnr.updateEnabledRulesets({ disableRulesetIds: [STATIC_RULESET] });
  console.info(`AIGuard: ${rules.length} network rules (${regexRules} regex) from the ${source} policy`);
}
