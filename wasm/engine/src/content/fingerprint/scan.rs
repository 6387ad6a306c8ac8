//! From a text to the spans of it that match the database.
//!
//! The text's fingerprints are looked up in order. A matched fingerprint joins the current
//! span when at most [`MAX_GAP`] unmatched fingerprints lie between it and the span's last
//! matched one; otherwise it starts a new span. An edit inside a pasted copy (a changed line,
//! an added call) destroys the k-grams that overlap it, about `2(K + edit) / (W + 1)`
//! fingerprints, so the gap lets a lightly edited copy stay one span.
//!
//! A span is reported when at least [`MIN_DENSITY`] of its fingerprints matched and it has
//! enough evidence: at least `min_matches` *distinct* matched fingerprints, or, with at least
//! [`MIN_DISTINCT`] of them, a matched run as long in tokens as `min_matches` fingerprints stand
//! for on average (`K + min_matches × (W + 1) / 2` tokens). Winnowing picks about one k-gram in
//! `(W + 1) / 2` but unevenly, so a short fragment can fall one fingerprint short of
//! `min_matches` while matching over just as many tokens; the second path counts what was
//! matched instead of how it happened to be sampled.
//!
//! A short text (a few lines pasted alone) may have fewer selections than `min_matches` in all.
//! When every one of them, at least [`MIN_WHOLE`], is a distinct match, the whole text is one:
//! two or three fingerprints of 24 tokens each, all the company's and nothing else, are a copy,
//! where in a longer text the same few matches next to unmatched code would be an idiom.
//!
//! A span must also use at least [`MIN_VOCABULARY`] kinds of token (see
//! [`vocabulary`](super::vocabulary)). Lists are long and regular: an import block, an
//! attribute list, `__all__ = [...]`, a run of accessors' `import`/`use` lines use four to six
//! kinds (`import`, identifier, `.`, `;`), and any two codebases have some of them in common;
//! code that does something uses more.
//!
//! Idioms that every codebase has (a `for` loop, `if err != nil { return err }`, an import
//! block) are short runs, a few fingerprints each, between unmatched ones; repeating one idiom
//! many times adds no distinct fingerprints. A real copy matches densely, distinctly and long.
//!
//! `score` is the share of the span's fingerprints found in the database: 1.0 for a verbatim
//! copy, lower where it was edited.

use super::{for_each_fingerprint, has_tokens, vocabulary_up_to, Fingerprint, FingerprintDb, Repetition, K, REPETITION, W};

/// Unmatched fingerprints tolerated between two matched ones of one span.
pub const MAX_GAP: usize = 4;
/// Least share of a span's fingerprints that must be in the database.
pub const MIN_DENSITY: f32 = 0.5;
/// Fewest distinct matched fingerprints for the token-length path (see the module notes).
pub const MIN_DISTINCT: usize = 3;
/// Fewest kinds of token a reported span uses (see the module notes).
pub const MIN_VOCABULARY: usize = 8;
/// Fewest fingerprints of a short text, every one of them matched, that make it a match (see
/// the module notes).
pub const MIN_WHOLE: usize = 2;

/// A span of the scanned text that matches the database.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FingerprintMatch {
    /// Byte range of the input (original bytes: from the first matched fingerprint's first
    /// token to the last one's last token).
    pub start: usize,
    pub end: usize,
    /// Distinct fingerprints of the span found in the database.
    pub matched: usize,
    /// Fingerprints the span has in total, matched or not.
    pub total: usize,
    /// `matched fingerprints / total`, 0..1 (a fingerprint that repeats counts each time).
    pub score: f32,
}

/// The span being grown: byte range, first and last matched fingerprint (their order among the
/// text's fingerprints, and their k-gram index = first token).
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    first: usize,
    last: usize,
    first_token: usize,
    last_token: usize,
}

pub(super) struct Spans {
    min_matches: usize,
    /// Tokens that `min_matches` fingerprints cover on average.
    min_tokens: usize,
    out: Vec<FingerprintMatch>,
    current: Option<Span>,
    /// Matched hashes of the current span, repeats included.
    hashes: Vec<u64>,
    distinct: DistinctCounter,
    /// Once the text has been read: how many selections it had, for the short-text rule.
    selections: Option<usize>,
}

impl Spans {
    pub(super) fn new(min_matches: usize) -> Self {
        let min_matches = min_matches.max(1);
        Spans { min_matches, min_tokens: K + min_matches * (W + 1) / 2, out: Vec::new(), current: None, hashes: Vec::new(), distinct: DistinctCounter::default(), selections: None }
    }

    /// The `order`-th fingerprint of the text, at k-gram `token`, is in the database.
    pub(super) fn matched(&mut self, fp: Fingerprint, order: usize, token: usize) {
        match &mut self.current {
            Some(span) if order - span.last - 1 <= MAX_GAP => {
                span.end = span.end.max(fp.end);
                span.last = order;
                span.last_token = token;
            }
            _ => {
                self.close();
                self.current = Some(Span { start: fp.start, end: fp.end, first: order, last: order, first_token: token, last_token: token });
            }
        }
        self.hashes.push(fp.hash);
    }

    fn close(&mut self) {
        let Some(span) = self.current.take() else { return };
        let hits = self.hashes.len();
        let matched = self.distinct.count(&self.hashes);
        self.hashes.clear();
        let total = span.last - span.first + 1;
        let score = hits as f32 / total as f32;
        let tokens = span.last_token + K - span.first_token;
        // A short text every selection of which matched, distinct: the whole paste is a copy.
        let whole = self.selections.is_some_and(|n| span.first == 0 && span.last + 1 == n && matched == n && n >= MIN_WHOLE);
        let enough = matched >= self.min_matches || (matched >= MIN_DISTINCT && tokens >= self.min_tokens) || whole;
        if enough && score >= MIN_DENSITY {
            self.out.push(FingerprintMatch { start: span.start, end: span.end, matched, total, score });
        }
    }
}

/// Counts the distinct hashes of a span. A span of a large pasted copy has thousands to hundreds
/// of thousands; an open-addressing set at most half full takes a probe or two per hash, where
/// sorting them takes a number of compares per hash that grows with the span. Above
/// [`DistinctCounter::PARTITION_MIN`] hashes they are first partitioned by their top byte
/// (keyed hashes are uniform, and an outsider cannot choose them), so that each part's set stays
/// in cache. The scratch buffers are kept for the next span.
#[derive(Default)]
struct DistinctCounter {
    parts: Vec<u64>,
    set: Vec<u64>,
}

impl DistinctCounter {
    /// From this many hashes on, a single set would outgrow the processor's cache.
    const PARTITION_MIN: usize = 1 << 14;

    /// Distinct values in `hashes`.
    fn count(&mut self, hashes: &[u64]) -> usize {
        if hashes.len() < Self::PARTITION_MIN {
            return Self::count_in_set(&mut self.set, hashes);
        }
        // Counting sort on the top byte into `parts`.
        let mut bounds = [0usize; 257];
        for &h in hashes {
            bounds[(h >> 56) as usize + 1] += 1;
        }
        for i in 1..257 {
            bounds[i] += bounds[i - 1];
        }
        let mut parts = std::mem::take(&mut self.parts);
        parts.clear();
        parts.resize(hashes.len(), 0);
        let mut next = bounds;
        for &h in hashes {
            let part = (h >> 56) as usize;
            parts[next[part]] = h;
            next[part] += 1;
        }
        let distinct = bounds.windows(2).map(|b| Self::count_in_set(&mut self.set, &parts[b[0]..b[1]])).sum();
        self.parts = parts;
        distinct
    }

    /// Distinct values in `values`, put one by one into `set`, indexed by their low bits. 0
    /// marks an empty slot, so the value 0 is counted on the side.
    fn count_in_set(set: &mut Vec<u64>, values: &[u64]) -> usize {
        let size = (2 * values.len()).next_power_of_two().max(16);
        set.clear();
        set.resize(size, 0);
        let mask = size - 1;
        let mut distinct = 0;
        let mut zero = false;
        for &h in values {
            if h == 0 {
                zero = true;
                continue;
            }
            let mut slot = h as usize & mask;
            loop {
                let seen = set[slot];
                if seen == h {
                    break;
                }
                if seen == 0 {
                    set[slot] = h;
                    distinct += 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        distinct + zero as usize
    }
}

/// Fingerprints looked up together: the lookups are independent memory reads, so a batch lets
/// the processor overlap their cache misses instead of waiting for each in turn.
const BATCH: usize = 32;

/// A matched fingerprint: the fingerprint, its order among the text's fingerprints and its
/// k-gram index (the index of its first token).
pub(super) type Hit = (Fingerprint, usize, usize);

/// The text's fingerprints in order, looked up in batches; `hit` gets the ones in the database.
pub(super) struct Lookups<'a, H: FnMut(Hit)> {
    db: &'a FingerprintDb,
    batch: [(Fingerprint, usize); BATCH],
    /// Bit `i` set when the batch's `i`-th selection repeats a recent k-gram: no fingerprint,
    /// never a hit, but it takes its place in the order (see [`Repetition::separates`]).
    repeats: u64,
    len: usize,
    /// Fingerprints looked up so far (the order of the next batch's first).
    count: usize,
    hit: H,
}

impl<'a, H: FnMut(Hit)> Lookups<'a, H> {
    pub(super) fn new(db: &'a FingerprintDb, hit: H) -> Self {
        Lookups { db, batch: [(Fingerprint { hash: 0, start: 0, end: 0 }, 0); BATCH], repeats: 0, len: 0, count: 0, hit }
    }

    /// The next selection of the text: a fingerprint to look up, or (`repeats`) a selection
    /// that counts only as unmatched.
    #[inline]
    pub(super) fn push(&mut self, fp: Fingerprint, index: usize, repeats: bool) {
        self.batch[self.len] = (fp, index);
        self.repeats |= (repeats as u64) << self.len;
        self.len += 1;
        if self.len == BATCH {
            self.flush();
        }
    }

    pub(super) fn flush(&mut self) {
        // All `BATCH` slots are looked up: past `len` they hold earlier fingerprints (or
        // zeros), which cost their three loads each and are masked off.
        let batch = &self.batch;
        let mut found = self.db.contains_each::<BATCH>(|i| batch[i].0.hash) & crate::content::swar::low_bits(self.len) & !self.repeats;
        while found != 0 {
            let i = found.trailing_zeros() as usize;
            found &= found - 1;
            let (fp, index) = batch[i];
            (self.hit)((fp, self.count + i, index));
        }
        self.count += self.len;
        self.len = 0;
        self.repeats = 0;
    }
}

impl FingerprintDb {
    /// Spans of `text` that match the database: each with byte range, the number of distinct
    /// matched fingerprints, the number of fingerprints the span has in total, and a score 0..1.
    /// `min_matches` below 1 counts as 1; [`DEFAULT_MIN_MATCHES`](super::DEFAULT_MIN_MATCHES) is
    /// the tested setting.
    pub fn scan(&self, text: &str, min_matches: usize) -> Vec<FingerprintMatch> {
        self.scan_with(text, min_matches, REPETITION)
    }

    /// [`scan`](Self::scan) with another repetition filter (for the accuracy benchmark's
    /// ablation).
    #[doc(hidden)]
    pub fn scan_with(&self, text: &str, min_matches: usize, repetition: Repetition) -> Vec<FingerprintMatch> {
        let mut matches = self.scan_text(text, min_matches, repetition);
        self.add_fenced_block_matches(text, min_matches, repetition, &mut matches);
        matches
    }

    /// A short fenced block of a Markdown text without a match, scanned as a text of its own:
    /// a prompt's prose and the block's own lines are one text to the span rules, so the
    /// short-text rule never sees a few pasted lines that were fenced. A block is short when it
    /// could have fewer selections than a match needs ([`MAX_FENCED_BLOCK`] bytes); a longer
    /// one is judged by the span rules the same inside the text as alone.
    pub(super) fn add_fenced_block_matches(&self, text: &str, min_matches: usize, repetition: Repetition, matches: &mut Vec<FingerprintMatch>) {
        let before = matches.len();
        for (start, end) in fenced_blocks(text) {
            // The matches are in order and do not overlap: of those, only the first that ends
            // after the block starts can overlap it (a search, not a walk of every match for
            // every block, which a text of many blocks and matches made quadratic).
            let next = matches[..before].partition_point(|m| m.end <= start);
            if end - start > MAX_FENCED_BLOCK || matches[..before].get(next).is_some_and(|m| m.start < end) {
                continue;
            }
            // A block of fewer than `K` tokens has no fingerprint; finding that out reads its
            // first tokens, where a scan would set up a winnower and spans for it.
            if end - start < K || !has_tokens(&text[start..end], K) {
                continue;
            }
            matches.extend(self.scan_text(&text[start..end], min_matches, repetition).into_iter().map(|m| FingerprintMatch { start: m.start + start, end: m.end + start, ..m }));
        }
        if matches.len() > before {
            matches.sort_by_key(|m| m.start);
        }
    }

    /// The spans of `text` as one text (fences read as white space).
    fn scan_text(&self, text: &str, min_matches: usize, repetition: Repetition) -> Vec<FingerprintMatch> {
        let mut spans = Spans::new(min_matches);
        let mut lookups = Lookups::new(self, |(fp, order, index)| spans.matched(fp, order, index));
        for_each_fingerprint(text, &self.hasher, repetition, |fp, index, repeats| {
            if !repeats || repetition.separates {
                lookups.push(fp, index, repeats);
            }
        });
        lookups.flush();
        let selections = lookups.count;
        drop(lookups);
        spans_of(text, spans, Some(selections))
    }
}

/// Largest fenced block scanned again as a text of its own: 4 KB is some 60 lines of code,
/// 150 or more selections, where the short-text rule no longer decides anything.
const MAX_FENCED_BLOCK: usize = 4 << 10;

/// The byte ranges of the fenced code blocks of `text`: from the line after an opening fence
/// (a line that starts, after spaces or tabs, with three or more backticks) to the start of the
/// closing one, or to the end of the text.
fn fenced_blocks(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let s = text.as_bytes();
    // Only the indentation before a fence is read back, so a long line of backticks costs
    // its length once, not once per backtick run.
    let mut fences = memchr::memmem::find_iter(s, b"```").filter(move |&i| {
        let indent = s[..i].iter().rev().take_while(|&&b| b == b' ' || b == b'\t').count();
        i == indent || s[i - indent - 1] == b'\n'
    });
    std::iter::from_fn(move || {
        let open = fences.next()?;
        let start = s[open..].iter().position(|&b| b == b'\n').map_or(s.len(), |n| open + n + 1);
        let end = fences.next().map_or(s.len(), |close| s[..close].iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1));
        Some((start, end.max(start)))
    })
}

/// The reported spans, once every hit has gone into `spans`.
/// `selections`: how many the text had in all (for the short-text rule), None if not known.
pub(super) fn spans_of(text: &str, mut spans: Spans, selections: Option<usize>) -> Vec<FingerprintMatch> {
    spans.selections = selections;
    spans.close();
    // Only spans that passed the counts get here, and code reaches the threshold within its
    // first tokens, so this tokenises little again.
    spans.out.retain(|m| text.get(m.start..m.end).is_some_and(|t| vocabulary_up_to(t, MIN_VOCABULARY) >= MIN_VOCABULARY));
    spans.out
}

#[cfg(test)]
mod tests {
    use super::DistinctCounter;

    /// The set agrees with sort and dedup, alone and partitioned (sizes on both sides of the switch),
    /// repeats near and far, the value 0, and every hash in one part (top byte fixed).
    #[test]
    fn distinct_count_agrees_with_sort_and_dedup() {
        let mut next = crate::test_rng::below(0x5eed_d157);
        let mut counter = DistinctCounter::default();
        for &len in &[0, 1, 2, 100, 5000, DistinctCounter::PARTITION_MIN - 1, DistinctCounter::PARTITION_MIN, 100_000] {
            for shape in 0..4 {
                let mut hashes: Vec<u64> = (0..len).map(|_| ((next(1 << 30) as u64) << 34) ^ next(1 << 30) as u64).collect();
                for i in 0..len {
                    match shape {
                        1 if i % 3 == 0 => hashes[i] = hashes[next(i + 1)],
                        2 if i % 5 == 0 => hashes[i] = 0,
                        3 => hashes[i] = (hashes[i] & 0x00ff_ffff_ffff_ffff) % 50_000 | 0x7a << 56,
                        _ => {}
                    }
                }
                let mut expected = hashes.clone();
                expected.sort_unstable();
                expected.dedup();
                assert_eq!(counter.count(&hashes), expected.len(), "{len} hashes, shape {shape}");
            }
        }
    }
}
