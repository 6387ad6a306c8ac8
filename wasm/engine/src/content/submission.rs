//! One thing on its way into a page — a paste, a drop, a typed prompt, a file selection —
//! judged as a whole.
//!
//! A clipboard or drag payload carries several flavours of the same content (plain text, HTML)
//! and possibly files; a file input carries files. Each is a [`Part`]. Every part is scanned;
//! the submission's action is the most severe action of any finding in any part, so no flavour
//! can carry what another was stopped for.
//!
//! Files are judged by their bytes, not their names or MIME types (which the sender controls):
//! a file whose leading bytes look like text is decoded (lossily) and scanned, a binary file is
//! passed, and a file larger than the policy's `maxFileBytes` is not read at all and reported as
//! unscanned so the audit trail shows it.

use serde::Serialize;

use super::scanner::{redact_secrets, ContentScanner, Detector, Finding};
use crate::verdict::{Action, Justification};

/// Leading bytes inspected to tell text from binary.
const SNIFF_BYTES: usize = 8192;

/// What a part of a submission is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    /// The `text/plain` flavour, or a typed prompt.
    Text,
    /// The `text/html` flavour.
    Html,
    /// A file (clipboard, drop or file input).
    File,
}

/// The content of a part: text as the browser gave it, or a file's bytes.
pub enum PartContent<'a> {
    Text(&'a str),
    /// `size` is the file's full size; `bytes` is empty when the caller did not read a file
    /// larger than the policy's limit.
    Bytes {
        bytes: &'a [u8],
        size: u64,
    },
}

pub struct Part<'a> {
    pub kind: PartKind,
    /// File name, for the UI and the audit trail.
    pub name: Option<&'a str>,
    pub content: PartContent<'a>,
}

/// How one part was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PartStatus {
    Scanned,
    /// Binary content: no detector applies.
    Binary,
    /// Over `maxFileBytes`: not read.
    TooLarge,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartVerdict {
    pub kind: PartKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: PartStatus,
    pub action: Action,
    /// Bytes scanned (the decoded text's length).
    pub bytes: usize,
    /// Share of the part's bytes inside proprietary-code matches, 0 to 1.
    pub code_coverage: f32,
    /// Whether redacting secrets would leave this part with nothing to block or warn about.
    pub redactable: bool,
}

/// A finding, with the index of the part it was found in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartFinding {
    pub part: usize,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionVerdict {
    pub action: Action,
    pub parts: Vec<PartVerdict>,
    pub findings: Vec<PartFinding>,
    /// Whether "Continue" on a warned submission asks the employee why.
    pub justification: Justification,
    /// Whether replacing the secrets leaves nothing to block or warn about in any part.
    pub redactable: bool,
    /// What "Paste with secrets redacted" inserts: the plain text with each secret replaced by
    /// `[REDACTED <rule>]`. Present when the submission is redactable and not allowed as is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted_text: Option<String>,
}

/// Whether `bytes` look like text: no NUL byte in the leading bytes, and those bytes are
/// valid UTF-8 apart from a sequence cut at the sniff boundary. Source files, configuration,
/// keys and logs pass; images, archives, office documents and executables do not.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the sniff window is fine; anything else is not text.
        Err(e) => e.error_len().is_none() && head.len() == SNIFF_BYTES,
    }
}

pub fn check(scanner: &ContentScanner, parts: &[Part]) -> SubmissionVerdict {
    let max_file = scanner.policy().max_file_bytes;
    let mut verdicts = Vec::with_capacity(parts.len());
    let mut findings = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let decoded;
        let (text, status) = match part.content {
            PartContent::Text(t) => (t, PartStatus::Scanned),
            PartContent::Bytes { size, .. } if size > max_file => ("", PartStatus::TooLarge),
            PartContent::Bytes { bytes, .. } if !looks_like_text(bytes) => ("", PartStatus::Binary),
            PartContent::Bytes { bytes, .. } => {
                decoded = String::from_utf8_lossy(bytes);
                (&*decoded, PartStatus::Scanned)
            }
        };
        let report = scanner.scan(text);
        let code_bytes = covered_bytes(report.findings.iter().filter(|f| f.detector == Detector::Fingerprint));
        // Text can have its secrets replaced; a file is passed whole or not at all.
        let redactable = match part.kind {
            PartKind::File => report.action == Action::Allow,
            PartKind::Text | PartKind::Html => {
                report.findings.iter().all(|f| f.detector == Detector::Secret || f.action == Action::Allow)
            }
        };
        verdicts.push(PartVerdict {
            kind: part.kind,
            name: part.name.map(str::to_string),
            status,
            action: report.action,
            bytes: text.len(),
            code_coverage: if text.is_empty() { 0.0 } else { code_bytes as f32 / text.len() as f32 },
            redactable,
        });
        findings.extend(report.findings.into_iter().map(|finding| PartFinding { part: index, finding }));
    }
    let action = Action::most_severe(verdicts.iter().map(|p| p.action));
    let has_secret = findings.iter().any(|f| f.finding.detector == Detector::Secret);
    let redactable = has_secret && verdicts.iter().all(|p| p.redactable);
    let redacted_text = if redactable && action != Action::Allow { redacted_plain_text(parts, &findings) } else { None };
    SubmissionVerdict { action, parts: verdicts, findings, justification: scanner.policy().justification, redactable, redacted_text }
}

/// The first plain-text part with its secrets replaced, from the findings already made. Only
/// plain text is offered redacted: a secret split across HTML tags (syntax highlighting) may
/// not match in the markup, and would survive its redaction.
fn redacted_plain_text(parts: &[Part], findings: &[PartFinding]) -> Option<String> {
    let (index, text) = parts.iter().enumerate().find_map(|(i, p)| match (p.kind, &p.content) {
        (PartKind::Text, PartContent::Text(t)) => Some((i, *t)),
        _ => None,
    })?;
    let own: Vec<Finding> = findings.iter().filter(|f| f.part == index).map(|f| f.finding.clone()).collect();
    Some(redact_secrets(text, &own))
}

/// Bytes covered by the union of the findings' spans.
fn covered_bytes<'a>(findings: impl Iterator<Item = &'a Finding>) -> usize {
    let mut spans: Vec<(usize, usize)> = findings.map(|f| (f.start, f.end)).collect();
    spans.sort_unstable();
    let (mut covered, mut reach) = (0, 0);
    for (start, end) in spans {
        let start = start.max(reach);
        if end > start {
            covered += end - start;
            reach = end;
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::policy::ContentPolicy;

    fn scanner() -> ContentScanner {
        ContentScanner::new(ContentPolicy::default())
    }

    const KEY: &str = "AKIAFLHBMUAPTT2ZN5X2";

    #[test]
    fn text_sniffing() {
        assert!(looks_like_text(b"fn main() {}\n"));
        assert!(looks_like_text("héllo".as_bytes()));
        assert!(!looks_like_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_like_text(b"abc\xff\xfedef"));
        // A character cut at the sniff window is still text.
        let mut long = vec![b'a'; SNIFF_BYTES - 1];
        long.extend_from_slice("é".as_bytes());
        assert!(looks_like_text(&long));
    }

    #[test]
    fn most_severe_part_decides() {
        let secret = format!("aws_access_key_id = {KEY}");
        let parts = [
            Part {
                kind: PartKind::Text,
                name: None,
                content: PartContent::Text("hello"),
            },
            Part {
                kind: PartKind::Html,
                name: None,
                content: PartContent::Text(&secret),
            },
        ];
        let v = check(&scanner(), &parts);
        assert_eq!(v.action, Action::Block);
        assert_eq!(v.parts[0].action, Action::Allow);
        assert_eq!(v.parts[1].action, Action::Block);
        assert!(v.findings.iter().all(|f| f.part == 1));
        assert!(v.redactable);
        assert_eq!(v.redacted_text.as_deref(), Some("hello"), "the plain text, which held no secret");
    }

    #[test]
    fn files_by_content_and_size() {
        let env = format!("AWS_ACCESS_KEY_ID={KEY}\n");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR AKIAFLHBMUAPTT2ZN5X2";
        let parts = [
            Part {
                kind: PartKind::File,
                name: Some("notes.png"),
                content: PartContent::Bytes {
                    bytes: env.as_bytes(),
                    size: env.len() as u64,
                },
            },
            Part {
                kind: PartKind::File,
                name: Some("a.png"),
                content: PartContent::Bytes {
                    bytes: png,
                    size: png.len() as u64,
                },
            },
            Part {
                kind: PartKind::File,
                name: Some("big.log"),
                content: PartContent::Bytes {
                    bytes: &[],
                    size: 1 << 40,
                },
            },
        ];
        let v = check(&scanner(), &parts);
        assert_eq!(
            v.parts.iter().map(|p| p.status).collect::<Vec<_>>(),
            [
                PartStatus::Scanned,
                PartStatus::Binary,
                PartStatus::TooLarge
            ]
        );
        assert_eq!(
            v.parts[0].action,
            Action::Block,
            "a renamed .env is still scanned"
        );
        assert_eq!(v.action, Action::Block);
        assert!(!v.redactable, "a file with a secret is not offered redacted");
    }

    #[test]
    fn clean_submission_is_allowed() {
        let parts = [Part {
            kind: PartKind::Text,
            name: None,
            content: PartContent::Text("What is a monad?"),
        }];
        let v = check(&scanner(), &parts);
        assert_eq!(v.action, Action::Allow);
        assert!(v.findings.is_empty());
        assert!(!v.redactable);
    }

    #[test]
    fn coverage_is_the_union_of_spans() {
        let f = |start, end| Finding {
            detector: Detector::Fingerprint,
            rule: "proprietary-code".into(),
            start,
            end,
            action: Action::Block,
            excerpt: None,
            matched: None,
            total: None,
            score: None,
            disguise: None,
        };
        assert_eq!(covered_bytes([f(0, 10), f(5, 15), f(20, 25)].iter()), 20);
        assert_eq!(covered_bytes([f(0, 10), f(2, 4)].iter()), 10);
    }
}
