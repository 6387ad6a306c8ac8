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

/// Entries people use to reach models outside the approved ones: arenas, multi-model and
/// bring-your-own-key front-ends, browser sidebars' web apps, regional assistants. Each host
/// classifies as its tool, and a path-scoped entry leaves the rest of its host alone.
#[test]
fn classifies_front_ends_sidebars_and_regional_assistants() {
    let c = Catalog::builtin();
    let cases = [
        ("https://lmarena.ai/", Some("lmarena")),
        ("https://chat.lmsys.org/", Some("lmarena")),
        ("https://t3.chat/chat/1", Some("t3-chat")),
        ("https://openrouter.ai/chat", Some("openrouter-chat")),
        ("https://openrouter.ai/api/v1/chat/completions", Some("openrouter")),
        ("https://www.typingmind.com/", Some("typingmind")),
        ("https://monica.im/home", Some("monica")),
        ("https://app.getmerlin.in/", Some("merlin")),
        ("https://sider.ai/chat", Some("sider")),
        ("https://harpa.ai/chat", Some("harpa")),
        ("https://lumo.proton.me/", Some("lumo")),
        ("https://mail.proton.me/", None),
        ("https://kagi.com/assistant", Some("kagi-assistant")),
        ("https://kagi.com/search?q=x", None),
        ("https://www.coze.cn/", Some("coze")),
        ("https://clova-x.naver.com/", Some("clova-x")),
        ("https://www.naver.com/", None),
        ("https://wrtn.ai/", Some("wrtn")),
        ("https://giga.chat/", Some("gigachat")),
        ("https://apps.abacus.ai/chatllm/", Some("abacus-chatllm")),
        ("https://www.blackbox.ai/", Some("blackbox-ai")),
        ("https://kimi.moonshot.cn/", Some("kimi")),
        ("https://chat.deepseek.com/", Some("deepseek")),
        ("https://www.doubao.com/chat/", Some("doubao")),
        ("https://yuanbao.tencent.com/", Some("yuanbao")),
    ];
    for (url, id) in cases {
        let got = c.classify(&RequestUrl::parse(url).unwrap()).map(|t| t.id.as_str());
        assert_eq!(got, id, "{url}");
    }
}

/// A catalog document with a bad entry is refused with the entry and the field named.
#[test]
fn catalog_errors_name_the_entry() {
    let entry = |category: &str, pattern: &str, source: &str| {
        format!(r#"{{"version": "1", "tools": [{{"id": "x", "name": "X", "vendor": "V", "category": "{category}",
            "patterns": ["{pattern}"], "source": "{source}"}}]}}"#)
    };
    let cases = [
        (entry("ai-chats", "x.example", "https://x.example/"), "unknown category `ai-chats`"),
        (entry("ai-chat", "x example", "https://x.example/"), "pattern `x example`"),
        (entry("ai-chat", "x.example", "x.example"), "source `x.example` is not an absolute https URL"),
        (entry("ai-chat", "x.example", "http://x.example/"), "source `http://x.example/` is not an absolute https URL"),
    ];
    for (doc, want) in cases {
        let err = Catalog::parse(&doc).err().unwrap_or_else(|| panic!("accepted: {doc}"));
        assert!(err.contains("tool `x`") && err.contains(want), "{err}");
    }
    assert!(Catalog::parse(&entry("ai-chat", "x.example", "https://x.example/")).is_ok());
}
