//! Where any of a few marker terms may start: a Wu–Manber search ("A fast algorithm for
//! multi-pattern searching", 1994) that skips ahead, for `markers.rs`.
//!
//! The search looks at a window as long as the shortest term (`m` bytes, at most
//! [`MAX_WINDOW`]) and reads only the window's last three bytes (a block). A table says how far
//! the window may move on: for a block that occurs in no term's first `m` bytes, `m - 2`; for
//! one that ends at offset `k` of some term's first `m` bytes, `m - 1 - k` (the smallest over
//! terms); only a block that ends a term's first `m` bytes gives 0, and there the window's
//! first bytes are compared with each term's first (up to) eight. A window that ends before a
//! term's first `m` bytes do shares no block with them at the offset it would need, and one
//! that ends within a term's first two bytes moves on at most to where they end, so no start
//! is skipped.
//!
//! The table is indexed by the low five bits of each of the block's bytes: 32 KB, which stays
//! in the first-level cache. Blocks that share an index share the smallest shift, which only
//! adds candidates. Those bits are the same for the two cases of an ASCII letter, so the table
//! folds case by itself; the comparison of a candidate maps every byte `b` to `b | 0x20` on
//! both sides when folding, which equates the two cases of each letter (what the marker
//! automaton folds) and a few other pairs (`@` and `` ` ``, control bytes and digits…): more
//! candidates again, never fewer.
//!
//! Blocks of three bytes rather than two (a table of 64 KB indexed by the bytes themselves): the
//! table is half the size, so it stays in the first-level cache while the search in parts
//! (below) reads it at several places at once. The content-scan benchmark
//! (`wasm/bench/src/scan_bench.rs`) times the marker search with the other stages.
//!
//! Why not the terms as one regex: its prefilter for several literals, or one folded literal, is
//! Teddy natively but Aho-Corasick in wasm, which has no Teddy: a walk over every byte, even for
//! a single term. Terms of the length markers have skip most bytes here, on any target.

use super::swar::{load8_padded, low_bytes};

/// Longest window: shifts are stored as bytes.
pub(crate) const MAX_WINDOW: usize = 200;
/// Most terms: each candidate is compared with every term's first bytes.
pub(crate) const MAX_TERMS: usize = 64;
/// Shortest term the search serves: below it shifts are too short to gain.
pub(crate) const MIN_TERM: usize = 3;

#[derive(Clone, Debug)]
pub(crate) struct TermFinder {
    /// `0x20` in every byte when folding case, 0 otherwise.
    fold: u64,
    /// Bytes of the window: the shortest term's length, at most `MAX_WINDOW`.
    window: usize,
    /// How far the window may move on, by its last three bytes' [`block`] index.
    shift: Box<[u8; BLOCKS]>,
    /// Every term's first bytes (up to eight, folded) and the mask of those bytes.
    prefixes: Vec<(u64, u64)>,
}

impl TermFinder {
    /// None for an empty set, a term shorter than [`MIN_TERM`] or more than [`MAX_TERMS`] terms.
    pub(crate) fn new(terms: &[&str], fold: bool) -> Option<TermFinder> {
        let shortest = terms.iter().map(|t| t.len()).min()?;
        if shortest < MIN_TERM || terms.len() > MAX_TERMS {
            return None;
        }
        let window = shortest.min(MAX_WINDOW);
        let f = |b: u8| if fold { b | 0x20 } else { b };
        let mut shift = Box::new([(window - 2) as u8; BLOCKS]);
        for t in terms {
            let b = t.as_bytes();
            for k in 2..window {
                let at = block(b[k - 2], b[k - 1], b[k]);
                shift[at] = shift[at].min((window - 1 - k) as u8);
            }
        }
        let prefixes = terms
            .iter()
            .map(|t| {
                let b = &t.as_bytes()[..t.len().min(8)];
                let value = b.iter().enumerate().fold(0u64, |v, (k, &c)| v | (f(c) as u64) << (8 * k));
                (value, low_bytes(b.len()))
            })
            .collect();
        Some(TermFinder { fold: if fold { 0x2020_2020_2020_2020 } else { 0 }, window, shift, prefixes })
    }

    /// Calls `found(start)`, in increasing order, for every position of `text` where a term may
    /// start: every position where one does is among them.
    ///
    /// Each step's reads depend on the shift the step before read, so one search waits on
    /// memory most of the time. A text of [`LANES_MIN`] window starts or more is searched in
    /// [`LANES`] parts at once, one step of each in turn, whose waits overlap; each part's
    /// candidates are kept and reported in the parts' order.
    pub(crate) fn candidates(&self, text: &[u8], mut found: impl FnMut(usize)) {
        let m = self.window;
        let Some(starts) = (text.len() + 1).checked_sub(m) else { return };
        if starts < LANES_MIN {
            let mut end = m - 1;
            while end < text.len() {
                end = self.step(text, end, &mut found);
            }
            return;
        }
        // Part `i` holds the window starts `bound[i]..bound[i + 1]`.
        let bound: [usize; LANES + 1] = std::array::from_fn(|i| if i == LANES { starts } else { starts / LANES * i });
        let mut end: [usize; LANES] = std::array::from_fn(|i| bound[i] + m - 1);
        let mut candidates: [Vec<usize>; LANES] = Default::default();
        while (0..LANES).all(|i| end[i] < bound[i + 1] + m - 1) {
            for i in 0..LANES {
                end[i] = self.step(text, end[i], &mut |p| candidates[i].push(p));
            }
        }
        for i in 0..LANES {
            while end[i] < bound[i + 1] + m - 1 {
                end[i] = self.step(text, end[i], &mut |p| candidates[i].push(p));
            }
        }
        candidates.iter().flatten().for_each(|&p| found(p));
    }

    /// The window ending at `end`: reports its start if a term may begin there, and returns
    /// where the next window ends.
    #[inline(always)]
    fn step(&self, text: &[u8], end: usize, found: &mut impl FnMut(usize)) -> usize {
        let m = self.window;
        let s = self.shift[block(text[end - 2], text[end - 1], text[end])] as usize;
        if s > 0 {
            return end + s;
        }
        let start = end + 1 - m;
        let first = load8_padded(text, start) | self.fold;
        if self.prefixes.iter().any(|&(value, mask)| first & mask == value) {
            found(start);
        }
        end + 1
    }
}

/// Parts searched at once (see [`TermFinder::candidates`]).
const LANES: usize = 4;
/// Fewest window starts for a search in parts.
const LANES_MIN: usize = 4096;

/// Entries of the shift table: five bits of each of three bytes.
const BLOCKS: usize = 1 << 15;

/// The shift table's index of the block `a b c`.
#[inline(always)]
fn block(a: u8, b: u8, c: u8) -> usize {
    ((a & 0x1f) as usize) << 10 | ((b & 0x1f) as usize) << 5 | (c & 0x1f) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start of every term, found the slow way (ASCII case folded when `fold`).
    fn starts(terms: &[&str], text: &str, fold: bool) -> Vec<usize> {
        let t = text.as_bytes();
        (0..t.len())
            .filter(|&i| {
                terms.iter().any(|term| {
                    let b = term.as_bytes();
                    i + b.len() <= t.len() && (if fold { t[i..i + b.len()].eq_ignore_ascii_case(b) } else { &t[i..i + b.len()] == b })
                })
            })
            .collect()
    }

    #[test]
    fn every_start_is_a_candidate() {
        let alphabet: Vec<char> = "aAbBcC -.é\u{212A}k".chars().collect();
        let mut next = crate::test_rng::below(0x9E37_79B9_7F4A_7C15u64);
        let mut candidates_total = 0;
        let mut starts_total = 0;
        for case in 0..6000 {
            let fold = case % 2 == 0;
            let terms: Vec<String> =
                (0..1 + next(4)).map(|_| (0..MIN_TERM + next(10)).map(|_| alphabet[next(alphabet.len())]).collect()).collect();
            let mut text: String = (0..next(300)).map(|_| alphabet[next(alphabet.len())]).collect();
            // Put copies of terms in, upper-cased when folding, at character boundaries.
            for _ in 0..next(4) {
                let term = &terms[next(terms.len())];
                let term = if fold { term.to_ascii_uppercase() } else { term.clone() };
                let at = text.char_indices().map(|(i, _)| i).nth(next(text.chars().count() + 1)).unwrap_or(text.len());
                text.insert_str(at, &term);
            }
            let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
            let finder = TermFinder::new(&refs, fold).expect("terms are long enough");
            let mut got = Vec::new();
            finder.candidates(text.as_bytes(), |p| got.push(p));
            assert!(got.windows(2).all(|w| w[0] < w[1]), "increasing: {got:?}");
            let want = starts(&refs, &text, fold);
            assert!(want.iter().all(|p| got.contains(p)), "{terms:?} in {text:?} (fold {fold}): starts {want:?}, candidates {got:?}");
            candidates_total += got.len();
            starts_total += want.len();
        }
        // The prefix comparison leaves few candidates that are not starts.
        assert!(starts_total > 1000 && candidates_total < starts_total * 2, "{candidates_total} candidates for {starts_total} starts");
    }

    /// Texts long enough to be searched in parts, with terms written across and next to the
    /// parts' bounds, and at the very start and end.
    #[test]
    fn a_search_in_parts_finds_every_start() {
        let alphabet = b"aAbBcC -.kK";
        let mut next = crate::test_rng::below(0x1a4e_5a4c);
        for case in 0..300 {
            let fold = case % 2 == 0;
            let terms: Vec<String> = (0..1 + next(4))
                .map(|_| (0..MIN_TERM + next(14)).map(|_| alphabet[next(alphabet.len())] as char).collect())
                .collect();
            let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
            let finder = TermFinder::new(&refs, fold).expect("terms are long enough");
            let len = LANES_MIN + finder.window + next(3 * LANES_MIN);
            let mut text: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let windows = len + 1 - finder.window;
            let mut at: Vec<usize> = (0..=LANES).map(|i| windows / LANES * i).collect();
            at.push(len);
            for &bound in &at {
                for _ in 0..3 {
                    let term = terms[next(terms.len())].as_bytes();
                    let p = (bound + next(2 * term.len() + 2)).saturating_sub(term.len() + 1).min(len - term.len());
                    let upper = fold && next(2) == 0;
                    for (k, &b) in term.iter().enumerate() {
                        text[p + k] = if upper { b.to_ascii_uppercase() } else { b };
                    }
                }
            }
            let text = String::from_utf8(text).expect("ASCII");
            let mut got = Vec::new();
            finder.candidates(text.as_bytes(), |p| got.push(p));
            assert!(got.windows(2).all(|w| w[0] < w[1]), "candidates in increasing order");
            let want = starts(&refs, &text, fold);
            assert!(!want.is_empty());
            let missed: Vec<_> = want.iter().filter(|p| got.binary_search(p).is_err()).collect();
            assert!(missed.is_empty(), "{terms:?} (fold {fold}): starts {missed:?} missed of {len} bytes");
        }
    }

    #[test]
    fn skips_text_without_the_terms() {
        let finder = TermFinder::new(&["ACME CONFIDENTIAL", "Project Bluebird"], true).unwrap();
        let text = "fn main() { let total = items.iter().map(|i| i.price).sum(); }\n".repeat(100);
        let mut n = 0;
        finder.candidates(text.as_bytes(), |_| n += 1);
        assert_eq!(n, 0);
        let text = format!("{text}acme confidential, PROJECT BLUEBIRD and Acme Confidential");
        let mut got = Vec::new();
        finder.candidates(text.as_bytes(), |p| got.push(p));
        assert_eq!(got, starts(&["ACME CONFIDENTIAL", "Project Bluebird"], &text, true));
    }

    #[test]
    fn short_or_too_many_terms_are_left_to_the_regex() {
        assert!(TermFinder::new(&["ab"], true).is_none());
        assert!(TermFinder::new(&[], true).is_none());
        let many: Vec<String> = (0..MAX_TERMS + 1).map(|i| format!("term{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(TermFinder::new(&refs, true).is_none());
        assert!(TermFinder::new(&refs[..MAX_TERMS], true).is_some());
    }
}
