//! Signed bundles: any text as a bundle, any payload bytes signed by a trusted key, and payloads
//! built from chosen fields (so the fuzzer gets past the signature to the payload parser, the
//! checks after it and the policy compile). Never panics; an accepted bundle is newer than the
//! one in force, unexpired at the clock given and compiles; a built payload gets the reason the
//! module's table of checks gives; reformatting the envelope changes nothing; a database passes
//! only with the size and SHA-256 its bundle names.
//!
//! Input: a mode byte, the version in force (0: none, else one more than it), the clock (a byte
//! saying which kind, then 8 bytes), then what the mode reads.
#![no_main]
// The helpers pass on the engine's own `Result<VerifiedBundle, BundleError>`.
#![allow(clippy::result_large_err)]
use aiguard_engine::bundle::{self, BundleError, FingerprintRef, Reason, VerifiedBundle};
use aiguard_engine::Engine;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;

const ISSUED: u64 = 1_765_000_000_000;
const MINUTE: u64 = 60_000;
const POLICY: &str = r#"{"version": 1, "rules": [{"id": "a", "action": "block", "patterns": ["a.example"]}]}"#;
const DB_URL: &str = "https://rules.example/company.db";

/// The input read front to back; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        b
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |n, _| n << 8 | u64::from(self.u8()))
    }

    /// Up to the next zero byte (dropped), or the rest.
    fn field(&mut self) -> &'a [u8] {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        let (field, rest) = self.0.split_at(end);
        self.0 = rest.get(1..).unwrap_or(&[]);
        field
    }
}

fn signing_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public_text(key: &SigningKey) -> String {
    bundle::public_key_text(&key.verifying_key().to_bytes())
}

/// The envelope `aiguard bundle` writes around `payload`, one signature per key; a `true`
/// signs other bytes (a signature that does not verify).
fn envelope(payload: &[u8], signers: &[(&SigningKey, bool)]) -> String {
    let sigs: Vec<_> = signers
        .iter()
        .map(|&(key, corrupt)| {
            let mut message = bundle::signed_message(payload);
            if corrupt {
                message.push(b'x');
            }
            (key.verifying_key().to_bytes(), key.sign(&message).to_bytes())
        })
        .collect();
    bundle::envelope_json(payload, &sigs)
}

/// The clock: NaN, the infinities, any f64, or a time from 2 days before `ISSUED` to 44 days
/// after it (where built bundles expire).
fn clock(kind: u8, bits: u64) -> f64 {
    match kind % 8 {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => f64::from_bits(bits),
        _ => (ISSUED - 2 * 24 * 60 * MINUTE + bits % (46 * 24 * 60 * MINUTE)) as f64,
    }
}

/// `now` before `expires_ms`, compared exactly (not through an f64, which rounds a u64 over 2^53).
fn before(now: f64, expires_ms: u64) -> bool {
    if now.is_nan() {
        return false;
    }
    // For an integer bound, now < e exactly when floor(now) < e; the cast saturates.
    now < 0.0 || (now.floor() as u128) < u128::from(expires_ms)
}

/// What holds of every accepted bundle, however it was made.
fn accepted_holds(v: &VerifiedBundle, in_force: Option<u64>, now: f64, keys: &[&str]) {
    assert!(v.version >= 1, "version {}", v.version);
    if let Some(f) = in_force {
        assert!(v.version > f, "version {} accepted over {f} in force", v.version);
    }
    assert!(before(now, v.expires_ms), "accepted at {now}, expired at {}", v.expires_ms);
    assert!(v.issued_ms <= v.expires_ms);
    assert!(Engine::from_policy_json(&v.policy_text).is_ok(), "an accepted policy compiles");
    assert!(keys.iter().any(|k| k.trim() == v.signed_by), "signed by {}, not a trusted key", v.signed_by);
    if let Some(f) = &v.fingerprints {
        assert!(f.url.starts_with("https://") && f.bytes > 0, "{f:?}");
    }
}

/// `bytes` pass `check_database` exactly when they have the size and hash named.
fn database_holds(bytes: &[u8], f: &FingerprintRef) {
    let expected = if bytes.len() as u64 != f.bytes {
        Err(Reason::DatabaseSize)
    } else if bundle::sha256(bytes) != f.sha256 {
        Err(Reason::DatabaseHash)
    } else {
        Ok(())
    };
    assert_eq!(bundle::check_database(bytes, f).map_err(|e| e.reason), expected);
}

fn verify(text: &str, keys: &[&str], in_force: Option<u64>, now: f64) -> Result<VerifiedBundle, BundleError> {
    let got = bundle::verify(text, keys, in_force, now);
    if let Ok(v) = &got {
        accepted_holds(v, in_force, now, keys);
    }
    got
}

/// A signed envelope verifies alike however it is laid out (`envelope_json` writes it pretty;
/// its strings are base64, so dropping every space and line break leaves the same JSON).
fn verify_signed(text: &str, keys: &[&str], in_force: Option<u64>, now: f64) -> Result<VerifiedBundle, BundleError> {
    let got = verify(text, keys, in_force, now);
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '\n')).collect();
    assert_eq!(bundle::verify(&compact, keys, in_force, now), got, "the envelope's layout changed the answer");
    got
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mode = input.u8();
    let in_force = match input.u8() {
        0 => None,
        v => Some(u64::from(v - 1)),
    };
    let kind = input.u8();
    let now = clock(kind, input.u64());
    let (trusted, stranger) = (signing_key(1), signing_key(2));
    let trusted_text = public_text(&trusted);
    let keys = [trusted_text.as_str()];

    match mode % 4 {
        // Any text as the bundle, or spliced into a good one (at an offset the next two bytes
        // choose), with any of these key lists trusted (one with a key that is not a key).
        0 => {
            let stranger_text = public_text(&stranger);
            let key_lists: [&[&str]; 4] = [&keys, &[], &[&stranger_text, &trusted_text], &[&trusted_text, "c2hvcnQ="]];
            let text = if mode & 0x10 == 0 {
                String::from_utf8_lossy(input.0).into_owned()
            } else {
                let good = envelope(bundle::payload_json(7, ISSUED, ISSUED + 30 * 24 * 60 * MINUTE, POLICY, None).as_bytes(), &[(&trusted, false)]);
                let at = usize::from(input.u8()) << 8 | usize::from(input.u8());
                // The envelope is ASCII: any offset is a character boundary.
                let at = at % (good.len() + 1);
                format!("{}{}{}", &good[..at], String::from_utf8_lossy(input.0), &good[at..])
            };
            let _ = verify(&text, key_lists[usize::from(mode >> 2) % 4], in_force, now);
        }
        // Any bytes as the payload, signed by the trusted key: the signature always verifies, so
        // the reason is one of the payload's.
        1 => {
            let payload = input.field();
            let got = verify_signed(&envelope(payload, &[(&trusted, false)]), &keys, in_force, now);
            match got {
                Ok(v) => {
                    if let Some(f) = &v.fingerprints {
                        database_holds(input.0, f);
                    }
                }
                Err(e) => assert!(
                    !matches!(e.reason, Reason::Format | Reason::BadKey | Reason::UnknownKey | Reason::BadSignature),
                    "{e}"
                ),
            }
        }
        // A payload as `aiguard bundle` writes it, from chosen fields, signed one of four ways:
        // the reason must be the first of the module's checks that fails.
        _ => {
            let signers = input.u8();
            let version = match input.u8() {
                255 => input.u64(),
                v => u64::from(v),
            };
            let issued = ISSUED + u64::from(input.u8()) * 4 * 60 * MINUTE;
            let expires = ISSUED + u64::from(input.u8()) * 4 * 60 * MINUTE;
            let database = input.u8();
            let policy_bytes = input.field();
            let policy = if policy_bytes.is_empty() { POLICY.to_string() } else { String::from_utf8_lossy(policy_bytes).into_owned() };
            let db = input.field();
            let url = match database % 4 {
                0 => None,
                1 => Some(String::from_utf8_lossy(input.0).into_owned()),
                _ => Some(DB_URL.to_string()),
            };
            let fingerprints = url.map(|url| FingerprintRef { url, sha256: bundle::sha256(db), bytes: db.len() as u64 });
            let payload = bundle::payload_json(version, issued, expires, &policy, fingerprints.as_ref());
            let (text, signature) = match signers % 4 {
                0 => (envelope(payload.as_bytes(), &[(&trusted, false)]), None),
                1 => (envelope(payload.as_bytes(), &[(&stranger, false)]), Some(Reason::UnknownKey)),
                2 => (envelope(payload.as_bytes(), &[(&stranger, false), (&trusted, false)]), None),
                _ => (envelope(payload.as_bytes(), &[(&trusted, true)]), Some(Reason::BadSignature)),
            };
            let got = verify_signed(&text, &keys, in_force, now);

            // The module's "Checks, in order", for this payload (a fuzzed URL is left to the engine).
            let fuzzed_url = fingerprints.as_ref().is_some_and(|f| f.url != DB_URL);
            let expected = if let Some(reason) = signature {
                Some(Err(reason))
            } else if version == 0 || issued > expires || fingerprints.as_ref().is_some_and(|f| f.bytes == 0) {
                Some(Err(Reason::Malformed))
            } else if fuzzed_url {
                None
            } else if in_force.is_some_and(|f| version < f) {
                Some(Err(Reason::Rollback))
            } else if in_force == Some(version) {
                Some(Err(Reason::SameVersion))
            } else if !before(now, expires) {
                Some(Err(Reason::Expired))
            } else if Engine::from_policy_json(&policy).is_err() {
                Some(Err(Reason::BadPolicy))
            } else {
                Some(Ok(()))
            };
            if let Some(expected) = expected {
                assert_eq!(got.as_ref().map(|_| ()).map_err(|e| e.reason), expected, "{got:?}");
            }
            if let Ok(v) = &got {
                let made = VerifiedBundle {
                    version,
                    issued_ms: issued,
                    expires_ms: expires,
                    policy_text: policy.clone(),
                    fingerprints: fingerprints.clone(),
                    signed_by: trusted_text.clone(),
                };
                assert_eq!(v, &made, "accepted with other contents than were signed");
            }
            if let Some(f) = &fingerprints {
                // The database named passes; one changed byte, or one byte fewer or more, does not.
                assert_eq!(bundle::check_database(db, f), Ok(()));
                if let Some((&last, rest)) = db.split_last() {
                    let mut changed = db.to_vec();
                    changed[db.len() / 2] ^= 1 << (last % 8);
                    assert_eq!(bundle::check_database(&changed, f).map_err(|e| e.reason), Err(Reason::DatabaseHash));
                    assert_eq!(bundle::check_database(rest, f).map_err(|e| e.reason), Err(Reason::DatabaseSize));
                }
                database_holds(&[db, &[0]].concat(), f);
                database_holds(input.0, f);
            }
        }
    }
});
