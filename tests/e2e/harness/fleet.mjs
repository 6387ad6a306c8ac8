// What a security team publishes, made by the admin CLI for the signed-bundle tests in both
// browsers: a trusted key (and a stranger's), the company's fingerprint database from the sample
// company tree (and a second one, which the server sends with one byte changed), bundles 1 to 3
// and a few bad ones, served by the local bundle server; and the managed settings that point a
// browser at them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleServer, BUNDLE_URL, databaseUrl } from './bundle-server.mjs';

const FIXTURES = resolve('tests/corpora/fingerprint-fixtures');
const AIGUARD = resolve('target/release/aiguard'); // built by scripts/build.sh

// Fifteen lines of the company's code (quota.go's Take), and fifteen of code from elsewhere.
const lines = (file, from) => readFileSync(join(FIXTURES, file), 'utf8').split('\n').slice(from - 1, from + 14).join('\n');
export const COMPANY_CODE = lines('company/quota.go', 29);
export const OTHER_CODE = lines('unrelated/wordcount.go', 10);

// Checks the dialog shown for a paste of COMPANY_CODE: blocked, naming which of its 15 lines are
// the company's.
export function assertCompanyCodeBlocked(shown) {
  assert.match(shown, /Paste blocked/);
  const [, first, last] = shown.match(/Lines (\d+)–(\d+) match company code/) ?? [];
  assert.ok(Number(first) >= 1 && Number(last) <= 15 && last - first >= 10, shown);
}

// Each bundle's policy allows claude.ai (so the page loads) and blocks one host naming its
// version: which bundle's policy is in force is one verdict away, and its block page is an
// extension page a test can talk to the background from.
export const policyOf = (version) => JSON.stringify({
  version: 1,
  defaultAction: 'allow',
  rules: [
    { id: 'approved', action: 'allow', patterns: ['claude.ai'] },
    { id: `bundle-v${version}`, action: 'block', patterns: [`v${version}.example`] },
  ],
  content: { fingerprints: { action: 'block' } },
});

// `bundle` re-signed by `privateKeyFile` as `version`, issued two days ago and expired yesterday
// (the CLI signs only bundles that expire in the future). Signed as format 1 signs: the context
// line, then the payload's bytes.
function expiredCopy(bundle, version, privateKeyFile) {
  const payload = JSON.parse(Buffer.from(bundle.payload, 'base64').toString('utf8'));
  const day = 86_400_000;
  Object.assign(payload, { version, issuedMs: Date.now() - 2 * day, expiresMs: Date.now() - day });
  const bytes = Buffer.from(JSON.stringify(payload));
  const key = createPrivateKey(readFileSync(privateKeyFile));
  const sig = sign(null, Buffer.concat([Buffer.from('aiguard-bundle-v1\n'), bytes]), key);
  return JSON.stringify({ ...bundle, payload: bytes.toString('base64'), signatures: [{ key: bundle.signatures[0].key, sig: sig.toString('base64') }] });
}

// Returns {bundles, server, managed, remove}: `bundles` v1, v2, v3 (naming the database the
// server corrupts), v3Stranger (signed by an untrusted key), v3BadSignature (v2's signature
// over v3's payload) and v3Expired (well signed, expired yesterday); `server` serving v1; `managed` the managed-storage settings.
export function publishFleet() {
  const work = mkdtempSync(join(tmpdir(), 'aiguard-fleet-'));
  const cli = (...args) => execFileSync(AIGUARD, args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const makeBundle = (version, keyDir, db = 'company.db') => {
    writeFileSync(join(work, `policy-v${version}.json`), policyOf(version));
    const out = `bundle-v${version}-${keyDir}.json`;
    cli('bundle', '--policy', `policy-v${version}.json`, '--fingerprints', db, '--fingerprints-url', databaseUrl(db),
      '--version', String(version), '--key', join(keyDir, 'private.key'), '--out', out);
    return readFileSync(join(work, out), 'utf8');
  };
  try {
    cli('keygen', '--out', 'trusted');
    cli('keygen', '--out', 'stranger');
    cli('fingerprint', '--out', 'company.db', join(FIXTURES, 'company'));
    cli('fingerprint', '--out', 'company-2.db', join(FIXTURES, 'company'), join(FIXTURES, 'unrelated', 'calc.rs'));
    const bundles = { v1: makeBundle(1, 'trusted'), v2: makeBundle(2, 'trusted'), v3: makeBundle(3, 'trusted', 'company-2.db') };
    bundles.v3Stranger = makeBundle(3, 'stranger');
    const v3 = JSON.parse(bundles.v3);
    v3.signatures = JSON.parse(bundles.v2).signatures;
    bundles.v3BadSignature = JSON.stringify(v3);
    bundles.v3Expired = expiredCopy(JSON.parse(bundles.v2), 3, join(work, 'trusted', 'private.key'));

    const server = bundleServer();
    server.database('company.db', readFileSync(join(work, 'company.db')));
    const corrupted = Buffer.from(readFileSync(join(work, 'company-2.db')));
    corrupted[corrupted.length >> 1] ^= 0xff;
    server.database('company-2.db', corrupted);
    server.serve({ bundle: bundles.v1 });
    const managed = {
      bundleUrl: BUNDLE_URL,
      bundleKeys: [readFileSync(join(work, 'trusted', 'public.key'), 'utf8').trim()],
      bundleRefreshMinutes: 60,
      bundleTimeoutSeconds: 2,
    };
    return { bundles, server, managed, remove: () => { server.release(); rmSync(work, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}
