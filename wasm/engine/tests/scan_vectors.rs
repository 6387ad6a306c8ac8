//! Runs the shared scan vectors (`tests/vectors/scan.json`): whole-engine content verdicts for
//! policies with markers and detector actions, and content-section validation errors.

use aiguard_engine::Engine;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/scan.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn scan_cases() {
    let v = vectors();
    let mut failures = Vec::new();
    for c in v["cases"].as_array().unwrap() {
        let name = c["policy"].as_str().unwrap();
        let engine = match &v["policies"][name] {
            Value::Null => Engine::builtin(),
            p => Engine::from_policy_json(&p.to_string()).unwrap_or_else(|e| panic!("{name}: {e}")),
        };
        // The engine a content script compiles from the content-only policy must agree.
        let content_only = Engine::from_policy_json(engine.content_only_policy_json()).unwrap_or_else(|e| panic!("{name} content only: {e}"));
        let text = c["text"].as_str().unwrap();
        let report = engine.scan(text);
        let report_content_only = content_only.scan(text);
        if report_content_only != report {
            failures.push(format!("[{name}] {text:?}: the content-only engine found {report_content_only:?}, the full one {report:?}"));
        }
        let got: Vec<(String, String)> = report
            .findings
            .iter()
            .map(|f| (serde_json::to_value(f.detector).unwrap().as_str().unwrap().to_string(), f.rule.clone()))
            .collect();
        let want: Vec<(String, String)> = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["detector"].as_str().unwrap().to_string(), f["rule"].as_str().unwrap().to_string()))
            .collect();
        if report.action.as_str() != c["action"].as_str().unwrap() || got != want {
            failures.push(format!("[{name}] {text:?}: got {} {got:?}, want {} {want:?}", report.action.as_str(), c["action"]));
        }
        for f in &report.findings {
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end) && f.start < f.end, "bad span {f:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_content_sections() {
    let v = vectors();
    for c in v["invalid_policies"].as_array().unwrap() {
        let err = Engine::from_policy_json(&serde_json::to_string_pretty(&c["policy"]).unwrap())
            .err()
            .unwrap_or_else(|| panic!("accepted: {}", c["why"]))
            .to_string();
        for want in c["error_contains"].as_array().unwrap() {
            assert!(err.contains(want.as_str().unwrap()), "{err:?} lacks {want} ({})", c["why"]);
        }
    }
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
