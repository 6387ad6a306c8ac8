//! Credential detection: a keyword prefilter over every rule's keywords (`prefilter.rs`), then
//! the rule's regex on a window around each hit, then an entropy floor on the captured value.
//!
//! Regexes compile lazily, on a rule's first keyword hit: the table has 200 rules and most
//! pastes touch none of them, so start-up (in the browser, on every service-worker wake) pays
//! only for the keyword prefilter's tables.

mod prefilter;
mod rules;

use std::sync::OnceLock;

use regex::Regex;

use super::normalise::spacing;

pub use prefilter::KeywordPrefilter;

pub use rules::{SecretRule, RULES};
use rules::KEYWORD_LED;

/// Bytes of context on each side of a keyword hit that a rule's regex sees. Every true-positive
/// vector has its secret within 200 bytes of a keyword.
pub const WINDOW: usize = 256;

/// One credential found in the text. Offsets are byte offsets of the secret value itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretFinding {
    pub rule: &'static str,
    pub name: &'static str,
    pub start: usize,
    pub end: usize,
    /// The secret with all but its first and last few characters masked.
    pub masked: String,
}

/// The compiled secret detector.
pub struct SecretScanner {
    prefilter: KeywordPrefilter,
    /// Rule index for each prefilter keyword.
    pattern_rule: Vec<u16>,
    regexes: Vec<OnceLock<Option<Regex>>>,
    /// For rules whose matches begin at a keyword hit: the regex anchored there (see
    /// [`anchored_form`]).
    anchored: Vec<Option<Anchored>>,
    enabled: Vec<bool>,
    /// Per prefilter keyword: whether it may be the prefix of a token the spaced view joins
    /// (`normalise::spacing`). The keywords past `pattern_rule`'s are there for that alone.
    spacing_anchor: Vec<bool>,
}

/// The guard and group every prefix-token rule starts with.
const TOKEN_START: &str = "(?:^|[^A-Za-z0-9])(?P<secret>";

/// A rule's regex anchored at a keyword hit.
struct Anchored {
    pattern: String,
    regex: OnceLock<Option<Regex>>,
    /// The hit must be at a token start (the rule's own guard, taken out of the pattern).
    at_token_start: bool,
}

/// A rule whose matches begin at a keyword hit can be checked at each hit with an anchored
/// regex that fails within a few bytes, instead of searching a window around it. Short, common
/// keywords (`sec`, `sk`, `pat`, `token`, `secret`) hit thousands of times per megabyte of
/// ordinary code; this keeps them cheap. Two kinds of rule qualify:
///
/// * a rule whose only keyword is the literal start of its secret, right after a token
///   boundary (`SK…`, `pat…`, `glpat-…`);
/// * a rule of [`KEYWORD_LED`] (a context word, then an assignment, then the value). Its
///   window search found the leftmost match and went on after its end; the anchored search
///   takes the first hit where a match begins and skips the hits inside it, which finds the
///   same matches (a differential test checks it), except that a value longer than the window
///   is no longer cut at the window's end. Its context words are matched ASCII
///   case-insensitively, as the keywords are, so that a context word spelt with a Unicode case
///   variant (`ſecret`) no longer matches when some other keyword happens to be near.
fn anchored_form(rule: &SecretRule) -> Option<Anchored> {
    let anchored = |pattern: String, at_token_start| Some(Anchored { pattern, regex: OnceLock::new(), at_token_start });
    if KEYWORD_LED.contains(&rule.id) {
        return anchored(format!("^(?:{})", rule.regex), false);
    }
    let [keyword] = rule.keywords else { return None };
    let rest = rule.regex.strip_prefix(TOKEN_START)?;
    let literal: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    if literal.len() >= keyword.len() && literal[..keyword.len()].eq_ignore_ascii_case(keyword) {
        return anchored(format!("^(?P<secret>{rest}"), true);
    }
    None
}

impl std::fmt::Debug for SecretScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretScanner({} rules)", RULES.len())
    }
}

impl SecretScanner {
    /// All built-in rules except the ids in `disabled`.
    pub fn new(disabled: &[String]) -> SecretScanner {
        let mut keywords = Vec::new();
        let mut pattern_rule = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            for k in rule.keywords {
                keywords.push(*k);
                pattern_rule.push(i as u16);
            }
        }
        keywords.extend_from_slice(spacing::ANCHOR_ONLY_KEYWORDS);
        let spacing_anchor = keywords.iter().map(|k| spacing::is_anchor(k)).collect();
        SecretScanner {
            prefilter: KeywordPrefilter::new(&keywords),
            pattern_rule,
            regexes: RULES.iter().map(|_| OnceLock::new()).collect(),
            anchored: RULES.iter().map(anchored_form).collect(),
            enabled: RULES.iter().map(|r| !disabled.iter().any(|d| d == r.id)).collect(),
            spacing_anchor,
        }
    }

    fn regex(&self, rule: usize) -> Option<&Regex> {
        self.regexes[rule]
            .get_or_init(|| Regex::new(RULES[rule].regex).ok())
            .as_ref()
    }

    /// Every credential in `text`, in order of position, one finding per (rule, span).
    pub fn scan(&self, text: &str) -> Vec<SecretFinding> {
        self.scan_noting(text, None)
    }

    /// [`scan`](Self::scan), adding to `anchors` where a keyword that may be a spaced token's
    /// prefix occurs (ascending): the places the spaced view looks, found by the same pass.
    pub fn scan_noting_anchors(&self, text: &str, anchors: &mut Vec<usize>) -> Vec<SecretFinding> {
        self.scan_noting(text, Some(anchors))
    }

    fn scan_noting(&self, text: &str, mut anchors: Option<&mut Vec<usize>>) -> Vec<SecretFinding> {
        // Windows per rule, merged as hits arrive (in order of start), so a run of keyword hits
        // (a wall of "AAAA…" hits the 20-"a" keyword at every byte) costs one window, not
        // millions.
        let mut open: Vec<Option<(usize, usize)>> = vec![None; RULES.len()];
        // Per keyword-led rule, the end of its last match.
        let mut matched_to: Vec<usize> = vec![0; RULES.len()];
        let mut merged: Vec<(u16, usize, usize)> = Vec::new();
        let mut findings = Vec::new();
        let bytes = text.as_bytes();
        self.prefilter.for_each_hit(bytes, |keyword, hit_start, hit_end| {
            if self.spacing_anchor[keyword] {
                if let Some(a) = anchors.as_deref_mut() {
                    if a.last() != Some(&hit_start) {
                        a.push(hit_start);
                    }
                }
            }
            let Some(&rule) = self.pattern_rule.get(keyword) else { return };
            let rule = rule as usize;
            if !self.enabled[rule] {
                return;
            }
            if let Some(anchored) = &self.anchored[rule] {
                if anchored.at_token_start && hit_start > 0 && bytes[hit_start - 1].is_ascii_alphanumeric() {
                    return; // not at a token start: the rule's guard would fail
                }
                if !anchored.at_token_start && hit_start < matched_to[rule] {
                    return; // inside the rule's last match, as a window search would skip it
                }
                let Some(re) = anchored.regex.get_or_init(|| Regex::new(&anchored.pattern).ok()) else { return };
                // A keyword is ASCII from its first byte, so a hit starts on a character boundary.
                let end = ceil_char_boundary(text, (hit_start + MAX_SECRET_LEN).min(text.len()));
                // Most hits fail within a few bytes. Asking for the groups allocates them, so
                // only a match does.
                if !re.is_match(&text[hit_start..end]) {
                    return;
                }
                if let Some(caps) = re.captures(&text[hit_start..end]) {
                    matched_to[rule] = hit_start + caps.get(0).map_or(0, |m| m.end());
                    if let Some(secret) = caps.name("secret") {
                        self.push_finding(&mut findings, rule, hit_start, secret);
                    }
                }
                return;
            }
            let start = hit_start.saturating_sub(WINDOW);
            let end = (hit_end + WINDOW).min(text.len());
            match &mut open[rule] {
                Some(w) if start <= w.1 => w.1 = w.1.max(end),
                slot => {
                    if let Some((s, e)) = slot.replace((start, end)) {
                        merged.push((rule as u16, s, e));
                    }
                }
            }
        });
        merged.extend(open.iter().enumerate().filter_map(|(r, w)| w.map(|(s, e)| (r as u16, s, e))));
        for w in &mut merged {
            w.1 = floor_char_boundary(text, w.1);
            w.2 = ceil_char_boundary(text, w.2);
        }
        for (rule, start, end) in merged {
            let rule = rule as usize;
            let Some(re) = self.regex(rule) else { continue };
            for caps in re.captures_iter(&text[start..end]) {
                if let Some(secret) = caps.name("secret") {
                    self.push_finding(&mut findings, rule, start, secret);
                }
            }
        }
        findings.sort_by_key(|f| (f.start, f.end, f.rule));
        findings.dedup_by(|a, b| a.rule == b.rule && a.start == b.start && a.end == b.end);
        findings
    }
}

impl SecretScanner {
    fn push_finding(&self, findings: &mut Vec<SecretFinding>, rule: usize, base: usize, secret: regex::Match<'_>) {
        let spec = &RULES[rule];
        if spec.min_entropy > 0.0 && shannon_entropy(secret.as_str().as_bytes()) < spec.min_entropy {
            return;
        }
        findings.push(SecretFinding {
            rule: spec.id,
            name: spec.name,
            start: base + secret.start(),
            end: base + secret.end(),
            masked: mask(secret.as_str()),
        });
    }
}

/// The longest secret an anchored rule is checked for (PEM blocks use windowed rules).
const MAX_SECRET_LEN: usize = 4096;

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f32;
    counts.iter().filter(|&&c| c > 0).map(|&c| {
        let p = c as f32 / n;
        -p * p.log2()
    }).sum()
}

/// Keeps at most four leading and two trailing characters (fewer for short values) so an
/// admin can tell which credential it was without the finding being the credential.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0..=8 => (1.min(n), 0),
        9..=16 => (3, 1),
        _ => (4, 2),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat((n - head - tail).min(12)));
    out.extend(&chars[n - tail..]);
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::{spacing, SecretScanner, KEYWORD_LED, RULES};

    /// The spaced view looks only where the keyword pass reports a family's prefix: it must join
    /// what a search for the prefixes of its own would, on the shared vectors and on generated
    /// texts of prefixes, token characters, spaces and line ends.
    #[test]
    fn the_keyword_pass_reports_every_token_the_spaced_view_joins() {
        let scanner = SecretScanner::new(&[]);
        let vectors: serde_json::Value = serde_json::from_str(include_str!("../../../../../tests/vectors/scan.json")).expect("vectors");
        let mut texts: Vec<String> = vectors["cases"].as_array().expect("cases").iter().map(|c| c["text"].as_str().expect("text").to_string()).collect();
        let parts = [
            "AKIA", "ASIA", "akia", "AIza", "ghp_", "gho_", "ghr_", "github_pat_", "glpat-", "sk-proj-", "SK-PROJ-", "sk-admin-", "sk-ant-api03-",
            "sk_live_", "xoxb-", "xapp-", "eyJ", "EYJ", ".", "FLHB", "Zk1iJFAZ", "2345", "abcd", "x", " ", " ", "  ", "\n", "\n  ", "\r\n\t", "-", "_",
        ];
        let mut next = crate::test_rng::below(0x05ba_ced0);
        for _ in 0..20_000 {
            let n = 1 + next(16);
            texts.push((0..n).map(|_| parts[next(parts.len())]).collect());
        }
        let mut joined = 0;
        for text in &texts {
            let mut anchors = Vec::new();
            scanner.scan_noting_anchors(text, &mut anchors);
            let got = spacing::gaps(text, &anchors);
            assert_eq!(got, spacing::gaps(text, &spacing::anchors(text)), "{text:?}");
            joined += usize::from(!got.gaps.is_empty());
        }
        assert!(joined > 2000, "texts with a join: {joined}");
    }

    /// The keyword-led rules anchored at their hits against the same rules searched in windows
    /// around them, as they were before: on the shared vectors, on the engine's own source, and
    /// on generated assignments and URLs with several keywords in a row, keywords inside values,
    /// values that run into the next assignment and URLs inside URLs.
    #[test]
    fn keyword_led_rules_find_what_a_window_search_finds() {
        let anchored = SecretScanner::new(&[]);
        let mut windowed = SecretScanner::new(&[]);
        for (rule, form) in RULES.iter().zip(&mut windowed.anchored) {
            if KEYWORD_LED.contains(&rule.id) {
                *form = None;
            }
        }
        let led = |text: &str, scanner: &SecretScanner| -> Vec<(usize, usize, &'static str)> {
            scanner.scan(text).into_iter().filter(|f| KEYWORD_LED.contains(&f.rule)).map(|f| (f.start, f.end, f.rule)).collect()
        };
        let vectors: serde_json::Value = serde_json::from_str(include_str!("../../../../../tests/vectors/secrets.json")).expect("vectors");
        let mut texts: Vec<String> = vectors["cases"].as_array().expect("cases").iter().map(|c| c["text"].as_str().expect("text").to_string()).collect();
        texts.push([include_str!("mod.rs"), include_str!("rules.rs"), include_str!("../scanner.rs")].concat());
        let parts = [
            "api_key", "API-KEY", "secret", "Token", "password", "passwd", "pwd", "auth.key", "accessKey", "private_key", "credentials",
            "_prod", "-token", ".value", "_2", "v1", " = ", "=", ":=", " => ", ": ", ":\"", "?=", "\"", "'", "`", " ", "\t", "\n", ";",
            "aB3dE5gH7jK9mN1pQ", "hunter2", "Zm9vYmFyYmF6MTIz==", "x", "-----", "secret=token=AbC123xyz", "\\n", "ſecret", "é",
            "https://", "HTTP://", "ftp://", "sftp://", "ldaps://", "httpſ://", "admin", "bob.smith", ":", "@", "p4ss-W0rd", "db.example.com",
            "/path", "?q=1", "http://u:p@h.io", "https://admin:Xk9qL2vB7zR4@db.example.com", "ldap://cn:s3cr3t=http://x@dir.example.org",
            "sFTP://bob.smith:Qw3rTy8uI0pZ@files.example.org/x", "httpſ://admin:Xk9qL2vB7zR4@db.example.com",
        ];
        let mut next = crate::test_rng::below(0x6e4e_51c);
        for _ in 0..20_000 {
            let n = 1 + next(14);
            texts.push((0..n).map(|_| parts[next(parts.len())]).collect());
        }
        let mut found = [0; KEYWORD_LED.len()];
        for text in &texts {
            let findings = led(text, &anchored);
            assert_eq!(findings, led(text, &windowed), "{text:?}");
            for f in findings {
                found[KEYWORD_LED.iter().position(|&r| r == f.2).expect("a keyword-led rule")] += 1;
            }
        }
        assert!(found.iter().all(|&n| n > 1000), "findings per rule: {found:?}");
    }
}
