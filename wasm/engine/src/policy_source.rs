//! Which policy is in force, and why.
//!
//! The extension can hold up to four policy texts: the policy of the signed bundle in force
//! (see [`crate::bundle`]), one from enterprise managed storage, one an admin saved on the
//! options page, and the last one that compiled (kept so that a broken update never replaces a
//! working policy). [`choose`] is the one rule that picks among them:
//!
//! 1. the bundle's policy when there is one, else the managed policy, else the local one, else
//!    the built-in default;
//! 2. if that candidate does not compile, it is rejected (the rejection is reported with its
//!    source and the engine's message) and the last good policy stays in force;
//! 3. without a last good policy (or if it no longer compiles), the built-in default;
//!    and a last good policy saved on the options page never stands in for a rejected bundle
//!    or managed policy: an employee's policy must not come back because the admin's arrived
//!    broken.
//!
//! Whether a policy may be saved on the options page at all is [`local_policy_allowed`].
//!
//! A candidate that compiles becomes the new last good policy, unless it is the built-in one
//! (which needs no keeping).
//!
//! **Why the bundle comes first.** The bundle is the channel by which the security team
//! updates the fleet; the inline managed policy is what a browser uses until its first good
//! bundle arrives. A bundle only reaches this rule after [`crate::bundle::verify`] accepted it:
//! signed by a key the same managed storage names, newer than the one before, not expired. If
//! the inline policy won, publishing a bundle would change nothing on a browser that also has
//! one. The caller passes a bundle only while managed storage configures bundles, so removing
//! that configuration hands control back to the inline policy.

use serde::Serialize;

use crate::engine::Engine;

/// Where a policy text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicySource {
    /// The signed bundle in force (managed storage's `bundleUrl`).
    Bundle,
    /// Enterprise managed storage (`policy` key).
    Managed,
    /// Saved on the options page.
    Local,
    /// Compiled into the engine.
    Builtin,
}

impl PolicySource {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicySource::Bundle => "bundle",
            PolicySource::Managed => "managed",
            PolicySource::Local => "local",
            PolicySource::Builtin => "builtin",
        }
    }

    /// Reads the stored name of a source.
    pub fn parse(name: &str) -> Option<PolicySource> {
        match name {
            "bundle" => Some(PolicySource::Bundle),
            "managed" => Some(PolicySource::Managed),
            "local" => Some(PolicySource::Local),
            "builtin" => Some(PolicySource::Builtin),
            _ => None,
        }
    }
}

/// The texts the extension holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicyCandidates<'a> {
    /// The policy text of the verified bundle in force.
    pub bundle: Option<&'a str>,
    pub managed: Option<&'a str>,
    pub local: Option<&'a str>,
    /// The last policy that compiled, and where it came from.
    pub last_good: Option<(PolicySource, &'a str)>,
}

/// A policy that was not put in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub source: PolicySource,
    /// The engine's message: line, column, rule and field.
    pub message: String,
}

/// Why the policy in force is the one in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The first candidate compiled.
    Chosen,
    /// The first candidate was rejected; the last good policy stays in force.
    LastGoodKept,
    /// The first candidate was rejected and no last good policy compiles.
    BuiltinFallback,
}

/// The outcome of [`choose`].
#[derive(Debug)]
pub struct ActivePolicy {
    pub engine: Engine,
    pub source: PolicySource,
    /// The policy text in force; `None` for the built-in policy.
    pub text: Option<String>,
    pub reason: Reason,
    /// The candidate that was turned down, if any.
    pub rejected: Option<Rejection>,
}

impl ActivePolicy {
    /// What to keep as the last good policy after this choice: the candidate that just
    /// compiled, unless it is the built-in one.
    pub fn last_good(&self) -> Option<(PolicySource, &str)> {
        match (self.reason, &self.text) {
            (Reason::Chosen, Some(text)) => Some((self.source, text)),
            _ => None,
        }
    }
}

/// Picks the policy in force from the texts the extension holds (see the module notes).
pub fn choose(c: PolicyCandidates<'_>) -> ActivePolicy {
    let (source, text) = match (c.bundle, c.managed, c.local) {
        (Some(b), _, _) => (PolicySource::Bundle, Some(b)),
        (None, Some(m), _) => (PolicySource::Managed, Some(m)),
        (None, None, Some(l)) => (PolicySource::Local, Some(l)),
        (None, None, None) => (PolicySource::Builtin, None),
    };
    let Some(text) = text else {
        return ActivePolicy { engine: Engine::builtin(), source, text: None, reason: Reason::Chosen, rejected: None };
    };
    let rejection = match Engine::from_policy_json(text) {
        Ok(engine) => {
            return ActivePolicy { engine, source, text: Some(text.to_string()), reason: Reason::Chosen, rejected: None }
        }
        Err(e) => Rejection { source, message: e.to_string() },
    };
    let admins = matches!(source, PolicySource::Bundle | PolicySource::Managed);
    if let Some((good_source, good_text)) = c.last_good.filter(|(good, _)| !(admins && *good == PolicySource::Local)) {
        if let Ok(engine) = Engine::from_policy_json(good_text) {
            return ActivePolicy {
                engine,
                source: good_source,
                text: Some(good_text.to_string()),
                reason: Reason::LastGoodKept,
                rejected: Some(rejection),
            };
        }
    }
    ActivePolicy {
        engine: Engine::builtin(),
        source: PolicySource::Builtin,
        text: None,
        reason: Reason::BuiltinFallback,
        rejected: Some(rejection),
    }
}

/// Whether the toolbar popup links to the console (the options page): an admin's managed
/// `showConsole` decides; without it, the console is the employee's own only when nobody
/// manages the extension (not installed by policy, nothing set in managed storage).
pub fn console_visible(admin_installed: bool, managed_configured: bool, show_console: Option<bool>) -> bool {
    show_console.unwrap_or(!(admin_installed || managed_configured))
}

/// Whether a policy may be saved on the options page (and one saved there is used): not when
/// the extension was installed by enterprise policy (`admin_installed`) or managed storage
/// configures it (`managed_configured`: a policy, a bundle), unless the admin allows it
/// explicitly (`allow_local`, managed storage's `allowLocalPolicy`, for a pilot). Otherwise an
/// employee could replace the company's policy with one that allows everything.
pub fn local_policy_allowed(admin_installed: bool, managed_configured: bool, allow_local: Option<bool>) -> bool {
    match allow_local {
        Some(allowed) => allowed || !(admin_installed || managed_configured),
        None => !(admin_installed || managed_configured),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_save_a_policy_on_the_options_page() {
        // (installed by policy, managed storage configures it, allowLocalPolicy) → allowed
        let table = [
            ((false, false, None), true),
            ((false, false, Some(false)), true),
            ((true, false, None), false),
            ((false, true, None), false),
            ((true, true, None), false),
            ((true, false, Some(false)), false),
            ((true, true, Some(true)), true),
            ((false, true, Some(true)), true),
        ];
        for ((admin, managed, allow), want) in table {
            assert_eq!(local_policy_allowed(admin, managed, allow), want, "{admin} {managed} {allow:?}");
        }
    }

    #[test]
    fn the_console_is_linked_for_an_unmanaged_extension_or_where_the_admin_says() {
        for ((admin, managed, show), want) in [
            ((false, false, None), true),
            ((true, false, None), false),
            ((false, true, None), false),
            ((true, true, Some(true)), true),
            ((false, false, Some(false)), false),
        ] {
            assert_eq!(console_visible(admin, managed, show), want, "{admin} {managed} {show:?}");
        }
    }

    const GOOD_A: &str = r#"{"version":1,"rules":[{"id":"a","action":"block","patterns":["a.example"]}]}"#;
    const GOOD_B: &str = r#"{"version":1,"rules":[{"id":"b","action":"block","patterns":["b.example"]}]}"#;
    const GOOD_C: &str = r#"{"version":1,"rules":[{"id":"c","action":"block","patterns":["c.example"]}]}"#;
    const BAD: &str = r#"{"version":1,"rules":[{"id":"x","action":"explode"}]}"#;

    struct Case {
        name: &'static str,
        bundle: Option<&'static str>,
        managed: Option<&'static str>,
        local: Option<&'static str>,
        last_good: Option<(PolicySource, &'static str)>,
        source: PolicySource,
        text: Option<&'static str>,
        reason: Reason,
        rejected: Option<PolicySource>,
    }

    #[test]
    fn the_policy_in_force_follows_one_rule() {
        use PolicySource::*;
        let cases = [
            Case { bundle: None, name: "nothing: built-in", managed: None, local: None, last_good: None, source: Builtin, text: None, reason: Reason::Chosen, rejected: None },
            Case { bundle: None, name: "managed wins over local", managed: Some(GOOD_A), local: Some(GOOD_B), last_good: None, source: Managed, text: Some(GOOD_A), reason: Reason::Chosen, rejected: None },
            Case { bundle: None, name: "local without managed", managed: None, local: Some(GOOD_B), last_good: None, source: Local, text: Some(GOOD_B), reason: Reason::Chosen, rejected: None },
            Case { bundle: None, name: "broken managed keeps the last good", managed: Some(BAD), local: None, last_good: Some((Managed, GOOD_A)), source: Managed, text: Some(GOOD_A), reason: Reason::LastGoodKept, rejected: Some(Managed) },
            Case { bundle: None, name: "broken managed, no last good: built-in", managed: Some(BAD), local: Some(GOOD_B), last_good: None, source: Builtin, text: None, reason: Reason::BuiltinFallback, rejected: Some(Managed) },
            Case { bundle: None, name: "broken local keeps the last good", managed: None, local: Some(BAD), last_good: Some((Local, GOOD_B)), source: Local, text: Some(GOOD_B), reason: Reason::LastGoodKept, rejected: Some(Local) },
            Case { bundle: None, name: "a last good that no longer compiles: built-in", managed: Some(BAD), local: None, last_good: Some((Managed, BAD)), source: Builtin, text: None, reason: Reason::BuiltinFallback, rejected: Some(Managed) },
            Case { bundle: None, name: "a last good is not used while the candidate compiles", managed: Some(GOOD_B), local: None, last_good: Some((Managed, GOOD_A)), source: Managed, text: Some(GOOD_B), reason: Reason::Chosen, rejected: None },
            Case { name: "a bundle wins over managed and local", bundle: Some(GOOD_C), managed: Some(GOOD_A), local: Some(GOOD_B), last_good: None, source: Bundle, text: Some(GOOD_C), reason: Reason::Chosen, rejected: None },
            Case { name: "a bundle without managed", bundle: Some(GOOD_C), managed: None, local: Some(GOOD_B), last_good: None, source: Bundle, text: Some(GOOD_C), reason: Reason::Chosen, rejected: None },
            Case { name: "no bundle yet: managed", bundle: None, managed: Some(GOOD_A), local: None, last_good: Some((Managed, GOOD_A)), source: Managed, text: Some(GOOD_A), reason: Reason::Chosen, rejected: None },
            Case { name: "a bundle this engine no longer compiles keeps the last good", bundle: Some(BAD), managed: Some(GOOD_A), local: None, last_good: Some((Bundle, GOOD_C)), source: Bundle, text: Some(GOOD_C), reason: Reason::LastGoodKept, rejected: Some(Bundle) },
            Case { name: "a broken managed policy never brings back a local one", bundle: None, managed: Some(BAD), local: None, last_good: Some((Local, GOOD_B)), source: Builtin, text: None, reason: Reason::BuiltinFallback, rejected: Some(Managed) },
            Case { name: "a broken bundle never brings back a local one", bundle: Some(BAD), managed: None, local: None, last_good: Some((Local, GOOD_B)), source: Builtin, text: None, reason: Reason::BuiltinFallback, rejected: Some(Bundle) },
            Case { name: "a broken managed policy keeps the last bundle's", bundle: None, managed: Some(BAD), local: None, last_good: Some((Bundle, GOOD_C)), source: Bundle, text: Some(GOOD_C), reason: Reason::LastGoodKept, rejected: Some(Managed) },
        ];
        for c in cases {
            let got = choose(PolicyCandidates { bundle: c.bundle, managed: c.managed, local: c.local, last_good: c.last_good });
            assert_eq!(got.source, c.source, "{}: source", c.name);
            assert_eq!(got.text.as_deref(), c.text, "{}: text", c.name);
            assert_eq!(got.reason, c.reason, "{}: reason", c.name);
            assert_eq!(got.rejected.as_ref().map(|r| r.source), c.rejected, "{}: rejected", c.name);
            if let Some(r) = &got.rejected {
                assert!(r.message.contains("explode"), "{}: the engine's message: {}", c.name, r.message);
            }
        }
    }

    #[test]
    fn a_source_reads_back_from_its_stored_name() {
        for s in [PolicySource::Bundle, PolicySource::Managed, PolicySource::Local, PolicySource::Builtin] {
            assert_eq!(PolicySource::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn only_a_candidate_that_compiled_becomes_the_last_good_one() {
        let bundle = choose(PolicyCandidates { bundle: Some(GOOD_C), managed: Some(GOOD_A), ..Default::default() });
        assert_eq!(bundle.last_good(), Some((PolicySource::Bundle, GOOD_C)));
        let chosen = choose(PolicyCandidates { managed: Some(GOOD_A), ..Default::default() });
        assert_eq!(chosen.last_good(), Some((PolicySource::Managed, GOOD_A)));
        let kept = choose(PolicyCandidates { managed: Some(BAD), last_good: Some((PolicySource::Managed, GOOD_A)), ..Default::default() });
        assert_eq!(kept.last_good(), None);
        assert_eq!(choose(PolicyCandidates::default()).last_good(), None);
    }
}
