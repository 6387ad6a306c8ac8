//! Requests through a proxy that serves another site (`claude-ai.translate.goog` is claude.ai):
//! the engine's verdicts, and the network rules agreeing with them wherever the engine says
//! the rules cover a navigation.

use aiguard_engine::dnr::DnrOptions;
use aiguard_engine::policy::OtherRequests;
use aiguard_engine::{Action, Engine, FrameContext, Grants};
use serde_json::Value;

const BLOCK_CLAUDE: &str = r#"{"version": 1, "rules": [
    {"id": "claude", "action": "block", "patterns": ["claude.ai"]},
    {"id": "claude-docs", "action": "allow", "patterns": ["docs.claude.ai"]},
    {"id": "chatgpt-path", "action": "warn", "patterns": ["chatgpt.com/c"]},
    {"id": "qwen-exact", "action": "allow", "patterns": [".chat.qwen.ai"]},
    {"id": "qwen", "action": "block", "patterns": ["qwen.ai"]},
    {"id": "dashes", "action": "block", "patterns": ["my-tool.example"]},
    {"id": "ai-mode", "action": "warn", "patterns": ["google.com/search?udm=50"]},
    {"id": "https-only", "action": "block", "patterns": ["https://strict.example"]}]}"#;

const BLOCK_PROXY: &str = r#"{"version": 1, "rules": [
    {"id": "proxy", "action": "block", "patterns": ["translate.goog"]},
    {"id": "claude", "action": "warn", "patterns": ["claude.ai"]},
    {"id": "ok", "action": "allow", "patterns": ["ok.example"]}]}"#;

const WARN_PROXY: &str = r#"{"version": 1, "rules": [
    {"id": "proxy", "action": "warn", "patterns": ["translate.goog"]},
    {"id": "claude", "action": "block", "patterns": ["claude.ai"]},
    {"id": "ok", "action": "allow", "patterns": ["ok.example"]}]}"#;

const ALLOW_PROXY: &str = r#"{"version": 1, "rules": [
    {"id": "proxy", "action": "allow", "patterns": ["translate.goog"]},
    {"id": "claude", "action": "block", "patterns": ["claude.ai"]}]}"#;

const BLOCK_ALL: &str = r#"{"version": 1, "rules": [
    {"id": "everything", "action": "block", "patterns": ["*"]},
    {"id": "qwen", "action": "allow", "patterns": ["chat.qwen.ai"]}]}"#;

const NAMES_A_PROXY_HOST: &str = r#"{"version": 1, "rules": [
    {"id": "one", "action": "allow", "patterns": ["claude-ai.translate.goog"]},
    {"id": "claude", "action": "block", "patterns": ["claude.ai"]}]}"#;

fn engine(policy: Option<&str>) -> Engine {
    policy.map_or_else(Engine::builtin, |p| Engine::from_policy_json(p).unwrap())
}

/// A proxy URL may go only where both the proxy and the site it serves may: the more severe
/// verdict, the served site's on a tie.
#[test]
fn a_proxy_url_gets_the_more_severe_of_its_own_and_the_served_sites_verdict() {
    let cases: &[(Option<&str>, &str, Action, Option<&str>)] = &[
        (None, "https://claude-ai.translate.goog/new?_x_tr_sl=auto&_x_tr_tl=en", Action::Warn, Some("ai-tools")),
        (None, "https://api-openai-com.translate.goog/v1/chat/completions", Action::Warn, Some("ai-apis")),
        (None, "https://en-wikipedia-org.translate.goog/wiki/AI", Action::Allow, None),
        (None, "https://claude-ai.translate.goog.evil.com/", Action::Allow, None),
        (Some(BLOCK_CLAUDE), "https://claude-ai.translate.goog/", Action::Block, Some("claude")),
        (Some(BLOCK_CLAUDE), "https://api-claude-ai.translate.goog/", Action::Block, Some("claude")),
        (Some(BLOCK_CLAUDE), "https://docs-claude-ai.translate.goog/", Action::Allow, Some("claude-docs")),
        (Some(BLOCK_CLAUDE), "https://myclaude-ai.translate.goog/", Action::Allow, None),
        (Some(BLOCK_CLAUDE), "https://chat-qwen-ai.translate.goog/", Action::Allow, Some("qwen-exact")),
        (Some(BLOCK_CLAUDE), "https://x-chat-qwen-ai.translate.goog/", Action::Block, Some("qwen")),
        (Some(BLOCK_CLAUDE), "https://my--tool-example.translate.goog/", Action::Block, Some("dashes")),
        (Some(BLOCK_CLAUDE), "https://my-tool-example.translate.goog/", Action::Allow, None),
        (Some(BLOCK_CLAUDE), "https://www-google-com.translate.goog/search?q=x&udm=50&_x_tr_sl=auto", Action::Warn, Some("ai-mode")),
        (Some(BLOCK_CLAUDE), "https://www-google-com.translate.goog/search?q=x&_x_tr_sl=auto", Action::Allow, None),
        (Some(BLOCK_CLAUDE), "https://strict-example.translate.goog/", Action::Block, Some("https-only")),
        (Some(BLOCK_CLAUDE), "https://strict-example.translate.goog/?_x_tr_sch=http", Action::Allow, None),
        (Some(BLOCK_CLAUDE), "https://aude-ai.translate.goog/?_x_tr_hp=cl", Action::Block, Some("claude")),
        (Some(BLOCK_PROXY), "https://claude-ai.translate.goog/", Action::Block, Some("proxy")),
        (Some(BLOCK_PROXY), "https://ok-example.translate.goog/", Action::Block, Some("proxy")),
        (Some(BLOCK_PROXY), "https://claude.ai/", Action::Warn, Some("claude")),
        (Some(WARN_PROXY), "https://claude-ai.translate.goog/", Action::Block, Some("claude")),
        (Some(WARN_PROXY), "https://ok-example.translate.goog/", Action::Warn, Some("proxy")),
        (Some(ALLOW_PROXY), "https://claude-ai.translate.goog/", Action::Block, Some("claude")),
        (Some(ALLOW_PROXY), "https://other-example.translate.goog/", Action::Allow, Some("proxy")),
        (Some(BLOCK_ALL), "https://chat-qwen-ai.translate.goog/", Action::Block, Some("everything")),
        (Some(BLOCK_ALL), "https://chat.qwen.ai/", Action::Allow, Some("qwen")),
        (Some(NAMES_A_PROXY_HOST), "https://claude-ai.translate.goog/", Action::Block, Some("claude")),
    ];
    for (policy, url, action, rule) in cases {
        let got = engine(*policy).verdict(url).unwrap();
        assert_eq!((got.action, got.rule.as_deref()), (*action, *rule), "{url} under {}", policy.unwrap_or("the built-in policy"));
    }
}

/// The warn page names the served site's tool and the proxy, and a grant is for the host in
/// the address bar only.
#[test]
fn the_explanation_names_the_served_tool_and_the_proxy() {
    let e = Engine::builtin();
    let x = e.explain("https://chat-deepseek-com.translate.goog/?_x_tr_sl=zh-CN&_x_tr_tl=en", &Grants::new(), 0.0).unwrap();
    assert_eq!(x.action, Action::Warn);
    assert_eq!(x.tool.map(|t| t.id).as_deref(), Some("deepseek"));
    let proxy = x.proxy.expect("through a proxy");
    assert_eq!((proxy.name.as_str(), proxy.url.as_str()), ("Google Translate", "https://chat.deepseek.com/"));
    assert_eq!(x.host, "chat-deepseek-com.translate.goog");
    assert_eq!(x.url, "https://chat-deepseek-com.translate.goog/?_x_tr_sl=zh-CN&_x_tr_tl=en");

    let mut grants = Grants::new();
    grants.add("chat-deepseek-com.translate.goog", "https://chat-deepseek-com.translate.goog/", 10.0);
    assert_eq!(e.explain("https://chat-deepseek-com.translate.goog/x", &grants, 0.0).unwrap().action, Action::Allow);
    assert_eq!(e.explain("https://chat.deepseek.com/", &grants, 0.0).unwrap().action, Action::Warn);
    assert!(e.explain("https://example.com/", &grants, 0.0).unwrap().proxy.is_none());
}

/// Content checks follow the served site: a proxied AI tool's page is in scope.
#[test]
fn a_proxied_tools_page_is_in_content_scope() {
    let e = Engine::builtin();
    assert!(e.scans_page("https://claude-ai.translate.goog/new"));
    assert!(e.scans_frame(&FrameContext { url: Some("about:blank"), tab_url: Some("https://chatgpt-com.translate.goog/"), ..Default::default() }));
    assert!(!e.scans_page("https://en-wikipedia-org.translate.goog/wiki/AI"));
    assert!(!e.scans_page("https://claude-ai.translate.goog.evil.com/"));
}

// --- The network rules, matched as the browser matches them ------------------------------------

/// `urlFilter` syntax as a regex: `||` a domain anchor, `|` an anchor, `^` a separator, `*`
/// anything.
fn url_filter_regex(filter: &str) -> regex::Regex {
    let mut re = String::new();
    let mut rest = filter;
    if let Some(r) = rest.strip_prefix("||") {
        re.push_str(r"^[a-z][a-z0-9+.-]*://(?:[^/?#]*@)?(?:[^/?#@]*\.)?");
        rest = r;
    } else if let Some(r) = rest.strip_prefix('|') {
        re.push('^');
        rest = r;
    }
    for c in rest.chars() {
        match c {
            '^' => re.push_str(r"(?:[^A-Za-z0-9_.%-]|$)"),
            '*' => re.push_str(".*"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    regex::Regex::new(&re).unwrap()
}

/// What the network rules do to a request for `url`: `Some(action)` of the winning rule, `None`
/// when no rule matches.
fn network_action(rules: &[Value], url: &str, frame: bool) -> Option<Action> {
    let host = url.split("://").nth(1).unwrap().split(['/', '?', '#']).next().unwrap();
    let host = host.rsplit('@').next().unwrap();
    let host = match host.strip_prefix('[') {
        Some(v6) => &host[..v6.find(']').unwrap() + 2],
        None => host.split(':').next().unwrap(),
    };
    let mut best: Option<(u64, u8, Action)> = None;
    for r in rules {
        let c = &r["condition"];
        let types_match = match (c["resourceTypes"].as_array(), frame) {
            (Some(types), _) => types.iter().any(|t| t == "main_frame") == frame,
            (None, _) => !frame,
        };
        if !types_match {
            continue;
        }
        if let Some(domains) = c["requestDomains"].as_array() {
            if !domains.iter().any(|d| host == d || host.ends_with(&format!(".{}", d.as_str().unwrap()))) {
                continue;
            }
        }
        if let Some(re) = c["regexFilter"].as_str() {
            if !regex::Regex::new(re).unwrap().is_match(url) {
                continue;
            }
        }
        if let Some(f) = c["urlFilter"].as_str() {
            if !url_filter_regex(f).is_match(url) {
                continue;
            }
        }
        let (action, tie) = match r["action"]["type"].as_str().unwrap() {
            "allow" => (Action::Allow, 3),
            "block" => (Action::Block, 2),
            _ if r["action"]["redirect"]["extensionPath"].as_str().unwrap().contains("block") => (Action::Block, 1),
            _ => (Action::Warn, 1),
        };
        let key = (r["priority"].as_u64().unwrap(), tie, action);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map(|b| b.2)
}

/// Wherever the engine says the network rules cover a navigation, they give it the engine's
/// action, for pages and (for a block) for every other request type; the URLs the engine
/// leaves to the navigation check are the spellings the rules cannot read.
#[test]
fn network_rules_agree_with_the_engine_wherever_they_claim_to() {
    let urls = [
        "https://claude-ai.translate.goog/", "https://claude-ai.translate.goog/new?_x_tr_sl=auto&_x_tr_tl=en&_x_tr_hl=en&_x_tr_pto=wapp",
        "https://api-claude-ai.translate.goog/v1", "https://docs-claude-ai.translate.goog/", "https://myclaude-ai.translate.goog/",
        "https://foo--claude-ai.translate.goog/", "https://chat-qwen-ai.translate.goog/", "https://x-chat-qwen-ai.translate.goog/",
        "https://chatgpt-com.translate.goog/c/1", "https://chatgpt-com.translate.goog/", "https://my--tool-example.translate.goog/",
        "https://www-google-com.translate.goog/search?q=x&udm=50&_x_tr_sl=auto", "https://www-google-com.translate.goog/search?udm=5",
        "https://strict-example.translate.goog/", "https://ok-example.translate.goog/", "https://other-example.translate.goog/",
        "https://api-openai-com.translate.goog/v1/chat/completions", "https://chat-deepseek-com.translate.goog/",
        "https://en-wikipedia-org.translate.goog/wiki/AI", "https://claude-ai.translate.goog.evil.com/",
        "https://aude-ai.translate.goog/?_x_tr_hp=cl", "https://1-claude-ai.translate.goog/?_x_tr_enc=1",
        "https://translate.goog/", "https://claude.ai/", "https://chat.qwen.ai/", "https://www-bing-com.translate.goog/chat",
        "https://10-1-2-3.translate.goog/", "https://gemini-google-com.translate.goog/app",
    ];
    let mut checked = 0;
    for policy in [None, Some(BLOCK_CLAUDE), Some(BLOCK_PROXY), Some(WARN_PROXY), Some(ALLOW_PROXY), Some(BLOCK_ALL), Some(NAMES_A_PROXY_HOST)] {
        let e = engine(policy);
        let rules = e.dnr_rules(&DnrOptions::default()).rules;
        for url in urls {
            let verdict = e.verdict(url).unwrap();
            let want = verdict.action;
            if !e.network_rules_cover(url) {
                continue;
            }
            checked += 1;
            let pages = network_action(&rules, url, true).unwrap_or(Action::Allow);
            let requests = network_action(&rules, url, false).unwrap_or(Action::Allow);
            let label = format!("{url} under {}", policy.unwrap_or("the built-in policy"));
            assert_eq!(pages, want, "pages: {label}");
            let blocks_others = e.policy().rules.iter().any(|r| Some(&r.id) == verdict.rule.as_ref() && r.other_requests == OtherRequests::Block);
            let want_requests = want == Action::Block || (want == Action::Warn && blocks_others);
            assert_eq!(requests == Action::Block, want_requests, "other requests (from a page of another site): {label}");
        }
    }
    assert!(checked > 100, "{checked} covered cases");
    // The spellings a regex cannot read are the navigation check's.
    for url in ["https://aude-ai.translate.goog/?_x_tr_hp=cl", "https://1-claude-ai.translate.goog/?_x_tr_enc=1"] {
        assert!(!Engine::builtin().network_rules_cover(url), "{url}");
    }
}

/// Under a policy that names one of the proxy's hosts, no proxied forms are compiled: the
/// navigation check judges every proxy URL the served site decides.
#[test]
fn a_policy_naming_a_proxy_host_leaves_proxy_urls_to_the_navigation_check() {
    let e = engine(Some(NAMES_A_PROXY_HOST));
    let c = e.dnr_rules(&DnrOptions::default());
    assert!(c.rules.iter().all(|r| r["priority"].as_u64().unwrap() < 20_000_000));
    assert!(c.skipped.iter().any(|s| s.starts_with("*.translate.goog")), "{:?}", c.skipped);
    assert!(!e.network_rules_cover("https://claude-ai.translate.goog/"));
}

/// "Continue" on a proxy URL outranks the proxied warn that stopped it, and nothing more.
#[test]
fn a_grant_on_a_proxy_host_outranks_the_proxied_warn() {
    let e = Engine::builtin();
    let rules = e.dnr_rules(&DnrOptions::default()).rules;
    let url = "https://claude-ai.translate.goog/new";
    assert_eq!(network_action(&rules, url, true), Some(Action::Warn));
    let mut with_grant = rules.clone();
    with_grant.push(e.grant_rule(99_999, url).unwrap().expect("warned"));
    assert_eq!(network_action(&with_grant, url, true), Some(Action::Allow));
    assert_eq!(network_action(&with_grant, "https://claude.ai/new", true), Some(Action::Warn), "the grant is for the proxy host only");
}
