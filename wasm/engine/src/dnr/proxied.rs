//! Network rules for requests through proxies (`url_filter::proxies`): each filter of the
//! policy once more, as the proxy spells the host it serves.
//!
//! The engine judges `https://claude-ai.translate.goog/new` as the more severe of the proxy
//! URL's own verdict and claude.ai's (`Policy::judge`). The network rules follow it:
//!
//! * Every filter with a host gets a proxied form: a regex over the proxy's spelling of that
//!   host and its subdomains (`claude-ai.translate.goog`, `api-claude-ai.translate.goog`, but not
//!   `myclaude-ai…` or `foo--claude-ai…`, which are other hosts), then the filter's path and
//!   query tokens. Hosts without paths are packed into one regex per (action, priority), as
//!   `requestDomains` packs them for the URL as it is. A label cannot be matched by its suffix
//!   with `requestDomains` or `urlFilter`, so this is a regex.
//! * Their priorities are the filters' own plus [`PROXY_BAND`], above every rule for the URL as
//!   it is: among themselves they select exactly as the engine selects for the served URL, and
//!   whenever one matches, the served site's decision is the one that counts.
//! * Their action is the more severe of the filter's own and the proxy's: the action the policy
//!   gives the proxy's hosts themselves (a `translate.goog` or `*` rule, or the default action).
//!   Where no proxied form matches, the rules for the URL as it is give the proxy's action.
//!
//! That is exact when the policy treats all of the proxy's hosts alike (no rule names one of
//! them or a path under them), which [`floor`] checks; otherwise no proxied forms are compiled
//! and the navigation check judges those URLs. Filters a proxied form cannot carry are left to
//! the navigation check too, and listed in `skipped` as `<filter> via <domain>`: scheme and port
//! constraints (the served URL's scheme is in the proxy's query, which a regex cannot require
//! to be absent), query tokens that could match the proxy's own `_x_tr_*` parameters, hosts with
//! no plain spelling, and regexes over the size cap. So are proxy URLs that spell the host any
//! other way (`_x_tr_hp`, the `0-` and `1-` prefixes: `Proxied::plain`).
//!
//! Giving the whole proxy domain the strictest action of the sites it can serve was the other
//! choice: with any blocked tool it would block every translated page, of every site.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{escape, priority, query_tokens_regex, regex_cost, MAX_REGEX_COST, PATH_REST, USERINFO};
use crate::policy::{OtherRequests, Policy};
use crate::url_filter::proxies::{google_label, HostSpelling, Proxy, PROXIES};
use crate::url_filter::{HostPattern, RequestUrl, UrlFilter};
use crate::verdict::Action;

/// Added to the priority of every proxied form: above the highest priority a filter for the URL
/// as it is can have (`1 + 127·100000 + 999·100 + 9·10 + 3`), far below DNR's limit.
pub const PROXY_BAND: u32 = 20_000_000;

/// Subdomains in front of a served host, as the Google proxy spells them: labels of letters and
/// digits with each hyphen written `--`, each followed by one `-` (a dot).
const GOOGLE_SUBDOMAINS: &str = "(?:[a-z0-9](?:(?:--)*[a-z0-9])*-)*";

/// The end of a host-only match: the path, query or fragment, or the end (the proxy serves its
/// default ports only, so no port).
const HOST_END: &str = "(?:[/?#]|$)";

/// The action the policy gives every host of `proxy` as it is, when it gives them all the same
/// (only host-only `*`, `translate.goog` or `goog` filters reach them); `None` when a rule names
/// one of its hosts or constrains a scheme, port, path or query there.
pub fn floor(policy: &Policy, proxy: &Proxy) -> Option<Action> {
    let domain = proxy.domain;
    for rule in &policy.rules {
        for rf in &rule.filters {
            let f = &rf.filter;
            let (reaches, names_one) = match &f.host {
                HostPattern::Any => (true, false),
                HostPattern::Name { host, subdomains } => {
                    let names_one = is_under(host, domain);
                    (names_one || (*subdomains && (host == domain || is_under(domain, host))), names_one)
                }
            };
            let host_only = f.scheme.is_none() && f.port.is_none() && f.path.is_empty() && f.query.is_empty();
            if reaches && (names_one || !host_only) {
                return None;
            }
        }
    }
    // Every reaching filter is host-only and names no single host: any host decides alike.
    let sample = RequestUrl::parse_full(&format!("https://x.{domain}/")).ok()?;
    Some(policy.decide_as_is(&sample).map_or(policy.default_action, |(r, _)| r.action))
}

fn is_under(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

/// Whether the network rules carry `f`'s proxied form for `proxy` (given a [`floor`]).
pub fn expresses(proxy: &Proxy, f: &UrlFilter) -> bool {
    form(proxy, f).is_some()
}

/// How one filter's proxied form is matched.
enum Form {
    /// Host-only: the proxy's label for the host, packed with others into one regex.
    Host { label: String, subdomains: bool },
    /// With a path or query tokens: a regex of its own.
    Regex(String),
}

fn form(proxy: &Proxy, f: &UrlFilter) -> Option<Form> {
    let HostPattern::Name { host, subdomains } = &f.host else { return None };
    if f.scheme.is_some() || f.port.is_some() {
        return None;
    }
    // `_x_tr_sl=auto` is an element of every proxied URL's query, and not of the served URL's:
    // a token that could match it would match where the engine does not.
    if f.query.iter().any(|t| t.text.is_empty() || t.text.starts_with(['_', '%'])) {
        return None;
    }
    let label = match proxy.spelling {
        HostSpelling::GoogleTranslate => google_label(host)?,
    };
    if f.path.is_empty() && f.query.is_empty() {
        let one = host_regex(proxy, &[label.as_str()], *subdomains);
        return (regex_cost(&one) <= MAX_REGEX_COST).then_some(Form::Host { label, subdomains: *subdomains });
    }
    let mut re = host_regex(proxy, &[label.as_str()], *subdomains);
    re.truncate(re.len() - HOST_END.len());
    if f.path.is_empty() {
        re.push_str(HOST_END);
    } else {
        re.push_str(&escape(&f.path));
    }
    if !f.query.is_empty() {
        re.push_str(&format!(r"{PATH_REST}*\?"));
        re.push_str(&query_tokens_regex(&f.query));
    }
    (regex_cost(&re) <= MAX_REGEX_COST).then_some(Form::Regex(re))
}

/// A regex for proxy URLs serving any of `labels`' hosts (and their subdomains), any path.
fn host_regex(proxy: &Proxy, labels: &[&str], subdomains: bool) -> String {
    let alternatives = labels.iter().map(|l| escape(l)).collect::<Vec<_>>().join("|");
    let hosts = if labels.len() == 1 { alternatives } else { format!("(?:{alternatives})") };
    let subs = match (&proxy.spelling, subdomains) {
        (HostSpelling::GoogleTranslate, true) => GOOGLE_SUBDOMAINS,
        (_, false) => "",
    };
    format!(r"^https?://(?:{USERINFO}*@)?{subs}{hosts}\.{}{HOST_END}", escape(proxy.domain))
}

/// Compiles the proxied forms of every filter: conditions (without resource types) with their
/// priority and action, and what was left to the navigation check.
pub(super) fn compile(policy: &Policy) -> (Vec<(u32, Action, Option<usize>, Value)>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for proxy in PROXIES {
        let Some(floor) = floor(policy, proxy) else {
            skipped.push(format!("*.{} (rules for its own hosts differ, so every filter through it)", proxy.domain));
            continue;
        };
        // (priority, action as permissiveness, the rule whose `otherRequests: block` applies,
        // subdomains) → labels, in a stable order.
        let mut packed: BTreeMap<(u32, u8, Option<usize>, bool), Vec<String>> = BTreeMap::new();
        for (r, rule) in policy.rules.iter().enumerate() {
            let action = Action::most_severe([rule.action, floor]);
            let blocks_others = (action == Action::Warn && rule.other_requests == OtherRequests::Block).then_some(r);
            for rf in &rule.filters {
                let f = &rf.filter;
                if f.host == HostPattern::Any {
                    continue;
                }
                let p = PROXY_BAND + priority(f, rule.action.permissiveness());
                match form(proxy, f) {
                    Some(Form::Host { label, subdomains }) => {
                        packed.entry((p, action.permissiveness(), blocks_others, subdomains)).or_default().push(label)
                    }
                    Some(Form::Regex(re)) => out.push((p, action, blocks_others, regex_condition(re))),
                    None => skipped.push(format!("{f} via {}", proxy.domain)),
                }
            }
        }
        for ((p, permissiveness, blocks_others, subdomains), mut labels) in packed {
            labels.sort();
            labels.dedup();
            let action = [Action::Block, Action::Warn, Action::Allow][permissiveness as usize];
            for re in pack(proxy, &labels, subdomains) {
                out.push((p, action, blocks_others, regex_condition(re)));
            }
        }
    }
    (out, skipped)
}

fn regex_condition(re: String) -> Value {
    json!({"regexFilter": re, "isUrlFilterCaseSensitive": true})
}

/// What a packed alternation of labels may cost: less than [`MAX_REGEX_COST`], because RE2
/// spends more on an alternation than [`regex_cost`] counts. Measured with Chromium's
/// `isRegexSupported` on the proxy form with subdomains: six labels of 60 bytes in all fit,
/// seven of 69 do not; this keeps packs below the first.
const MAX_PACK_COST: usize = 112;

/// As few regexes as fit the size cap, each an alternation of labels (one instruction more per
/// alternative than [`regex_cost`] counts).
fn pack(proxy: &Proxy, labels: &[String], subdomains: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut chunk: Vec<&str> = Vec::new();
    for label in labels {
        chunk.push(label);
        let re = host_regex(proxy, &chunk, subdomains);
        if chunk.len() > 1 && regex_cost(&re) + chunk.len() > MAX_PACK_COST {
            chunk.pop();
            out.push(host_regex(proxy, &chunk, subdomains));
            chunk = vec![label];
        }
    }
    if !chunk.is_empty() {
        out.push(host_regex(proxy, &chunk, subdomains));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn policy(json: &str) -> Policy {
        Policy::parse(json, &Catalog::builtin()).unwrap()
    }

    const GOOGLE: &Proxy = &PROXIES[0];

    /// The proxy's own verdict is known exactly when every filter that reaches its hosts treats
    /// them all alike.
    #[test]
    fn the_floor_is_known_only_when_the_proxys_hosts_are_judged_alike() {
        let cases = [
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["claude.ai"]}]}"#, Some(Action::Allow)),
            (r#"{"version":1,"defaultAction":"warn","rules":[]}"#, Some(Action::Warn)),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["translate.goog"]}]}"#, Some(Action::Block)),
            (r#"{"version":1,"rules":[{"id":"a","action":"warn","patterns":["goog"]}]}"#, Some(Action::Warn)),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["*"]},{"id":"b","action":"allow","patterns":["translate.goog"]}]}"#, Some(Action::Allow)),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":[".translate.goog"]}]}"#, Some(Action::Allow)),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["claude-ai.translate.goog"]}]}"#, None),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["translate.goog/admin"]}]}"#, None),
            (r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["https://*"]}]}"#, None),
        ];
        for (json, want) in cases {
            assert_eq!(floor(&policy(json), GOOGLE), want, "{json}");
        }
    }

    /// The host regex matches the proxy's spelling of the host and of its subdomains, and no
    /// other host: not one whose name merely ends the same, and not the proxy host a level down.
    #[test]
    fn a_proxied_host_matches_its_subdomains_and_nothing_else() {
        let re = regex::Regex::new(&host_regex(GOOGLE, &["claude-ai", "my--tool-example"], true)).unwrap();
        for (url, matches) in [
            ("https://claude-ai.translate.goog/", true),
            ("https://claude-ai.translate.goog", true),
            ("https://api-claude-ai.translate.goog/v1?x=1", true),
            ("https://a--b-c-claude-ai.translate.goog/", true),
            ("https://user@claude-ai.translate.goog/", true),
            ("https://my--tool-example.translate.goog/#x", true),
            ("https://myclaude-ai.translate.goog/", false),
            ("https://foo--claude-ai.translate.goog/", false),
            ("https://a---claude-ai.translate.goog/", false),
            ("https://claude-ai.translate.goog.evil.com/", false),
            ("https://x.claude-ai.translate.goog/", false),
            ("https://claude-ai.translate.goog:8443/", false),
            ("https://tool-example.translate.goog/", false),
            ("https://evil.com/claude-ai.translate.goog/", false),
        ] {
            assert_eq!(re.is_match(url), matches, "{url}");
        }
        let exact = regex::Regex::new(&host_regex(GOOGLE, &["chat-qwen-ai"], false)).unwrap();
        assert!(exact.is_match("https://chat-qwen-ai.translate.goog/"));
        assert!(!exact.is_match("https://x-chat-qwen-ai.translate.goog/"));
    }

    /// What a proxied form cannot carry is left to the navigation check.
    #[test]
    fn filters_a_proxied_form_cannot_carry_exactly_have_none() {
        for (pattern, carried) in [
            ("claude.ai", true),
            (".chat.qwen.ai", true),
            ("bing.com/chat", true),
            ("google.com/search?udm=50", true),
            ("10.1.2.3", true),
            ("https://claude.ai", false),
            ("claude.ai:443", false),
            ("example.com?_x_tr_sl=auto", false),
            ("example.com?_x*", false),
            ("example.com?*", false),
            ("[::1]", false),
            ("*", false),
        ] {
            assert_eq!(expresses(GOOGLE, &UrlFilter::parse(pattern).unwrap()), carried, "{pattern}");
        }
    }

    /// Packed regexes stay under the size cap and together match every label.
    #[test]
    fn packed_hosts_fit_the_size_cap() {
        let labels: Vec<String> = (0..60).map(|i| format!("tool{i}-example-com")).collect();
        let regexes = pack(GOOGLE, &labels, true);
        assert!(regexes.len() > 1);
        for re in &regexes {
            assert!(regex_cost(re) <= MAX_REGEX_COST, "{re}");
        }
        let compiled: Vec<regex::Regex> = regexes.iter().map(|r| regex::Regex::new(r).unwrap()).collect();
        for label in &labels {
            let url = format!("https://{label}.translate.goog/");
            assert_eq!(compiled.iter().filter(|r| r.is_match(&url)).count(), 1, "{url}");
        }
    }
}
