//! Signed policy bundles as the extension sees them: `verifyBundle` and `checkDatabase`.
//!
//! A refused bundle or database is an answer, not an exception: both functions return
//! `{reason, message}` objects (`verifyBundle` inside `{error}`), with the stable reason codes
//! of `aiguard_engine::bundle::Reason`. They throw only for arguments of the wrong type.

use aiguard_engine::bundle::{self, BundleError, FingerprintRef};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::to_js;

#[derive(Serialize)]
struct Refusal<'a> {
    reason: &'static str,
    message: &'a str,
    /// For `bad-policy`: where in the policy text.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyPlace<'a>>,
}

#[derive(Serialize)]
struct PolicyPlace<'a> {
    line: Option<usize>,
    column: Option<usize>,
    rule: Option<&'a str>,
    field: Option<&'a str>,
}

fn refusal(e: &BundleError) -> Refusal<'_> {
    Refusal {
        reason: e.reason.as_str(),
        message: &e.message,
        policy: e.policy.as_ref().map(|p| PolicyPlace { line: p.line, column: p.column, rule: p.rule.as_deref(), field: p.field.as_deref() }),
    }
}

#[derive(Serialize, Deserialize)]
struct JsFingerprints {
    url: String,
    /// 64 hex digits.
    sha256: String,
    bytes: f64,
}

/// Checks a bundle's text as every browser does (the engine's `bundle::verify`): signed by one
/// of `keys` (base64 Ed25519 public keys), newer than `inForceVersion` (null when no bundle is
/// in force), unexpired at `nowMs`, with a policy that compiles. Returns `{version, issuedMs,
/// expiresMs, policyText, fingerprints: {url, sha256, bytes} | null, signedBy}`, or `{error:
/// {reason, message, policy?: {line, column, rule, field}}}`.
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(text: &str, keys: Vec<String>, in_force_version: Option<f64>, now_ms: f64) -> Result<JsValue, JsError> {
    let in_force = match in_force_version {
        None => None,
        Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 => Some(v as u64),
        Some(v) => return Err(JsError::new(&format!("inForceVersion: {v} is not a version"))),
    };
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    match bundle::verify(text, &keys, in_force, now_ms) {
        Ok(v) => {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Verified<'a> {
                version: f64,
                issued_ms: f64,
                expires_ms: f64,
                policy_text: &'a str,
                fingerprints: Option<JsFingerprints>,
                signed_by: &'a str,
            }
            let fingerprints = v.fingerprints.as_ref().map(|f| JsFingerprints { url: f.url.clone(), sha256: f.sha256_hex(), bytes: f.bytes as f64 });
            to_js(&Verified {
                version: v.version as f64,
                issued_ms: v.issued_ms as f64,
                expires_ms: v.expires_ms as f64,
                policy_text: &v.policy_text,
                fingerprints,
                signed_by: &v.signed_by,
            })
        }
        Err(e) => {
            #[derive(Serialize)]
            struct Refused<'a> {
                error: Refusal<'a>,
            }
            to_js(&Refused { error: refusal(&e) })
        }
    }
}

/// Checks a downloaded fingerprint database against a verified bundle's `fingerprints` (size,
/// then SHA-256) before it is loaded: `null` when it matches, else `{reason, message}` with
/// reason `database-size` or `database-hash`.
#[wasm_bindgen(js_name = checkDatabase)]
pub fn check_database(bytes: &[u8], fingerprints: JsValue) -> Result<JsValue, JsError> {
    let f: JsFingerprints = serde_wasm_bindgen::from_value(fingerprints).map_err(|e| JsError::new(&format!("fingerprints: {e}")))?;
    let sha256 = bundle::sha256_from_hex(&f.sha256).ok_or_else(|| JsError::new("fingerprints.sha256: expected 64 hex digits"))?;
    if !(f.bytes >= 0.0 && f.bytes.fract() == 0.0 && f.bytes <= 9_007_199_254_740_991.0) {
        return Err(JsError::new(&format!("fingerprints.bytes: {} is not a byte count", f.bytes)));
    }
    let expected = FingerprintRef { url: f.url, sha256, bytes: f.bytes as u64 };
    match bundle::check_database(bytes, &expected) {
        Ok(()) => Ok(JsValue::NULL),
        Err(e) => to_js(&refusal(&e)),
    }
}

/// [`check_database`] for a database the caller hashed itself (with WebCrypto, so that its bytes
/// need not be copied into the module): `byteLength` and `sha256` (64 hex digits) against the
/// bundle's `fingerprints`. `null` when they match, else `{reason, message}`.
#[wasm_bindgen(js_name = checkDatabaseDigest)]
pub fn check_database_digest(byte_length: f64, sha256: &str, fingerprints: JsValue) -> Result<JsValue, JsError> {
    let f: JsFingerprints = serde_wasm_bindgen::from_value(fingerprints).map_err(|e| JsError::new(&format!("fingerprints: {e}")))?;
    let expected_sha = bundle::sha256_from_hex(&f.sha256).ok_or_else(|| JsError::new("fingerprints.sha256: expected 64 hex digits"))?;
    let got = bundle::sha256_from_hex(sha256).ok_or_else(|| JsError::new("sha256: expected 64 hex digits"))?;
    let whole = |n: f64| n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0;
    if !whole(f.bytes) {
        return Err(JsError::new(&format!("fingerprints.bytes: {} is not a byte count", f.bytes)));
    }
    if !whole(byte_length) {
        return Err(JsError::new(&format!("byteLength: {byte_length} is not a byte count")));
    }
    let expected = FingerprintRef { url: f.url, sha256: expected_sha, bytes: f.bytes as u64 };
    match bundle::check_database_digest(byte_length as u64, &got, &expected) {
        Ok(()) => Ok(JsValue::NULL),
        Err(e) => to_js(&refusal(&e)),
    }
}
