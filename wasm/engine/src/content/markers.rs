//! Confidentiality markers from the policy: literal terms (project code names, internal host
//! names, "ACME CONFIDENTIAL") matched with one Aho-Corasick automaton, and optional regex
//! rules.
//!
//! Case-insensitive terms fold ASCII letters only (Aho-Corasick's folding); terms in scripts
//! without case (Chinese, Japanese) are unaffected, and other scripts should list the spellings
//! they need.
//!
//! Every occurrence of every term is reported, overlapping ones included (a rule's term may sit
//! inside another rule's). An overlapping Aho-Corasick search can't skip ahead with a
//! prefilter, so it walks every byte. Instead a finder that skips ahead says where terms may
//! be, and the overlapping search runs only in windows there. Up to 64 terms of 3 bytes or
//! more get a Wu–Manber search of their own (`term_finder.rs`), which reports every position
//! where a term may start: each window is `start..start + longest`. Other sets use the terms
//! as one regex (natively its literal prefilter skips ahead too; in wasm it walks every byte,
//! hence the search of our own), with a window after each of its matches. Why that finds every
//! occurrence: the regex search from position `p` reports the leftmost match `m` starting at or
//! after `p` and then goes on from `m.end`. An occurrence `o` starting at or after `p` is itself
//! a regex match (the regex folds case at least as widely), so `m.start <= o.start`. Either
//! `o.start >= m.end`, and a later search covers it, or `o` starts inside `m` and, being at most
//! `longest` bytes long, ends before `m.end + longest`. So every occurrence lies in some
//! `m.start..m.end + longest - 1`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use regex::Regex;

use super::term_finder::TermFinder;

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
    /// Two sets of terms: one folding ASCII case, one exact.
    folded: Option<TermSet>,
    exact: Option<TermSet>,
}

/// Terms searched together (see the module notes).
#[derive(Clone, Debug)]
struct TermSet {
    /// Every occurrence, overlapping ones included. Each pattern maps to its rule (`owner`).
    all: AhoCorasick,
    owner: Vec<usize>,
    /// Where occurrences may be.
    finder: Finder,
    /// The longest term, in bytes.
    longest: usize,
}

impl TermSet {
    fn new(terms: &[&str], owner: Vec<usize>, fold: bool) -> TermSet {
        let all = AhoCorasickBuilder::new()
            .ascii_case_insensitive(fold)
            .match_kind(MatchKind::Standard)
            .build(terms)
            .expect("marker terms build an automaton");
        let finder = TermFinder::new(terms, fold).map_or_else(|| Finder::regex(terms, fold), Finder::Starts);
        let longest = terms.iter().map(|t| t.len()).max().unwrap_or(0);
        TermSet { all, owner, finder, longest }
    }

    /// Every occurrence as (pattern, start, end).
    fn occurrences(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        let mut search = |from: usize, to: usize| {
            for m in self.all.find_overlapping_iter(Input::new(text).range(from..to)) {
                found(m.pattern().as_usize(), m.start(), m.end());
            }
        };
        // Windows where occurrences may be, merged where they touch so no byte is searched
        // twice.
        let mut window: Option<(usize, usize)> = None;
        let mut add = |start: usize, end: usize| match &mut window {
            Some(w) if start <= w.1 => w.1 = w.1.max(end),
            w => {
                if let Some((a, b)) = w.replace((start, end)) {
                    search(a, b);
                }
            }
        };
        match &self.finder {
            // Every start of a term is a candidate; the term ends within `longest` bytes.
            Finder::Starts(starts) => starts.candidates(text.as_bytes(), |p| add(p, (p + self.longest).min(text.len()))),
            // After each regex match (see the module notes).
            Finder::Regex(finder) => {
                for m in finder.find_iter(text) {
                    add(m.start(), (m.end() + self.longest.saturating_sub(1)).min(text.len()));
                }
            }
            Finder::None => add(0, text.len()),
        }
        if let Some((a, b)) = window {
            search(a, b);
        }
    }
}

/// How a term set finds where its terms may be.
#[derive(Clone, Debug)]
enum Finder {
    /// Candidate starts from a skipping search (`term_finder.rs`), for up to 64 terms of 3 bytes
    /// or more.
    Starts(TermFinder),
    /// The terms as one regex (case-insensitive when folding: it folds at least as widely).
    Regex(Regex),
    /// Over the regex size limit (thousands of terms): the overlapping search covers the text.
    None,
}

impl Finder {
    /// The terms as one regex, or [`Finder::None`] over the size limit.
    fn regex(terms: &[&str], fold: bool) -> Finder {
        let alternation = terms.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|");
        Regex::new(&format!("{}(?:{alternation})", if fold { "(?i)" } else { "" })).map_or(Finder::None, Finder::Regex)
    }
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
            (!pats.is_empty()).then(|| TermSet::new(&pats, owner, fold))
        };
        let folded = build(true);
        let exact = build(false);
        MarkerScanner { rules, folded, exact }
    }

    pub fn scan(&self, text: &str) -> Vec<MarkerFinding> {
        let mut out = Vec::new();
        for set in [&self.folded, &self.exact].into_iter().flatten() {
            set.occurrences(text, |pattern, start, end| {
                let rule = set.owner[pattern];
                if !self.rules[rule].whole_word || is_whole_word(text, start, end) {
                    out.push(MarkerFinding { rule, start, end });
                }
            });
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

#[cfg(test)]
mod tests {
    use super::{Finder, TermSet};

    /// Every occurrence by the plain overlapping search over the whole text.
    fn reference(set: &TermSet, text: &str) -> Vec<(usize, usize, usize)> {
        let mut v: Vec<_> = set.all.find_overlapping_iter(text).map(|m| (m.pattern().as_usize(), m.start(), m.end())).collect();
        v.sort_unstable();
        v
    }

    /// The set as built, and (when it got the skipping finder) the same set with the regex one.
    fn both_finders(terms: &[&str], fold: bool) -> Vec<TermSet> {
        let set = TermSet::new(terms, (0..terms.len()).collect(), fold);
        let mut out = vec![set.clone()];
        if matches!(set.finder, Finder::Starts(_)) {
            let finder = Finder::regex(terms, fold);
            assert!(matches!(finder, Finder::Regex(_)), "a few terms make a regex");
            out.push(TermSet { finder, ..set });
        }
        out
    }

    fn windowed(set: &TermSet, text: &str) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        set.occurrences(text, |p, s, e| v.push((p, s, e)));
        v.sort_unstable();
        v
    }

    #[test]
    fn windows_find_every_occurrence() {
        let fixed: &[(&[&str], &str)] = &[
            (&["ACME", "ACME CONFIDENTIAL", "CONFIDENTIAL"], "acme confidential: ACME CONFIDENTIAL ACMEACME"),
            (&["aa", "aaa"], "aaaaaaa a aa"),
            (&["ab", "ba", "aba"], "abababa"),
            (&["机密", "内部机密"], "内部机密文件，机密"),
            (&["sk", "kelvin"], "\u{212A}elvin sk SK \u{17F}k"),
        ];
        for fold in [true, false] {
            for (terms, text) in fixed {
                for set in both_finders(terms, fold) {
                    assert!(!matches!(set.finder, Finder::None));
                    assert_eq!(windowed(&set, text), reference(&set, text), "{terms:?} {text:?} fold {fold} {:?}", set.finder);
                }
            }
        }
        // Random terms and texts over a small alphabet, so occurrences overlap and crowd.
        let alphabet: Vec<char> = "aAbB -é\u{212A}k".chars().collect();
        let mut next = crate::test_rng::below(0x2545_F491_4F6C_DD1Du64);
        let mut starts_finder = 0;
        for case in 0..4000 {
            let terms: Vec<String> = (0..1 + next(5)).map(|_| (0..1 + next(8)).map(|_| alphabet[next(alphabet.len())]).collect()).collect();
            let text: String = (0..next(160)).map(|_| alphabet[next(alphabet.len())]).collect();
            let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
            for set in both_finders(&refs, case % 2 == 0) {
                starts_finder += matches!(set.finder, Finder::Starts(_)) as usize;
                assert_eq!(windowed(&set, &text), reference(&set, &text), "{terms:?} {text:?} fold {} {:?}", case % 2 == 0, set.finder);
            }
        }
        assert!(starts_finder > 1000, "the skipping finder served {starts_finder} sets");
    }
}
