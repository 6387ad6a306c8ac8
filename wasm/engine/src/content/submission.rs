//! One thing on its way into a page — a paste, a drop, a typed prompt, a file selection —
//! judged as a whole.
//!
//! A clipboard or drag payload carries several flavours of the same content (plain text, HTML)
//! and possibly files; a file input carries files. Each is a [`Part`]. Every part is scanned;
//! the submission's action is the most severe action of any finding in any part, so no flavour
//! can carry what another was stopped for.
//!
//! Files are judged by their bytes, not their names or MIME types (which the sender controls),
//! read up to the policy's `maxFileBytes`. Plain UTF-8 text is scanned as it is. Anything else
//! (other encodings, zip and Office containers, PDFs, binaries) is first turned into texts by
//! the file decoders, `aiguard-files`, which this crate does not link (they live in a module of
//! their own, loaded only when a file needs them): the caller hands over a
//! [`PartContent::Decoded`]. What could not be read, or was read only in part (a file cut at the
//! size limit, an encrypted entry, a budget reached, a binary nobody decoded), is a finding of
//! the `unscannable` detector whose rule is the reason, with the policy's `unscannable` action:
//! it is never passed silently.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

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

/// The content of a part: text as the browser gave it, a file's bytes, or a file the decoders
/// have read.
pub enum PartContent<'a> {
    Text(&'a str),
    /// A file: `bytes` are the file or its first `maxFileBytes`, `size` its full size. Plain
    /// UTF-8 text ([`looks_like_text`]) is scanned; anything else needs the decoders first
    /// ([`PartContent::Decoded`]) and is unscannable (`not-decoded`) without them.
    Bytes {
        bytes: &'a [u8],
        size: u64,
    },
    Decoded(&'a DecodedFile),
}

/// A file as the decoders (`aiguard-files`) read it: the shape of their output, which the
/// extension passes from one wasm module to the other and the CLI converts.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodedFile {
    #[serde(default)]
    pub texts: Vec<DecodedText>,
    #[serde(default)]
    pub unreadable: Vec<UnreadableEntry>,
    /// Only the file's first bytes were read.
    #[serde(default)]
    pub truncated: bool,
    /// The file's full size.
    #[serde(default)]
    pub size: u64,
}

/// A text read from a file: the file itself (`entry` none) or an entry of a container.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DecodedText {
    #[serde(default)]
    pub entry: Option<String>,
    pub text: String,
}

/// What could not be read of a file (`entry` none: the file itself), and why (`encrypted`,
/// `corrupt`, `compression-ratio`…: the decoders' reason codes).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct UnreadableEntry {
    #[serde(default)]
    pub entry: Option<String>,
    pub reason: String,
}

/// The reason for a file read only up to `maxFileBytes`.
pub const TRUNCATED: &str = "truncated";
/// The reason for a binary file handed over without the decoders' reading of it.
pub const NOT_DECODED: &str = "not-decoded";

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
    /// Read whole.
    Scanned,
    /// Read in part: cut at `maxFileBytes`, or some entries could not be read.
    Partial,
    /// Nothing could be read.
    Unscannable,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartVerdict {
    pub kind: PartKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: PartStatus,
    pub action: Action,
    /// Bytes scanned (the length of the text, or of every text read from a file).
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

/// Whether `bytes` are plain UTF-8 text, scanned without the decoders: no NUL byte in the
/// leading bytes, and those bytes are valid UTF-8 apart from a sequence cut at the sniff
/// boundary. Source files, configuration, keys and logs are; UTF-16 text, archives, office
/// documents, PDFs and executables go through the decoders.
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
    let unscannable = scanner.policy().unscannable;
    let mut verdicts = Vec::with_capacity(parts.len());
    let mut findings = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let (texts, problems) = texts_of(&part.content);
        let mut part_findings = Vec::new();
        let (mut bytes, mut code_bytes) = (0, 0);
        for (entry, text) in &texts {
            let report = scanner.scan(text);
            bytes += text.len();
            code_bytes += covered_bytes(report.findings.iter().filter(|f| f.detector == Detector::Fingerprint));
            part_findings.extend(report.findings.into_iter().map(|mut f| {
                f.entry = entry.map(str::to_string);
                f
            }));
        }
        part_findings.extend(problems.iter().map(|(entry, reason)| Finding {
            detector: Detector::Unscannable,
            rule: reason.to_string(),
            start: 0,
            end: 0,
            action: unscannable,
            excerpt: None,
            matched: None,
            total: None,
            score: None,
            disguise: None,
            entry: entry.map(str::to_string),
            lines: None,
        }));
        let status = match (problems.is_empty(), bytes) {
            (true, _) => PartStatus::Scanned,
            (false, 0) => PartStatus::Unscannable,
            (false, _) => PartStatus::Partial,
        };
        let action = Action::most_severe(part_findings.iter().map(|f| f.action));
        // Text can have its secrets replaced; a file is passed whole or not at all.
        let redactable = match part.kind {
            PartKind::File => action == Action::Allow,
            PartKind::Text | PartKind::Html => part_findings.iter().all(|f| f.detector == Detector::Secret || f.action == Action::Allow),
        };
        verdicts.push(PartVerdict {
            kind: part.kind,
            name: part.name.map(str::to_string),
            status,
            action,
            bytes,
            code_coverage: if bytes == 0 { 0.0 } else { code_bytes as f32 / bytes as f32 },
            redactable,
        });
        findings.extend(part_findings.into_iter().map(|finding| PartFinding { part: index, finding }));
    }
    let action = Action::most_severe(verdicts.iter().map(|p| p.action));
    let has_secret = findings.iter().any(|f| f.finding.detector == Detector::Secret);
    let redactable = has_secret && verdicts.iter().all(|p| p.redactable);
    let redacted_text = if redactable && action != Action::Allow { redacted_plain_text(parts, &findings) } else { None };
    SubmissionVerdict { action, parts: verdicts, findings, justification: scanner.policy().justification, redactable, redacted_text }
}

/// A text of a part, with the container entry it was read from.
type EntryText<'a> = (Option<&'a str>, Cow<'a, str>);
/// Something of a part that could not be read, and why.
type Problem<'a> = (Option<&'a str>, &'a str);

/// The texts to scan in a part, and what of it could not be read.
fn texts_of<'a>(content: &'a PartContent<'a>) -> (Vec<EntryText<'a>>, Vec<Problem<'a>>) {
    match content {
        PartContent::Text(t) => (vec![(None, Cow::Borrowed(*t))], Vec::new()),
        PartContent::Bytes { bytes, size } if looks_like_text(bytes) => {
            let cut = *size > bytes.len() as u64;
            (vec![(None, String::from_utf8_lossy(bytes))], if cut { vec![(None, TRUNCATED)] } else { Vec::new() })
        }
        PartContent::Bytes { .. } => (Vec::new(), vec![(None, NOT_DECODED)]),
        PartContent::Decoded(file) => {
            let texts = file.texts.iter().map(|t| (t.entry.as_deref(), Cow::Borrowed(t.text.as_str()))).collect();
            let mut problems: Vec<Problem> = file.unreadable.iter().map(|u| (u.entry.as_deref(), u.reason.as_str())).collect();
            if file.truncated && !problems.contains(&(None, TRUNCATED)) {
                problems.push((None, TRUNCATED));
            }
            (texts, problems)
        }
    }
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

    fn file<'a>(name: &'a str, bytes: &'a [u8], size: u64) -> Part<'a> {
        Part { kind: PartKind::File, name: Some(name), content: PartContent::Bytes { bytes, size } }
    }

    fn rules(v: &SubmissionVerdict) -> Vec<(usize, Detector, &str, Option<&str>, Action)> {
        v.findings.iter().map(|f| (f.part, f.finding.detector, f.finding.rule.as_str(), f.finding.entry.as_deref(), f.finding.action)).collect()
    }

    #[test]
    fn plain_text_files_are_scanned_by_their_bytes() {
        let env = format!("AWS_ACCESS_KEY_ID={KEY}\n");
        let v = check(&scanner(), &[file("notes.png", env.as_bytes(), env.len() as u64)]);
        assert_eq!(v.parts[0].status, PartStatus::Scanned);
        assert_eq!(v.parts[0].action, Action::Block, "a renamed .env is still scanned");
        assert!(!v.redactable, "a file with a secret is not offered redacted");
    }

    /// Issue 21: a binary file (a zip, a UTF-16 `.env`) was passed unread and unrecorded.
    #[test]
    fn a_binary_file_nobody_decoded_is_unscannable_not_passed() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR AKIAFLHBMUAPTT2ZN5X2";
        let v = check(&scanner(), &[file("a.png", png, png.len() as u64)]);
        assert_eq!(v.parts[0].status, PartStatus::Unscannable);
        assert_eq!(rules(&v), [(0, Detector::Unscannable, NOT_DECODED, None, Action::Warn)]);
        assert_eq!(v.action, Action::Warn);
    }

    /// Issue 21: a file padded past `maxFileBytes` was not read at all.
    #[test]
    fn a_file_over_the_limit_is_scanned_up_to_it_and_reported_truncated() {
        let head = format!("aws_access_key_id = {KEY}\n");
        let v = check(&scanner(), &[file("big.log", head.as_bytes(), 50 << 20)]);
        assert_eq!(v.parts[0].status, PartStatus::Partial);
        assert_eq!(
            rules(&v),
            [(0, Detector::Secret, "aws-access-key-id", None, Action::Block), (0, Detector::Unscannable, TRUNCATED, None, Action::Warn)]
        );
        // Read as nothing, as a caller that does not read large files sends it: still reported.
        let v = check(&scanner(), &[file("big.log", b"", 1 << 40)]);
        assert_eq!((v.parts[0].status, v.action), (PartStatus::Unscannable, Action::Warn));
    }

    #[test]
    fn decoded_files_are_scanned_per_entry_and_unreadable_entries_get_the_policy_action() {
        let docx = DecodedFile {
            texts: vec![
                DecodedText { entry: Some("word/document.xml".into()), text: format!("aws_access_key_id = {KEY}") },
                DecodedText { entry: Some("docProps/core.xml".into()), text: "Quarterly plan".into() },
            ],
            unreadable: vec![UnreadableEntry { entry: Some("attachments/keys.zip".into()), reason: "encrypted".into() }],
            truncated: false,
            size: 9000,
        };
        let locked = DecodedFile { unreadable: vec![UnreadableEntry { entry: None, reason: "encrypted".into() }], size: 100, ..DecodedFile::default() };
        let cut = DecodedFile { texts: vec![DecodedText { entry: Some("a.txt".into()), text: "fine".into() }], truncated: true, size: 1 << 30, ..DecodedFile::default() };
        let parts = [
            Part { kind: PartKind::File, name: Some("plan.docx"), content: PartContent::Decoded(&docx) },
            Part { kind: PartKind::File, name: Some("locked.pdf"), content: PartContent::Decoded(&locked) },
            Part { kind: PartKind::File, name: Some("big.zip"), content: PartContent::Decoded(&cut) },
        ];
        for (setting, action) in [(None, Action::Warn), (Some("block"), Action::Block), (Some("allow"), Action::Allow)] {
            let section = setting.map_or(String::new(), |s| format!(r#""unscannable": "{s}""#));
            let engine = crate::Engine::from_policy_json(&format!(r#"{{"version": 1, "rules": [], "content": {{{section}}}}}"#)).unwrap();
            let v = engine.check_submission(&parts);
            assert_eq!(
                rules(&v),
                [
                    (0, Detector::Secret, "aws-access-key-id", Some("word/document.xml"), Action::Block),
                    (0, Detector::Unscannable, "encrypted", Some("attachments/keys.zip"), action),
                    (1, Detector::Unscannable, "encrypted", None, action),
                    (2, Detector::Unscannable, TRUNCATED, None, action),
                ],
                "{setting:?}"
            );
            assert_eq!(v.parts.iter().map(|p| p.status).collect::<Vec<_>>(), [PartStatus::Partial, PartStatus::Unscannable, PartStatus::Partial]);
            assert_eq!(v.parts[0].action, Action::Block);
            assert_eq!(v.parts[2].action, action);
        }
    }

    #[test]
    fn decoded_file_reads_the_decoders_output_shape() {
        let json = r#"{"format": "zip", "texts": [{"entry": ".env", "encoding": "utf-16le", "text": "A=1"}], "unreadable": [{"reason": "corrupt"}], "truncated": true, "size": 5}"#;
        let file: DecodedFile = serde_json::from_str(json).unwrap();
        assert_eq!(file.texts, [DecodedText { entry: Some(".env".into()), text: "A=1".into() }]);
        assert_eq!(file.unreadable, [UnreadableEntry { entry: None, reason: "corrupt".into() }]);
        assert!(file.truncated);
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
            entry: None,
            lines: None,
        };
        assert_eq!(covered_bytes([f(0, 10), f(5, 15), f(20, 25)].iter()), 20);
        assert_eq!(covered_bytes([f(0, 10), f(2, 4)].iter()), 10);
    }
}
