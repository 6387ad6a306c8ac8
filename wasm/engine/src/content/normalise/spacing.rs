//! The spaced view: a credential broken by white space, put back together. People read keys
//! aloud and some consoles show them in groups (`AKIA FLHB MUAP TT2Z N5X2`), terminals and
//! editors wrap a long token over lines (with the next line's indentation), and one space typed
//! into a token is enough to keep a detector from reading it whole.
//!
//! White space separates words everywhere, so a join is made only where a credential family
//! makes it safe: at a token that begins with a family's distinctive prefix (`AKIA`, `ghp_`,
//! `sk-proj-`, `xoxb-`, `eyJ`…, as written, case and all), is not yet a whole credential of
//! that family (for a family of one length, shorter than it), and joined stays within the
//! family's longest. Then only these gaps are removed:
//!
//! * **Wrapped**: a line end (with the spaces around it) after the token, when the next line
//!   begins, after its indentation, with the token's characters; the lines after that too
//!   while each joined line holds nothing but the token, as wide as the first joined one (the
//!   wrap's width), the last no wider.
//! * **Grouped**: single spaces between groups of one length (3 to 8), at least three of them
//!   counting the prefix's, and a shorter last one while the token is not yet whole. Words in
//!   one case or capitalised (`ASIA SALE TEAM`) and hexadecimal groups (a hex dump's `ACCA 2345
//!   67AB`) are not a key read aloud: a group with a digit or mixed case is required after the
//!   prefix's, and one that is not all hex digits; otherwise nothing is joined.
//! * **One space**: otherwise a single space after the token, once.
//!
//! Prose and code keep their spaces: a word is never joined to a word, only to a token the
//! prefix began, and what is joined must still match the family's rule (its length, alphabet and
//! entropy floor) to be found. Not joined: a break inside the prefix itself (`gh p_…`), two
//! spaces or a tab inside a line, and a legacy OpenAI key (`sk-…T3BlbkFJ…`) whose prefix is only
//! `sk-`. PEM private keys need no view: their rules read a body across line breaks and
//! indentation as written, which is how the format wraps it. A folded e-mail header (a line end
//! and a tab) is a line end like any other: a bearer token folded there is joined, while
//! base64 values that begin with no family's prefix (DKIM signatures, encoded words) are left.
//!
//! Where to look comes from the secret scanner's keyword pass over the original text, which
//! reports where a family's prefix occurs ([`is_anchor`]); [`anchors`] finds the same places on
//! its own, for callers without a scanner.

use super::{cut_out, Cut};

/// A credential family that may be joined: its prefix as written, the bytes of its tokens, and
/// the shortest and longest whole token (prefix included).
struct Family {
    prefix: &'static str,
    token: fn(u8) -> bool,
    min: usize,
    max: usize,
}

fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn word_dash(b: u8) -> bool {
    word(b) || b == b'-'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}
fn jwt(b: u8) -> bool {
    word_dash(b) || b == b'.'
}

/// The families joined, with lengths from their rules in `secrets/rules.rs`.
static FAMILIES: &[Family] = &[
    Family { prefix: "AKIA", token: upper_digit, min: 20, max: 20 },
    Family { prefix: "ASIA", token: upper_digit, min: 20, max: 20 },
    Family { prefix: "ABIA", token: upper_digit, min: 20, max: 20 },
    Family { prefix: "ACCA", token: upper_digit, min: 20, max: 20 },
    Family { prefix: "AIza", token: word_dash, min: 39, max: 39 },
    Family { prefix: "ghp_", token: word, min: 40, max: 40 },
    Family { prefix: "gho_", token: word, min: 40, max: 40 },
    Family { prefix: "ghu_", token: word, min: 40, max: 40 },
    Family { prefix: "ghs_", token: word, min: 40, max: 40 },
    Family { prefix: "ghr_", token: word, min: 40, max: 80 },
    Family { prefix: "github_pat_", token: word, min: 93, max: 93 },
    Family { prefix: "glpat-", token: word_dash, min: 26, max: 306 },
    Family { prefix: "sk-proj-", token: word_dash, min: 56, max: 416 },
    Family { prefix: "sk-svcacct-", token: word_dash, min: 59, max: 419 },
    Family { prefix: "sk-admin-", token: word_dash, min: 57, max: 417 },
    Family { prefix: "sk-ant-api03-", token: word_dash, min: 108, max: 108 },
    Family { prefix: "sk-ant-admin01-", token: word_dash, min: 110, max: 110 },
    Family { prefix: "sk_live_", token: word, min: 32, max: 255 },
    Family { prefix: "rk_live_", token: word, min: 32, max: 255 },
    Family { prefix: "xoxb-", token: alnum_dash, min: 33, max: 70 },
    Family { prefix: "xoxp-", token: alnum_dash, min: 63, max: 80 },
    Family { prefix: "xapp-", token: alnum_dash, min: 60, max: 120 },
    Family { prefix: "eyJ", token: jwt, min: 45, max: 4096 },
];

/// Prefixes of [`FAMILIES`] that are no secret rule's keyword: the secret scanner looks for
/// them too, for this view alone (the OpenAI rule's keyword is in the middle of its keys).
pub const ANCHOR_ONLY_KEYWORDS: &[&str] = &["sk-proj-", "sk-svcacct-", "sk-admin-"];

/// Whether a keyword hit of the secret scanner (ASCII case-insensitive) may be a family's
/// prefix, and so where a token to join may begin.
pub fn is_anchor(keyword: &str) -> bool {
    FAMILIES.iter().any(|f| f.prefix.eq_ignore_ascii_case(keyword))
}

/// Every offset where a family's prefix occurs in `text`, ascending: what the secret scanner's
/// keyword pass reports, found with a search of its own.
pub fn anchors(text: &str) -> Vec<usize> {
    let mut out: Vec<usize> = FAMILIES.iter().flat_map(|f| memchr::memmem::find_iter(text.as_bytes(), f.prefix.as_bytes())).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Most groups of a grouped token looked at.
const MAX_GROUPS: usize = 32;

/// What the spaced view removes, and where.
#[derive(Debug, PartialEq, Eq)]
pub struct Gaps {
    /// Ascending, disjoint byte ranges of white space.
    pub gaps: Vec<(usize, usize)>,
    /// The span of each token they join, ascending by start.
    pub spans: Vec<(usize, usize)>,
}

/// The gaps to remove for the tokens that begin at `anchors` (ascending offsets; those where no
/// family's prefix begins a token are passed over).
pub fn gaps(text: &str, anchors: &[usize]) -> Gaps {
    let bytes = text.as_bytes();
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    let mut spans = Vec::new();
    for &at in anchors {
        let Some(family) = FAMILIES.iter().find(|f| bytes[at..].starts_with(f.prefix.as_bytes())) else { continue };
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || (family.token)(bytes[at - 1])) {
            continue; // inside another token
        }
        let found = join_from(bytes, at, family);
        if let Some(&(_, end)) = found.last() {
            spans.push((at, end));
            gaps.extend(found[..found.len() - 1].iter().copied());
        }
    }
    gaps.sort_unstable();
    gaps.dedup();
    Gaps { gaps, spans }
}

/// The gaps of the token of `family` at `at`, followed by the token's end; empty when there is
/// nothing to join.
fn join_from(bytes: &[u8], at: usize, family: &Family) -> Vec<(usize, usize)> {
    let run_end = |from: usize| from + bytes[from..].iter().take_while(|&&b| (family.token)(b)).count();
    let end = run_end(at);
    let mut len = end - at;
    // A token of a fixed length is whole at that length. One whose length varies may go on after
    // a gap (a view of a token that is whole costs a scan, and its finding is the one found as
    // written).
    if (family.min == family.max && len >= family.min) || len > family.max {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(next) = line_gap(bytes, end).filter(|&n| n < bytes.len() && (family.token)(bytes[n])) {
        // Wrapped: join the next line, and the one after it while each joined line is all token.
        // A terminal or an editor wraps at one width: the lines after the first are that wide
        // but for the last, which is no wider, so a shorter line ends the token.
        let (mut gap_start, mut next, mut width) = (end, next, None);
        loop {
            let e = run_end(next);
            if len + (e - next) > family.max || width.is_some_and(|w| e - next > w) {
                break;
            }
            out.push((gap_start, next));
            len += e - next;
            gap_start = e;
            if width.is_some_and(|w| e - next < w) {
                break;
            }
            width.get_or_insert(e - next);
            match line_gap(bytes, e) {
                Some(n) if n < bytes.len() && (family.token)(bytes[n]) => next = n,
                _ => break,
            }
        }
        out.push((gap_start, gap_start));
        return if out.len() > 1 { out } else { Vec::new() };
    }
    if bytes.get(end) != Some(&b' ') || !bytes.get(end + 1).is_some_and(|&b| (family.token)(b)) {
        return Vec::new();
    }
    // The groups after single spaces.
    let mut groups = vec![(at, end)];
    while groups.len() < MAX_GROUPS {
        let last = groups[groups.len() - 1].1;
        if bytes.get(last) != Some(&b' ') || !bytes.get(last + 1).is_some_and(|&b| (family.token)(b)) {
            break;
        }
        groups.push((last + 1, run_end(last + 1)));
    }
    let k = end - at;
    let mut n = 1 + groups[1..].iter().take_while(|g| g.1 - g.0 == k).count();
    let grouped = (3..=8).contains(&k) && n >= 3;
    let sum = |n: usize| groups[..n].iter().map(|g| g.1 - g.0).sum::<usize>();
    if grouped && n < groups.len() && groups[n].1 - groups[n].0 < k && sum(n) < family.min {
        n += 1; // a shorter last group, where the token is not yet whole
    }
    // As many groups as fit the family's longest.
    while n > 1 && sum(n) > family.max {
        n -= 1;
    }
    if grouped {
        // Regular groups of words or of hex digits are prose or a dump, not a key read aloud.
        // (The prefix's own group is no word, being a prefix.)
        let g = &groups[..n];
        if g[1..].iter().all(|&(s, e)| wordlike(&bytes[s..e])) || g.iter().all(|&(s, e)| bytes[s..e].iter().all(u8::is_ascii_hexdigit)) {
            return Vec::new();
        }
    } else {
        n = 2; // one space
        len += groups[1].1 - groups[1].0;
        if len > family.max {
            return Vec::new();
        }
    }
    for w in groups[..n].windows(2) {
        out.push((w[0].1, w[1].0));
    }
    out.push((groups[n - 1].1, groups[n - 1].1));
    out
}

/// Whether a group reads as a word: letters only, all in one case or capitalised.
fn wordlike(group: &[u8]) -> bool {
    group.iter().all(u8::is_ascii_alphabetic)
        && (group.iter().all(u8::is_ascii_lowercase) || group[1..].iter().all(u8::is_ascii_lowercase) || group.iter().all(u8::is_ascii_uppercase))
}

/// The end of the line gap at `at` (spaces or tabs, a line end, then the next line's
/// indentation), or `None` when there is none.
fn line_gap(bytes: &[u8], at: usize) -> Option<usize> {
    let blank = |b: &&u8| matches!(b, b' ' | b'\t');
    let mut i = at + bytes[at..].iter().take_while(blank).count();
    if bytes[i..].starts_with(b"\r\n") {
        i += 2;
    } else if bytes.get(i) == Some(&b'\n') {
        i += 1;
    } else {
        return None;
    }
    Some(i + bytes[i..].iter().take_while(blank).count())
}

/// `text` without `gaps` (ascending, disjoint ranges of ASCII white space in it).
pub fn close(text: &str, gaps: &[(usize, usize)]) -> Cut {
    cut_out(text, gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spaced(text: &str) -> Option<String> {
        let Gaps { gaps, .. } = gaps(text, &anchors(text));
        (!gaps.is_empty()).then(|| close(text, &gaps).text)
    }

    #[test]
    fn a_token_broken_by_white_space_is_joined() {
        let cases = [
            ("groups of four", "key AKIA FLHB MUAP TT2Z N5X2 ok", "key AKIAFLHBMUAPTT2ZN5X2 ok"),
            ("groups, a shorter last", "AIzaSyPG 17-Dum2J nkOGORta UrvPq09O IvEzwj9.", "AIzaSyPG17-Dum2JnkOGORtaUrvPq09OIvEzwj9."),
            ("groups of eight", "ghp_KpcF fvQx8EeM Zk1iJFAZ IFFaYhbD ZCI1d3BX", "ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX"),
            ("one space", "t ghp_KpcFfvQx8EeMZk1 iJFAZIFFaYhbDZCI1d3BX.", "t ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX."),
            ("wrapped and indented", "t: ghp_KpcFfvQx8E\n    eMZk1iJFAZIFFaYh\n    bDZCI1d3BX\nnext", "t: ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX\nnext"),
            ("CRLF and trailing spaces", "ghp_KpcFfvQx8EeMZk1iJF  \r\nAZIFFaYhbDZCI1d3BX", "ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX"),
            ("a wrapped JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIi\nOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
        ];
        for (name, text, want) in cases {
            assert_eq!(spaced(text).as_deref(), Some(want), "{name}");
        }
    }

    #[test]
    fn words_whole_tokens_and_hex_groups_are_left_apart() {
        let cases = [
            ("a whole token and a word", "ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX thanks"),
            ("all-caps words", "REGIONS: ASIA SALE TEAM BEST YEAR"),
            ("a hex dump", "0040: ACCA 2345 67AB CDEF 2345 6789"),
            ("a prefix inside a word", "xAKIA FLHB MUAP TT2Z N5X2"),
            ("a prefix in another case", "akia flhb muap tt2z n5x2"),
            ("a line that is not the token's", "ghp_KpcFfvQx8E\n\nZk1iJFAZIFFaYhbDZCI1d3BX"),
            ("two spaces", "ghp_KpcFfvQx8EeMZk1  iJFAZIFFaYhbDZCI1d3BX"),
            ("too long once joined", "AKIAFLHB MUAPTT2ZN5X2ABC"),
        ];
        for (name, text) in cases {
            assert_eq!(spaced(text), None, "{name}");
        }
    }

    #[test]
    fn one_space_joins_only_the_next_word() {
        // Prose after a prefix: only the first word is joined, which no rule matches.
        assert_eq!(spaced("glpat- tokens are personal access tokens used by GitLab").as_deref(), Some("glpat-tokens are personal access tokens used by GitLab"));
    }

    #[test]
    fn every_spaced_byte_maps_to_the_same_byte_of_the_original() {
        let text = "a AKIA FLHB\n  MUAP b";
        let s = close(text, &gaps(text, &anchors(text)).gaps);
        assert_eq!(s.origin.len(), s.text.len() + 1);
        for (i, b) in s.text.bytes().enumerate() {
            assert_eq!(text.as_bytes()[s.origin[i] as usize], b);
        }
    }
}
