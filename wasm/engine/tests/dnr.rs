//! The policy → declarativeNetRequest compiler: rule shapes and priorities.

use aiguard_engine::dnr::proxied::PROXY_BAND;
use aiguard_engine::dnr::{DnrOptions, MAX_REGEX_RULES};
use aiguard_engine::Engine;
use serde_json::Value;

/// The rules for URLs as they are: without the proxied forms (`dnr::proxied`, tested in
/// `url_proxies.rs`) that every filter with a host also gets.
fn compile(policy: &str) -> aiguard_engine::dnr::DnrCompilation {
    let mut c = Engine::from_policy_json(policy).unwrap().dnr_rules(&DnrOptions::default());
    c.rules.retain(|r| r["priority"].as_u64().unwrap() < u64::from(PROXY_BAND));
    c.skipped.retain(|s| !s.contains(" via "));
    c
}

fn find<'a>(rules: &'a [Value], pred: impl Fn(&Value) -> bool) -> Vec<&'a Value> {
    rules.iter().filter(|r| pred(r)).collect()
}

#[test]
fn host_rules_are_packed_by_action_and_priority() {
    let c = compile(r#"{"version": 1, "rules": [
        {"id": "b", "action": "block", "patterns": ["a.com", "b.com", "x.y.com"]},
        {"id": "w", "action": "warn", "patterns": ["c.com"]}]}"#);
    let block_frames = find(&c.rules, |r| r["action"]["type"] == "redirect"
        && r["action"]["redirect"]["extensionPath"] == "/pages/block.html"
        && r["condition"]["requestDomains"].as_array().is_some_and(|d| d.len() == 2));
    assert_eq!(block_frames.len(), 1, "{:#?}", c.rules);
    assert_eq!(block_frames[0]["condition"]["resourceTypes"], serde_json::json!(["main_frame", "sub_frame"]));
    // Blocked hosts also block every other request type (fetch, XHR, WebSocket...).
    assert!(c.rules.iter().any(|r| r["action"]["type"] == "block"
        && r["condition"]["excludedResourceTypes"] == serde_json::json!(["main_frame", "sub_frame"])));
    // Warned hosts redirect frames only.
    let warn: Vec<_> = find(&c.rules, |r| r["condition"]["requestDomains"] == serde_json::json!(["c.com"]));
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0]["action"]["redirect"]["extensionPath"], "/pages/warn.html");
}

#[test]
fn more_specific_filters_get_higher_priority() {
    let c = compile(r#"{"version": 1, "rules": [
        {"id": "qwen", "action": "warn", "patterns": ["qwen.ai"]},
        {"id": "chat", "action": "allow", "patterns": ["chat.qwen.ai"]},
        {"id": "path", "action": "block", "patterns": ["chat.qwen.ai/admin"]}]}"#);
    let prio = |pred: &dyn Fn(&Value) -> bool| c.rules.iter().find(|r| pred(r)).unwrap()["priority"].as_u64().unwrap();
    let warn = prio(&|r| r["condition"]["requestDomains"] == serde_json::json!(["qwen.ai"]));
    let allow = prio(&|r| r["condition"]["requestDomains"] == serde_json::json!(["chat.qwen.ai"]));
    let block = prio(&|r| r["condition"]["urlFilter"] == "||chat.qwen.ai/admin");
    assert!(warn < allow && allow < block, "{warn} {allow} {block}");
}

#[test]
fn allow_rules_cover_main_frames_explicitly() {
    // A DNR rule without resource types never matches main_frame.
    let c = compile(r#"{"version": 1, "rules": [{"id": "a", "action": "allow", "patterns": ["ok.com"]}]}"#);
    assert_eq!(c.rules.len(), 2);
    assert!(c.rules.iter().all(|r| r["action"]["type"] == "allow"));
    assert!(c.rules.iter().any(|r| r["condition"]["resourceTypes"] == serde_json::json!(["main_frame", "sub_frame"])));
}

/// Whether a DNR condition of the `requestDomains` + `regexFilter` shape matches `url`.
fn condition_matches(condition: &Value, url: &str) -> bool {
    let host = url.split("://").nth(1).unwrap().split(['/', '?', '#', ':']).next().unwrap();
    let host = host.rsplit('@').next().unwrap();
    let domains = condition["requestDomains"].as_array().unwrap();
    let in_domains = domains.iter().any(|d| {
        let d = d.as_str().unwrap();
        host == d || host.ends_with(&format!(".{d}"))
    });
    in_domains && regex::Regex::new(condition["regexFilter"].as_str().unwrap()).unwrap().is_match(url)
}

#[test]
fn query_token_filters_compile_to_host_plus_regex_and_match_like_the_engine() {
    let policy = r#"{"version": 1, "rules": [{"id": "q", "action": "block",
        "patterns": ["auth.example.com/oauth?cid=a1&m=cli*"]}]}"#;
    let c = compile(policy);
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let frames = find(&c.rules, |r| r["condition"]["resourceTypes"].is_array());
    assert_eq!(frames.len(), 1, "{:#?}", c.rules);
    let condition = &frames[0]["condition"];
    assert_eq!(condition["requestDomains"], serde_json::json!(["auth.example.com"]));
    let engine = Engine::from_policy_json(policy).unwrap();
    for url in [
        "https://auth.example.com/oauth?cid=a1&m=cli",
        "https://auth.example.com/oauth?m=cli-login&cid=a1",
        "https://auth.example.com/oauth?a=1&cid=a1&b=2&m=cli#frag",
        "https://eu.auth.example.com/oauth/next?cid=a1&m=cli",
        "http://user@auth.example.com:8443/oauth?cid=a1&m=cli",
        "https://auth.example.com/oauthorize?cid=a1&m=cli",
        "https://auth.example.com/oauth?cid=a12&m=cli",
        "https://auth.example.com/oauth?cid=a1",
        "https://auth.example.com/oauth?x=cid=a1&m=cli",
        "https://auth.example.com/oauth?cid=a1&xm=cli",
        "https://auth.example.com/other/oauth?cid=a1&m=cli",
        "https://auth.example.com/oauth#cid=a1&m=cli",
        "https://auth.example.com/oauth?cid=a1#&m=cli",
        "https://example.com/oauth?cid=a1&m=cli",
    ] {
        let engine_says = engine.verdict(url).unwrap().rule.is_some();
        assert_eq!(condition_matches(condition, url), engine_says, "{url}");
    }
}

#[test]
fn query_filters_over_the_regex_budget_are_left_to_the_navigation_check() {
    let c = compile(r#"{"version": 1, "rules": [{"id": "q", "action": "block",
        "patterns": ["accounts.google.com/o/oauth2/v2/auth?client_id=681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com"]}]}"#);
    assert!(c.rules.is_empty());
    assert_eq!(c.skipped.len(), 1);
}

#[test]
fn builtin_policy_fits_the_browser_limits() {
    let c = Engine::builtin().dnr_rules(&DnrOptions::default());
    assert!(c.regex_rules <= MAX_REGEX_RULES);
    assert!(c.rules.len() < 5000, "{} rules", c.rules.len());
    let mut ids: Vec<u64> = c.rules.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), c.rules.len(), "rule ids are unique");
}

/// The engine reads `[::ffff:10.1.2.3]` as the host 10.1.2.3, so every network rule for an IPv4
/// host also matches that spelling, whichever condition shape the filter compiles to.
#[test]
fn ipv4_rules_also_match_the_mapped_ipv6_spelling() {
    let policy = r#"{"version": 1, "rules": [
        {"id": "host", "action": "block", "patterns": ["10.1.2.3"]},
        {"id": "path", "action": "block", "patterns": ["10.1.2.4/admin"]},
        {"id": "port", "action": "block", "patterns": ["http://10.9.9.9:8080"]},
        {"id": "warned", "action": "warn", "patterns": ["10.7.7.7"]}]}"#;
    let c = compile(policy);
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let url_filters: Vec<&str> = c.rules.iter().filter_map(|r| r["condition"]["urlFilter"].as_str()).collect();
    for want in ["|https://10.1.2.3^", "|https://[::ffff:a01:203]^", "|wss://[::ffff:a01:203]^", "|http://[::ffff:a01:204]/admin"] {
        assert!(url_filters.contains(&want), "no {want} in {url_filters:?}");
    }
    let regexes: Vec<regex::Regex> = c.rules.iter()
        .filter_map(|r| r["condition"]["regexFilter"].as_str())
        .map(|r| regex::Regex::new(r).unwrap())
        .collect();
    let regex_matches = |url: &str| regexes.iter().any(|r| r.is_match(url));
    let engine = Engine::from_policy_json(policy).unwrap();
    for (url, port_rule) in [
        ("http://10.9.9.9:8080/", true),
        ("http://[::ffff:a09:909]:8080/x", true),
        ("http://[::ffff:a09:90a]:8080/", false),
        ("http://[::a09:909]:8080/", false),
        ("https://[::ffff:a09:909]:8080/", false),
    ] {
        assert_eq!(regex_matches(url), port_rule, "{url}");
        assert_eq!(engine.verdict(url).unwrap().rule.as_deref() == Some("port"), port_rule, "{url}");
    }
    // "Continue" on one spelling holds for the other: the grant's host is the IPv4 address.
    let grant = engine.grant_rule(9, "http://[::ffff:10.7.7.7]/").unwrap().expect("a warned URL");
    let grant = regex::Regex::new(grant["condition"]["regexFilter"].as_str().unwrap()).unwrap();
    assert!(grant.is_match("http://10.7.7.7/") && grant.is_match("https://[::ffff:a07:707]/"));
    assert!(!grant.is_match("http://10.7.7.70/"));
}

/// A warn rule with `otherRequests: block` still sends page loads to the warn page and blocks
/// every other request, except those its own hosts' pages make; without it, a warn stops page
/// loads only.
#[test]
fn a_warn_rule_can_block_the_requests_other_pages_make() {
    let c = compile(r#"{"version": 1, "rules": [
        {"id": "apis", "action": "warn", "otherRequests": "block", "patterns": ["api.example", "console.example/keys"]},
        {"id": "chat", "action": "warn", "patterns": ["chat.example"]}]}"#);
    let for_host = |host: &str| -> Vec<&Value> {
        c.rules.iter().filter(|r| {
            r["condition"]["requestDomains"] == serde_json::json!([host])
                || r["condition"]["urlFilter"].as_str().is_some_and(|f| f.contains(host))
        }).collect()
    };
    for host in ["api.example", "console.example"] {
        let rules = for_host(host);
        assert_eq!(rules.len(), 2, "{host}: {rules:#?}");
        let page = rules.iter().find(|r| r["condition"]["resourceTypes"].is_array()).unwrap();
        assert_eq!(page["action"]["redirect"]["extensionPath"], "/pages/warn.html");
        let others = rules.iter().find(|r| r["condition"]["excludedResourceTypes"].is_array()).unwrap();
        assert_eq!(others["action"]["type"], "block");
        assert_eq!(others["condition"]["excludedInitiatorDomains"], serde_json::json!(["api.example", "console.example"]));
        assert_eq!(others["priority"], page["priority"]);
    }
    let chat = for_host("chat.example");
    assert_eq!(chat.len(), 1, "a plain warn stops page loads only");
}

/// The built-in policy warns on AI API hosts and blocks what other pages send them, so that a
/// page outside the catalog cannot call an AI API with the employee's key.
#[test]
fn the_builtin_policy_blocks_other_pages_requests_to_ai_apis() {
    let e = Engine::builtin();
    let c = e.dnr_rules(&DnrOptions::default());
    assert_eq!(e.verdict("https://api.openai.com/v1/chat/completions").unwrap().rule.as_deref(), Some("ai-apis"));
    assert_eq!(e.verdict("https://api.openai.com/").unwrap().action, aiguard_engine::Action::Warn);
    let blocks = |host: &str| c.rules.iter().any(|r| {
        r["action"]["type"] == "block"
            && r["condition"]["requestDomains"].as_array().is_some_and(|d| d.iter().any(|d| d == host))
    });
    for host in ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "api.deepseek.com", "dashscope.aliyuncs.com"] {
        assert!(blocks(host), "{host}");
    }
    for host in ["chatgpt.com", "claude.ai"] {
        assert!(!blocks(host), "{host}: a warned chat tool's requests pass");
    }
}
