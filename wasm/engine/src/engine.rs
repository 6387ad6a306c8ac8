//! The public face of the engine: one compiled policy plus the catalog, answering questions
//! about URLs.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::catalog::Catalog;
use crate::content::fingerprint::FingerprintDb;
use crate::content::policy::Scope;
use crate::content::scanner::{ContentScanner, ScanReport};
use crate::content::submission::{self, Part, SubmissionVerdict};
use crate::dnr::{self, DnrCompilation, DnrOptions};
use crate::error::PolicyError;
use crate::policy::{Justification, Policy};
use crate::url_filter::{RequestUrl, UrlError};
use crate::verdict::Action;

/// A compiled policy ready to answer.
#[derive(Debug)]
pub struct Engine {
    catalog: Arc<Catalog>,
    policy: Policy,
    content: ContentScanner,
    /// Hosts where the employee chose "Continue" on a warn page, with expiry (ms since epoch).
    grants: HashMap<String, f64>,
}

/// The short answer: what to do and which rule said so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub action: Action,
    /// The id of the deciding rule, or `None` when the policy's default action applied.
    pub rule: Option<String>,
}

/// Everything the warn and block pages show about a URL.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub url: String,
    pub host: String,
    pub action: Action,
    pub rule: Option<String>,
    pub message: std::collections::BTreeMap<String, String>,
    pub alternative: Option<String>,
    pub justification: Justification,
    pub tool: Option<ToolInfo>,
    pub remember_minutes: u32,
    /// True when a "Continue" grant turned a warn into an allow.
    pub granted: bool,
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
        let content = ContentScanner::new(policy.content.clone());
        Engine { catalog, policy, content, grants: HashMap::new() }
    }

    /// Compiles an admin policy.
    pub fn from_policy_json(text: &str) -> Result<Engine, PolicyError> {
        let catalog = builtin_catalog();
        let policy = Policy::parse(text, &catalog)?;
        let content = ContentScanner::new(policy.content.clone());
        Ok(Engine { catalog, policy, content, grants: HashMap::new() })
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

    /// The verdict for a URL string, ignoring "Continue" grants.
    pub fn verdict(&self, url: &str) -> Result<Verdict, UrlError> {
        let (action, rule) = self.decide(url)?;
        Ok(Verdict { action, rule: rule.map(str::to_string) })
    }

    /// The action and deciding rule id, without allocating for canonical URLs: the hot path.
    pub fn decide(&self, url: &str) -> Result<(Action, Option<&str>), UrlError> {
        let req = RequestUrl::parse(url)?;
        Ok(match self.policy.decide(&req) {
            Some((rule, _)) => (rule.action, Some(rule.id.as_str())),
            None => (self.policy.default_action, None),
        })
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

    /// Records "Continue" on a warn page for `host` until `expires_ms` (ms since the epoch).
    pub fn grant(&mut self, host: &str, expires_ms: f64) {
        self.grants.insert(host.trim_end_matches('.').to_ascii_lowercase(), expires_ms);
    }

    /// Drops every grant (policy change, or the admin revoked them).
    pub fn clear_grants(&mut self) {
        self.grants.clear();
    }

    /// The full explanation at time `now_ms`, with grants applied: warn on a granted host is
    /// an allow.
    pub fn explain(&self, url: &str, now_ms: f64) -> Result<Explanation, UrlError> {
        let req = RequestUrl::parse(url)?;
        let decided = self.policy.decide(&req);
        let (action, rule) = match decided {
            Some((r, _)) => (r.action, Some(r)),
            None => (self.policy.default_action, None),
        };
        let granted = action == Action::Warn
            && self.grants.get(req.host.as_ref()).is_some_and(|&until| until > now_ms);
        let tool = self.catalog.classify(&req).map(|t| ToolInfo {
            id: t.id.clone(),
            name: t.name.clone(),
            vendor: t.vendor.clone(),
            category: t.category.clone(),
        });
        Ok(Explanation {
            url: req.href.to_string(),
            host: req.host.to_string(),
            action: if granted { Action::Allow } else { action },
            rule: rule.map(|r| r.id.clone()),
            message: rule.map(|r| r.message.clone()).unwrap_or_default(),
            alternative: rule.and_then(|r| r.alternative.clone()),
            justification: rule.map_or(Justification::None, |r| r.justification),
            tool,
            remember_minutes: self.policy.warn_remember_minutes,
            granted,
        })
    }

    /// The browser network rules for this policy.
    pub fn dnr_rules(&self, opts: &DnrOptions) -> DnrCompilation {
        dnr::compile(&self.policy, opts)
    }

    /// The DNR allow rule that makes a "Continue" on `url` stick for its host, or `None` when
    /// the URL is not warned.
    pub fn grant_rule(&self, id: u32, url: &str) -> Result<Option<serde_json::Value>, UrlError> {
        let req = RequestUrl::parse(url)?;
        Ok(match self.policy.decide(&req) {
            Some((rule, filter)) if rule.action == Action::Warn => {
                Some(dnr::grant_rule(id, &req.host, filter))
            }
            _ => None,
        })
    }

    /// Scans text on its way into a page (a paste, a drop, a prompt, a file).
    pub fn scan(&self, text: &str) -> ScanReport {
        self.content.scan(text)
    }

    /// The verdict on a paste, drop, typed prompt or file selection made of several parts.
    pub fn check_submission(&self, parts: &[Part]) -> SubmissionVerdict {
        submission::check(&self.content, parts)
    }

    /// Whether content going into this page is scanned: every page under `"scope": "all"`,
    /// otherwise pages of catalog tools and pages a policy rule matches.
    pub fn scans_page(&self, url: &str) -> bool {
        if self.policy.content.scope == Scope::All {
            return true;
        }
        match RequestUrl::parse(url) {
            Ok(req) => self.catalog.classify(&req).is_some() || self.policy.decide(&req).is_some(),
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
