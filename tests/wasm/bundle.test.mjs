// Signed bundles made by the admin CLI (`aiguard keygen`, `fingerprint`, `bundle`), checked by
// the wasm engine as shipped (`verifyBundle`, `checkDatabase`): a good bundle gives its contents,
// each bad one its reason, and `aiguard bundle verify` accepts exactly the bundles the extension
// accepts. The payload's bytes are what is signed, so reformatting the envelope changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from './load.mjs';

const { verifyBundle, checkDatabase, checkDatabaseDigest } = await loadEngine();
const aiguard = new URL('../../target/release/aiguard', import.meta.url).pathname;
const company = new URL('../corpora/fingerprint-fixtures/company', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'aiguard-bundle-'));
// On exit rather than after the tests: also when making the bundles below fails.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const cli = (...args) => execFileSync(aiguard, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const DAY = 86_400_000;
const DB_URL = 'https://x.test/company.db';
cli('keygen', '--out', 'trusted');
cli('keygen', '--out', 'stranger');
const KEY = readFileSync(join(dir, 'trusted', 'public.key'), 'utf8').trim();
const STRANGER = readFileSync(join(dir, 'stranger', 'public.key'), 'utf8').trim();
cli('fingerprint', '--out', 'company.db', company);
const db = readFileSync(join(dir, 'company.db'));

// The policy as an admin writes it, over several lines (its text must come back byte for byte).
const policyOf = (version) => `{
  "version": 1,
  "rules": [
    {"id": "bundle-v${version}", "action": "block", "patterns": ["v${version}.example"]}
  ]
}
`;

// A bundle by the CLI: `version`, signed with `keyDir`'s private key, with the database unless
// `fingerprints` is false. Returns its text, the policy text and when it was made.
function makeBundle(version, { keyDir = 'trusted', fingerprints = true, expiresIn = '2d' } = {}) {
  const name = `bundle-v${version}-${keyDir}${fingerprints ? '' : '-nodb'}.json`;
  writeFileSync(join(dir, `policy-v${version}.json`), policyOf(version));
  const db = fingerprints ? ['--fingerprints', 'company.db', '--fingerprints-url', DB_URL] : [];
  const before = Date.now();
  cli('bundle', '--policy', `policy-v${version}.json`, ...db, '--version', String(version),
    '--key', join(keyDir, 'private.key'), '--expires-in', expiresIn, '--out', name);
  return { text: readFileSync(join(dir, name), 'utf8'), policy: policyOf(version), before, after: Date.now() };
}

// Signs payload bytes as format 1 does (the context line, then the bytes) with a key file the CLI
// wrote: how a team signing in its own tooling would, and how to make what the CLI refuses to.
function signed(payloadBytes, keyDir = 'trusted') {
  const key = createPrivateKey(readFileSync(join(dir, keyDir, 'private.key')));
  const sig = sign(null, Buffer.concat([Buffer.from('aiguard-bundle-v1\n'), payloadBytes]), key);
  const pub = readFileSync(join(dir, keyDir, 'public.key'), 'utf8').trim();
  return JSON.stringify({ format: 1, payload: payloadBytes.toString('base64'), signatures: [{ key: pub, sig: sig.toString('base64') }] });
}

const payloadOf = (text) => JSON.parse(Buffer.from(JSON.parse(text).payload, 'base64').toString('utf8'));
const withEnvelope = (text, change) => JSON.stringify(change(JSON.parse(text)));

const v2 = makeBundle(2);
const v3 = makeBundle(3);
const NOW = Date.now();
const EXPIRES = payloadOf(v2.text).expiresMs;

// A policy that does not compile, signed by the trusted key: its error is on line 3.
const BAD_POLICY = '{\n  "version": 1,\n  "rules": [{"id": "x", "action": "explode", "patterns": ["a.example"]}]\n}\n';
const badPolicy = signed(Buffer.from(JSON.stringify({ ...payloadOf(v2.text), version: 4, policy: BAD_POLICY })));

// One character of the base64 payload changed: the bytes are no longer the ones signed.
const tampered = withEnvelope(v2.text, (e) => {
  const i = 60;
  return { ...e, payload: e.payload.slice(0, i) + (e.payload[i] === 'A' ? 'B' : 'A') + e.payload.slice(i + 1) };
});

// Each case: the bundle text, the trusted keys, the version in force, the clock, and the reason
// it is refused (null: accepted). Every reason JavaScript can meet is here.
const cases = [
  { name: 'a newer bundle by the trusted key', text: v3.text, keys: [KEY], inForce: 2, now: NOW, reason: null },
  { name: 'the first bundle, none in force', text: v2.text, keys: [KEY], inForce: null, now: NOW, reason: null },
  { name: 'signed by one of two trusted keys (a rotation)', text: v2.text, keys: [STRANGER, KEY], inForce: null, now: NOW, reason: null },
  { name: 'not JSON', text: 'version 3, trust me', keys: [KEY], inForce: null, now: NOW, reason: 'malformed' },
  { name: 'cut in half (a truncated download)', text: v3.text.slice(0, v3.text.length >> 1), keys: [KEY], inForce: 2, now: NOW, reason: 'malformed' },
  { name: 'a payload that is not base64', text: withEnvelope(v3.text, (e) => ({ ...e, payload: '%%%' })), keys: [KEY], inForce: 2, now: NOW, reason: 'malformed' },
  { name: 'no signatures field', text: withEnvelope(v3.text, ({ signatures, ...e }) => e), keys: [KEY], inForce: 2, now: NOW, reason: 'malformed' },
  { name: 'format 2', text: withEnvelope(v3.text, (e) => ({ ...e, format: 2 })), keys: [KEY], inForce: 2, now: NOW, reason: 'format' },
  { name: 'a trusted key that is not a key', text: v3.text, keys: [KEY, 'c2hvcnQ='], inForce: 2, now: NOW, reason: 'bad-key' },
  { name: 'signed by a key nobody trusts', text: makeBundle(3, { keyDir: 'stranger' }).text, keys: [KEY], inForce: 2, now: NOW, reason: 'unknown-key' },
  { name: 'no signature at all', text: withEnvelope(v3.text, (e) => ({ ...e, signatures: [] })), keys: [KEY], inForce: 2, now: NOW, reason: 'unknown-key' },
  { name: "bundle 2's signature over bundle 3's payload", text: withEnvelope(v3.text, (e) => ({ ...e, signatures: JSON.parse(v2.text).signatures })), keys: [KEY], inForce: 1, now: NOW, reason: 'bad-signature' },
  { name: 'a character of the payload changed', text: tampered, keys: [KEY], inForce: null, now: NOW, reason: 'bad-signature' },
  { name: 'older than the one in force', text: v2.text, keys: [KEY], inForce: 3, now: NOW, reason: 'rollback' },
  { name: 'the one in force', text: v2.text, keys: [KEY], inForce: 2, now: NOW, reason: 'same-version' },
  { name: 'at its expiry', text: v2.text, keys: [KEY], inForce: 1, now: EXPIRES, reason: 'expired' },
  { name: 'a millisecond before its expiry', text: v2.text, keys: [KEY], inForce: 1, now: EXPIRES - 1, reason: null },
  { name: 'a day after its expiry', text: v2.text, keys: [KEY], inForce: 1, now: EXPIRES + DAY, reason: 'expired' },
  { name: 'a policy that does not compile', text: badPolicy, keys: [KEY], inForce: 3, now: NOW, reason: 'bad-policy' },
];

test('a bundle made by the CLI verifies with everything it carries', () => {
  const v = verifyBundle(v3.text, [KEY], 2, NOW);
  assert.equal(v.error, undefined, JSON.stringify(v.error));
  assert.deepEqual(Object.keys(v).sort(), ['expiresMs', 'fingerprints', 'issuedMs', 'policyText', 'signedBy', 'version']);
  assert.equal(v.version, 3);
  assert.ok(v.issuedMs >= v3.before && v.issuedMs <= v3.after, `issued ${v.issuedMs}, made between ${v3.before} and ${v3.after}`);
  assert.equal(v.expiresMs - v.issuedMs, 2 * DAY, '--expires-in 2d');
  assert.equal(v.policyText, v3.policy, 'the policy text byte for byte');
  assert.deepEqual(v.fingerprints, { url: DB_URL, sha256: createHash('sha256').update(db).digest('hex'), bytes: db.length });
  assert.equal(v.signedBy, KEY);
  // Without a database the reference is null, not missing.
  const bare = verifyBundle(makeBundle(5, { fingerprints: false }).text, [KEY], 3, NOW);
  assert.equal(bare.error, undefined, JSON.stringify(bare.error));
  assert.equal(bare.fingerprints, null);
});

test('each bad bundle is refused with its reason, and each good one accepted', () => {
  for (const c of cases) {
    const v = verifyBundle(c.text, c.keys, c.inForce, c.now);
    if (c.reason === null) {
      assert.equal(v.error, undefined, `${c.name}: ${JSON.stringify(v.error)}`);
      assert.equal(typeof v.version, 'number', c.name);
    } else {
      assert.equal(v.error?.reason, c.reason, `${c.name}: ${JSON.stringify(v)}`);
      assert.ok(typeof v.error.message === 'string' && v.error.message.length > 0, c.name);
      assert.equal(Object.keys(v).length, 1, `${c.name}: a refusal carries nothing else`);
    }
  }
});

test('a policy that does not compile is refused at its line and column, as `aiguard policy check` says', () => {
  const { error } = verifyBundle(badPolicy, [KEY], 3, NOW);
  assert.equal(error.reason, 'bad-policy');
  assert.equal(error.policy.line, 3);
  assert.equal(error.policy.rule, 'x');
  assert.equal(error.policy.field, 'rules[0].action');
  assert.equal(typeof error.policy.column, 'number');
  assert.match(error.message, /explode/);
  writeFileSync(join(dir, 'bad-policy.json'), BAD_POLICY);
  const check = spawnSync(aiguard, ['policy', 'check', 'bad-policy.json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(check.status, 2, check.stderr);
  assert.ok(check.stderr.includes(`bad-policy.json:${error.policy.line}:${error.policy.column}:`), check.stderr);
});

test('a downloaded database passes only with the size and SHA-256 the bundle names', () => {
  const { fingerprints } = verifyBundle(v3.text, [KEY], 2, NOW);
  assert.equal(checkDatabase(db, fingerprints), null);
  const changed = Buffer.from(db);
  changed[changed.length >> 1] ^= 1;
  const refusals = [
    ['a byte changed', changed, 'database-hash'],
    ['the last byte cut', db.subarray(0, db.length - 1), 'database-size'],
    ['half of it', db.subarray(0, db.length >> 1), 'database-size'],
    ['a byte added', Buffer.concat([db, Buffer.from([0])]), 'database-size'],
    ['nothing', Buffer.alloc(0), 'database-size'],
  ];
  for (const [name, bytes, reason] of refusals) {
    const r = checkDatabase(bytes, fingerprints);
    assert.equal(r?.reason, reason, `${name}: ${JSON.stringify(r)}`);
    assert.ok(r.message.length > 0, name);
  }
  // The browser hashes a download with WebCrypto and asks the engine with the digest: the same
  // answers.
  for (const [name, bytes] of [['the database', db], ...refusals]) {
    const digest = createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual(checkDatabaseDigest(bytes.length, digest, fingerprints), checkDatabase(bytes, fingerprints), name);
  }
  assert.throws(() => checkDatabaseDigest(db.length, 'not hex', fingerprints), /sha256/);
  assert.throws(() => checkDatabaseDigest(-1, createHash('sha256').update(db).digest('hex'), fingerprints), /byteLength/);
  // The CLI checks a database the same way: 0 when it matches, 4 when it does not.
  writeFileSync(join(dir, 'v3.json'), v3.text);
  for (const [name, bytes, expected] of [['the database', db, 0], ...refusals.map(([n, b]) => [n, b, 4])]) {
    writeFileSync(join(dir, 'download.db'), bytes);
    const r = spawnSync(aiguard, ['bundle', 'verify', '--public-key', 'trusted/public.key', '--fingerprints', 'download.db', '--in-force-version', '2', 'v3.json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, expected, `${name}: ${r.stderr}`);
  }
});

// `aiguard bundle verify`: 0 accepted, 3 refused (the reason printed), 2 a key file that is not
// a key (the CLI reads its keys before the engine sees them).
test('`aiguard bundle verify` accepts exactly the bundles verifyBundle accepts, for the same reasons', () => {
  const keyFile = (k, i) => {
    const file = join(dir, `key-${i}.pub`);
    writeFileSync(file, `${k}\n`);
    return file;
  };
  cases.forEach((c, i) => {
    const v = verifyBundle(c.text, c.keys, c.inForce, c.now);
    const file = join(dir, `case-${i}.json`);
    writeFileSync(file, c.text);
    const args = ['bundle', 'verify', ...c.keys.flatMap((k, j) => ['--public-key', keyFile(k, `${i}-${j}`)]),
      ...(c.inForce === null ? [] : ['--in-force-version', String(c.inForce)]), '--at', String(c.now), file];
    const r = spawnSync(aiguard, args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status === 0, v.error === undefined, `${c.name}: exit ${r.status} (${r.stderr.trim()}), wasm ${JSON.stringify(v.error ?? 'accepted')}`);
    if (v.error?.reason === 'bad-key') {
      assert.equal(r.status, 2, `${c.name}: ${r.stderr}`);
    } else if (v.error) {
      assert.equal(r.status, 3, `${c.name}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`refused: ${v.error.reason}: `), `${c.name}: ${r.stderr}`);
    } else {
      assert.ok(r.stdout.includes(`ok: version ${v.version}, `), `${c.name}: ${r.stdout}`);
    }
  });
});

test('reformatting the envelope changes nothing; reformatting the payload breaks the signature', () => {
  const original = verifyBundle(v3.text, [KEY], 2, NOW);
  assert.equal(original.error, undefined, JSON.stringify(original.error));
  const envelope = JSON.parse(v3.text);
  const reformatted = [
    JSON.stringify(envelope, null, 4),
    JSON.stringify(envelope),
    JSON.stringify({ signatures: envelope.signatures, payload: envelope.payload, format: envelope.format }, null, '\t'),
  ];
  for (const text of reformatted) {
    assert.notEqual(text, v3.text);
    assert.deepEqual(verifyBundle(text, [KEY], 2, NOW), original);
  }
  // The same payload object written compactly is other bytes: not what was signed.
  const compact = Buffer.from(JSON.stringify(payloadOf(v3.text)));
  assert.deepEqual(JSON.parse(compact), payloadOf(v3.text));
  const repacked = JSON.stringify({ ...envelope, payload: compact.toString('base64') });
  assert.equal(verifyBundle(repacked, [KEY], 2, NOW).error?.reason, 'bad-signature');
  // Signed anew over those bytes, it is accepted with the same contents.
  assert.deepEqual(verifyBundle(signed(compact), [KEY], 2, NOW), original);
});

test('arguments of the wrong type throw; refusals never do', () => {
  assert.throws(() => verifyBundle(v3.text, [KEY], -1, NOW), /inForceVersion/);
  assert.throws(() => verifyBundle(v3.text, [KEY], 1.5, NOW), /inForceVersion/);
  assert.throws(() => checkDatabase(db, { url: DB_URL, sha256: 'not hex', bytes: db.length }), /sha256/);
  const sha256 = createHash('sha256').update(db).digest('hex');
  for (const bytes of [db.length + 0.5, -5, Infinity, NaN]) {
    assert.throws(() => checkDatabase(db, { url: DB_URL, sha256, bytes }), /fingerprints\.bytes/, `bytes: ${bytes}`);
  }
  assert.equal(verifyBundle('', [], null, NOW).error.reason, 'malformed');
  assert.equal(verifyBundle(v3.text, [KEY], 2, NaN).error.reason, 'expired', 'a clock that is not a number');
});
