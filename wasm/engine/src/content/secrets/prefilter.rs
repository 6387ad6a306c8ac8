//! The secret rules' keyword prefilter: every occurrence of every keyword in a text, ASCII
//! case-insensitively, overlapping ones included, in order of position.
//!
//! An Aho-Corasick DFA did this before: its walk is one chain of dependent loads, a transition
//! per byte, each waiting for the one before. Here every position is tested on its own, so the
//! processor works on several at once: the classes of the position's first two bytes pick the
//! set of classes of a third byte with which some keyword begins. Only positions that pass (few
//! in source code) and whose fourth byte can follow (fewer still) are compared with the
//! keywords that begin that way.
//!
//! # Layout
//!
//! - `class[b]`: the class of byte `b` (ASCII case folded). Class 0 is every byte that is in no
//!   keyword's first three; the others get classes 1.. in order of first use, and share them
//!   once more than [`CLASSES`]` - 1` distinct bytes are in use (the table lets more positions
//!   through; the comparison still decides). A position's key is its three bytes' classes as
//!   the digits of a number in base `CLASSES`, below `CLASSES^3`; each byte's class is looked up
//!   once for the three positions it belongs to.
//! - `bucket_of[key]`: 0 when no keyword begins with bytes of those classes, else 1 + the index
//!   of the key's bucket in `buckets`. A keyword shorter than three bytes is in the bucket of
//!   every class after its end, class 0 included: past the end of the text the lookup reads
//!   class 0. Keys with the same keywords share a bucket.
//! - `third[c0 * CLASSES + c1]`: bit `c2` set where `bucket_of` has a bucket for the key, so that
//!   the test of each position reads 64 bits from a table of 16 KB, which stays in the first-level
//!   cache; `bucket_of` (128 KB), which does not, is read only for the positions that pass.
//! - `buckets[b]`: the range of `entries` holding bucket `b`'s keywords, ascending by index.
//! - `fourth[b]`: the bytes (both ASCII cases) that can follow the first three of a keyword of
//!   bucket `b`, as 256 bits; every byte when one of them has three bytes or fewer. A position
//!   whose key passes is compared only when its fourth byte is one of them (0 past the end):
//!   on source code many more positions pass on three bytes than on four (`con`, `pos`, `ten`
//!   begin many words), and each comparison is a call and a loop.
//! - `entries`: a keyword's index and length, and its first eight bytes (lowercase, zero-padded)
//!   with the mask of those that count, so that most comparisons are one 8-byte load, one
//!   case fold of eight bytes at once and one compare.

use crate::content::swar::{load8_padded, low_bytes, to_ascii_lowercase};

/// Byte classes, class 0 included; `CLASSES^3` keys fit the `u16`-indexed tables.
const CLASSES: usize = 40;
const KEYS: usize = CLASSES * CLASSES * CLASSES;
const TABLE: usize = 1 << 16;
const _: () = assert!(KEYS <= TABLE);
/// Entries of the pair table: `CLASSES^2` rounded up to a power of two, so that a masked index
/// needs no bounds check.
const PAIRS: usize = (CLASSES * CLASSES).next_power_of_two();
const _: () = assert!(CLASSES <= 64, "a class is a bit of a u64");

/// Positions tested per step: their results are gathered in a mask first, so the rare pass
/// costs one branch per block rather than a mispredicted one per position.
const BLOCK: usize = 8;

pub struct KeywordPrefilter {
    class: [u8; 256],
    /// Per pair of classes (`c0 * CLASSES + c1`), bit `c2` set where `bucket_of` has a bucket.
    third: Box<[u64; PAIRS]>,
    bucket_of: Box<[u16; TABLE]>,
    buckets: Vec<(u16, u16)>,
    fourth: Vec<[u64; 4]>,
    entries: Vec<Entry>,
    /// The keywords as given.
    keywords: Vec<Box<[u8]>>,
}

#[derive(Clone, Copy)]
struct Entry {
    head: u64,
    head_mask: u64,
    len: u32,
    keyword: u16,
}

impl KeywordPrefilter {
    /// The prefilter of `keywords` (at most 65,535; the empty keyword matches nowhere).
    pub fn new(keywords: &[&str]) -> KeywordPrefilter {
        assert!(keywords.len() < u16::MAX as usize, "at most 65,535 keywords");
        let mut class = [0u8; 256];
        let mut used = 0;
        for k in keywords {
            for &b in k.as_bytes().iter().take(3) {
                let folded = b.to_ascii_lowercase() as usize;
                if class[folded] == 0 {
                    class[folded] = (used % (CLASSES - 1) + 1) as u8;
                    used += 1;
                }
            }
        }
        for b in 0..=255u8 {
            class[b as usize] = class[b.to_ascii_lowercase() as usize];
        }
        // Every key each keyword begins with, then the keywords of each key in order.
        let mut pairs: Vec<(u16, u16)> = Vec::new();
        for (p, k) in keywords.iter().enumerate() {
            let k = k.as_bytes();
            if k.is_empty() {
                continue;
            }
            let options = |j: usize| -> Vec<usize> {
                match k.get(j) {
                    Some(&b) => vec![class[b as usize] as usize],
                    None => (0..CLASSES).collect(),
                }
            };
            for c0 in options(0) {
                for &c1 in &options(1) {
                    for &c2 in &options(2) {
                        pairs.push((((c0 * CLASSES + c1) * CLASSES + c2) as u16, p as u16));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let entry = |p: u16| {
            let k = keywords[p as usize].as_bytes();
            let n = k.len().min(8);
            let mut head = [0u8; 8];
            head[..n].copy_from_slice(&k[..n]);
            let head_mask = low_bytes(n);
            Entry { head: to_ascii_lowercase(u64::from_le_bytes(head)) & head_mask, head_mask, len: k.len() as u32, keyword: p }
        };
        let mut bucket_of = Box::new([0u16; TABLE]);
        let mut buckets: Vec<(u16, u16)> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut lists: std::collections::HashMap<Vec<u16>, u16> = std::collections::HashMap::new();
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let list: Vec<u16> = group.iter().map(|&(_, p)| p).collect();
            let id = *lists.entry(list).or_insert_with_key(|list| {
                let first = entries.len();
                entries.extend(list.iter().map(|&p| entry(p)));
                assert!(entries.len() <= u16::MAX as usize && buckets.len() < u16::MAX as usize - 1, "keyword table too large");
                buckets.push((first as u16, entries.len() as u16));
                buckets.len() as u16
            });
            bucket_of[group[0].0 as usize] = id;
        }
        let mut third = Box::new([0u64; PAIRS]);
        for (key, &bucket) in bucket_of.iter().enumerate().take(KEYS) {
            if bucket != 0 {
                third[key / CLASSES] |= 1 << (key % CLASSES);
            }
        }
        let fourth = buckets
            .iter()
            .map(|&(first, end)| {
                let mut set = [0u64; 4];
                for e in &entries[first as usize..end as usize] {
                    match keywords[e.keyword as usize].as_bytes().get(3) {
                        None => set = [u64::MAX; 4],
                        Some(&b) => {
                            for b in [b.to_ascii_lowercase(), b.to_ascii_uppercase()] {
                                set[b as usize / 64] |= 1 << (b % 64);
                            }
                        }
                    }
                }
                set
            })
            .collect();
        KeywordPrefilter { class, third, bucket_of, buckets, fourth, entries, keywords: keywords.iter().map(|k| k.as_bytes().into()).collect() }
    }

    #[inline(always)]
    fn key(&self, b0: u8, b1: u8, b2: u8) -> usize {
        Self::key_of(self.class[b0 as usize], self.class[b1 as usize], self.class[b2 as usize])
    }

    #[inline(always)]
    fn key_of(c0: u8, c1: u8, c2: u8) -> usize {
        (c0 as usize * CLASSES + c1 as usize) * CLASSES + c2 as usize
    }

    /// Calls `hit(keyword, start, end)` for every occurrence, by start and then keyword index.
    pub fn for_each_hit(&self, text: &[u8], mut hit: impl FnMut(usize, usize, usize)) {
        let mut i = 0;
        while i + BLOCK + 2 <= text.len() {
            let w: &[u8; BLOCK + 2] = text[i..i + BLOCK + 2].try_into().expect("a block");
            // Each byte's class is looked up once, for the three positions it is part of.
            let c: [u8; BLOCK + 2] = std::array::from_fn(|j| self.class[w[j] as usize]);
            let mut passed = 0u32;
            for j in 0..BLOCK {
                let pair = (c[j] as usize * CLASSES + c[j + 1] as usize) & (PAIRS - 1);
                passed |= ((self.third[pair] >> (c[j + 2] & 63)) as u32 & 1) << j;
            }
            while passed != 0 {
                let j = passed.trailing_zeros() as usize;
                passed &= passed - 1;
                let bucket = self.bucket_of[Self::key_of(c[j], c[j + 1], c[j + 2])];
                if self.may_follow(bucket, text.get(i + j + 3).copied().unwrap_or(0)) {
                    self.compare(text, i + j, bucket, &mut hit);
                }
            }
            i += BLOCK;
        }
        // The last positions: past the end reads as class 0 (a byte no keyword begins with).
        let at = |p: usize| text.get(p).copied().unwrap_or(0);
        while i < text.len() {
            let bucket = self.bucket_of[self.key(at(i), at(i + 1), at(i + 2))];
            if bucket != 0 && self.may_follow(bucket, at(i + 3)) {
                self.compare(text, i, bucket, &mut hit);
            }
            i += 1;
        }
    }

    /// Whether `byte` can be the fourth byte of a keyword of `bucket` (not 0).
    #[inline(always)]
    fn may_follow(&self, bucket: u16, byte: u8) -> bool {
        self.fourth[bucket as usize - 1][byte as usize / 64] >> (byte % 64) & 1 != 0
    }

    /// The keywords of `bucket` (the position's entry of `bucket_of`, not 0) that occur at
    /// `start`.
    #[inline(never)]
    fn compare(&self, text: &[u8], start: usize, bucket: u16, hit: &mut impl FnMut(usize, usize, usize)) {
        let (first, end) = self.buckets[bucket as usize - 1];
        // The text's next eight bytes, zero past its end (no keyword byte is 0 there: a
        // keyword longer than the rest of the text fails the length check).
        let head = to_ascii_lowercase(load8_padded(text, start));
        for e in &self.entries[first as usize..end as usize] {
            let end = start + e.len as usize;
            if head & e.head_mask == e.head && end <= text.len()
                && (e.len <= 8 || text[start + 8..end].eq_ignore_ascii_case(&self.keywords[e.keyword as usize][8..]))
            {
                hit(e.keyword as usize, start, end);
            }
        }
    }
}

impl std::fmt::Debug for KeywordPrefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeywordPrefilter({} keywords)", self.keywords.len())
    }
}

#[cfg(test)]
mod tests {
    use super::KeywordPrefilter;
    use aho_corasick::AhoCorasickBuilder;

    /// Every hit of an Aho-Corasick automaton's overlapping search, in the prefilter's order.
    fn reference(keywords: &[&str], text: &[u8]) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasickBuilder::new().ascii_case_insensitive(true).build(keywords).expect("automaton");
        let mut hits: Vec<_> = ac.find_overlapping_iter(text).map(|m| (m.start(), m.pattern().as_usize(), m.end())).collect();
        hits.sort_unstable();
        hits.into_iter().map(|(s, p, e)| (p, s, e)).collect()
    }

    fn hits(keywords: &[&str], text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        KeywordPrefilter::new(keywords).for_each_hit(text, |p, s, e| out.push((p, s, e)));
        out
    }

    /// The secret rules' own keywords, over texts with keywords at the very start and end, in
    /// every case, overlapping and repeated, and over random texts drawn from keyword bytes.
    #[test]
    fn agrees_with_an_automaton_on_the_rule_keywords() {
        let keywords: Vec<&str> = super::super::RULES.iter().flat_map(|r| r.keywords.iter().copied()).collect();
        let fixed: [&[u8]; 8] = [
            b"",
            b"s",
            b"sk",
            b"SK-proj ghp_ AKIAxyz token=SECRET_key sk",
            b"xxAKIAAKIAakiaq~pat.pat-sec",
            b"https://user:pwd@host/ password=hunter2 -----BEGIN RSA PRIVATE KEY-----",
            "é sk é \u{212a}sk eyJhbGciOi".as_bytes(),
            b"\x00\xffsk\x80sec\n\r\tbot",
        ];
        for text in fixed {
            assert_eq!(hits(&keywords, text), reference(&keywords, text), "{:?}", String::from_utf8_lossy(text));
        }
        let alphabet: Vec<u8> = keywords.iter().flat_map(|k| k.bytes()).chain(*b" \n_-=AZ\xc3\xa9").collect();
        let mut next = crate::test_rng::below(0xfeed_5ec7);
        for len in 0..400 {
            let text: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            assert_eq!(hits(&keywords, &text), reference(&keywords, &text), "{:?}", String::from_utf8_lossy(&text));
        }
    }

    /// Keyword sets the rule table does not have: one- and two-byte keywords, keywords that are
    /// prefixes of each other, repeats, the empty keyword, and more distinct leading bytes than
    /// there are classes (so classes are shared).
    #[test]
    fn agrees_with_an_automaton_on_unusual_keyword_sets() {
        let many: Vec<String> = (0u8..120).map(|b| format!("{}{}z", (b'!' + b % 90) as char, (b'0' + b % 40) as char)).collect();
        let sets: Vec<Vec<&str>> = vec![
            vec!["a", "ab", "abc", "abcd"],
            vec!["x", "X", "xx", "q~"],
            vec!["", "key", "KEY", "key"],
            many.iter().map(String::as_str).collect(),
        ];
        let mut next = crate::test_rng::below(0xc1a5_5e5);
        for keywords in &sets {
            let alphabet: Vec<u8> = keywords.iter().flat_map(|k| k.bytes()).chain(*b" Zz\xff").collect();
            for len in 0..300 {
                let text: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
                let expected: Vec<_> = reference(keywords, &text).into_iter().filter(|&(p, _, _)| !keywords[p].is_empty()).collect();
                assert_eq!(hits(keywords, &text), expected, "{keywords:?} in {:?}", String::from_utf8_lossy(&text));
            }
        }
    }
}
