// What recording an audit event costs, in Debian's Chromium with the built extension: the
// product's own `record()` (the engine's reduction of the event, the envelope, the IndexedDB
// transaction), timed from the options page, which imports the background's audit module as
// its own copy; without a collector (the log only) and with one configured in Chromium's managed
// policy directory (the log and the outbox). Then the paste path: an allowed paste records
// nothing, and a blocked one records after the employee's answer to the dialog, so the paste
// figures of paste-latency.mjs carry no event. Needs root (the managed policy). Prints
// figures; asserts nothing.
//   node tests/bench/audit-record.mjs [events]
import { startSites } from '../e2e/harness/sites.mjs';
import { launchChromium } from '../e2e/harness/chromium.mjs';
import { writeChromiumPolicy } from '../e2e/harness/managed-policy.mjs';
import { startCollector } from '../e2e/harness/collector.mjs';
import { record } from './record.mjs';
import { quantile } from './paste-timer.mjs';

const EVENTS = Number(process.argv[2] ?? 300);
const EVENT = {
  type: 'content', kind: 'paste', action: 'block', choice: 'ok', justification: null,
  findings: [{ detector: 'secret', rule: 'aws-access-key-id' }, { detector: 'fingerprint', rule: 'company-code', lines: { first: 3, last: 17 } }],
  url: 'https://claude.ai/chat/0f6b?q=a+prompt',
};

async function measure(label, managed) {
  const remove = managed ? writeChromiumPolicy(managed) : () => {};
  const sites = await startSites();
  const browser = await launchChromium(sites);
  try {
    const page = await browser.context.newPage();
    await page.goto(`chrome-extension://${browser.extensionId}/pages/options.html`);
    const times = await page.evaluate(async ({ event, n }) => {
      const audit = await import('/background/audit.js');
      for (let i = 0; i < 20; i++) await audit.record(event); // warm: the engine, the database
      const out = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await audit.record(event);
        out.push(performance.now() - start);
      }
      return out;
    }, { event: EVENT, n: EVENTS });
    times.sort((a, b) => a - b);
    const [median, p95] = [quantile(times, 0.5), quantile(times, 0.95)];
    console.log(`${label.padEnd(44)}${median.toFixed(2).padStart(10)}${p95.toFixed(2).padStart(10)}${times.at(-1).toFixed(2).padStart(10)}`);
    record('audit-record', label, 'AIGuard (Chromium)', 'median', median.toFixed(3), 'ms');
    record('audit-record', label, 'AIGuard (Chromium)', 'p95', p95.toFixed(3), 'ms');
  } finally {
    await browser.close();
    await sites.close();
    remove();
  }
}

console.log(`\nRecording an audit event in Chromium (${EVENTS} events, the product's record(): reduction, envelope, IndexedDB)`);
console.log(`${'where it goes'.padEnd(44)}${'median ms'.padStart(10)}${'p95 ms'.padStart(10)}${'max ms'.padStart(10)}`);
await measure('the log only (no collector)', null);
const collector = await startCollector({ token: 'bench' });
try {
  await measure('the log and the outbox (collector configured)', { reportingUrl: collector.url, reportingToken: 'bench' });
} finally {
  await collector.close();
}
console.log('An allowed paste records no event; a blocked one records after the dialog is answered: the paste figures carry none.');
