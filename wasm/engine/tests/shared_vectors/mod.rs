//! What the runners of the shared vectors (`tests/vectors/*.json`) have in common: reading a
//! file, refusing one of another kind or format version, and the case names that a failure
//! message leads with. The format is described in `tests/vectors/README.md`; the wasm build
//! and the browsers run the same files, so a case means the same thing everywhere.

// Each runner is its own crate and uses a part of this module.
#![allow(dead_code)]

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The format version these runners read. A change to the case fields bumps it, so that a
/// runner left behind fails on the version instead of reading fields it doesn't know.
pub const VERSION: u32 = 2;

/// A policy document as the file spells it, handed to the engine as text: the vectors test the
/// engine's own parsing and validation, so the runners don't parse policies themselves.
pub type PolicyJson = Box<RawValue>;

/// A policy the engine must refuse, with the parts its error message must contain (the rule's
/// id, the field's path) so that an admin can find the mistake.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidPolicy {
    pub name: String,
    pub policy: PolicyJson,
    pub error_contains: Vec<String>,
    pub why: String,
}

/// Reads `tests/vectors/<kind>.json`. Fields the runner's types don't name are an error (each
/// type denies unknown fields): a misspelt `acton` would otherwise be a case that checks less
/// than it says.
pub fn read<T: DeserializeOwned>(kind: &str) -> T {
    let path = format!("{}/../../tests/vectors/{kind}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} does not have the vector format of its kind: {e}"))
}

/// The header every file starts with.
pub fn check_header(kind: &str, schema: &str, version: u32) {
    assert_eq!(schema, format!("aiguard-vectors/{kind}"), "{kind}.json: schema");
    assert_eq!(version, VERSION, "{kind}.json: format version");
}

/// Every name is kebab-case and unique in its file, so that a failure names one case and the
/// name can be searched for.
pub fn check_names<'a>(kind: &str, names: impl IntoIterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    let mut bad = Vec::new();
    for name in names {
        let kebab = !name.is_empty()
            && name.split('-').all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !kebab {
            bad.push(format!("{name:?} is not kebab-case"));
        }
        if !seen.insert(name) {
            bad.push(format!("{name:?} names more than one case"));
        }
    }
    assert!(bad.is_empty(), "{kind}.json:\n{}", bad.join("\n"));
}

/// Runs the engine's validation on each invalid policy; one line per failure, led by the
/// case's name.
pub fn invalid_policy_failures(cases: &[InvalidPolicy]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        match aiguard_engine::Engine::from_policy_json(case.policy.get()) {
            Ok(_) => failures.push(format!("{}: accepted ({})", case.name, case.why)),
            Err(e) => {
                let message = e.to_string();
                for want in &case.error_contains {
                    if !message.contains(want.as_str()) {
                        failures.push(format!("{}: error {message:?} lacks {want:?} ({})", case.name, case.why));
                    }
                }
            }
        }
    }
    failures
}
