//! Text carried in an address: the engine's check of a navigation's query and fragment, and the
//! network rules that send such navigations to the warn page before their request leaves,
//! matched here as the browser matches them.

use aiguard_engine::dnr::DnrOptions;
use aiguard_engine::{Action, Engine};
use serde_json::Value;

/// (url, flagged: Some(whether the content check flags it) or None when nothing is checked,
/// whether the network rules stop it for the check)
const ADDRESSES: &[(&str, Option<bool>, bool)] = &[
    ("https://chatgpt.com/?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2", Some(true), true),
    ("https://chatgpt.com/?q=aws_access_key_id+%3D+AKIAFLHBMUAPTT2ZN5X2&hints=search", Some(true), true),
    ("https://chatgpt.com/?q=what+is+a+monad", Some(false), true),
    ("https://claude.ai/new?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2", Some(true), true),
    // Nothing carried; out of scope.
    ("https://chatgpt.com/", None, false),
    ("https://example.com/?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2", None, false),
    // A fragment never reaches the network: the background redirects it itself.
    ("https://chatgpt.com/#q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2", Some(true), false),
    // A search engine's AI mode is in scope; its ordinary search is not.
    ("https://www.google.com/search?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2&udm=50", Some(true), true),
    ("https://www.google.com/search?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2", None, false),
    // Through a proxy: checked, by the background.
    ("https://chatgpt-com.translate.goog/?q=aws_access_key_id%3DAKIAFLHBMUAPTT2ZN5X2&_x_tr_sl=auto", Some(true), false),
];

#[test]
fn the_address_is_checked_as_content() {
    let e = Engine::builtin();
    for &(url, flagged, stop) in ADDRESSES {
        let check = e.check_address(url);
        assert_eq!(check.as_ref().map(|c| c.verdict.action != Action::Allow), flagged, "{url}");
        if let Some(c) = check {
            assert_eq!(c.network_rules_stop, stop, "{url}");
        }
    }
}

/// Whether one of `rules` (all redirects to the warn page) matches a frame navigation to `url`.
fn matched(rules: &[Value], url: &str) -> bool {
    let host = url.split("://").nth(1).unwrap().split(['/', '?', '#', ':']).next().unwrap();
    rules.iter().any(|r| {
        let c = &r["condition"];
        let domains_match = c["requestDomains"].as_array().is_none_or(|ds| {
            ds.iter().any(|d| host == d || host.ends_with(&format!(".{}", d.as_str().unwrap())))
        });
        // DNR matches the URL without its fragment.
        let url = url.split('#').next().unwrap();
        domains_match && regex::Regex::new(c["regexFilter"].as_str().unwrap()).unwrap().is_match(url)
    })
}

#[test]
fn the_network_rules_stop_exactly_what_they_claim_to() {
    let e = Engine::builtin();
    let rules = e.url_content_rules(&DnrOptions { first_id: 500_000, ..DnrOptions::default() });
    assert!(!rules.is_empty());
    for r in &rules {
        assert_eq!(r["action"]["redirect"]["extensionPath"], "/pages/warn.html", "{r}");
        assert!(r["priority"].as_u64().unwrap() > 1_000_000_000 - 1);
    }
    for &(url, _, stop) in ADDRESSES {
        assert_eq!(matched(&rules, url), stop, "{url}");
    }
    // The one-off pass outranks them, for its tab and URL only.
    let pass = aiguard_engine::dnr::url_content::pass_rule(7, "https://chatgpt.com/?q=a.b", 42);
    assert!(pass["priority"].as_u64() > rules[0]["priority"].as_u64());
    assert_eq!(pass["condition"]["tabIds"], serde_json::json!([42]));
    let re = regex::Regex::new(pass["condition"]["regexFilter"].as_str().unwrap()).unwrap();
    assert!(re.is_match("https://chatgpt.com/?q=a.b"));
    assert!(!re.is_match("https://chatgpt.com/?q=aXb"));
}

#[test]
fn every_page_in_scope_takes_one_rule_for_any_host() {
    let e = Engine::from_policy_json(r#"{"version": 1, "content": {"scope": "all"}}"#).unwrap();
    let rules = e.url_content_rules(&DnrOptions::default());
    assert_eq!(rules.len(), 1);
    assert!(rules[0]["condition"].get("requestDomains").is_none());
    assert!(matched(&rules, "https://example.com/x?q=1"));
    assert!(!matched(&rules, "https://example.com/x"));
}

/// With the extension's origin known, the redirect carries the whole original URL into the
/// warn page's address: Chrome's substitution keeps what the regex did not match, so its regexes
/// need only be anchored at the URL's start; Firefox's keeps only the match, so there they match
/// to the end.
#[test]
fn the_redirect_carries_the_whole_url() {
    let e = Engine::builtin();
    for (base, whole) in [("chrome-extension://x", false), ("moz-extension://x", true)] {
        let opts = DnrOptions { extension_base: Some(base.into()), ..DnrOptions::default() };
        let rules = e.url_content_rules(&opts);
        let target = format!("{base}/pages/warn.html#url=\\0");
        for &(url, _, _) in ADDRESSES.iter().filter(|a| a.2) {
            let url = url.split('#').next().unwrap();
            let carried = rules.iter().any(|r| {
                let re = regex::Regex::new(r["condition"]["regexFilter"].as_str().unwrap()).unwrap();
                r["action"]["redirect"]["regexSubstitution"] == target.as_str()
                    && re.find(url).is_some_and(|m| m.start() == 0 && (!whole || m.end() == url.len()))
            });
            assert!(carried, "{base} {url}");
        }
        for r in e.dnr_rules(&opts).rules.iter().chain(&rules) {
            if r["action"]["redirect"].get("regexSubstitution").is_some() {
                let re = r["condition"]["regexFilter"].as_str().unwrap();
                assert!(re.starts_with('^') || re.starts_with("(?:^"), "{r}");
                assert!(!whole || re.ends_with(".*") || re.ends_with('$'), "{r}");
            }
        }
    }
}
