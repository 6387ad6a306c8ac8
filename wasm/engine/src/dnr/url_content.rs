//! Network rules that stop a navigation carrying text in its address before its request
//! leaves, so that the content engine can read it first.
//!
//! An AI tool's address can carry a prompt (`https://chatgpt.com/?q=…`, `claude.ai/new?q=…`,
//! a search engine's AI mode): opening it sends the text to the site, whatever the site's page
//! then does. The URL verdict does not see it (an allowed or "continued" site is allowed with
//! any query), and the browser's network rules cannot read text. So every navigation (top-level
//! or framed) to a page whose content is checked, with a non-empty query, is redirected to the
//! warn page in a band above every other rule; the background checks the address's query and
//! fragment with the content engine and either lets that one navigation through (a one-off
//! allow rule for the tab, one priority higher: [`pass_rule`]) or shows the content dialog.
//! The warn page also takes what the URL verdict says (a blocked or warned site goes on to its
//! own page), since this band outranks the verdict's rules.
//!
//! Which hosts: each filter of the policy's allow and warn rules and of the catalog, by host
//! (with its subdomains) and path; query tokens are kept where the regex stays small, else any
//! query on the path is checked (a few more round trips, never fewer).
//!
//! A fragment never reaches the network; the background checks it when the navigation starts.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{carry_original_url, escape, query_tokens_regex, regex_cost, DnrOptions, AUTHORITY, MAX_REGEX_COST, PATH_REST};
use crate::url_filter::{HostPattern, UrlFilter};

/// Above every filter's priority (labels × 100 000 + …) and the proxy band's.
pub const URL_CONTENT_BAND: u32 = 1_000_000_000;

/// A query with at least one character in it.
const SOME_QUERY: &str = r#"\?[!"$-~]"#;
const FRAMES: [&str; 2] = ["main_frame", "sub_frame"];

/// The rules, from the filters of the pages in scope; `every_page` when the policy checks
/// content on every page.
pub fn rules<'a>(filters: impl Iterator<Item = &'a UrlFilter>, every_page: bool, opts: &DnrOptions) -> Vec<Value> {
    // regex → hosts ("": any host).
    let mut by_regex: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if every_page {
        by_regex.entry(format!("^(?:https?|wss?)://{PATH_REST}*{SOME_QUERY}")).or_default().push(String::new());
    } else {
        for f in filters {
            if f.scheme.as_deref().is_some_and(|s| !matches!(s, "http" | "https" | "ws" | "wss")) {
                continue;
            }
            let host = match &f.host {
                HostPattern::Name { host, .. } => host.clone(),
                HostPattern::Any => String::new(),
            };
            by_regex.entry(regex_for(f)).or_default().push(host);
        }
    }
    let mut out = Vec::new();
    let mut id = opts.first_id;
    for (re, mut hosts) in by_regex {
        // A filter for any host takes the whole regex over every host.
        let any_host = hosts.iter().any(String::is_empty);
        hosts.sort();
        hosts.dedup();
        let mut condition = json!({"regexFilter": re, "isUrlFilterCaseSensitive": true, "resourceTypes": FRAMES});
        if !any_host {
            condition["requestDomains"] = json!(hosts);
        }
        let mut action = json!({"type": "redirect", "redirect": {"extensionPath": opts.warn_page}});
        carry_original_url(&mut action, &mut condition, opts);
        out.push(json!({"id": id, "priority": URL_CONTENT_BAND, "action": action, "condition": condition}));
        id += 1;
    }
    out
}

/// The path (and query tokens) of a filter's URLs that carry a query; the host is the rule's
/// `requestDomains`.
fn regex_for(f: &UrlFilter) -> String {
    let mut re = String::from(r"^[a-z][a-z0-9+.-]*://");
    if f.path.is_empty() {
        re.push_str(&format!("{PATH_REST}*"));
    } else {
        re.push_str(&format!("{AUTHORITY}*{}{PATH_REST}*", escape(&f.path)));
    }
    if !f.query.is_empty() {
        let tokens = format!(r"{re}\?{}", query_tokens_regex(&f.query));
        if regex_cost(&tokens) <= MAX_REGEX_COST {
            return tokens;
        }
    }
    re.push_str(SOME_QUERY);
    re
}

/// The one-off rule that lets the navigation of tab `tab_id` to `url` through this band once
/// its address was checked: an allow rule for that tab and that URL (a prefix of it, for a very
/// long one), removed by the background when the navigation commits.
pub fn pass_rule(id: u32, url: &str, tab_id: i32) -> Value {
    const MAX_PREFIX: usize = 1000;
    let mut end = url.len().min(MAX_PREFIX);
    while !url.is_char_boundary(end) {
        end -= 1;
    }
    json!({
        "id": id,
        "priority": URL_CONTENT_BAND + 1,
        "action": {"type": "allow"},
        "condition": {
            "regexFilter": format!("^{}", escape(&url[..end])),
            "isUrlFilterCaseSensitive": true,
            "resourceTypes": FRAMES,
            "tabIds": [tab_id],
        }
    })
}
