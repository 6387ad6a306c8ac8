//! Any text through every content detector: never panics, findings are in bounds and on
//! character boundaries, and redaction leaves no secret finding behind.
#![no_main]
use std::sync::OnceLock;

use aiguard_engine::content::scanner::{redact_secrets, Detector};
use aiguard_engine::Engine;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::from_policy_json(r#"{"version": 1, "rules": [], "content": {"markers": [
            {"id": "m", "terms": ["ACME CONFIDENTIAL", "蓝鸟"]}, {"id": "r", "regex": "PROJ-[0-9]+", "wholeWord": false}]}}"#)
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = engine().scan(text);
    for f in &report.findings {
        assert!(f.start < f.end && f.end <= text.len());
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
    }
    let _ = aiguard_engine::content::fingerprint::token_count(text);
    let redacted = redact_secrets(text, &report.findings);
    if report.findings.iter().any(|f| f.detector == Detector::Secret) {
        assert_ne!(redacted, text);
    }
});
