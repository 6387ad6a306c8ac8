//! The admin-facing policy document, exactly as written in JSON.
//!
//! Rules are first captured as raw JSON text so that an error inside one rule can be reported
//! with that rule's id and an absolute line and column in the file.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;


/// The policy document with its rules read as `R`: `RuleDoc` for the one-pass fast path, or
/// `&RawValue` (each rule's own text) when a failed policy is parsed again to report the error
/// with the rule's id and position.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", bound(deserialize = "R: Deserialize<'de>"))]
pub(super) struct PolicyDoc<'a, R> {
    pub version: u32,
    // Enumerations are read as strings and checked by the compiler so that the error can name
    // the field; serde's "unknown variant" message does not.
    #[serde(default)]
    pub default_action: Option<String>,
    #[serde(default)]
    pub warn_remember_minutes: Option<u32>,
    /// How much of a URL audit events keep: `origin`, `path` (the default) or `full`.
    #[serde(default)]
    pub audit_urls: Option<String>,
    #[serde(default = "Vec::new")]
    pub rules: Vec<R>,
    /// The `content` section as written: read as a [`ContentDoc`] by the compiler, and kept as
    /// text for the engine a page compiles (`Policy::content_only_json`).
    #[serde(borrow, default)]
    pub content: Option<&'a RawValue>,
}

/// Rules as their raw text, for error reporting.
pub(super) type RawPolicyDoc<'a> = PolicyDoc<'a, &'a RawValue>;
/// Rules parsed directly: the fast path.
pub(super) type FastPolicyDoc<'a> = PolicyDoc<'a, RuleDoc>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RuleDoc {
    pub id: String,
    pub action: String,
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub message: BTreeMap<String, String>,
    #[serde(default)]
    pub alternative: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub other_requests: Option<String>,
}

/// Only the id of a rule, read leniently so that other errors can name the rule.
#[derive(Deserialize)]
pub(super) struct RuleId {
    #[serde(default)]
    pub id: Option<serde_json::Value>,
}
