//! Policies: parsing and validating the admin's JSON, expanding catalog categories, and
//! answering "which rule decides this URL".

mod schema;

use std::collections::{BTreeMap, HashSet};

use schema::{FastPolicyDoc, RawPolicyDoc, RuleDoc, RuleId};

use crate::audit::AuditUrls;
use crate::catalog::{Catalog, CATEGORIES};
use crate::content::policy::{ContentDoc, ContentPolicy};
use crate::error::PolicyError;
use crate::url_filter::proxies::{on_proxy_domain, through_proxy, Proxied};
use crate::url_filter::{FilterIndex, Ranked, RequestUrl, UrlFilter};
use crate::verdict::Action;
/// A compiled rule's justification setting ([`Rule::justification`]), offered beside the rule.
pub use crate::verdict::Justification;

/// The only policy format version this engine reads.
pub const POLICY_VERSION: u32 = 1;

/// How long "Continue" on a warn page is remembered for a host when the policy doesn't say.
pub const DEFAULT_WARN_REMEMBER_MINUTES: u32 = 8 * 60;

/// The built-in policy used when the admin has configured none: warn on every catalog category,
/// and block the requests other pages make to AI APIs (`otherRequests: block`), which a warn
/// cannot stop.
pub const DEFAULT_POLICY_JSON: &str = include_str!("../../data/default-policy.json");

/// One validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub action: Action,
    /// `"action": "monitor"`: allowed, and each visit recorded in the audit trail, so an admin
    /// can see which AI tools are in use before deciding about them.
    pub monitor: bool,
    /// Localised messages by language tag (`en`, `zh-CN`).
    pub message: BTreeMap<String, String>,
    pub alternative: Option<String>,
    pub justification: Justification,
    /// What the rule does to requests that are not page loads.
    pub other_requests: OtherRequests,
    /// Every filter of the rule: its own patterns, then category-expanded catalog patterns.
    pub filters: Vec<RuleFilter>,
}

/// What a rule does to requests that are not page loads (fetch, XHR, WebSocket, images…), which
/// cannot show a warn page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OtherRequests {
    /// What the action implies: a block rule blocks them, warn and allow rules let them pass
    /// (a warned tool is allowed after "Continue").
    #[default]
    AsAction,
    /// A warn rule's `"otherRequests": "block"`: blocked, unless a page on one of the rule's own
    /// hosts makes them (a warned API console calling its API after "Continue"). Page loads
    /// still get the warn page. The built-in policy sets it for AI APIs, so that a web page
    /// outside the catalog cannot call them with the employee's key.
    Block,
}

impl Rule {
    /// The hosts of the rule's filters, sorted and without repeats: the pages whose requests an
    /// `otherRequests: block` rule lets through.
    pub fn own_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .filters
            .iter()
            .filter_map(|f| match &f.filter.host {
                crate::url_filter::HostPattern::Name { host, .. } if !host.starts_with('[') => Some(host.clone()),
                _ => None,
            })
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

/// A filter and where it came from.
#[derive(Clone, Debug)]
pub struct RuleFilter {
    pub filter: UrlFilter,
    /// The catalog tool (index into `Catalog::tools`) for a category-expanded pattern.
    pub tool: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
struct Owner {
    rule: u32,
    action: Action,
}

impl Ranked for Owner {
    fn permissiveness(&self) -> u8 {
        self.action.permissiveness()
    }
}

/// A compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub default_action: Action,
    /// The `content` section: what is scanned where, and the detectors' actions.
    pub content: ContentPolicy,
    /// A policy document with only this policy's `content` section: what an engine that scans
    /// content in a page compiles, without the URL rules it has no use for.
    pub content_only_json: String,
    pub warn_remember_minutes: u32,
    /// How much of a URL audit events keep.
    pub audit_urls: AuditUrls,
    pub rules: Vec<Rule>,
    index: FilterIndex<Owner>,
}

impl Policy {
    /// Parses, validates and compiles a policy document against a catalog.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Policy, PolicyError> {
        // One pass over the text for a valid policy; errors take the slower path that can say
        // which rule, which field and where.
        let (version, default_action, warn_remember_minutes, audit_urls, content, docs) = match serde_json::from_str::<FastPolicyDoc>(text) {
            Ok(d) => (d.version, d.default_action, d.warn_remember_minutes, d.audit_urls, d.content, Ok(d.rules)),
            Err(fast_err) => {
                let d: RawPolicyDoc = serde_json::from_str(text).map_err(|e| PolicyError::from_json(&e))?;
                (d.version, d.default_action, d.warn_remember_minutes, d.audit_urls, d.content, Err(PolicyError::from_json(&fast_err)))
            }
        };
        let (content, content_only_json) = match content {
            Some(raw) => (
                Some(serde_json::from_str::<ContentDoc>(raw.get()).map_err(|e| PolicyError::from_json(&e).shifted(text, raw.get()))?),
                format!(r#"{{"version": {POLICY_VERSION}, "content": {}}}"#, raw.get()),
            ),
            None => (None, format!(r#"{{"version": {POLICY_VERSION}}}"#)),
        };
        if version != POLICY_VERSION {
            return Err(PolicyError::at_field(
                "version",
                format!("unsupported version {version}; this engine reads version {POLICY_VERSION}"),
            ));
        }
        let default_action = match default_action.as_deref() {
            None => Action::Allow,
            Some(a) => Action::parse(a).ok_or_else(|| {
                PolicyError::at_field("defaultAction", format!("`{a}` is not one of block, warn, allow"))
            })?,
        };
        let audit_urls = match audit_urls.as_deref() {
            None => AuditUrls::default(),
            Some(a) => AuditUrls::parse(a).ok_or_else(|| PolicyError::at_field("auditUrls", format!("`{a}` is not one of origin, path, full")))?,
        };
        let content = ContentPolicy::compile(content)?;
        let rules = match docs {
            Ok(docs) => {
                let mut rules = Vec::with_capacity(docs.len());
                for (i, doc) in docs.into_iter().enumerate() {
                    // Positions are only needed on error; recompute them then.
                    match compile_rule(doc, i, catalog) {
                        Ok(rule) => rules.push(rule),
                        Err(e) => return Err(Self::parse_slow(text, catalog).err().unwrap_or(e)),
                    }
                }
                if let Some(e) = duplicate_id(&rules) {
                    return Err(Self::parse_slow(text, catalog).err().unwrap_or(e));
                }
                rules
            }
            Err(fast_err) => return Err(Self::parse_slow(text, catalog).err().unwrap_or(fast_err)),
        };
        let mut indexed = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for f in &rule.filters {
                indexed.push((f.filter.clone(), Owner { rule: r as u32, action: rule.action }));
            }
        }
        Ok(Policy {
            default_action,
            content_only_json,
            warn_remember_minutes: warn_remember_minutes.unwrap_or(DEFAULT_WARN_REMEMBER_MINUTES),
            audit_urls,
            content,
            rules,
            index: FilterIndex::build(indexed),
        })
    }

    /// Parses rule by rule from raw text, to report the first error with its rule id, field
    /// and position.
    fn parse_slow(text: &str, catalog: &Catalog) -> Result<(), PolicyError> {
        let doc: RawPolicyDoc = serde_json::from_str(text).map_err(|e| PolicyError::from_json(&e))?;
        let mut seen = HashSet::new();
        for (i, raw) in doc.rules.iter().enumerate() {
            let rule = parse_rule(text, raw.get(), i, catalog)?;
            if !seen.insert(rule.id.clone()) {
                return Err(PolicyError::at_field(format!("rules[{i}].id"), "duplicate rule id")
                    .in_rule(Some(&rule.id))
                    .located(text, raw.get()));
            }
        }
        Ok(())
    }

    /// The built-in default policy.
    pub fn builtin(catalog: &Catalog) -> Policy {
        Policy::parse(DEFAULT_POLICY_JSON, catalog).expect("built-in policy is valid")
    }

    /// The deciding rule and filter for a URL, or `None` when the default action applies.
    /// A URL through a proxy is judged with the URL it reaches (see [`Policy::judge`]).
    pub fn decide(&self, url: &RequestUrl<'_>) -> Option<(&Rule, &UrlFilter)> {
        self.judge(url).decided
    }

    /// The action for a URL, proxies seen through.
    pub fn action(&self, url: &RequestUrl<'_>) -> Action {
        if on_proxy_domain(url) {
            return self.judge(url).action;
        }
        // The action is kept with the filter: no read of the rule itself.
        self.index.lookup(url).map_or(self.default_action, |(_, o)| o.action)
    }

    /// The deciding rule and filter for the URL as it is, proxies aside.
    pub fn decide_as_is(&self, url: &RequestUrl<'_>) -> Option<(&Rule, &UrlFilter)> {
        self.index.lookup(url).map(|(f, o)| (&self.rules[o.rule as usize], f))
    }

    /// How a URL is judged. A request through a proxy (`claude-ai.translate.goog`) reaches two
    /// parties: the proxy, and the site it serves (claude.ai). It may go only where both may,
    /// so it gets the more severe of the two verdicts: a tool blocked or warned stays so under
    /// the proxy's name, and a proxy the policy blocks (or a `*` rule that leaves it
    /// unapproved) blocks the tools behind it too. On a tie the served site's rule stands, since
    /// it says what the page is (its rule, its message, its tool), and the proxy's own rule
    /// where the served site has none.
    pub fn judge(&self, url: &RequestUrl<'_>) -> Judgement<'_> {
        let as_is = self.decide_as_is(url);
        let as_is_action = as_is.map_or(self.default_action, |(r, _)| r.action);
        let Some(via) = through_proxy(url) else {
            return Judgement { action: as_is_action, decided: as_is, via: None, by_served_site: false };
        };
        let served = self.decide_as_is(&via.url);
        let served_action = served.map_or(self.default_action, |(r, _)| r.action);
        let by_served_site = match as_is_action.permissiveness().cmp(&served_action.permissiveness()) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => served.is_some() || as_is.is_none(),
        };
        let (action, decided) = if by_served_site { (served_action, served) } else { (as_is_action, as_is) };
        Judgement { action, decided, via: Some(via), by_served_site }
    }

    pub fn filter_count(&self) -> usize {
        self.index.len()
    }
}

/// A URL's verdict and where it came from.
#[derive(Clone, Debug)]
pub struct Judgement<'p> {
    pub action: Action,
    /// The deciding rule and filter; `None` when the default action applied.
    pub decided: Option<(&'p Rule, &'p UrlFilter)>,
    /// The proxy the URL goes through and the URL it reaches, if any.
    pub via: Option<Proxied>,
    /// The decision is the served site's (the URL `via` reaches), not the proxy URL's own.
    pub by_served_site: bool,
}

fn duplicate_id(rules: &[Rule]) -> Option<PolicyError> {
    let mut seen = HashSet::with_capacity(rules.len());
    rules.iter().enumerate().find(|(_, r)| !seen.insert(r.id.as_str())).map(|(i, r)| {
        PolicyError::at_field(format!("rules[{i}].id"), "duplicate rule id").in_rule(Some(&r.id))
    })
}

fn parse_rule(text: &str, raw: &str, i: usize, catalog: &Catalog) -> Result<Rule, PolicyError> {
    let doc: RuleDoc = serde_json::from_str(raw).map_err(|e| {
        // Only now read the id leniently, so the error can name the rule.
        let id_hint = serde_json::from_str::<RuleId>(raw).ok().and_then(|r| match r.id {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        });
        let mut err = PolicyError::from_json(&e);
        err.field = Some(format!("rules[{i}]"));
        err.shifted(text, raw).in_rule(id_hint.as_deref())
    })?;
    compile_rule(doc, i, catalog).map_err(|e| e.located(text, raw))
}

/// Validates one deserialised rule and expands its categories. Errors carry the rule id and
/// field; the caller adds the position.
fn compile_rule(doc: RuleDoc, i: usize, catalog: &Catalog) -> Result<Rule, PolicyError> {
    let rule_id = doc.id.clone();
    let at = |field: String, msg: String| PolicyError::at_field(field, msg).in_rule(Some(&rule_id));

    if doc.id.trim().is_empty() {
        return Err(at(format!("rules[{i}].id"), "rule id must not be empty".into()));
    }
    let monitor = doc.action == "monitor";
    let action = if monitor { Some(Action::Allow) } else { Action::parse(&doc.action) }.ok_or_else(|| {
        at(format!("rules[{i}].action"), format!("`{}` is not one of block, warn, allow, monitor", doc.action))
    })?;
    let justification = match doc.justification.as_deref() {
        None => Justification::None,
        Some(j) => Justification::parse(j).ok_or_else(|| {
            at(format!("rules[{i}].justification"), format!("`{j}` is not one of none, optional, required"))
        })?,
    };
    let other_requests = match (doc.other_requests.as_deref(), action) {
        (None | Some("allow"), Action::Warn) | (None, _) => OtherRequests::AsAction,
        (Some("block"), Action::Warn) => OtherRequests::Block,
        (Some("allow" | "block"), _) => {
            return Err(at(
                format!("rules[{i}].otherRequests"),
                format!(
                    "only a warn rule sets `otherRequests`; a {} rule {} every request",
                    action.as_str(),
                    if action == Action::Block { "blocks" } else { "allows" }
                ),
            ))
        }
        (Some(o), _) => {
            return Err(at(format!("rules[{i}].otherRequests"), format!("`{o}` is not one of allow, block")));
        }
    };
    if doc.patterns.is_empty() && doc.categories.is_empty() {
        return Err(at(format!("rules[{i}]"), "a rule needs `patterns`, `categories` or both".into()));
    }
    let mut filters = Vec::new();
    for (j, p) in doc.patterns.iter().enumerate() {
        let filter = UrlFilter::parse(p)
            .map_err(|e| at(format!("rules[{i}].patterns[{j}]"), format!("`{p}`: {e}")))?;
        filters.push(RuleFilter { filter, tool: None });
    }
    for (j, c) in doc.categories.iter().enumerate() {
        if !CATEGORIES.contains(&c.as_str()) {
            return Err(at(
                format!("rules[{i}].categories[{j}]"),
                format!("unknown category `{c}`; expected one of {}", CATEGORIES.join(", ")),
            ));
        }
        for (t, _, parsed) in catalog.in_category(c) {
            filters.extend(parsed.iter().map(|f| RuleFilter { filter: f.clone(), tool: Some(t) }));
        }
    }
    if let Some(alt) = &doc.alternative {
        match url::Url::parse(alt) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(at(
                    format!("rules[{i}].alternative"),
                    format!("`{alt}` is not an absolute http(s) URL"),
                ))
            }
        }
    }
    for (lang, _) in &doc.message {
        if lang.is_empty() || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(at(format!("rules[{i}].message"), format!("`{lang}` is not a language tag")));
        }
    }
    Ok(Rule {
        id: doc.id,
        action,
        monitor,
        message: doc.message,
        alternative: doc.alternative,
        justification,
        other_requests,
        filters,
    })
}

impl PolicyError {
    /// Positions an error at the start of `part`, a slice of `text`.
    fn located(mut self, text: &str, part: &str) -> Self {
        let (line, column) = line_col(text, offset_in(text, part));
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Turns a position relative to `part` (a slice of `text`) into one relative to `text`.
    fn shifted(mut self, text: &str, part: &str) -> Self {
        let (base_line, base_col) = line_col(text, offset_in(text, part));
        if let (Some(l), Some(c)) = (self.line, self.column) {
            self.line = Some(base_line + l - 1);
            self.column = Some(if l == 1 { base_col + c - 1 } else { c });
        }
        self
    }
}

fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
    (line, col)
}

