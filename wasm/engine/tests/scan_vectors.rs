//! Runs the shared scan vectors (`tests/vectors/scan.json`): whole-engine content verdicts for
//! policies with markers and detector actions, and content-section validation errors.

mod shared_vectors;

use std::collections::BTreeMap;

use aiguard_engine::{Action, Engine};
use serde::Deserialize;
use shared_vectors::{InvalidPolicy, PolicyJson};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanVectors {
    schema: String,
    version: u32,
    /// Named policies; `null` is the built-in one.
    policies: BTreeMap<String, Option<PolicyJson>>,
    cases: Vec<ScanCase>,
    invalid_policies: Vec<InvalidPolicy>,
}

/// A text and the report the policy named gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanCase {
    name: String,
    policy: String,
    text: String,
    action: Action,
    /// Every finding in report order; spans are checked for sanity, not listed.
    findings: Vec<ExpectedFinding>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    /// The detector's name as the engine serialises it: what JavaScript reads.
    detector: String,
    rule: String,
    /// The disguise the finding was under (`base64`, `unicode`, …), when there was one.
    #[serde(default)]
    disguise: Option<String>,
}

fn vectors() -> ScanVectors {
    let v: ScanVectors = shared_vectors::read("scan");
    shared_vectors::check_header("scan", &v.schema, v.version);
    v
}

#[test]
fn case_names_are_unique_and_kebab_case() {
    let v = vectors();
    shared_vectors::check_names("scan", v.cases.iter().map(|c| c.name.as_str()).chain(v.invalid_policies.iter().map(|c| c.name.as_str())));
}

#[test]
fn scan_cases() {
    let v = vectors();
    let mut failures = Vec::new();
    for c in &v.cases {
        let name = &c.name;
        let engine = match v.policies.get(&c.policy) {
            None => panic!("{name}: no policy `{}` in scan.json", c.policy),
            Some(None) => Engine::builtin(),
            Some(Some(p)) => Engine::from_policy_json(p.get()).unwrap_or_else(|e| panic!("{name}: policy `{}`: {e}", c.policy)),
        };
        // The engine a content script compiles from the content-only policy must agree.
        let content_only = Engine::from_policy_json(engine.content_only_policy_json())
            .unwrap_or_else(|e| panic!("{name}: policy `{}` content only: {e}", c.policy));
        let text = &c.text;
        let report = engine.scan(text);
        let report_content_only = content_only.scan(text);
        if report_content_only != report {
            failures.push(format!("{name}: [{}] {text:?}: the content-only engine found {report_content_only:?}, the full one {report:?}", c.policy));
        }
        let got: Vec<ExpectedFinding> = report
            .findings
            .iter()
            .map(|f| ExpectedFinding {
                detector: serde_json::to_value(f.detector).unwrap().as_str().unwrap().to_string(),
                rule: f.rule.clone(),
                disguise: f.disguise.map(|d| serde_json::to_value(d).unwrap().as_str().unwrap().to_string()),
            })
            .collect();
        if report.action != c.action || got != c.findings {
            failures.push(format!(
                "{name}: [{}] {text:?}: got {} {got:?}, want {} {:?}",
                c.policy,
                report.action.as_str(),
                c.action.as_str(),
                c.findings
            ));
        }
        for f in &report.findings {
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end) && f.start < f.end, "{name}: bad span {f:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_content_sections() {
    let v = vectors();
    let failures = shared_vectors::invalid_policy_failures(&v.invalid_policies);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn redaction_replaces_only_secrets() {
    use aiguard_engine::content::scanner::redact_secrets;
    let engine = Engine::from_policy_json(r#"{"version": 1, "rules": [], "content": {"markers": [{"id": "c", "terms": ["ACME CONFIDENTIAL"]}]}}"#).unwrap();
    let token = concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn");
    let text = format!("ACME CONFIDENTIAL: use {token} for CI");
    let report = engine.scan(&text);
    let redacted = redact_secrets(&text, &report.findings);
    assert_eq!(redacted, "ACME CONFIDENTIAL: use [REDACTED github-pat-classic] for CI");
    assert!(engine.scan(&redacted).findings.iter().all(|f| f.detector != aiguard_engine::content::scanner::Detector::Secret));
}

#[test]
fn scope() {
    let ai = Engine::builtin();
    assert!(ai.scans_page("https://claude.ai/new"));
    assert!(!ai.scans_page("https://example.com/"));
    let all = Engine::from_policy_json(r#"{"version": 1, "rules": [], "content": {"scope": "all"}}"#).unwrap();
    assert!(all.scans_page("https://example.com/"));
    let ruled = Engine::from_policy_json(r#"{"version": 1, "rules": [{"id": "x", "action": "allow", "patterns": ["internal-llm.example"]}]}"#).unwrap();
    assert!(ruled.scans_page("https://internal-llm.example/chat"));
}

#[test]
fn engine_in_page() {
    let in_page = |content: &str| {
        Engine::from_policy_json(&format!(r#"{{"version": 1, "content": {content}}}"#)).unwrap().content().policy().engine_in_page
    };
    let markers = r#""markers": [{"id": "codename", "terms": ["Bluebird"]}]"#;
    assert!(Engine::builtin().content().policy().engine_in_page, "no markers: in pages");
    assert!(in_page("{}"));
    assert!(!in_page(&format!("{{{markers}}}")), "auto: marker terms stay out of pages");
    assert!(in_page(&format!(r#"{{{markers}, "engineInPage": "allow"}}"#)));
    assert!(!in_page(r#"{"engineInPage": "never"}"#));
    assert!(in_page(r#"{"engineInPage": "auto"}"#));
}
