//! One pass of every detector over a text, with the policy's action for each finding.

use std::sync::OnceLock;

use serde::Serialize;

use super::fingerprint::{FingerprintDb, FingerprintMatch};
use super::markers::MarkerScanner;
use super::normalise::{self, Disguise};
use super::policy::ContentPolicy;
use super::secrets::SecretScanner;
use crate::verdict::Action;

/// Which detector found something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detector {
    /// Proprietary code: fingerprints of the company's code database.
    Fingerprint,
    /// A credential: one of the secret rules.
    Secret,
    /// A confidential marker: a term or pattern of the policy's `content.markers`.
    Marker,
    /// A file, or an entry of one, that could not be read or was read only in part; `rule` is
    /// the reason (`encrypted`, `truncated`, `compression-ratio`…) and the policy's
    /// `content.unscannable` its action.
    Unscannable,
}

/// One finding, with byte offsets into the scanned UTF-8 text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub detector: Detector,
    pub rule: String,
    pub start: usize,
    pub end: usize,
    pub action: Action,
    /// What the UI may show: the masked secret, or the matched marker text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Fingerprint matches: distinct fingerprints matched, fingerprints in the span, score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The disguise the content was found under (base64, a split literal, invisible
    /// characters…); the span is that of the disguised text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disguise: Option<Disguise>,
    /// The entry of a container file (`word/document.xml`, `inner.zip/.env`) the finding is in;
    /// its offsets are into that entry's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Fingerprint matches: the lines of the scanned text the match covers, so that the admin
    /// and the employee are told which part of a paste is the company's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineRange>,
}

/// Lines of a text, numbered from 1, first and last included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineRange {
    pub first: usize,
    pub last: usize,
}

impl LineRange {
    /// The lines of `text` that the byte ranges `spans` (in increasing order of start) cover:
    /// one pass over the text for spans that do not overlap, as a scan's do.
    pub fn of_spans<'a>(text: &'a str, spans: impl IntoIterator<Item = (usize, usize)> + 'a) -> impl Iterator<Item = LineRange> + 'a {
        let bytes = text.as_bytes();
        // memchr's count compares a vector of bytes at a time: counting them one by one took
        // 6 ms of a 10 MB scan's 40.
        let newlines = |range: &[u8]| memchr::memchr_iter(b'\n', range).count();
        let (mut at, mut line) = (0usize, 1usize);
        spans.into_iter().map(move |(start, end)| {
            let start = start.min(bytes.len()).max(at);
            line += newlines(&bytes[at..start]);
            at = start;
            // To the span's last byte: a span that ends right after a newline ends on its line.
            let last_byte = end.saturating_sub(1).clamp(start, bytes.len());
            LineRange { first: line, last: line + newlines(&bytes[start..last_byte]) }
        })
    }

    pub fn count(&self) -> usize {
        self.last - self.first + 1
    }
}

/// The verdict on a text: the most severe action among the findings (allow when none).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanReport {
    pub action: Action,
    pub findings: Vec<Finding>,
}

/// Every detector, configured by a content policy.
#[derive(Debug)]
pub struct ContentScanner {
    policy: ContentPolicy,
    /// Built on first use: its automaton costs a few milliseconds that a page that is never
    /// pasted into shouldn't pay.
    secrets: OnceLock<SecretScanner>,
    markers: MarkerScanner,
    fingerprints: Option<FingerprintDb>,
}

impl ContentScanner {
    pub fn new(policy: ContentPolicy) -> ContentScanner {
        let markers = MarkerScanner::new(policy.markers.clone());
        ContentScanner { policy, secrets: OnceLock::new(), markers, fingerprints: None }
    }

    pub fn policy(&self) -> &ContentPolicy {
        &self.policy
    }

    pub fn set_fingerprints(&mut self, db: Option<FingerprintDb>) {
        self.fingerprints = db;
    }

    pub fn fingerprints(&self) -> Option<&FingerprintDb> {
        self.fingerprints.as_ref()
    }

    /// Every detector over `text`. Natively, a text of at least [`PARALLEL_MIN_BYTES`] has its
    /// fingerprint pass split over the processor's cores (at most [`MAX_THREADS`]), the secret
    /// and marker pass on one of them; the report is the same as
    /// [`scan_on_one_thread`](Self::scan_on_one_thread)'s.
    pub fn scan(&self, text: &str) -> ScanReport {
        #[cfg(not(target_arch = "wasm32"))]
        if let (true, Some(db)) = (text.len() >= PARALLEL_MIN_BYTES, self.fingerprints_in_use()) {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
            if threads > 1 {
                let (matches, mut findings) = db.scan_on_threads(text, self.policy.min_matches, threads, || self.secret_and_marker_findings(text));
                findings.extend(self.fingerprint_findings_of(text, matches));
                return Self::report(findings);
            }
        }
        self.scan_on_one_thread(text)
    }

    /// [`scan`](Self::scan) with every detector on the calling thread.
    pub fn scan_on_one_thread(&self, text: &str) -> ScanReport {
        let mut findings = self.secret_and_marker_findings(text);
        findings.extend(self.fingerprint_findings(text));
        Self::report(findings)
    }

    /// The database, when the policy acts on its matches.
    fn fingerprints_in_use(&self) -> Option<&FingerprintDb> {
        self.fingerprints.as_ref().filter(|_| self.policy.fingerprints_action != Action::Allow)
    }

    fn report(mut findings: Vec<Finding>) -> ScanReport {
        findings.sort_by_key(|f| (f.start, f.end));
        let action = Action::most_severe(findings.iter().map(|f| f.action));
        ScanReport { action, findings }
    }

    /// Secrets and markers in `text` and in each of its views with a disguise undone
    /// ([`normalise`]). A finding in a view is reported at the disguised span of `text`, unless
    /// the same rule was already found there as the text stands.
    pub(crate) fn secret_and_marker_findings(&self, text: &str) -> Vec<Finding> {
        let mut anchors = Vec::new();
        let mut findings = self.secret_and_marker_findings_as_written(text, Some(&mut anchors));
        let views = normalise::views_at(text, &anchors);
        if views.is_empty() {
            return findings;
        }
        // The views are scanned as one text (a scan has a cost of its own, and a text may have
        // hundreds of views), each followed by a separator no rule matches across: a line end,
        // a NUL (neither white space nor a word character) and a line end.
        const SEPARATOR: &str = "\n\0\n";
        let mut all = String::with_capacity(views.iter().map(|v| v.text.len() + SEPARATOR.len()).sum());
        let mut starts = Vec::with_capacity(views.len());
        for view in &views {
            starts.push(all.len());
            all.push_str(&view.text);
            all.push_str(SEPARATOR);
        }
        for mut f in self.secret_and_marker_findings_as_written(&all, None) {
            let k = starts.partition_point(|&s| s <= f.start) - 1;
            let view = &views[k];
            let (s, e) = (f.start - starts[k], (f.end - starts[k]).min(view.text.len()));
            if s >= e {
                continue; // in a separator
            }
            let (start, end) = view.original_span(text, s, e);
            if findings.iter().any(|g| g.rule == f.rule && g.start < end && start < g.end) {
                continue;
            }
            (f.start, f.end, f.disguise) = (start, end, Some(view.disguise));
            findings.push(f);
        }
        findings
    }

    /// With `anchors`, also where the spaced view may look (`SecretScanner::scan_noting_anchors`).
    fn secret_and_marker_findings_as_written(&self, text: &str, anchors: Option<&mut Vec<usize>>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let p = &self.policy;
        if p.secrets_action != Action::Allow {
            let secrets = self.secrets.get_or_init(|| SecretScanner::new(&p.disabled_secret_rules));
            let found = match anchors {
                Some(a) => secrets.scan_noting_anchors(text, a),
                None => secrets.scan(text),
            };
            findings.extend(found.into_iter().map(|s| Finding {
                detector: Detector::Secret,
                rule: s.rule.to_string(),
                start: s.start,
                end: s.end,
                action: p.secrets_action,
                excerpt: Some(s.masked),
                matched: None,
                total: None,
                score: None,
                disguise: None,
                entry: None,
                lines: None,
            }));
        }
        for m in self.markers.scan(text) {
            let rule = &self.markers.rules[m.rule];
            if rule.action == Action::Allow {
                continue;
            }
            findings.push(Finding {
                detector: Detector::Marker,
                rule: rule.id.clone(),
                start: m.start,
                end: m.end,
                action: rule.action,
                excerpt: Some(excerpt(&text[m.start..m.end])),
                matched: None,
                total: None,
                score: None,
                disguise: None,
                entry: None,
                lines: None,
            });
        }
        findings
    }

    fn fingerprint_findings(&self, text: &str) -> Vec<Finding> {
        let Some(db) = self.fingerprints_in_use() else { return Vec::new() };
        self.fingerprint_findings_of(text, db.scan(text, self.policy.min_matches))
    }

    /// `matches` (in increasing order, as a scan gives them) of `text` as findings.
    fn fingerprint_findings_of(&self, text: &str, matches: Vec<FingerprintMatch>) -> Vec<Finding> {
        let lines: Vec<LineRange> = LineRange::of_spans(text, matches.iter().map(|m| (m.start, m.end))).collect();
        matches.into_iter().zip(lines).map(|(m, lines)| self.fingerprint_finding(m, lines)).collect()
    }

    fn fingerprint_finding(&self, m: FingerprintMatch, lines: LineRange) -> Finding {
        Finding {
            detector: Detector::Fingerprint,
            rule: "proprietary-code".into(),
            start: m.start,
            end: m.end,
            action: self.policy.fingerprints_action,
            excerpt: None,
            matched: Some(m.matched),
            total: Some(m.total),
            score: Some(m.score),
            disguise: None,
            entry: None,
            lines: Some(lines),
        }
    }
}

/// Natively, texts from this size up are scanned on several threads. Below it a thread's start
/// (tens of microseconds) is a fair share of the scan, and a paste is scanned in well under a
/// millisecond anyway.
pub const PARALLEL_MIN_BYTES: usize = 256 << 10;
/// Most threads one scan uses.
pub const MAX_THREADS: usize = 8;

/// A marker excerpt for the UI, bounded in length.
fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).chain(std::iter::once('…')).collect()
    }
}

/// `text` with every secret finding replaced by `[REDACTED <rule>]`: what "Paste with secrets
/// redacted" inserts. Other findings are left in place.
pub fn redact_secrets(text: &str, findings: &[Finding]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = findings
        .iter()
        .filter(|f| f.detector == Detector::Secret)
        .map(|f| (f.start, f.end, f.rule.as_str()))
        .collect();
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, rule) in spans {
        if start < at {
            // Overlapping findings of two rules: extend the redaction already written.
            at = at.max(end);
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&format!("[REDACTED {rule}]"));
        at = end;
    }
    out.push_str(&text[at.min(text.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::LineRange;

    #[test]
    fn line_ranges_of_spans() {
        let text = "a\nbb\n\nccc\nd";
        // (span, first line, last line); a span ending right after a newline ends on its line.
        let table = [
            ((0, 1), 1, 1),
            ((0, 2), 1, 1),
            ((0, 3), 1, 2),
            ((2, 4), 2, 2),
            ((5, 6), 3, 3),
            ((3, 11), 2, 5),
            ((10, 11), 5, 5),
            ((11, 11), 5, 5),
        ];
        for (span, first, last) in table {
            let got: Vec<LineRange> = LineRange::of_spans(text, [span]).collect();
            assert_eq!(got, [LineRange { first, last }], "{span:?}");
        }
        // Many spans in one pass give what each gives alone.
        let spans: Vec<(usize, usize)> = table.iter().map(|t| t.0).filter(|s| s.0 >= 3).collect();
        let mut sorted = spans.clone();
        sorted.sort();
        let together: Vec<LineRange> = LineRange::of_spans(text, sorted.iter().copied()).collect();
        let alone: Vec<LineRange> = sorted.iter().map(|&s| LineRange::of_spans(text, [s]).next().unwrap()).collect();
        assert_eq!(together, alone);
        assert_eq!(LineRange { first: 2, last: 5 }.count(), 4);
    }
}
