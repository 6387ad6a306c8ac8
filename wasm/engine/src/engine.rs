//! The public face of the engine: one compiled policy plus the catalog, answering questions
//! about URLs and content. An engine does not change after it is built: what belongs to the
//! employee's session ("Continue" grants) is passed in.

use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::catalog::{Catalog, Tool};
use crate::content::fingerprint::FingerprintDb;
use crate::content::policy::Scope;
use crate::content::scanner::{ContentScanner, ScanReport};
use crate::content::edit;
use crate::content::submission::{self, Part, PartContent, PartKind, SubmissionVerdict};
use crate::dnr::{self, DnrCompilation, DnrOptions};
use crate::error::PolicyError;
use crate::grants::Grants;
use crate::page_engine::{self, PageEngine, PageFacts};
use crate::policy::{Justification, Policy};
use crate::url_filter::proxies::Proxied;
use crate::url_filter::{RequestUrl, UrlError};
use crate::verdict::Action;

/// A compiled policy ready to answer.
#[derive(Debug)]
pub struct Engine {
    catalog: Arc<Catalog>,
    policy: Policy,
    content: ContentScanner,
    /// A short hash of the content section (see [`Engine::content_revision`]).
    content_revision: String,
}

/// The short answer: what to do and which rule said so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub action: Action,
    /// The id of the deciding rule, or `None` when the policy's default action applied.
    pub rule: Option<String>,
    /// The deciding rule is a `monitor` rule: the visit is allowed and recorded.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub monitor: bool,
}

/// Everything the warn and block pages show about a URL.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub url: String,
    pub host: String,
    pub action: Action,
    pub rule: Option<String>,
    /// The deciding rule's filter that matched, as the policy writes filters.
    pub filter: Option<String>,
    pub message: std::collections::BTreeMap<String, String>,
    pub alternative: Option<String>,
    pub justification: Justification,
    pub tool: Option<ToolInfo>,
    /// Set when the URL goes through a proxy that serves another site (Google Translate's
    /// `*.translate.goog`): the verdict and the tool are that site's.
    pub proxy: Option<ProxyInfo>,
    pub remember_minutes: u32,
    /// True when a "Continue" grant turned a warn into an allow.
    pub granted: bool,
    /// Until when that grant lasts (ms since the epoch).
    pub granted_until: Option<f64>,
    /// The deciding rule is a `monitor` rule: the visit is allowed and recorded.
    pub monitored: bool,
}

/// A catalog tool and what the policy does to it.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogAction<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub vendor: &'a str,
    pub category: &'a str,
    pub patterns: &'a [String],
    pub action: Action,
    pub rule: Option<&'a str>,
}

/// What the toolbar popup tells the employee about a tab: the verdict as the warn page explains
/// it, whether content going into the page is checked, and whether the visit is recorded.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TabStatus {
    #[serde(flatten)]
    pub explanation: Explanation,
    pub scans_content: bool,
}

/// The proxy a URL goes through and the URL it reaches (what the page really is).
#[derive(Clone, Debug, Serialize)]
pub struct ProxyInfo {
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ToolInfo {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub category: String,
}

/// The built-in catalog, parsed once per process and shared by every engine.
fn builtin_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG.get_or_init(|| Arc::new(Catalog::builtin())).clone()
}

impl Engine {
    /// The engine with the built-in default policy.
    pub fn builtin() -> Engine {
        let catalog = builtin_catalog();
        let policy = Policy::builtin(&catalog);
        Engine::assemble(catalog, policy)
    }

    /// Compiles an admin policy.
    pub fn from_policy_json(text: &str) -> Result<Engine, PolicyError> {
        let catalog = builtin_catalog();
        let policy = Policy::parse(text, &catalog)?;
        Ok(Engine::assemble(catalog, policy))
    }

    fn assemble(catalog: Arc<Catalog>, policy: Policy) -> Engine {
        let content = ContentScanner::new(policy.content.clone());
        let content_revision = revision_of(&policy.content_only_json);
        Engine { catalog, policy, content, content_revision }
    }

    /// A short, stable hash of the policy's content section: engines compiled inside pages
    /// carry it, so a page can tell that its copy is no longer the one in force. The same
    /// section gives the same revision in every process and after every restart.
    pub fn content_revision(&self) -> &str {
        &self.content_revision
    }

    /// A policy document that compiles to an engine scanning content exactly as this one does,
    /// without the URL rules: what the extension compiles inside a page.
    pub fn content_only_policy_json(&self) -> &str {
        &self.policy.content_only_json
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// `raw` reduced to what an audit event may hold and carry off the machine (known fields,
    /// clipped, URLs cut to the policy's `auditUrls`, secrets redacted from a justification):
    /// see [`crate::audit`].
    pub fn audit_event(&self, raw: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        let redact = |text: &str| crate::content::scanner::redact_secrets(text, &self.scan(text).findings);
        crate::audit::reduce_event(raw, self.policy.audit_urls, &redact)
    }

    /// The verdict for a URL string, ignoring "Continue" grants.
    pub fn verdict(&self, url: &str) -> Result<Verdict, UrlError> {
        let (action, rule) = self.decide_rule(url)?;
        Ok(Verdict { action, rule: rule.map(|r| r.id.clone()), monitor: rule.is_some_and(|r| r.monitor) })
    }

    /// The action and deciding rule id, without allocating for canonical URLs: the hot path.
    /// A URL through a proxy is judged with the URL it reaches ([`Policy::judge`]).
    pub fn decide(&self, url: &str) -> Result<(Action, Option<&str>), UrlError> {
        let (action, rule) = self.decide_rule(url)?;
        Ok((action, rule.map(|r| r.id.as_str())))
    }

    fn decide_rule(&self, url: &str) -> Result<(Action, Option<&crate::policy::Rule>), UrlError> {
        let req = RequestUrl::parse(url)?;
        let j = self.policy.judge(&req);
        Ok((j.action, j.decided.map(|(rule, _)| rule)))
    }

    /// The action for a URL string: what the extension asks per request (no rule identity, so
    /// no read of the rule).
    pub fn action(&self, url: &str) -> Result<Action, UrlError> {
        Ok(self.action_for(&RequestUrl::parse(url)?))
    }

    /// The action alone, without allocating: the hot path for request checks.
    pub fn action_for(&self, url: &RequestUrl<'_>) -> Action {
        self.policy.action(url)
    }

    /// The full explanation at time `now_ms`, with `grants` applied: warn on a granted host is
    /// an allow.
    pub fn explain(&self, url: &str, grants: &Grants, now_ms: f64) -> Result<Explanation, UrlError> {
        let req = RequestUrl::parse(url)?;
        let j = self.policy.judge(&req);
        let (action, rule) = (j.action, j.decided.map(|(r, _)| r));
        let filter = j.decided.map(|(_, f)| f.to_string());
        // A grant is for the host in the address bar: "Continue" on claude-ai.translate.goog
        // says nothing about claude.ai itself.
        let granted_until = if action == Action::Warn { grants.active_until(req.host.as_ref(), now_ms) } else { None };
        let granted = granted_until.is_some();
        let tool = self.tool_of(&req, j.via.as_ref()).map(|t| ToolInfo {
            id: t.id.clone(),
            name: t.name.clone(),
            vendor: t.vendor.clone(),
            category: t.category.clone(),
        });
        let proxy = j.via.map(|v| ProxyInfo { name: v.proxy.name.to_string(), url: v.url.href.into_owned() });
        Ok(Explanation {
            url: req.href.to_string(),
            host: req.host.to_string(),
            action: if granted { Action::Allow } else { action },
            rule: rule.map(|r| r.id.clone()),
            filter,
            message: rule.map(|r| r.message.clone()).unwrap_or_default(),
            alternative: rule.and_then(|r| r.alternative.clone()),
            justification: rule.map_or(Justification::None, |r| r.justification),
            tool,
            proxy,
            remember_minutes: self.policy.warn_remember_minutes,
            granted,
            granted_until,
            monitored: rule.is_some_and(|r| r.monitor),
        })
    }

    /// Every catalog tool with what this policy does to it: the action and deciding rule for the
    /// tool's first pattern as an https URL (the console's catalog view).
    pub fn catalog_actions(&self) -> Vec<CatalogAction<'_>> {
        self.catalog
            .tools
            .iter()
            .map(|t| {
                let url = t.patterns.first().map(|p| format!("https://{}", p.trim_start_matches('.')));
                let decided = url.as_deref().and_then(|u| self.decide(u).ok());
                CatalogAction {
                    id: &t.id,
                    name: &t.name,
                    vendor: &t.vendor,
                    category: &t.category,
                    patterns: &t.patterns,
                    action: decided.map_or(self.policy.default_action, |(a, _)| a),
                    rule: decided.and_then(|(_, r)| r),
                }
            })
            .collect()
    }

    /// The popup's answer for the page at `url`.
    pub fn tab_status(&self, url: &str, grants: &Grants, now_ms: f64) -> Result<TabStatus, UrlError> {
        let explanation = self.explain(url, grants, now_ms)?;
        Ok(TabStatus { scans_content: self.scans_page(url), explanation })
    }

    /// The catalog tool a page belongs to: through a proxy, the served site's tool first.
    fn tool_of(&self, req: &RequestUrl<'_>, via: Option<&Proxied>) -> Option<&Tool> {
        via.and_then(|v| self.catalog.classify(&v.url)).or_else(|| self.catalog.classify(req))
    }

    /// "Continue" on a warn page for `url` at `now_ms`, with the employee's `justification`:
    /// the host to grant and until when, or why not.
    pub fn continue_on(&self, url: &str, justification: &str, now_ms: f64) -> Result<ContinueGrant, ContinueRefusal> {
        let e = self.explain(url, &Grants::new(), now_ms).map_err(|_| ContinueRefusal::NotAUrl)?;
        if e.action != Action::Warn {
            return Err(ContinueRefusal::NotWarned(e.action));
        }
        if e.justification == Justification::Required && justification.trim().is_empty() {
            return Err(ContinueRefusal::JustificationRequired);
        }
        let until = now_ms + f64::from(e.remember_minutes) * 60_000.0;
        Ok(ContinueGrant { url: e.url, host: e.host, rule: e.rule, until })
    }

    /// The browser network rules for this policy.
    pub fn dnr_rules(&self, opts: &DnrOptions) -> DnrCompilation {
        dnr::compile(&self.policy, opts)
    }

    /// Whether the browser's network rules stop a navigation to `url` before its request
    /// leaves: its deciding filter is one they express. When they do, the background need not
    /// redirect the navigation itself (doing so would load the warn page twice).
    pub fn network_rules_cover(&self, url: &str) -> bool {
        let Ok(req) = RequestUrl::parse(url) else { return false };
        let j = self.policy.judge(&req);
        // No rule: the default action, which the network rules do not carry (a default of
        // block or warn is the navigation check's to enforce).
        let Some((rule, filter)) = j.decided else { return self.policy.default_action == Action::Allow };
        if rule.action == Action::Allow {
            return true;
        }
        match &j.via {
            // The served site decided: its proxied form must be compiled and match this
            // spelling of the host.
            Some(via) if j.by_served_site => {
                via.plain && dnr::proxied::floor(&self.policy, via.proxy).is_some() && dnr::proxied::expresses(via.proxy, filter)
            }
            // The proxy URL's own filter decided, and any proxied form that matches carries its
            // action (see `dnr::proxied`).
            _ => dnr::expresses(filter),
        }
    }

    /// The DNR allow rule that makes a "Continue" on `url` stick for its host, or `None` when
    /// the URL is not warned.
    pub fn grant_rule(&self, id: u32, url: &str) -> Result<Option<serde_json::Value>, UrlError> {
        let req = RequestUrl::parse(url)?;
        let j = self.policy.judge(&req);
        let Some((_, filter)) = j.decided.filter(|(rule, _)| rule.action == Action::Warn) else { return Ok(None) };
        // Through a proxy, the warn that stops the host in the network rules is the served
        // site's proxied form, whenever the served site has a rule and proxied forms are
        // compiled; the grant must outrank that one.
        let served = j.via.as_ref().filter(|v| dnr::proxied::floor(&self.policy, v.proxy).is_some()).and_then(|v| {
            self.policy.decide_as_is(&v.url)
        });
        Ok(Some(match served {
            Some((_, served_filter)) => dnr::grant_rule(id, &req.host, served_filter, true),
            None => dnr::grant_rule(id, &req.host, filter, false),
        }))
    }

    /// Scans text on its way into a page (a paste, a drop, a prompt, a file).
    pub fn scan(&self, text: &str) -> ScanReport {
        self.content.scan(text)
    }

    /// The verdict on a paste, drop, typed prompt or file selection made of several parts.
    pub fn check_submission(&self, parts: &[Part]) -> SubmissionVerdict {
        submission::check(&self.content, parts)
    }

    /// The verdict on a typed edit turning `before` into `after`: what it adds (see
    /// [`crate::content::edit`]).
    pub fn check_typing(&self, before: &str, after: &str) -> SubmissionVerdict {
        edit::check_typing(&self.content, before, after)
    }

    /// The verdict on a prompt `text` when the employee already let `consented` through.
    pub fn check_since(&self, consented: &str, text: &str) -> SubmissionVerdict {
        edit::check_since(&self.content, consented, text)
    }

    /// What a navigation's address carries, checked as content: its query and fragment, decoded
    /// (`+` and percent-escapes), as `name=value` lines, for a page whose content is checked.
    /// `None` when the page is out of scope or the address carries nothing.
    pub fn check_address(&self, url: &str) -> Option<AddressCheck> {
        let parsed = url::Url::parse(url).ok()?;
        let query = parsed.query().filter(|q| !q.is_empty());
        let fragment = parsed.fragment().filter(|f| !f.is_empty());
        if (query.is_none() && fragment.is_none()) || !is_web_url(url) || !self.scans_page(url) {
            return None;
        }
        let mut text = String::new();
        for carried in [query, fragment].into_iter().flatten() {
            for (name, value) in url::form_urlencoded::parse(carried.as_bytes()) {
                text.push_str(&name);
                if !value.is_empty() {
                    text.push('=');
                    text.push_str(&value);
                }
                text.push('\n');
            }
        }
        let verdict = self.check_submission(&[Part { kind: PartKind::Text, name: None, content: PartContent::Text(&text) }]);
        // The network rules see the query of a page they name directly (not through a proxy, not
        // a blocked one, which goes to the block page anyway); a fragment never reaches them.
        let direct = RequestUrl::parse(url).is_ok_and(|req| self.policy.judge(&req).via.is_none());
        let network_rules_stop = query.is_some() && (self.policy.content.scope == Scope::All || direct);
        Some(AddressCheck { verdict, network_rules_stop })
    }

    /// The network rules that send navigations with a query to pages whose content is checked
    /// to the warn page first (see [`dnr::url_content`]).
    pub fn url_content_rules(&self, opts: &DnrOptions) -> Vec<serde_json::Value> {
        let from_rules = self.policy.rules.iter().filter(|r| r.action != Action::Block).flat_map(|r| r.filters.iter().map(|rf| &rf.filter));
        let from_catalog = self.catalog.filters.iter().flatten();
        dnr::url_content::rules(from_rules.chain(from_catalog), self.policy.content.scope == Scope::All, opts)
    }

    /// Whether content going into a frame is scanned: when the frame's own page or its tab's
    /// page is (a frame inside an AI tool's page, whether srcdoc, about:blank or another
    /// origin, is part of that tool). A document with no web address of its own (`about:blank`,
    /// `blob:`, `data:`) is the page that made it: a `blob:` URL names its creator's origin, the
    /// browser reports the creator's origin for the others, and a popup whose tab has no web
    /// address either is its opener's. Only web pages are scanned.
    pub fn scans_frame(&self, frame: &FrameContext<'_>) -> bool {
        let own = [frame.url, frame.tab_url].into_iter().flatten().any(|u| web_page_of(u).is_some());
        let made_by = [frame.url, frame.origin, frame.tab_url, if own { None } else { frame.opener_url }];
        made_by.into_iter().flatten().filter_map(web_page_of).any(|u| self.scans_page(&u))
    }

    /// Whether the content script of a page may compile the engine itself (see
    /// [`crate::page_engine`]).
    pub fn page_engine(&self, page: PageFacts<'_>) -> PageEngine {
        page_engine::decide(self.content.policy().engine_in_page, self.content.fingerprints().is_some_and(|db| db.len() > 0), page)
    }

    /// Whether content going into this page is scanned: every page under `"scope": "all"`,
    /// otherwise pages of catalog tools and pages a policy rule matches.
    pub fn scans_page(&self, url: &str) -> bool {
        if self.policy.content.scope == Scope::All {
            return true;
        }
        match RequestUrl::parse(url) {
            Ok(req) => {
                let j = self.policy.judge(&req);
                j.decided.is_some() || self.tool_of(&req, j.via.as_ref()).is_some()
            }
            Err(_) => false,
        }
    }

    /// Installs (or removes) the proprietary-code fingerprint database.
    pub fn set_fingerprints(&mut self, db: Option<FingerprintDb>) {
        self.content.set_fingerprints(db);
    }

    pub fn content(&self) -> &ContentScanner {
        &self.content
    }
}

/// Why "Continue" was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContinueRefusal {
    NotAUrl,
    /// The URL is not warned (any more): its action now.
    NotWarned(Action),
    /// The rule asks for a reason and none was given.
    JustificationRequired,
}

impl ContinueRefusal {
    /// The code the warn page shows a message for.
    pub fn code(self) -> &'static str {
        match self {
            ContinueRefusal::NotAUrl => "not-a-url",
            ContinueRefusal::NotWarned(_) => "not-warned",
            ContinueRefusal::JustificationRequired => "justification-required",
        }
    }
}

/// "Continue" granted: the host it holds for, until when, and the canonical URL to go on to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContinueGrant {
    pub url: String,
    pub host: String,
    pub rule: Option<String>,
    /// Milliseconds since the epoch.
    pub until: f64,
}

fn is_web_url(url: &str) -> bool {
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    ["http", "https", "ws", "wss"].iter().any(|w| scheme.eq_ignore_ascii_case(w))
}

/// The web page a URL stands for: itself, or for `blob:https://host/uuid` the page of the
/// origin that made it. Other schemes (`about:`, `data:`, `file:`, an opaque origin "null")
/// stand for none.
fn web_page_of(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    if is_web_url(url) {
        return Some(url.into());
    }
    let (scheme, inner) = url.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("blob") || !is_web_url(inner) {
        return None;
    }
    let origin = url::Url::parse(inner).ok()?.origin();
    origin.is_tuple().then(|| format!("{}/", origin.ascii_serialization()).into())
}

/// The content check of a navigation's address ([`Engine::check_address`]).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressCheck {
    pub verdict: SubmissionVerdict,
    /// Whether the network rules stop the navigation for this check before its request leaves
    /// (a query); otherwise (a fragment, a proxy) the background redirects it itself.
    pub network_rules_stop: bool,
}

/// Where a frame's content came from, as the browser reports it for a content script's message.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameContext<'a> {
    /// The frame's document URL.
    pub url: Option<&'a str>,
    /// The origin of the document: for `about:blank`, `about:srcdoc` and `data:` frames, the
    /// origin of the page that made them (Chromium's `MessageSender.origin`).
    pub origin: Option<&'a str>,
    /// The URL of the tab's top document.
    pub tab_url: Option<&'a str>,
    /// The URL of the page in the tab that opened this one (`window.open`).
    pub opener_url: Option<&'a str>,
}

/// FNV-1a, 64 bits, as 16 hex digits: stable across processes and versions of Rust, which
/// `std`'s hasher is not.
fn revision_of(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_revision_follows_the_content_section_only() {
        let a = Engine::from_policy_json(r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["a.example"]}]}"#).unwrap();
        let b = Engine::from_policy_json(r#"{"version":1,"rules":[{"id":"b","action":"warn","patterns":["b.example"]}]}"#).unwrap();
        let c = Engine::from_policy_json(r#"{"version":1,"content":{"secrets":{"action":"warn"}}}"#).unwrap();
        assert_eq!(a.content_revision(), b.content_revision());
        assert_ne!(a.content_revision(), c.content_revision());
        assert_eq!(a.content_revision().len(), 16);
    }

    #[test]
    fn continue_is_given_only_on_a_warned_url_with_the_reason_the_rule_asks_for() {
        let e = Engine::from_policy_json(r#"{"version":1,"warnRememberMinutes":10,"rules":[
            {"id":"w","action":"warn","patterns":["warned.example"],"justification":"required"},
            {"id":"b","action":"block","patterns":["blocked.example"]}]}"#).unwrap();
        assert_eq!(e.continue_on("https://warned.example/x", " ", 0.0), Err(ContinueRefusal::JustificationRequired));
        assert_eq!(e.continue_on("https://blocked.example/", "why", 0.0), Err(ContinueRefusal::NotWarned(Action::Block)));
        assert_eq!(e.continue_on("https://other.example/", "why", 0.0), Err(ContinueRefusal::NotWarned(Action::Allow)));
        assert_eq!(e.continue_on("not a url", "why", 0.0), Err(ContinueRefusal::NotAUrl));
        let g = e.continue_on("https://Warned.example/x", "needed for a ticket", 1_000.0).unwrap();
        assert_eq!((g.host.as_str(), g.url.as_str(), g.rule.as_deref(), g.until), ("warned.example", "https://warned.example/x", Some("w"), 601_000.0));
    }

    #[test]
    fn a_grant_turns_a_warn_into_an_allow_until_it_expires() {
        let e = Engine::from_policy_json(r#"{"version":1,"rules":[{"id":"w","action":"warn","patterns":["warned.example"]}]}"#).unwrap();
        let mut grants = Grants::new();
        grants.add("warned.example", "https://warned.example/", 2_000.0);
        let at = |now| e.explain("https://warned.example/a", &grants, now).unwrap();
        assert_eq!((at(1_999.0).action, at(1_999.0).granted, at(1_999.0).granted_until), (Action::Allow, true, Some(2_000.0)));
        assert_eq!((at(2_000.0).action, at(2_000.0).granted, at(2_000.0).granted_until), (Action::Warn, false, None));
    }

    #[test]
    fn the_console_sees_the_matching_filter_and_every_catalog_tool_under_the_policy() {
        let e = Engine::from_policy_json(r#"{"version":1,"defaultAction":"warn","rules":[
            {"id":"no-claude","action":"block","patterns":["example.org", "claude.ai/new"]},
            {"id":"watch","action":"monitor","categories":["ai-code"]}]}"#).unwrap();
        let x = e.explain("https://claude.ai/new/chat", &Grants::new(), 0.0).unwrap();
        assert_eq!((x.rule.as_deref(), x.filter.as_deref()), (Some("no-claude"), Some("claude.ai/new")));
        assert_eq!(e.explain("https://unlisted.example/", &Grants::new(), 0.0).unwrap().filter, None);
        let tools = e.catalog_actions();
        assert_eq!(tools.len(), e.catalog().tools.len());
        for t in &tools {
            let (action, rule) = if t.category == "ai-code" { (Action::Allow, Some("watch")) } else { (Action::Warn, None) };
            assert_eq!((t.action, t.rule), (action, rule), "{} {:?}", t.id, t.patterns);
        }
        let t = e.tab_status("https://github.com/copilot", &Grants::new(), 0.0).unwrap();
        assert!(t.explanation.monitored == (t.explanation.rule.as_deref() == Some("watch")));
    }

    #[test]
    fn network_rules_cover_what_they_express_and_leave_the_rest_to_the_navigation_check() {
        let e = Engine::from_policy_json(r#"{"version":1,"rules":[
            {"id":"w","action":"warn","patterns":["warned.example"]},
            {"id":"q","action":"block","patterns":["oauth.example/auth?client_id=681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com"]},
            {"id":"f","action":"block","patterns":["ftp://files.example"]}]}"#).unwrap();
        assert!(e.network_rules_cover("https://warned.example/x"));
        assert!(e.network_rules_cover("https://other.example/"), "allowed by default: nothing to stop");
        assert!(!e.network_rules_cover("ftp://files.example/"), "a scheme the network rules do not see");
        assert!(!e.network_rules_cover("not a url"));
        let strict = Engine::from_policy_json(r#"{"version":1,"defaultAction":"block","rules":[{"id":"ok","action":"allow","patterns":["ok.example"]}]}"#).unwrap();
        assert!(!strict.network_rules_cover("https://other.example/"), "a default block is the navigation check's");
        assert!(strict.network_rules_cover("https://ok.example/"));
        // Exactly the filters the compiler reports as skipped are left to the navigation check.
        let compiled = crate::dnr::compile(e.policy(), &crate::dnr::DnrOptions {
            warn_page: "/w".into(), block_page: "/b".into(), first_id: 1, extension_base: None });
        for rule in &e.policy().rules {
            for rf in &rule.filters {
                assert_eq!(crate::dnr::expresses(&rf.filter), !compiled.skipped.contains(&rf.filter.to_string()), "{}", rf.filter);
            }
        }
    }

    /// (frame URL, origin, tab URL, opener URL, scanned)
    const FRAMES: &[(Option<&str>, Option<&str>, Option<&str>, Option<&str>, bool)] = &[
        (Some("https://chatgpt.com/"), None, None, None, true),
        (Some("about:blank"), None, Some("https://chatgpt.com/"), None, true),
        (Some("https://example.com/"), None, Some("https://example.com/"), None, false),
        (Some("file:///chatgpt.com/"), None, None, None, false),
        (None, None, None, None, false),
        // A popup an AI page opened at about:blank: its origin, or its opener.
        (Some("about:blank"), Some("https://chatgpt.com"), Some("about:blank"), None, true),
        (Some("about:blank"), None, Some("about:blank"), Some("https://chatgpt.com/c/1"), true),
        (Some("about:blank"), Some("null"), Some("about:blank"), Some("https://example.com/"), false),
        // A blob: document names the origin that made it.
        (Some("blob:https://chatgpt.com/0d4c-11"), None, Some("blob:https://chatgpt.com/0d4c-11"), None, true),
        (Some("blob:https://example.com/0d4c-11"), None, Some("blob:https://example.com/0d4c-11"), Some("https://chatgpt.com/"), false),
        // A data: popup (opaque origin) is its opener's.
        (Some("data:text/html,<textarea>"), Some("null"), Some("data:text/html,<textarea>"), Some("https://chatgpt.com/"), true),
        // A popup that went on to a web page of its own is that page, whoever opened it.
        (Some("https://example.com/"), None, Some("https://example.com/"), Some("https://chatgpt.com/"), false),
    ];

    #[test]
    fn frames_are_scanned_as_the_web_page_that_made_them() {
        let e = Engine::builtin();
        for (i, &(url, origin, tab_url, opener_url, scanned)) in FRAMES.iter().enumerate() {
            let frame = FrameContext { url, origin, tab_url, opener_url };
            assert_eq!(e.scans_frame(&frame), scanned, "case {i}: {frame:?}");
        }
    }
}
