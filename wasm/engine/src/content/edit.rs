//! Text judged by what it adds: an edit the employee is typing, and a prompt that holds
//! content the employee already let through.
//!
//! Typed text is checked at every insertion or deletion, before it happens, so that the one
//! that would complete a credential or a marker is stopped while what is in the editor is still
//! clean. The question is then not "is there a finding in the text" but "is there a finding the
//! edit makes": a finding already in the text before the edit (let through by the employee, or
//! put there by the page itself) must not stop every later keystroke. Findings are compared by
//! what they are (detector, rule) and what they matched, not by position, since an edit moves
//! everything after it.
//!
//! Fingerprints are not judged per keystroke: a winnowed match grows and moves with every
//! character, so it has no identity from one keystroke to the next, and code arrives by paste,
//! drop and file (which are checked whole) far more than by typing. The send-time check
//! ([`check_since`]) judges them.

use rustc_hash::FxHashMap;

use super::scanner::{ContentScanner, Detector, Finding};
use super::submission::{PartFinding, PartKind, PartStatus, PartVerdict, SubmissionVerdict};
use crate::verdict::Action;

/// The verdict on an edit that turns `before` into `after` (both the text around the edit, or
/// the whole editor): the secrets and markers in `after` that `before` does not hold.
pub fn check_typing(scanner: &ContentScanner, before: &str, after: &str) -> SubmissionVerdict {
    let held = scanner.secret_and_marker_findings(before);
    let found = scanner.secret_and_marker_findings(after);
    verdict(scanner, after, added(before, &held, after, found))
}

/// The verdict on `text`, a prompt about to be sent, when the employee has already let
/// `consented` through (by "Type anyway" or "Send anyway"): every detector, less the secrets and
/// markers `consented` holds.
pub fn check_since(scanner: &ContentScanner, consented: &str, text: &str) -> SubmissionVerdict {
    let held = scanner.secret_and_marker_findings(consented);
    let found = scanner.scan(text).findings;
    verdict(scanner, text, added(consented, &held, text, found))
}

/// The findings of `after` not among those of `before`, matched by detector, rule and matched
/// text, each earlier finding excusing one later one. Fingerprint findings are never excused.
fn added<'t>(before: &'t str, held: &[Finding], after: &'t str, found: Vec<Finding>) -> Vec<Finding> {
    let mut excused: FxHashMap<(Detector, String, &'t str), usize> = FxHashMap::default();
    for f in held.iter().filter(|f| f.action != Action::Allow) {
        *excused.entry((f.detector, f.rule.clone(), &before[f.start..f.end])).or_default() += 1;
    }
    found
        .into_iter()
        .filter(|f| {
            if f.detector == Detector::Fingerprint {
                return true;
            }
            match excused.get_mut(&(f.detector, f.rule.clone(), &after[f.start..f.end])) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect()
}

fn verdict(scanner: &ContentScanner, text: &str, findings: Vec<Finding>) -> SubmissionVerdict {
    let action = Action::most_severe(findings.iter().map(|f| f.action));
    let part = PartVerdict {
        kind: PartKind::Text,
        name: None,
        status: PartStatus::Scanned,
        action,
        bytes: text.len(),
        code_coverage: 0.0,
        // Typed text is never rewritten: it stays with the employee to edit.
        redactable: false,
    };
    SubmissionVerdict {
        action,
        parts: vec![part],
        findings: findings.into_iter().map(|finding| PartFinding { part: 0, finding }).collect(),
        justification: scanner.policy().justification,
        redactable: false,
        redacted_text: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::policy::ContentPolicy;

    const KEY: &str = "AKIAFLHBMUAPTT2ZN5X2";

    fn scanner() -> ContentScanner {
        ContentScanner::new(ContentPolicy::default())
    }

    /// (before, after, whether the edit adds a finding)
    const TYPING: &[(&str, &str, bool)] = &[
        // The keystroke that completes the key.
        ("aws_access_key_id = AKIAFLHBMUAPTT2ZN5X", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2", true),
        // Deleting the character that kept two halves apart.
        ("aws_access_key_id = AKIAFLHBMU-APTT2ZN5X2", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2", true),
        // Typing after a key that was already there (let through before): nothing new.
        ("aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2 and", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2 and ", false),
        // Typing before it moves it; still nothing new.
        ("aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2", "xaws_access_key_id = AKIAFLHBMUAPTT2ZN5X2", false),
        // A second copy of the same key is a second finding.
        ("aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2 aws_access_key_id = AKIAFLHBMUAPTT2ZN5X", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2 aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2", true),
        // A different key after an excused one.
        ("aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\naws_access_key_id = AKIAGAVJSGU7XWQXNIZ", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\naws_access_key_id = AKIAGAVJSGU7XWQXNIZW", true),
        // Plain typing.
        ("hello worl", "hello world", false),
    ];

    #[test]
    fn typing_table() {
        let s = scanner();
        for (i, (before, after, adds)) in TYPING.iter().enumerate() {
            let v = check_typing(&s, before, after);
            assert_eq!(v.action != Action::Allow, *adds, "case {i}: {after:?} {:?}", v.findings);
            assert!(v.findings.iter().all(|f| f.finding.detector != Detector::Fingerprint));
        }
    }

    #[test]
    fn since_excuses_only_what_was_let_through() {
        let s = scanner();
        let consented = format!("aws_access_key_id = {KEY}");
        let text = format!("{consented} and more");
        assert_eq!(check_since(&s, &consented, &text).action, Action::Allow);
        assert_eq!(check_since(&s, "", &text).action, s.scan(&text).action);
        let another = format!("{text}\naws_access_key_id = AKIAGAVJSGU7XWQXNIZW");
        assert_ne!(check_since(&s, &consented, &another).action, Action::Allow, "a key not let through");
    }
}
