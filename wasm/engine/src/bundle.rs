//! Signed policy bundles: how a security team's policy and fingerprint database reach a fleet.
//!
//! `aiguard bundle` writes a bundle; every browser fetches it, and [`verify`] decides whether
//! it may replace the one in force. The same function runs in the CLI (`aiguard bundle verify`)
//! and in the extension, so what an admin checks is what the browsers accept.
//!
//! # Format 1
//!
//! A bundle is a JSON envelope around a signed payload carried as base64:
//!
//! ```text
//! {
//!   "format": 1,
//!   "payload": "<base64 of the payload's UTF-8 JSON bytes>",
//!   "signatures": [ {"key": "<base64 Ed25519 public key, 32 bytes>",
//!                    "sig": "<base64 Ed25519 signature, 64 bytes>"} ]
//! }
//!
//! payload:
//! {
//!   "version": 7,                       u64 ≥ 1, strictly increasing from bundle to bundle
//!   "issuedMs": 1765000000000,          when it was signed, Unix milliseconds
//!   "expiresMs": 1767592000000,         refused from this instant on, Unix milliseconds
//!   "policy": "{\"version\": 1, …}",    the policy JSON as text, exactly as the admin wrote it
//!   "fingerprints": null | {"url": "https://…/company.db",
//!                           "sha256": "<64 hex digits>", "bytes": 2261108}
//! }
//!
//! signed message = "aiguard-bundle-v1\n" ‖ payload bytes (as decoded from base64)
//! ```
//!
//! * **Raw bytes are signed, not a re-serialisation.** The verifier checks the signature over
//!   the exact bytes it then parses, so there is no canonical form to get wrong: two JSON
//!   libraries that disagree on key order, number spelling or escapes cannot make a signature
//!   verify over something other than what was signed. Base64 keeps those bytes intact through
//!   any JSON tooling that reformats the envelope.
//! * **The context prefix** (`SIGNING_CONTEXT`) ties a signature to this format: a key used for
//!   bundles cannot be made to vouch for another kind of message, and a format 2 will sign
//!   under another prefix, so no format 1 payload can be relabelled as one.
//! * **Several signatures** allow a key rotation: during one the bundle is signed by the old and
//!   the new key and browsers trust either. A bundle is accepted when one signature by a trusted
//!   key verifies (strict Ed25519: canonical `S`, no small-order keys). The envelope is not
//!   signed; only the payload says anything: entries by keys not trusted, or whose key is not
//!   an Ed25519 key at all, are passed over, so nobody on the way can spoil a good signature by
//!   adding one.
//! * **Unknown fields are ignored** in both objects, so an optional addition keeps format 1;
//!   anything an older engine must understand to be safe needs a new format number (refused by
//!   older engines with reason `format`).
//! * The policy is carried as a string so its line and column numbers are the admin's file's
//!   (a `bad-policy` error names them), and so the text the browser compiles is byte for byte
//!   the one that was validated and signed.
//!
//! # Checks, in order
//!
//! | reason | when |
//! |---|---|
//! | `malformed` | not a JSON envelope of the shape above, base64 that does not decode, a payload with a missing or mistyped field, `issuedMs` after `expiresMs`, a database reference that is not an https URL, 64 hex digits and a size |
//! | `format` | a format other than 1 (read first: a later format may shape the rest of its envelope otherwise) |
//! | `bad-key` | a trusted key that is not a base64 Ed25519 public key (a configuration error) |
//! | `unknown-key` | no signature is by a trusted key (or no key is trusted) |
//! | `bad-signature` | a trusted key signed, but its signature does not verify over the payload |
//! | `rollback` | `version` is lower than the one in force |
//! | `same-version` | `version` is the one in force: nothing new (or a second bundle reusing a version) |
//! | `expired` | `now` is at or after `expiresMs` |
//! | `bad-policy` | the policy does not compile; the message is the engine's (line, column, rule, field) |
//!
//! The payload is parsed only after a trusted signature verified over it. `issuedMs` is not
//! compared with the clock: browsers' clocks are often minutes off, and a signed bundle from the
//! future is still the team's. [`check_database`] checks a downloaded database against the
//! bundle's reference (`database-size`, then `database-hash`) before anyone parses it.

use std::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::error::PolicyError;

/// The envelope's `format` this engine reads and writes.
pub const FORMAT: u64 = 1;

/// Prepended to the payload bytes to form the signed message (see the module notes).
pub const SIGNING_CONTEXT: &[u8] = b"aiguard-bundle-v1\n";

/// Larger envelopes are refused before parsing: a policy of 10,000 rules is about 1 MB.
pub const MAX_BUNDLE_BYTES: usize = 32 << 20;

/// More signatures than a rotation needs are refused (each costs a verification).
pub const MAX_SIGNATURES: usize = 8;

/// Base64 as written: the standard alphabet; padding optional on input, so a key copied
/// without its `=` still reads.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a bundle or a database was refused: a stable code for programs and the options page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Malformed,
    Format,
    BadKey,
    UnknownKey,
    BadSignature,
    Rollback,
    SameVersion,
    Expired,
    BadPolicy,
    DatabaseSize,
    DatabaseHash,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::Format => "format",
            Reason::BadKey => "bad-key",
            Reason::UnknownKey => "unknown-key",
            Reason::BadSignature => "bad-signature",
            Reason::Rollback => "rollback",
            Reason::SameVersion => "same-version",
            Reason::Expired => "expired",
            Reason::BadPolicy => "bad-policy",
            Reason::DatabaseSize => "database-size",
            Reason::DatabaseHash => "database-hash",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused bundle or database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    pub reason: Reason,
    /// For a person: which field, key or value, and what was expected.
    pub message: String,
    /// For `bad-policy`: the engine's error, with its line, column, rule and field in the policy.
    pub policy: Option<PolicyError>,
}

impl BundleError {
    fn new(reason: Reason, message: impl Into<String>) -> BundleError {
        BundleError { reason, message: message.into(), policy: None }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

impl std::error::Error for BundleError {}

/// Where the bundle's fingerprint database is, and what its bytes must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FingerprintRef {
    /// An https URL.
    pub url: String,
    pub sha256: [u8; 32],
    pub bytes: u64,
}

impl FingerprintRef {
    /// The SHA-256 as 64 lowercase hex digits, as the payload writes it.
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// A bundle that may be put in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBundle {
    pub version: u64,
    pub issued_ms: u64,
    pub expires_ms: u64,
    /// The policy text, which compiles.
    pub policy_text: String,
    pub fingerprints: Option<FingerprintRef>,
    /// The trusted key (base64, as configured) whose signature verified.
    pub signed_by: String,
}

/// The envelope's format alone, read before anything else so that a future format is refused
/// as `format` whatever else its envelope holds.
#[derive(Deserialize)]
struct FormatOnly {
    format: u64,
}

#[derive(Deserialize)]
struct Envelope {
    payload: String,
    signatures: Vec<SignatureEntry>,
}

#[derive(Deserialize)]
struct SignatureEntry {
    key: String,
    sig: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    version: u64,
    issued_ms: u64,
    expires_ms: u64,
    policy: String,
    fingerprints: Option<PayloadFingerprints>,
}

#[derive(Deserialize, Serialize)]
struct PayloadFingerprints {
    url: String,
    sha256: String,
    bytes: u64,
}

/// Checks a bundle as every browser does (see the module notes for the order of the checks).
///
/// `trusted_keys` are base64 Ed25519 public keys as `aiguard keygen` prints them;
/// `in_force_version` is the version of the bundle in force, if any; `now_ms` the clock, in
/// Unix milliseconds.
pub fn verify(bundle_text: &str, trusted_keys: &[&str], in_force_version: Option<u64>, now_ms: f64) -> Result<VerifiedBundle, BundleError> {
    use Reason::*;
    if bundle_text.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::new(Malformed, format!("{} bytes; a bundle is at most {MAX_BUNDLE_BYTES}", bundle_text.len())));
    }
    let format = serde_json::from_str::<FormatOnly>(bundle_text)
        .map_err(|e| BundleError::new(Malformed, format!("not a bundle envelope: {e}")))?
        .format;
    if format != FORMAT {
        return Err(BundleError::new(Format, format!("format {format} is not one this engine reads (it reads {FORMAT}); update the extension")));
    }
    let envelope: Envelope = serde_json::from_str(bundle_text)
        .map_err(|e| BundleError::new(Malformed, format!("not a bundle envelope: {e}")))?;
    let payload = BASE64
        .decode(envelope.payload.trim())
        .map_err(|e| BundleError::new(Malformed, format!("payload: not base64: {e}")))?;
    if envelope.signatures.len() > MAX_SIGNATURES {
        return Err(BundleError::new(Malformed, format!("signatures: {} of them; at most {MAX_SIGNATURES}", envelope.signatures.len())));
    }

    let trusted = trusted_keys
        .iter()
        .enumerate()
        .map(|(i, k)| public_key(k).ok_or_else(|| BundleError::new(BadKey, format!("trusted key {}: {k:?} is not a base64 Ed25519 public key (32 bytes)", i + 1))))
        .collect::<Result<Vec<_>, _>>()?;
    let message = signed_message(&payload);
    let mut signed_by = None;
    let mut trusted_signers = Vec::new();
    // The envelope is not signed, so an entry is only a claim: one by a key that is not trusted,
    // or not even a key, is passed over rather than allowed to spoil a good signature beside it.
    for s in &envelope.signatures {
        let Some(key) = public_key(&s.key) else { continue };
        let Some(t) = trusted.iter().position(|t| *t == key) else { continue };
        trusted_signers.push(t);
        let sig = BASE64.decode(s.sig.trim()).ok().and_then(|b| <[u8; 64]>::try_from(b).ok());
        if sig.is_some_and(|sig| signature_verifies(&key, &message, &sig)) {
            signed_by = Some(trusted_keys[t].trim().to_string());
            break;
        }
    }
    let Some(signed_by) = signed_by else {
        return Err(if trusted_signers.is_empty() {
            // The envelope's key texts are the sender's: shown cut short.
            let by: Vec<String> = envelope.signatures.iter().map(|s| shown_key(&s.key)).collect();
            let by = if by.is_empty() { "no key".to_string() } else { by.join(", ") };
            let of = if trusted.is_empty() { "no key is trusted".to_string() } else { format!("trusted: {}", trusted_keys.join(", ")) };
            BundleError::new(UnknownKey, format!("signed by {by}; {of}"))
        } else {
            let keys: Vec<&str> = trusted_signers.iter().map(|&t| trusted_keys[t]).collect();
            BundleError::new(BadSignature, format!("the signature by {} does not verify over the payload: the bundle was changed after signing, or signed by another key", keys.join(", ")))
        });
    };

    let payload: Payload = serde_json::from_slice(&payload).map_err(|e| BundleError::new(Malformed, format!("payload: {e}")))?;
    if payload.version == 0 {
        return Err(BundleError::new(Malformed, "payload.version: versions start at 1"));
    }
    if payload.issued_ms > payload.expires_ms {
        return Err(BundleError::new(Malformed, format!("payload: issuedMs {} is after expiresMs {}", payload.issued_ms, payload.expires_ms)));
    }
    let fingerprints = payload.fingerprints.map(fingerprint_ref).transpose()?;
    match in_force_version {
        Some(v) if payload.version < v => {
            return Err(BundleError::new(Rollback, format!("version {} is older than version {v}, in force", payload.version)))
        }
        Some(v) if payload.version == v => {
            return Err(BundleError::new(SameVersion, format!("version {v} is the one in force")))
        }
        _ => {}
    }
    // A NaN clock is no clock: refused, like a time past the expiry.
    if !(now_ms < payload.expires_ms as f64) {
        return Err(BundleError::new(Expired, format!("expired at {} (Unix ms); the clock reads {now_ms}", payload.expires_ms)));
    }
    if let Err(e) = Engine::from_policy_json(&payload.policy) {
        return Err(BundleError { reason: BadPolicy, message: format!("policy: {e}"), policy: Some(e) });
    }
    Ok(VerifiedBundle {
        version: payload.version,
        issued_ms: payload.issued_ms,
        expires_ms: payload.expires_ms,
        policy_text: payload.policy,
        fingerprints,
        signed_by,
    })
}

/// A key text from a bundle's envelope as a message quotes it: at most 60 characters, in quotes.
fn shown_key(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// Checks a downloaded fingerprint database against the bundle's reference: its size first (a
/// truncated download says so), then its SHA-256. Loading it stays `FingerprintDb::from_bytes`.
pub fn check_database(bytes: &[u8], expected: &FingerprintRef) -> Result<(), BundleError> {
    if bytes.len() as u64 != expected.bytes {
        return Err(BundleError::new(Reason::DatabaseSize, format!("the database is {} bytes; the bundle says {}", bytes.len(), expected.bytes)));
    }
    check_database_digest(bytes.len() as u64, &sha256(bytes), expected)
}

/// [`check_database`] for a database whose size and SHA-256 were taken elsewhere (the browser
/// hashes a download with WebCrypto rather than copy it into the engine to hash it).
pub fn check_database_digest(bytes: u64, got: &[u8; 32], expected: &FingerprintRef) -> Result<(), BundleError> {
    if bytes != expected.bytes {
        return Err(BundleError::new(Reason::DatabaseSize, format!("the database is {bytes} bytes; the bundle says {}", expected.bytes)));
    }
    let got = *got;
    if got != expected.sha256 {
        return Err(BundleError::new(Reason::DatabaseHash, format!("the database's SHA-256 is {}; the bundle says {}", hex(&got), expected.sha256_hex())));
    }
    Ok(())
}

fn fingerprint_ref(f: PayloadFingerprints) -> Result<FingerprintRef, BundleError> {
    let bad = |m: String| BundleError::new(Reason::Malformed, m);
    match url::Url::parse(&f.url) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => {}
        _ => return Err(bad(format!("payload.fingerprints.url: {:?} is not an https URL", f.url))),
    }
    let sha256 = parse_hex32(&f.sha256).ok_or_else(|| bad(format!("payload.fingerprints.sha256: {:?} is not 64 hex digits", f.sha256)))?;
    if f.bytes == 0 {
        return Err(bad("payload.fingerprints.bytes: a database is never empty".to_string()));
    }
    Ok(FingerprintRef { url: f.url, sha256, bytes: f.bytes })
}

/// What a signer signs for these payload bytes.
pub fn signed_message(payload: &[u8]) -> Vec<u8> {
    [SIGNING_CONTEXT, payload].concat()
}

/// The payload JSON for these contents (what `aiguard bundle` signs).
pub fn payload_json(version: u64, issued_ms: u64, expires_ms: u64, policy: &str, fingerprints: Option<&FingerprintRef>) -> String {
    // A struct rather than a JSON map: the fields are written in the documented order.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        version: u64,
        issued_ms: u64,
        expires_ms: u64,
        policy: &'a str,
        fingerprints: Option<PayloadFingerprints>,
    }
    let fingerprints = fingerprints.map(|f| PayloadFingerprints { url: f.url.clone(), sha256: f.sha256_hex(), bytes: f.bytes });
    let out = Out { version, issued_ms, expires_ms, policy, fingerprints };
    serde_json::to_string_pretty(&out).expect("a payload serialises")
}

/// The envelope around signed payload bytes: `signatures` are (public key, signature) pairs.
pub fn envelope_json(payload: &[u8], signatures: &[([u8; 32], [u8; 64])]) -> String {
    let signatures: Vec<_> = signatures
        .iter()
        .map(|(key, sig)| serde_json::json!({"key": BASE64.encode(key), "sig": BASE64.encode(sig)}))
        .collect();
    #[derive(Serialize)]
    struct Out {
        format: u64,
        payload: String,
        signatures: Vec<serde_json::Value>,
    }
    let out = Out { format: FORMAT, payload: BASE64.encode(payload), signatures };
    serde_json::to_string_pretty(&out).expect("an envelope serialises") + "\n"
}

/// Reads a base64 Ed25519 public key (surrounding white space ignored).
pub fn public_key(text: &str) -> Option<[u8; 32]> {
    BASE64.decode(text.trim()).ok()?.try_into().ok()
}

/// A public key as `aiguard keygen` prints it and managed storage takes it.
pub fn public_key_text(key: &[u8; 32]) -> String {
    BASE64.encode(key)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a SHA-256 written as 64 hex digits, as the payload and `verifyBundle` give it.
pub fn sha256_from_hex(text: &str) -> Option<[u8; 32]> {
    parse_hex32(text)
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// Strict Ed25519 verification (RFC 8032 with canonical `S` and no small-order keys).
fn signature_verifies(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else { return false };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const POLICY: &str = r#"{"version": 1, "rules": [{"id": "a", "action": "block", "patterns": ["a.example"]}]}"#;
    const DAY: u64 = 86_400_000;
    const ISSUED: u64 = 1_765_000_000_000;
    const NOW: f64 = (ISSUED + DAY) as f64;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn public(seed: u8) -> String {
        public_key_text(&key(seed).verifying_key().to_bytes())
    }

    fn sign(payload: &[u8], signers: &[u8]) -> String {
        let sigs: Vec<_> = signers
            .iter()
            .map(|&s| (key(s).verifying_key().to_bytes(), key(s).sign(&signed_message(payload)).to_bytes()))
            .collect();
        envelope_json(payload, &sigs)
    }

    fn database() -> FingerprintRef {
        FingerprintRef { url: "https://rules.example/company.db".into(), sha256: sha256(b"the database"), bytes: 12 }
    }

    fn bundle(version: u64, policy: &str, signers: &[u8]) -> String {
        let payload = payload_json(version, ISSUED, ISSUED + 30 * DAY, policy, Some(&database()));
        sign(payload.as_bytes(), signers)
    }

    fn refused(text: &str, keys: &[&str], in_force: Option<u64>, now: f64) -> (Reason, String) {
        let e = verify(text, keys, in_force, now).expect_err("refused");
        (e.reason, e.message)
    }

    #[test]
    fn a_bundle_signed_by_a_trusted_key_verifies_with_its_contents() {
        let k = public(1);
        let v = verify(&bundle(7, POLICY, &[1]), &[&k], Some(6), NOW).unwrap();
        assert_eq!(
            v,
            VerifiedBundle {
                version: 7,
                issued_ms: ISSUED,
                expires_ms: ISSUED + 30 * DAY,
                policy_text: POLICY.into(),
                fingerprints: Some(database()),
                signed_by: k.clone(),
            }
        );
        assert!(verify(&bundle(1, POLICY, &[1]), &[&k], None, NOW).is_ok(), "no bundle in force yet");
    }

    #[test]
    fn each_bad_bundle_is_refused_with_its_reason() {
        let k = public(1);
        let good = bundle(7, POLICY, &[1]);
        let envelope: serde_json::Value = serde_json::from_str(&good).unwrap();
        let with = |field: &str, value: serde_json::Value| {
            let mut e = envelope.clone();
            e[field] = value;
            e.to_string()
        };
        let signed = |payload: serde_json::Value| sign(payload.to_string().as_bytes(), &[1]);
        let payload = serde_json::json!({"version": 7, "issuedMs": ISSUED, "expiresMs": ISSUED + DAY * 30, "policy": POLICY, "fingerprints": null});
        let payload_with = |field: &str, value: serde_json::Value| {
            let mut p = payload.clone();
            p[field] = value;
            signed(p)
        };
        // One base64 character of the payload changed: the bytes signed are no longer these.
        let mut tampered = envelope.clone();
        let p = tampered["payload"].as_str().unwrap().to_string();
        let flipped = if &p[40..41] == "A" { "B" } else { "A" };
        tampered["payload"] = format!("{}{flipped}{}", &p[..40], &p[41..]).into();
        let tampered = tampered.to_string();
        let mut nan_key = envelope.clone();
        nan_key["signatures"][0]["sig"] = BASE64.encode([0u8; 64]).into();
        let zero_sig = nan_key.to_string();

        use Reason::*;
        let cases: Vec<(&str, String, Vec<&str>, Option<u64>, f64, Reason, &str)> = vec![
            ("not JSON", "{format: 1".into(), vec![&k], None, NOW, Malformed, "not a bundle envelope"),
            ("no signatures field", r#"{"format": 1, "payload": ""}"#.into(), vec![&k], None, NOW, Malformed, "signatures"),
            ("payload not base64", with("payload", "%%%".into()), vec![&k], None, NOW, Malformed, "payload: not base64"),
            ("format 2", with("format", 2.into()), vec![&k], None, NOW, Format, "format 2"),
            ("format 2, shaped otherwise", r#"{"format": 2, "payloads": [], "seals": {}}"#.into(), vec![&k], None, NOW, Format, "format 2"),
            ("no format", r#"{"payload": "", "signatures": []}"#.into(), vec![&k], None, NOW, Malformed, "format"),
            ("a trusted key that is not a key", good.clone(), vec![&k, "c2hvcnQ="], None, NOW, BadKey, "trusted key 2"),
            ("signed by another key", good.clone(), vec![Box::leak(public(2).into_boxed_str())], None, NOW, UnknownKey, "signed by"),
            ("no key trusted", good.clone(), vec![], None, NOW, UnknownKey, "no key is trusted"),
            ("no signature", with("signatures", serde_json::json!([])), vec![&k], None, NOW, UnknownKey, "signed by no key"),
            ("a byte of the payload changed", tampered, vec![&k], None, NOW, BadSignature, "does not verify"),
            ("a signature of zeros", zero_sig, vec![&k], None, NOW, BadSignature, "does not verify"),
            ("older than the one in force", good.clone(), vec![&k], Some(8), NOW, Rollback, "version 7 is older than version 8"),
            ("the one in force", good.clone(), vec![&k], Some(7), NOW, SameVersion, "version 7"),
            ("expired, at its expiry", good.clone(), vec![&k], None, (ISSUED + 30 * DAY) as f64, Expired, "expired at"),
            ("expired, long after", good.clone(), vec![&k], Some(6), (ISSUED + 300 * DAY) as f64, Expired, "expired at"),
            ("a clock that is not a number", good.clone(), vec![&k], None, f64::NAN, Expired, "expired at"),
            ("a policy that does not compile", bundle(7, "{\"version\": 1,\n\"rules\": [{\"id\": \"x\", \"action\": \"explode\"}]}", &[1]), vec![&k], None, NOW, BadPolicy, "explode"),
            ("payload not JSON", signed("nope".into()), vec![&k], None, NOW, Malformed, "payload:"),
            ("payload without a version", { let mut p = payload.clone(); p.as_object_mut().unwrap().remove("version"); signed(p) }, vec![&k], None, NOW, Malformed, "version"),
            ("version 0", payload_with("version", 0.into()), vec![&k], None, NOW, Malformed, "versions start at 1"),
            ("issued after it expires", payload_with("issuedMs", (ISSUED + DAY * 31).into()), vec![&k], None, NOW, Malformed, "after expiresMs"),
            ("database over http", payload_with("fingerprints", serde_json::json!({"url": "http://rules.example/db", "sha256": "00".repeat(32), "bytes": 1})), vec![&k], None, NOW, Malformed, "not an https URL"),
            ("database hash not hex", payload_with("fingerprints", serde_json::json!({"url": "https://rules.example/db", "sha256": "zz".repeat(32), "bytes": 1})), vec![&k], None, NOW, Malformed, "64 hex digits"),
            ("empty database", payload_with("fingerprints", serde_json::json!({"url": "https://rules.example/db", "sha256": "00".repeat(32), "bytes": 0})), vec![&k], None, NOW, Malformed, "never empty"),
        ];
        for (name, text, keys, in_force, now, reason, says) in cases {
            let (got, message) = refused(&text, &keys, in_force, now);
            assert_eq!(got, reason, "{name}: {message}");
            assert!(message.contains(says), "{name}: {message:?} should say {says:?}");
        }
    }

    #[test]
    fn a_bad_policy_is_reported_at_its_line_and_field() {
        let k = public(1);
        let e = verify(&bundle(7, "{\"version\": 1,\n\"rules\": [{\"id\": \"x\", \"action\": \"explode\"}]}", &[1]), &[&k], None, NOW).unwrap_err();
        assert_eq!(e.reason, Reason::BadPolicy);
        let p = e.policy.expect("the policy error");
        assert_eq!((p.line, p.rule.as_deref(), p.field.as_deref()), (Some(2), Some("x"), Some("rules[0].action")), "{p}");
        assert!(e.message.starts_with("policy: line 2"), "{}", e.message);
    }

    #[test]
    fn the_payload_is_not_read_before_a_trusted_signature_verifies_over_it() {
        // Garbage signed by an untrusted key, and by a trusted key with a signature over other bytes.
        let stranger = sign(b"{not json", &[2]);
        assert_eq!(refused(&stranger, &[&public(1)], None, NOW).0, Reason::UnknownKey);
        let mut forged: serde_json::Value = serde_json::from_str(&stranger).unwrap();
        forged["signatures"][0]["key"] = public(1).into();
        assert_eq!(refused(&forged.to_string(), &[&public(1)], None, NOW).0, Reason::BadSignature);
    }

    #[test]
    fn during_a_key_rotation_a_bundle_signed_by_both_keys_verifies_with_either() {
        let both = bundle(3, POLICY, &[1, 2]);
        let (old, new) = (public(1), public(2));
        assert_eq!(verify(&both, &[&old], None, NOW).unwrap().signed_by, old);
        assert_eq!(verify(&both, &[&new], None, NOW).unwrap().signed_by, new);
        assert!(verify(&bundle(4, POLICY, &[2]), &[&old, &new], None, NOW).is_ok());
        // A trusted key's bad signature does not hide another trusted key's good one.
        let mut one_bad: serde_json::Value = serde_json::from_str(&both).unwrap();
        one_bad["signatures"][0]["sig"] = BASE64.encode([7u8; 64]).into();
        assert_eq!(verify(&one_bad.to_string(), &[&old, &new], None, NOW).unwrap().signed_by, new);
    }

    #[test]
    fn a_signature_entry_that_is_not_a_key_does_not_spoil_a_good_one() {
        // The envelope is not signed: anyone on the way can add an entry.
        let k = public(1);
        let mut e: serde_json::Value = serde_json::from_str(&bundle(5, POLICY, &[1])).unwrap();
        let good = e["signatures"][0].clone();
        e["signatures"] = serde_json::json!([{"key": "AAAA", "sig": "AAAA"}, {"key": 17, "sig": ""}, good]);
        assert_eq!(refused(&e.to_string(), &[&k], None, NOW).0, Reason::Malformed, "a key that is not a string is not an envelope");
        e["signatures"] = serde_json::json!([{"key": "AAAA", "sig": "AAAA"}, {"key": "not base64!", "sig": ""}, good]);
        assert_eq!(verify(&e.to_string(), &[&k], None, NOW).unwrap().signed_by, k);
        e["signatures"] = serde_json::json!([{"key": "AAAA", "sig": "AAAA"}]);
        assert_eq!(refused(&e.to_string(), &[&k], None, NOW).0, Reason::UnknownKey);
    }

    #[test]
    fn an_unknown_key_is_quoted_cut_short() {
        let k = public(1);
        let mut e: serde_json::Value = serde_json::from_str(&bundle(5, POLICY, &[2])).unwrap();
        let stranger = e["signatures"][0]["key"].as_str().unwrap().to_string();
        e["signatures"][0]["key"] = format!("{stranger}{}", " ".repeat(100_000)).into();
        e["signatures"].as_array_mut().unwrap().push(serde_json::json!({"key": "x".repeat(100_000), "sig": ""}));
        let (reason, message) = refused(&e.to_string(), &[&k], None, NOW);
        assert_eq!(reason, Reason::UnknownKey);
        assert!(message.len() < 400, "{} characters: {message:.200}", message.len());
        assert!(message.contains(&format!("{stranger:?}")), "{message}");
        assert!(message.contains(&format!("{:?}…", "x".repeat(60))), "{message}");
    }

    #[test]
    fn keys_read_with_or_without_padding_and_surrounding_white_space() {
        let k = public(1);
        let unpadded = k.trim_end_matches('=').to_string();
        let with_newline = format!("{k}\n");
        assert!(verify(&bundle(1, POLICY, &[1]), &[&unpadded], None, NOW).is_ok());
        assert!(verify(&bundle(1, POLICY, &[1]), &[&with_newline], None, NOW).is_ok());
    }

    #[test]
    fn a_database_is_checked_by_size_then_hash() {
        let db = database();
        assert_eq!(check_database(b"the database", &db), Ok(()));
        assert_eq!(check_database(b"the data", &db).unwrap_err().reason, Reason::DatabaseSize);
        assert_eq!(check_database(b"", &db).unwrap_err().reason, Reason::DatabaseSize);
        let e = check_database(b"the databasE", &db).unwrap_err();
        assert_eq!(e.reason, Reason::DatabaseHash);
        assert!(e.message.contains(&db.sha256_hex()), "{}", e.message);
        // The digest taken elsewhere gives the same answers.
        for bytes in [&b"the database"[..], b"the data", b"", b"the databasE"] {
            let by_digest = check_database_digest(bytes.len() as u64, &sha256(bytes), &db);
            assert_eq!(by_digest, check_database(bytes, &db), "{bytes:?}");
        }
    }

    #[test]
    fn sha256_and_ed25519_agree_with_their_published_vectors() {
        // FIPS 180-2 "abc"; RFC 8032 section 7.1, test 1 (the empty message).
        assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let key = parse_hex32("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
        let sig: [u8; 64] = [
            parse_hex32("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155").unwrap(),
            parse_hex32("5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b").unwrap(),
        ]
        .concat()
        .try_into()
        .unwrap();
        assert!(signature_verifies(&key, b"", &sig));
        assert!(!signature_verifies(&key, b"x", &sig));
    }

    /// A bundle made when format 1 was written: every later engine must still accept it. If this
    /// fails, the format changed; give the new one a new `FORMAT` and `SIGNING_CONTEXT`.
    #[test]
    fn golden_format_1_bundle() {
        let made = bundle(7, POLICY, &[1]);
        assert_eq!(made, GOLDEN, "the bytes written for the same bundle changed");
        let v = verify(GOLDEN, &[&public(1)], None, NOW).unwrap();
        assert_eq!((v.version, v.policy_text.as_str()), (7, POLICY));
    }

    const GOLDEN: &str = r#"{
  "format": 1,
  "payload": "ewogICJ2ZXJzaW9uIjogNywKICAiaXNzdWVkTXMiOiAxNzY1MDAwMDAwMDAwLAogICJleHBpcmVzTXMiOiAxNzY3NTkyMDAwMDAwLAogICJwb2xpY3kiOiAie1widmVyc2lvblwiOiAxLCBcInJ1bGVzXCI6IFt7XCJpZFwiOiBcImFcIiwgXCJhY3Rpb25cIjogXCJibG9ja1wiLCBcInBhdHRlcm5zXCI6IFtcImEuZXhhbXBsZVwiXX1dfSIsCiAgImZpbmdlcnByaW50cyI6IHsKICAgICJ1cmwiOiAiaHR0cHM6Ly9ydWxlcy5leGFtcGxlL2NvbXBhbnkuZGIiLAogICAgInNoYTI1NiI6ICI0NTEwYWZjMGI0MmE5N2JmNzZjZTQ0ZTg2ZDJjY2JlZWRlOGQyOTI1YzVkYThlMmUyZTA3MDRjNGY3NDlkZTQ0IiwKICAgICJieXRlcyI6IDEyCiAgfQp9",
  "signatures": [
    {
      "key": "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=",
      "sig": "CBcUqXwrsKHXo/eZ7PZTdfigQCT12wRdbC0nTzzTqAwD4K/sF9q0yYCkD0K5tn6h3BRdXPHj9outaBHwuu1OAg=="
    }
  ]
}
"#;
}
