//! Runs the shared secret vectors (`tests/vectors/secrets.json`) against the native scanner.
//! The wasm build runs the same file under Node (`tests/wasm/content_vectors.test.mjs`).

use aiguard_engine::content::secrets::{SecretScanner, RULES};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/secrets.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn at_least_100_credential_types_each_with_both_kinds_of_vector() {
    let v = vectors();
    assert!(RULES.len() >= 100, "{} rules", RULES.len());
    for rule in RULES {
        let cases: Vec<&Value> = v["cases"].as_array().unwrap().iter().filter(|c| c["rule"] == rule.id).collect();
        assert!(cases.iter().any(|c| c["expect"] == "match"), "{}: no true-positive vector", rule.id);
        assert!(cases.iter().any(|c| c["expect"] == "none"), "{}: no false-positive vector", rule.id);
    }
}

/// The prefilter compares keywords ASCII case-insensitively and reports a hit's start as a
/// character boundary: both hold only for lowercase ASCII keywords.
#[test]
fn keywords_are_lowercase_ascii_and_not_empty() {
    for rule in RULES {
        assert!(!rule.keywords.is_empty(), "{}: no keyword", rule.id);
        for k in rule.keywords {
            assert!(!k.is_empty() && k.is_ascii() && !k.bytes().any(|b| b.is_ascii_uppercase()), "{}: keyword {k:?}", rule.id);
        }
    }
}

#[test]
fn secret_vectors() {
    let scanner = SecretScanner::new(&[]);
    let v = vectors();
    let mut failures = Vec::new();
    let cases = v["cases"].as_array().unwrap();
    for c in cases {
        let text = c["text"].as_str().unwrap();
        let rule = c["rule"].as_str().unwrap();
        let found = scanner.scan(text);
        match c["expect"].as_str().unwrap() {
            "match" => {
                let secret = c["secret"].as_str().unwrap();
                let hit = found.iter().find(|f| f.rule == rule && &text[f.start..f.end] == secret);
                match hit {
                    None => failures.push(format!("{rule}: missed {secret:?} in {text:?} (found {:?})", found.iter().map(|f| f.rule).collect::<Vec<_>>())),
                    Some(f) => {
                        if f.masked.contains(secret) || (secret.len() > 8 && f.masked.len() >= secret.len() && f.masked == secret) {
                            failures.push(format!("{rule}: finding echoes the secret"));
                        }
                    }
                }
            }
            "none" if rule == "*" => {
                if !found.is_empty() {
                    failures.push(format!("*: {:?} fired on {text:?}", found.iter().map(|f| f.rule).collect::<Vec<_>>()));
                }
            }
            "none" => {
                if found.iter().any(|f| f.rule == rule) {
                    failures.push(format!("{rule}: false positive on {text:?}"));
                }
            }
            other => panic!("unknown expectation {other}"),
        }
    }
    assert!(failures.is_empty(), "{} of {} secret cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn masks_never_reveal_more_than_six_characters() {
    use aiguard_engine::content::secrets::mask;
    for s in ["", "a", "abcdefgh", "abcdefghijklmnop", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"] {
        let m = mask(s);
        let shown = m.chars().filter(|&c| c != '*').count();
        assert!(shown <= 6 && (s.len() < 4 || shown < s.len()), "{s:?} -> {m:?}");
    }
}
