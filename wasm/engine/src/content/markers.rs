//! Confidentiality markers from the policy: literal terms (project code names, internal host
//! names, "ACME CONFIDENTIAL") matched with one Aho-Corasick automaton, and optional regex
//! rules.
//!
//! Case-insensitive terms fold ASCII letters only (Aho-Corasick's folding); terms in scripts
//! without case (Chinese, Japanese) are unaffected, and other scripts should list the spellings
//! they need.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::verdict::Action;

/// One marker rule as compiled from the policy.
#[derive(Clone, Debug)]
pub struct MarkerRule {
    pub id: String,
    pub action: Action,
    pub terms: Vec<String>,
    pub case_sensitive: bool,
    pub whole_word: bool,
    pub regex: Option<Regex>,
}

/// A marker found in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerFinding {
    /// Index into the marker rules.
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

/// All marker rules, compiled.
#[derive(Clone, Debug, Default)]
pub struct MarkerScanner {
    pub rules: Vec<MarkerRule>,
    /// Two automata: one folding ASCII case, one exact. Each pattern maps to its rule.
    folded: Option<(AhoCorasick, Vec<usize>)>,
    exact: Option<(AhoCorasick, Vec<usize>)>,
}

impl MarkerScanner {
    pub fn new(rules: Vec<MarkerRule>) -> MarkerScanner {
        let build = |fold: bool| {
            let mut pats = Vec::new();
            let mut owner = Vec::new();
            for (i, r) in rules.iter().enumerate() {
                if r.case_sensitive != fold {
                    for t in &r.terms {
                        pats.push(t.as_str());
                        owner.push(i);
                    }
                }
            }
            (!pats.is_empty()).then(|| {
                let ac = AhoCorasickBuilder::new()
                    .ascii_case_insensitive(fold)
                    .match_kind(MatchKind::Standard)
                    .build(&pats)
                    .expect("marker terms build an automaton");
                (ac, owner)
            })
        };
        let folded = build(true);
        let exact = build(false);
        MarkerScanner { rules, folded, exact }
    }

    pub fn scan(&self, text: &str) -> Vec<MarkerFinding> {
        let mut out = Vec::new();
        for (ac, owner) in [&self.folded, &self.exact].into_iter().flatten() {
            for m in ac.find_overlapping_iter(text) {
                let rule = owner[m.pattern().as_usize()];
                if self.rules[rule].whole_word && !is_whole_word(text, m.start(), m.end()) {
                    continue;
                }
                out.push(MarkerFinding { rule, start: m.start(), end: m.end() });
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(re) = &r.regex {
                out.extend(re.find_iter(text).map(|m| MarkerFinding { rule: i, start: m.start(), end: m.end() }));
            }
        }
        out.sort_by_key(|f| (f.start, f.end, f.rule));
        out.dedup();
        out
    }
}

/// No letter, digit or underscore touches the match on either side. Scripts written without
/// spaces between words (CJK from U+2E80 on) have no word boundaries to require.
fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| (c.is_alphanumeric() || c == '_') && (c as u32) < 0x2E80;
    let before = text[..start].chars().next_back().is_none_or(|c| !word(c));
    let after = text[end..].chars().next().is_none_or(|c| !word(c));
    // A term that itself starts or ends with a non-word character has no boundary to check
    // on that side.
    let first = text[start..end].chars().next().is_none_or(|c| !word(c));
    let last = text[start..end].chars().next_back().is_none_or(|c| !word(c));
    (before || first) && (after || last)
}
