//! Compiling a policy into `declarativeNetRequest` rules, so that navigations and requests are
//! stopped inside the browser's network stack before anything leaves the machine.
//!
//! The engine stays the single source of truth: the extension never writes a rule itself.
//!
//! Chrome's filter selection (longest host, then longest path, then most query tokens, then the
//! most permissive action) is a lexicographic order, so it maps onto DNR's single integer
//! `priority`:
//!
//! ```text
//! priority = 1 + labels(host) * 100_000 + min(path_len, 999) * 100 + min(query_tokens, 9) * 10 + rank
//!            rank: block 0, warn 1, allow 2, "continue" grant 3
//! ```
//!
//! Every DNR rule that a URL matches stands for a policy filter that matches it, and the highest
//! priority is the filter Chrome's algorithm selects. Filters of the most common shape (a host
//! with its subdomains, any scheme, port, path and query) with the same action and priority are
//! packed into one rule's `requestDomains`; a host with a path becomes a `urlFilter`; scheme and
//! port constraints and query tokens become a `regexFilter` (query tokens in every order, as
//! alternatives). What DNR cannot express exactly (non-network schemes, a regex over Chrome's
//! size cap) is left to the navigation check: the extension asks the engine about every
//! top-level navigation before it commits.
//!
//! Every filter with a host is compiled once more as requests through a proxy spell it
//! (`claude-ai.translate.goog`), in a priority band of its own: see [`proxied`]. Navigations
//! that carry text in their query to a page whose content is checked go to the warn page first,
//! in a band above both: see [`url_content`].
//!
//! Per action: `block` redirects frames to the block page and blocks every other request type
//! (fetch, XHR, WebSocket, images...); `warn` redirects frames to the warn page (a fetch can't
//! show an interstitial, and a warned tool is by definition allowed after "Continue") and, with
//! `otherRequests: block`, blocks every other request but those its own hosts' pages make
//! (`excludedInitiatorDomains`); `allow` allows every type, overriding broader rules.

pub mod proxied;
pub mod url_content;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::policy::{OtherRequests, Policy};
use crate::url_filter::{mapped_ipv6_literal, HostPattern, QueryToken, UrlFilter};
use crate::verdict::Action;

/// Chrome's cap on regex rules per extension (dynamic and per static ruleset).
pub const MAX_REGEX_RULES: usize = 1000;

const FRAMES: [&str; 2] = ["main_frame", "sub_frame"];

/// Where the extension's pages live and which rule ids to use.
#[derive(Clone, Debug)]
pub struct DnrOptions {
    pub warn_page: String,
    pub block_page: String,
    pub first_id: u32,
    /// The extension's origin (`chrome-extension://<id>`), when known: redirects then carry the
    /// original URL to the page. Known at run time in every browser; at build time only for
    /// Chrome, whose id is fixed by the manifest key.
    pub extension_base: Option<String>,
}

impl Default for DnrOptions {
    fn default() -> Self {
        DnrOptions {
            warn_page: "/pages/warn.html".into(),
            block_page: "/pages/block.html".into(),
            first_id: 1,
            extension_base: None,
        }
    }
}

/// Regexes longer than this risk Chrome's 2 KB compiled-size cap (checked against the real
/// browser by the end-to-end tests); such filters are left to the navigation check.
const MAX_REGEX_LEN: usize = 120;

/// What RE2 spends memory on, roughly: one instruction per literal byte and several per
/// character class. Chrome refuses a regex over 2 KB of compiled program; measured with
/// `isRegexSupported`: a Codex sign-in filter (53 literal bytes, 6 classes) fits, a Gemini one
/// (101 literal bytes) does not. Over the budget, the navigation check enforces the filter.
const MAX_REGEX_COST: usize = 130;

fn regex_cost(re: &str) -> usize {
    let (mut literal, mut classes, mut in_class, mut escaped) = (0, 0, false, false);
    for c in re.chars() {
        match (in_class, escaped, c) {
            (_, true, _) => {
                escaped = false;
                literal += usize::from(!in_class);
            }
            (_, false, '\\') => escaped = true,
            (false, false, '[') => {
                in_class = true;
                classes += 1;
            }
            (true, false, ']') => in_class = false,
            (true, false, _) => {}
            (false, false, '(' | ')' | '?' | ':' | '*' | '|' | '^' | '$' | '+') => {}
            (false, false, _) => literal += 1,
        }
    }
    literal + 6 * classes
}

/// The regex for a query filter whose host `requestDomains` already checks: any scheme and
/// authority, the path prefix, then the tokens in any order.
fn path_and_query_regex(f: &UrlFilter) -> String {
    let mut re = String::from(r"^[a-z][a-z0-9+.-]*://");
    if f.path.is_empty() {
        re.push_str(&format!(r"{PATH_REST}*\?"));
    } else {
        re.push_str(&format!("{AUTHORITY}*{}{PATH_REST}*\\?", escape(&f.path)));
    }
    re.push_str(&query_tokens_regex(&f.query));
    re
}

enum Condition {
    /// A host with its subdomains, nothing else: packed into `requestDomains`.
    Domain(String),
    /// One or more DNR conditions (without resource types) that together match exactly the
    /// filter's URLs on default ports.
    Other(Vec<Value>),
}

/// How the network layer expresses a filter, or `None` when it can't do so exactly
/// (non-network schemes; regexes over the size cap, such as many query tokens, whose every
/// order is spelled out).
/// Those filters are enforced by the navigation check, which asks the engine for every
/// top-level navigation before it commits.
fn network_condition(f: &UrlFilter) -> Option<Condition> {
    if let Some(s) = &f.scheme {
        if !matches!(s.as_str(), "http" | "https" | "ws" | "wss") {
            return None;
        }
    }
    let (host, subdomains) = match &f.host {
        HostPattern::Name { host, subdomains } => (host.as_str(), *subdomains),
        HostPattern::Any => ("", true),
    };
    let any_host = host.is_empty();
    // Host-only: the packed form.
    let plain = f.scheme.is_none() && f.port.is_none() && f.query.is_empty();
    if !any_host && subdomains && plain && f.path.is_empty() {
        return Some(Condition::Domain(host.to_string()));
    }
    // Host (and subdomains) plus a path, any scheme and port: `||host/path` is exact but for an
    // explicit non-default port, which the navigation check covers.
    if !any_host && plain && !f.path.contains(['*', '^', '|']) {
        if subdomains {
            return Some(Condition::Other(vec![json!({
                "urlFilter": format!("||{host}{}", f.path),
                "isUrlFilterCaseSensitive": true,
            })]));
        }
        let tail = if f.path.is_empty() { "^".to_string() } else { f.path.clone() };
        return Some(Condition::Other(
            url_spellings(host)
                .iter()
                .flat_map(|h| ["http", "https", "ws", "wss"].map(|s| format!("|{s}://{h}{tail}")))
                .map(|u| json!({"urlFilter": u, "isUrlFilterCaseSensitive": true}))
                .collect(),
        ));
    }
    // Query tokens on a host with its subdomains: the host goes to `requestDomains` and the
    // regex only spells out the path and the tokens, which keeps it inside Chrome's size cap.
    if !f.query.is_empty() && !any_host && subdomains && f.scheme.is_none() && f.port.is_none() {
        let re = path_and_query_regex(f);
        if regex_cost(&re) > MAX_REGEX_COST {
            return None;
        }
        return Some(Condition::Other(vec![json!({"requestDomains": [host], "regexFilter": re, "isUrlFilterCaseSensitive": true})]));
    }
    let regexes = filter_regexes(f);
    if regexes.iter().any(|r| r.len() > MAX_REGEX_LEN) {
        return None;
    }
    Some(Condition::Other(
        regexes.into_iter().map(|r| json!({"regexFilter": r, "isUrlFilterCaseSensitive": true})).collect(),
    ))
}

/// The compiled rule list plus what could not be expressed.
#[derive(Clone, Debug)]
pub struct DnrCompilation {
    pub rules: Vec<Value>,
    pub regex_rules: usize,
    /// Filters the network layer cannot express exactly; the navigation check covers them.
    pub skipped: Vec<String>,
}

/// The DNR priority of a filter with a given action rank (see the module docs).
pub fn priority(filter: &UrlFilter, rank: u8) -> u32 {
    let labels = match &filter.host {
        HostPattern::Any => 0,
        HostPattern::Name { host, .. } => 1 + host.matches('.').count() as u32,
    };
    1 + labels.min(127) * 100_000
        + (filter.path.len() as u32).min(999) * 100
        + (filter.query.len() as u32).min(9) * 10
        + rank as u32
}

/// Whether the network rules express `f` exactly (otherwise it is in
/// [`DnrCompilation::skipped`], and only the navigation check covers it).
pub fn expresses(f: &UrlFilter) -> bool {
    let web_scheme = f.scheme.as_deref().is_none_or(|s| matches!(s, "http" | "https" | "ws" | "wss"));
    web_scheme && network_condition(f).is_some()
}

/// Compiles a policy to DNR rules.
pub fn compile(policy: &Policy, opts: &DnrOptions) -> DnrCompilation {
    // (priority, rank, the rule whose `otherRequests: block` applies) → hosts.
    let mut packed: BTreeMap<(u32, u8, Option<usize>), Vec<String>> = BTreeMap::new();
    let mut other: Vec<(u32, Action, Option<usize>, Value)> = Vec::new();
    let mut skipped = Vec::new();
    for (r, rule) in policy.rules.iter().enumerate() {
        let rank = rule.action.permissiveness();
        let blocks_others = (rule.other_requests == OtherRequests::Block).then_some(r);
        for rf in &rule.filters {
            let f = &rf.filter;
            if let Some(s) = &f.scheme {
                if !matches!(s.as_str(), "http" | "https" | "ws" | "wss") {
                    skipped.push(f.to_string());
                    continue;
                }
            }
            let p = priority(f, rank);
            match network_condition(f) {
                Some(Condition::Domain(host)) => packed.entry((p, rank, blocks_others)).or_default().push(host),
                Some(Condition::Other(conds)) => {
                    for c in conds {
                        other.push((p, rule.action, blocks_others, c));
                    }
                }
                None => skipped.push(f.to_string()),
            }
        }
    }

    let (through_proxies, proxy_skipped) = proxied::compile(policy);
    other.extend(through_proxies);
    skipped.extend(proxy_skipped);

    // The pages whose requests each `otherRequests: block` rule lets through.
    let own_hosts: Vec<Vec<String>> = policy.rules.iter().map(|r| match r.other_requests {
        OtherRequests::Block => r.own_hosts(),
        OtherRequests::AsAction => Vec::new(),
    }).collect();
    let exempt = |rule: Option<usize>| rule.map(|r| own_hosts[r].as_slice());

    let mut out = DnrCompilation { rules: Vec::new(), regex_rules: 0, skipped };
    let mut id = opts.first_id;
    let mut push = |rules: &mut Vec<Value>, priority: u32, mut action: Value, mut condition: Value| {
        carry_original_url(&mut action, &mut condition, opts);
        rules.push(json!({"id": id, "priority": priority, "action": action, "condition": condition}));
        id += 1;
    };
    for ((p, rank, blocks_others), mut hosts) in packed {
        hosts.sort();
        hosts.dedup();
        let action = action_of_rank(rank);
        for (act, types) in actions_for(action, opts, exempt(blocks_others)) {
            let mut cond = json!({"requestDomains": hosts});
            set_types(&mut cond, types);
            push(&mut out.rules, p, act, cond);
        }
    }
    for (p, action, blocks_others, base) in other {
        for (act, types) in actions_for(action, opts, exempt(blocks_others)) {
            let mut cond = base.clone();
            set_types(&mut cond, types);
            push(&mut out.rules, p, act, cond);
        }
    }
    out.regex_rules = out.rules.iter().filter(|r| r["condition"].get("regexFilter").is_some()).count();
    out
}

/// With a known extension origin, a redirect carries the original URL into the page's fragment
/// (`#url=<original>`) through a regex substitution, so the warn and block pages know what was
/// stopped even when the background was not running yet (the first navigation after install).
/// `urlFilter` conditions can't substitute; those pages learn the URL from the background.
fn carry_original_url(action: &mut Value, condition: &mut Value, opts: &DnrOptions) {
    let Some(base) = &opts.extension_base else { return };
    let Some(page) = action["redirect"]["extensionPath"].as_str() else { return };
    if condition.get("urlFilter").is_some() {
        return;
    }
    // Chrome's substitution replaces the matched part of the URL and keeps the rest, so a regex
    // that stops matching before the end still carries the whole URL. Firefox's result is the
    // substitution alone: there the regex goes on to the end of the URL (in Chrome that `.*`
    // would take the longest regexes over its size cap, and is not needed).
    match condition.get("regexFilter").and_then(Value::as_str) {
        None => condition["regexFilter"] = json!("^.+$"),
        Some(re) if base.starts_with("moz-extension:") && !re.ends_with('$') => {
            condition["regexFilter"] = json!(format!("(?:{re}).*"));
        }
        Some(_) => {}
    }
    let target = format!("{}/{}#url=\\0", base.trim_end_matches('/'), page.trim_start_matches('/'));
    action["redirect"] = json!({ "regexSubstitution": target });
}

/// An allow rule for one host after "Continue" on the warn page: it outranks the warn filter
/// that decided (same host, path and query class) but not a more specific block. `through_proxy`
/// when the deciding filter is the served site's on a proxy host: its proxied form is what
/// stops the host, in [`proxied::PROXY_BAND`].
pub fn grant_rule(id: u32, host: &str, deciding: &UrlFilter, through_proxy: bool) -> Value {
    let band = if through_proxy { proxied::PROXY_BAND } else { 0 };
    json!({
        "id": id,
        "priority": band + priority(deciding, 3),
        "action": {"type": "allow"},
        "condition": {
            "regexFilter": format!("^(?:https?|wss?)://(?:{USERINFO}*@)?{}(?:[:/?#]|$)", host_regex(host)),
            "isUrlFilterCaseSensitive": true,
            "resourceTypes": FRAMES,
        }
    })
}

fn action_of_rank(rank: u8) -> Action {
    match rank {
        0 => Action::Block,
        1 => Action::Warn,
        _ => Action::Allow,
    }
}

enum Types {
    Frames,
    NotFrames,
    /// Every other request, but those that pages on these hosts (and their subdomains) make.
    NotFramesExcept(Vec<String>),
}

/// The DNR actions of a policy action, by request type. `blocks_others` is set for a warn rule
/// with `otherRequests: block`: the pages (hosts) whose requests still pass.
fn actions_for(action: Action, opts: &DnrOptions, blocks_others: Option<&[String]>) -> Vec<(Value, Types)> {
    let redirect = |page: &str| json!({"type": "redirect", "redirect": {"extensionPath": page}});
    match action {
        // Two rules: a rule without resource types never matches main_frame in DNR.
        Action::Allow => vec![(json!({"type": "allow"}), Types::Frames), (json!({"type": "allow"}), Types::NotFrames)],
        Action::Warn => match blocks_others {
            None => vec![(redirect(&opts.warn_page), Types::Frames)],
            Some(exempt) => vec![
                (redirect(&opts.warn_page), Types::Frames),
                (json!({"type": "block"}), Types::NotFramesExcept(exempt.to_vec())),
            ],
        },
        Action::Block => vec![
            (redirect(&opts.block_page), Types::Frames),
            (json!({"type": "block"}), Types::NotFrames),
        ],
    }
}

fn set_types(cond: &mut Value, types: Types) {
    match types {
        Types::Frames => cond["resourceTypes"] = json!(FRAMES),
        Types::NotFrames => cond["excludedResourceTypes"] = json!(FRAMES),
        Types::NotFramesExcept(hosts) => {
            cond["excludedResourceTypes"] = json!(FRAMES);
            if !hosts.is_empty() {
                cond["excludedInitiatorDomains"] = json!(hosts);
            }
        }
    }
}

/// RE2-compatible regexes (one, or a few for scheme-less default ports) that match exactly the
/// URLs the filter matches, given the canonical URL serialisation the browser matches against.
fn filter_regexes(f: &UrlFilter) -> Vec<String> {
    // A port equal to a scheme's default is absent from canonical URLs of that scheme, so a
    // scheme-less filter on :80 or :443 is split into the schemes where it is implicit and the
    // rest, where it must be written out.
    let implicit_for: &[&str] = match (f.scheme.as_deref(), f.port) {
        (None, Some(80)) => &["http", "ws"],
        (None, Some(443)) => &["https", "wss"],
        _ => &[],
    };
    if implicit_for.is_empty() {
        return vec![one_regex(f, f.scheme.as_deref().map(escape), port_regex(f.scheme.as_deref(), f.port))];
    }
    let mut out: Vec<String> = implicit_for
        .iter()
        .map(|s| one_regex(f, Some(s.to_string()), format!("(?::{})?", f.port.unwrap())))
        .collect();
    out.push(one_regex(f, None, format!(":{}", f.port.unwrap())));
    out
}

fn port_regex(scheme: Option<&str>, port: Option<u16>) -> String {
    match port {
        None => "(?::[0-9]+)?".into(),
        Some(p) if default_port(scheme) == Some(p) => format!("(?::{p})?"),
        Some(p) => format!(":{p}"),
    }
}

fn default_port(scheme: Option<&str>) -> Option<u16> {
    match scheme? {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

fn one_regex(f: &UrlFilter, scheme: Option<String>, port: String) -> String {
    let mut re = String::from("^");
    re.push_str(scheme.as_deref().unwrap_or("[a-z][a-z0-9+.-]*"));
    re.push_str(&format!("://(?:{USERINFO}*@)?"));
    match &f.host {
        HostPattern::Any => re.push_str(&format!(r"(?:\[[0-9a-f:.]*\]|{HOST_RUN}*)")),
        HostPattern::Name { host, subdomains } => {
            if *subdomains {
                re.push_str(&format!(r"(?:{HOST_RUN}*\.)?"));
            }
            re.push_str(&host_regex(host));
        }
    }
    re.push_str(&port);
    if f.path.is_empty() {
        re.push_str("(?:[/?#]|$)");
    } else {
        re.push_str(&escape(&f.path));
    }
    if !f.query.is_empty() {
        re.push_str(&format!(r"{PATH_REST}*\?"));
        re.push_str(&query_tokens_regex(&f.query));
    }
    re
}

/// The query after `?`: the tokens in every order, as alternatives.
fn query_tokens_regex(tokens: &[QueryToken]) -> String {
    let alts: Vec<String> = permutations(tokens).iter().map(|p| ordered_tokens(p)).collect();
    if alts.len() == 1 {
        alts.into_iter().next().expect("one alternative")
    } else {
        format!("(?:{})", alts.join("|"))
    }
}

fn ordered_tokens(tokens: &[&QueryToken]) -> String {
    let mut re = format!("(?:{ELEMENT}*&)*");
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            re.push_str(&format!("(?:&{ELEMENT}*)*&"));
        }
        re.push_str(&token_regex(t));
    }
    re.push_str("(?:[&#]|$)");
    re
}

fn token_regex(t: &QueryToken) -> String {
    let text = escape(&t.text);
    if t.prefix {
        format!("{text}{ELEMENT}*")
    } else {
        text
    }
}

fn permutations(tokens: &[QueryToken]) -> Vec<Vec<&QueryToken>> {
    fn go<'a>(left: &mut Vec<&'a QueryToken>, acc: &mut Vec<&'a QueryToken>, out: &mut Vec<Vec<&'a QueryToken>>) {
        if left.is_empty() {
            out.push(acc.clone());
            return;
        }
        for i in 0..left.len() {
            let t = left.remove(i);
            acc.push(t);
            go(left, acc, out);
            acc.pop();
            left.insert(i, t);
        }
    }
    let mut out = Vec::new();
    go(&mut tokens.iter().collect(), &mut Vec::new(), &mut out);
    out
}

// Character classes over printable ASCII. DNR matches canonical URLs (punycode hosts,
// percent-encoded paths), and Chrome caps each compiled regex at 2 KB: a negated class such as
// `[^/?#]` compiles to every UTF-8 sequence and blows that cap, explicit ASCII ranges don't.
/// Any URL character but `/ ? # @` (user info).
const USERINFO: &str = r#"[!"$-.0->A-~]"#;
/// Any URL character but `/ ? # @ :` (a host label run).
const HOST_RUN: &str = r#"[!"$-.0-9;->A-~]"#;
/// Any URL character but `? #` (the rest of a path).
/// Any URL character but `/ ? #` (user info, host and port).
const AUTHORITY: &str = r#"[!"$-.0->@-~]"#;
const PATH_REST: &str = r#"[!"$->@-~]"#;
/// Any URL character but `& #` (inside one query element).
const ELEMENT: &str = r#"[!"$%'-~]"#;

/// How a canonical host is spelled in the URLs the browser matches rules against: the host,
/// and for an IPv4 address its IPv4-mapped IPv6 literal too (`[::ffff:a01:203]`), which the
/// engine reads as the same host.
fn url_spellings(host: &str) -> Vec<String> {
    let mut out = vec![host.to_string()];
    out.extend(mapped_ipv6_literal(host));
    out
}

/// A regex for any spelling of a host (see [`url_spellings`]).
fn host_regex(host: &str) -> String {
    let spellings: Vec<String> = url_spellings(host).iter().map(|h| escape(h)).collect();
    match spellings.as_slice() {
        [one] => one.clone(),
        many => format!("(?:{})", many.join("|")),
    }
}

/// Escapes RE2 metacharacters.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
