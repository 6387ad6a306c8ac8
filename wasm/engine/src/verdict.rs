//! What the engine answers about a URL or a text: the action, and what a warning asks of the
//! employee who goes on.

use serde::{Deserialize, Serialize};

/// What happens to a navigation or request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Block,
    Warn,
    Allow,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Warn => "warn",
            Action::Allow => "allow",
        }
    }

    /// Parses the policy spelling (`block`, `warn`, `allow`; lowercase only).
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "block" => Some(Action::Block),
            "warn" => Some(Action::Warn),
            "allow" => Some(Action::Allow),
            _ => None,
        }
    }

    /// The most severe of several actions (block > warn > allow); `Allow` for none. How the
    /// findings of a scan combine into one verdict.
    pub fn most_severe(actions: impl IntoIterator<Item = Action>) -> Action {
        actions.into_iter().min_by_key(|a| a.permissiveness()).unwrap_or(Action::Allow)
    }

    /// Ties between rules go to the more permissive action, as Chrome's allowlist wins ties.
    pub fn permissiveness(self) -> u8 {
        match self {
            Action::Block => 0,
            Action::Warn => 1,
            Action::Allow => 2,
        }
    }
}

/// Whether going on past a warning asks the employee why ("Continue" on the warn page or in
/// the content dialog). Network rules and the content section both set it, so it lives here,
/// beside the action, rather than in either policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Justification {
    #[default]
    None,
    Optional,
    Required,
}

impl Justification {
    pub fn parse(s: &str) -> Option<Justification> {
        match s {
            "none" => Some(Justification::None),
            "optional" => Some(Justification::Optional),
            "required" => Some(Justification::Required),
            _ => None,
        }
    }
}
