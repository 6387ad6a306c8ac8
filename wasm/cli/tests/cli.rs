//! The CLI contract: `aiguard url` prints one JSON object per URL; a malformed policy exits 2
//! with one line naming the file and the position or rule and field.

use std::io::Write;
use std::process::Command;

fn aiguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aiguard")).args(args).output().expect("run aiguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn temp_policy(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("aiguard-cli-test-{}-{name}.json", std::process::id()));
    std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
    path
}

#[test]
fn url_prints_one_json_object_per_url_with_the_builtin_policy() {
    let (code, out, _) = aiguard(&["url", "https://claude.ai/new", "https://example.com/"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], serde_json::json!({"url": "https://claude.ai/new", "action": "warn", "rule": "ai-tools"}));
    assert_eq!(lines[1], serde_json::json!({"url": "https://example.com/", "action": "allow", "rule": null}));
}

#[test]
fn url_with_a_policy_file() {
    let p = temp_policy("ok", r#"{"version": 1, "rules": [{"id": "no-claude", "action": "block", "patterns": ["claude.ai"]}]}"#);
    let (code, out, _) = aiguard(&["url", "--policy", p.to_str().unwrap(), "https://CLAUDE.ai./x"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "block");
    assert_eq!(v["rule"], "no-claude");
}

#[test]
fn malformed_policy_exits_2_with_file_line_and_column() {
    let p = temp_policy("syntax", "{\n  \"version\": 1,\n  \"rules\": [\n    {\"id\": \"a\" \"action\": \"block\"}\n  ]\n}\n");
    let (code, out, err) = aiguard(&["url", "--policy", p.to_str().unwrap(), "https://claude.ai/"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(&format!("{}:4:", p.display())), "{err}");
}

#[test]
fn invalid_rule_names_rule_and_field() {
    let p = temp_policy("rule", r#"{"version": 1, "rules": [{"id": "ok", "action": "warn", "patterns": ["a.com"]}, {"id": "bad-port", "action": "block", "patterns": ["x.com", "y.com:99999"]}]}"#);
    let (code, _, err) = aiguard(&["policy", "check", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains(r#"rule "bad-port""#) && err.contains("rules[1].patterns[1]"), "{err}");
}

#[test]
fn policy_check_accepts_a_valid_policy() {
    let p = temp_policy("valid", r#"{"version": 1, "rules": [{"id": "g", "action": "warn", "categories": ["ai-chat"]}]}"#);
    let (code, out, _) = aiguard(&["policy", "check", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("ok: 1 rules"), "{out}");
}

#[test]
fn missing_policy_file_is_an_error_not_a_crash() {
    let (code, _, err) = aiguard(&["url", "--policy", "/nonexistent/policy.json", "https://a.com/"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/policy.json"), "{err}");
}
