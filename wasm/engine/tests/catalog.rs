//! The built-in catalog: coverage, well-formed entries, and the facts the default policy and the
//! warn page rely on.

use std::collections::HashSet;

use aiguard_engine::catalog::{Catalog, CATEGORIES};
use aiguard_engine::url_filter::RequestUrl;

#[test]
fn catalog_is_large_and_well_formed() {
    let c = Catalog::builtin();
    assert!(c.tools.len() >= 60, "{} entries", c.tools.len());
    let mut ids = HashSet::new();
    let mut patterns = HashSet::new();
    for t in &c.tools {
        assert!(ids.insert(&t.id), "duplicate id {}", t.id);
        assert!(CATEGORIES.contains(&t.category.as_str()));
        assert!(!t.patterns.is_empty(), "{} has no patterns", t.id);
        assert!(t.source.starts_with("https://"), "{} has no source", t.id);
        for p in &t.patterns {
            assert!(patterns.insert(p.clone()), "pattern {p} listed twice");
            // Chrome's documentation writes queries as `[@query]`; in a real filter `@` would
            // be part of the path and never match. Queries go after `?`.
            assert!(!p.contains('@'), "{}: `{p}` uses @ for a query", t.id);
            assert_ne!(p.trim(), "*", "{}: a catalog entry must not match every host", t.id);
        }
    }
    for cat in CATEGORIES {
        assert!(c.tools.iter().filter(|t| t.category == *cat).count() >= 10, "few {cat} entries");
    }
}

#[test]
fn classifies_tools_by_most_specific_pattern() {
    let c = Catalog::builtin();
    let class = |u: &str| c.classify(&RequestUrl::parse(u).unwrap()).map(|t| t.category.clone());
    assert_eq!(class("https://claude.ai/new").as_deref(), Some("ai-chat"));
    assert_eq!(class("https://claude.ai/oauth/authorize?client_id=x").as_deref(), Some("ai-code"));
    assert_eq!(class("https://api.openai.com/v1/chat/completions").as_deref(), Some("ai-api"));
    assert_eq!(class("https://chatgpt.com/").as_deref(), Some("ai-chat"));
    assert_eq!(class("https://github.com/rust-lang/rust"), None);
    assert_eq!(class("https://accounts.google.com/o/oauth2/v2/auth?client_id=someone-else"), None);
}
