//! The policy's `content` section: which detectors act how, and where content is scanned.
//!
//! ```json
//! "content": {
//!   "scope": "ai",
//!   "secrets": {"action": "block", "disabledRules": ["generic-api-key"]},
//!   "fingerprints": {"action": "block", "minMatches": 5},
//!   "markers": [
//!     {"id": "acme-confidential", "action": "warn", "terms": ["ACME CONFIDENTIAL"]},
//!     {"id": "tickets", "action": "warn", "regex": "PROJ-[0-9]{2,6}", "wholeWord": false}
//!   ],
//!   "justification": "optional",
//!   "maxFileBytes": 1048576,
//!   "unscannable": "warn",
//!   "engineInPage": "auto"
//! }
//! ```
//!
//! `maxFileBytes`: files are read up to this size; a larger one is scanned up to it and is
//! unscannable in part. `unscannable`: the action on a file, or an entry of one, that could not
//! be read (encrypted, an unknown compression, a broken container, a decoding budget reached)
//! or was read only in part: `block`, `warn` (the default) or `allow`.
//!
//! `engineInPage`: whether the extension may run this section's engine inside web pages whose
//! CSP allows it (content is then judged within the event) or keeps it in its background.
//! `auto` (the default) allows it only when the section has no markers: marker terms are often
//! confidential themselves (project code names, internal hosts), and an engine in a page puts
//! them in that page's process. `allow` runs it in pages even so; `never` keeps it out.

use serde::Deserialize;

use super::markers::MarkerRule;
use super::secrets::RULES;
use crate::error::PolicyError;
use crate::verdict::{Action, Justification};

pub use super::fingerprint::DEFAULT_MIN_MATCHES;
/// How much of an uploaded file is read when the policy doesn't say (`maxFileBytes`).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 20;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ContentDoc {
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    secrets: Option<SecretsDoc>,
    #[serde(default)]
    fingerprints: Option<FingerprintsDoc>,
    #[serde(default)]
    markers: Vec<MarkerDoc>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    max_file_bytes: Option<u64>,
    #[serde(default)]
    unscannable: Option<String>,
    #[serde(default)]
    engine_in_page: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SecretsDoc {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FingerprintsDoc {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    min_matches: Option<usize>,
    /// Where the database comes from (a URL the extension fetches); the CLI takes a file.
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MarkerDoc {
    id: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default = "yes")]
    whole_word: bool,
}

fn yes() -> bool {
    true
}

/// Where content is scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Pages of catalog tools and pages a policy rule matches.
    Ai,
    /// Every page.
    All,
}

/// The validated content policy.
#[derive(Clone, Debug)]
pub struct ContentPolicy {
    pub scope: Scope,
    pub secrets_action: Action,
    pub disabled_secret_rules: Vec<String>,
    pub fingerprints_action: Action,
    pub min_matches: usize,
    pub fingerprints_source: Option<String>,
    pub markers: Vec<MarkerRule>,
    pub justification: Justification,
    /// Files are read up to this many bytes.
    pub max_file_bytes: u64,
    /// The action on what could not be read, or was read only in part (`unscannable`).
    pub unscannable: Action,
    /// Whether the engine may run inside web pages (`engineInPage` resolved; see the module notes).
    pub engine_in_page: bool,
}

impl Default for ContentPolicy {
    /// Without a `content` section: secrets and fingerprint matches block on AI pages.
    fn default() -> Self {
        ContentPolicy {
            scope: Scope::Ai,
            secrets_action: Action::Block,
            disabled_secret_rules: Vec::new(),
            fingerprints_action: Action::Block,
            min_matches: DEFAULT_MIN_MATCHES,
            fingerprints_source: None,
            markers: Vec::new(),
            justification: Justification::Optional,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            unscannable: Action::Warn,
            engine_in_page: true,
        }
    }
}

fn action(value: Option<&str>, field: &str, default: Action) -> Result<Action, PolicyError> {
    match value {
        None => Ok(default),
        Some(a) => Action::parse(a)
            .ok_or_else(|| PolicyError::at_field(field, format!("`{a}` is not one of block, warn, allow"))),
    }
}

impl ContentPolicy {
    pub(crate) fn compile(doc: Option<ContentDoc>) -> Result<ContentPolicy, PolicyError> {
        let Some(doc) = doc else { return Ok(ContentPolicy::default()) };
        let d = ContentPolicy::default();
        let scope = match doc.scope.as_deref() {
            None | Some("ai") => Scope::Ai,
            Some("all") => Scope::All,
            Some(s) => return Err(PolicyError::at_field("content.scope", format!("`{s}` is not one of ai, all"))),
        };
        let (secrets_action, disabled_secret_rules) = match doc.secrets {
            None => (d.secrets_action, Vec::new()),
            Some(s) => {
                for (i, id) in s.disabled_rules.iter().enumerate() {
                    if !RULES.iter().any(|r| r.id == id) {
                        return Err(PolicyError::at_field(
                            format!("content.secrets.disabledRules[{i}]"),
                            format!("`{id}` is not a secret rule (`aiguard secrets` lists them)"),
                        ));
                    }
                }
                (action(s.action.as_deref(), "content.secrets.action", d.secrets_action)?, s.disabled_rules)
            }
        };
        let (fingerprints_action, min_matches, fingerprints_source) = match doc.fingerprints {
            None => (d.fingerprints_action, d.min_matches, None),
            Some(f) => {
                let min = f.min_matches.unwrap_or(d.min_matches);
                if !(1..=1000).contains(&min) {
                    return Err(PolicyError::at_field("content.fingerprints.minMatches", format!("{min} is not from 1 to 1000")));
                }
                if let Some(src) = &f.source {
                    if !matches!(url::Url::parse(src).map(|u| u.scheme().to_string()).as_deref(), Ok("https")) {
                        return Err(PolicyError::at_field("content.fingerprints.source", format!("`{src}` is not an https URL")));
                    }
                }
                (action(f.action.as_deref(), "content.fingerprints.action", d.fingerprints_action)?, min, f.source)
            }
        };
        let mut markers = Vec::with_capacity(doc.markers.len());
        let mut seen = std::collections::HashSet::new();
        for (i, m) in doc.markers.into_iter().enumerate() {
            let field = |f: &str| format!("content.markers[{i}].{f}");
            let in_rule = |e: PolicyError| e.in_rule(Some(&m.id));
            if m.id.trim().is_empty() {
                return Err(PolicyError::at_field(field("id"), "marker id must not be empty"));
            }
            if !seen.insert(m.id.clone()) {
                return Err(in_rule(PolicyError::at_field(field("id"), "duplicate marker id")));
            }
            if m.terms.is_empty() && m.regex.is_none() {
                return Err(in_rule(PolicyError::at_field(format!("content.markers[{i}]"), "a marker needs `terms`, `regex` or both")));
            }
            if let Some(j) = m.terms.iter().position(|t| t.trim().is_empty()) {
                return Err(in_rule(PolicyError::at_field(format!("content.markers[{i}].terms[{j}]"), "empty term")));
            }
            let regex = match &m.regex {
                None => None,
                Some(r) => Some(
                    regex::RegexBuilder::new(r)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| in_rule(PolicyError::at_field(field("regex"), format!("invalid regex: {e}"))))?,
                ),
            };
            markers.push(MarkerRule {
                action: action(m.action.as_deref(), &field("action"), Action::Warn).map_err(in_rule)?,
                id: m.id,
                terms: m.terms,
                case_sensitive: m.case_sensitive,
                whole_word: m.whole_word,
                regex,
            });
        }
        let justification = match doc.justification.as_deref() {
            None => d.justification,
            Some(j) => Justification::parse(j).ok_or_else(|| {
                PolicyError::at_field("content.justification", format!("`{j}` is not one of none, optional, required"))
            })?,
        };
        let engine_in_page = match doc.engine_in_page.as_deref() {
            None | Some("auto") => markers.is_empty(),
            Some("allow") => true,
            Some("never") => false,
            Some(v) => return Err(PolicyError::at_field("content.engineInPage", format!("`{v}` is not one of auto, allow, never"))),
        };
        Ok(ContentPolicy {
            engine_in_page,
            scope,
            secrets_action,
            disabled_secret_rules,
            fingerprints_action,
            min_matches,
            fingerprints_source,
            markers,
            justification,
            max_file_bytes: doc.max_file_bytes.unwrap_or(d.max_file_bytes),
            unscannable: action(doc.unscannable.as_deref(), "content.unscannable", d.unscannable)?,
        })
    }
}
