//! Runs the shared secret vectors (`tests/vectors/secrets.json`) against the native scanner.
//! The wasm build runs the same file under Node (`tests/wasm/content_vectors.test.mjs`).

mod shared_vectors;

use aiguard_engine::content::secrets::{SecretScanner, RULES};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretVectors {
    schema: String,
    version: u32,
    cases: Vec<SecretCase>,
}

/// A text and what one rule must find in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretCase {
    name: String,
    /// The rule under test; `*` in a `none` case: no rule at all may fire.
    rule: String,
    text: String,
    expect: Expect,
    /// With `match`: the exact text the finding must span.
    secret: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Expect {
    /// The rule finds `secret`, and its finding does not echo it.
    Match,
    /// The rule (or, for `*`, every rule) finds nothing.
    None,
}

fn vectors() -> SecretVectors {
    let v: SecretVectors = shared_vectors::read("secrets");
    shared_vectors::check_header("secrets", &v.schema, v.version);
    v
}

#[test]
fn case_names_are_unique_and_kebab_case() {
    let v = vectors();
    shared_vectors::check_names("secrets", v.cases.iter().map(|c| c.name.as_str()));
}

#[test]
fn at_least_100_credential_types_each_with_both_kinds_of_vector() {
    let v = vectors();
    assert!(RULES.len() >= 100, "{} rules", RULES.len());
    for rule in RULES {
        let cases: Vec<&SecretCase> = v.cases.iter().filter(|c| c.rule == rule.id).collect();
        assert!(cases.iter().any(|c| c.expect == Expect::Match), "{}: no true-positive vector", rule.id);
        assert!(cases.iter().any(|c| c.expect == Expect::None), "{}: no false-positive vector", rule.id);
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
    for c in &v.cases {
        let (name, rule, text) = (&c.name, c.rule.as_str(), c.text.as_str());
        let found = scanner.scan(text);
        match (c.expect, &c.secret) {
            (Expect::Match, Some(secret)) => {
                let hit = found.iter().find(|f| f.rule == rule && &text[f.start..f.end] == secret);
                match hit {
                    None => failures.push(format!(
                        "{name}: {rule} missed {secret:?} in {text:?} (found {:?})",
                        found.iter().map(|f| f.rule).collect::<Vec<_>>()
                    )),
                    Some(f) => {
                        if f.masked.contains(secret.as_str()) || (secret.len() > 8 && f.masked.len() >= secret.len() && f.masked == *secret) {
                            failures.push(format!("{name}: {rule}: finding echoes the secret"));
                        }
                    }
                }
            }
            (Expect::None, None) if rule == "*" => {
                if !found.is_empty() {
                    failures.push(format!("{name}: {:?} fired on {text:?}", found.iter().map(|f| f.rule).collect::<Vec<_>>()));
                }
            }
            (Expect::None, None) => {
                if found.iter().any(|f| f.rule == rule) {
                    failures.push(format!("{name}: {rule}: false positive on {text:?}"));
                }
            }
            (Expect::Match, None) => failures.push(format!("{name}: a `match` case without the secret it must find")),
            (Expect::None, Some(_)) => failures.push(format!("{name}: a `none` case with a secret")),
        }
    }
    assert!(failures.is_empty(), "{} of {} secret cases failed:\n{}", failures.len(), v.cases.len(), failures.join("\n"));
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
