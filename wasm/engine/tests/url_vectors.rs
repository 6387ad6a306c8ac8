//! Runs the shared URL test vectors (`tests/vectors/url.json`) against the native engine. The
//! wasm build runs the same file under Node (`tests/wasm/url_vectors.test.mjs`).

mod shared_vectors;

use std::collections::BTreeMap;

use aiguard_engine::{Action, Engine};
use serde::Deserialize;
use shared_vectors::{InvalidPolicy, PolicyJson};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrlVectors {
    schema: String,
    version: u32,
    /// Named policies; `null` is the built-in one.
    policies: BTreeMap<String, Option<PolicyJson>>,
    cases: Vec<UrlCase>,
    invalid_policies: Vec<InvalidPolicy>,
}

/// A URL and the verdict the policy named gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrlCase {
    name: String,
    policy: String,
    url: String,
    action: Action,
    /// The deciding rule's id; `null` when no rule matched and the default action applied.
    rule: Option<String>,
    /// A `monitor` rule decided: allowed, and the visit recorded.
    #[serde(default)]
    monitor: bool,
    why: String,
}

fn vectors() -> UrlVectors {
    let v: UrlVectors = shared_vectors::read("url");
    shared_vectors::check_header("url", &v.schema, v.version);
    v
}

/// The engine for the policy a case names; `case` is the first case to name it.
fn engine_for(v: &UrlVectors, name: &str, case: &str) -> Engine {
    match v.policies.get(name) {
        None => panic!("{case}: no policy `{name}` in url.json"),
        Some(None) => Engine::builtin(),
        Some(Some(p)) => Engine::from_policy_json(p.get()).unwrap_or_else(|e| panic!("{case}: policy `{name}` should be valid: {e}")),
    }
}

#[test]
fn case_names_are_unique_and_kebab_case() {
    let v = vectors();
    shared_vectors::check_names("url", v.cases.iter().map(|c| c.name.as_str()).chain(v.invalid_policies.iter().map(|c| c.name.as_str())));
}

#[test]
fn url_cases() {
    let v = vectors();
    let mut engines: BTreeMap<&str, Engine> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &v.cases {
        let engine = engines.entry(&case.policy).or_insert_with(|| engine_for(&v, &case.policy, &case.name));
        let got = match engine.verdict(&case.url) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("{}: [{}] {:?}: not a URL: {e}", case.name, case.policy, case.url));
                continue;
            }
        };
        if got.action != case.action || got.rule != case.rule || got.monitor != case.monitor {
            failures.push(format!(
                "{}: [{}] {:?}: got {} {:?} monitor {}, want {} {:?} monitor {} ({})",
                case.name,
                case.policy,
                case.url,
                got.action.as_str(),
                got.rule,
                got.monitor,
                case.action.as_str(),
                case.rule,
                case.monitor,
                case.why
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} URL cases failed:\n{}", failures.len(), v.cases.len(), failures.join("\n"));
}

#[test]
fn invalid_policies() {
    let v = vectors();
    let failures = shared_vectors::invalid_policy_failures(&v.invalid_policies);
    assert!(failures.is_empty(), "{} invalid-policy failures:\n{}", failures.len(), failures.join("\n"));
}
