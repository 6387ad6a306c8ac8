//! Runs the shared URL test vectors (`tests/vectors/url.json`) against the native engine. The
//! wasm build runs the same file under Node (`tests/wasm/url_vectors.test.mjs`).

use aiguard_engine::Engine;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/url.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read url.json")).expect("parse url.json")
}

fn engine_for(policies: &Value, name: &str) -> Engine {
    match &policies[name] {
        Value::Null => Engine::builtin(),
        p => Engine::from_policy_json(&p.to_string())
            .unwrap_or_else(|e| panic!("policy `{name}` should be valid: {e}")),
    }
}

#[test]
fn url_cases() {
    let v = vectors();
    let mut failures = Vec::new();
    let cases = v["cases"].as_array().unwrap();
    for case in cases {
        let name = case["policy"].as_str().unwrap();
        let engine = engine_for(&v["policies"], name);
        let url = case["url"].as_str().unwrap();
        let got = match engine.verdict(url) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("[{name}] {url}: not a URL: {e}"));
                continue;
            }
        };
        let want_action = case["action"].as_str().unwrap();
        let want_rule = case["rule"].as_str();
        if got.action.as_str() != want_action || got.rule.as_deref() != want_rule {
            failures.push(format!(
                "[{name}] {url:?}: got {} {:?}, want {want_action} {want_rule:?} ({})",
                got.action.as_str(),
                got.rule,
                case["why"].as_str().unwrap_or("")
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} URL cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn invalid_policies() {
    let v = vectors();
    let mut failures = Vec::new();
    for case in v["invalid_policies"].as_array().unwrap() {
        let text = serde_json::to_string_pretty(&case["policy"]).unwrap();
        match Engine::from_policy_json(&text) {
            Ok(_) => failures.push(format!("accepted: {} ({})", case["policy"], case["why"])),
            Err(e) => {
                let msg = e.to_string();
                for want in case["error_contains"].as_array().unwrap() {
                    if !msg.contains(want.as_str().unwrap()) {
                        failures.push(format!("error {msg:?} lacks {want} ({})", case["why"]));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} invalid-policy failures:\n{}", failures.len(), failures.join("\n"));
}
