//! Fingerprints of the company's own source code, and finding them in a paste.
//!
//! The admin CLI walks the company's source trees and stores a keyed hash of selected token
//! k-grams of every file in a compact filter (`aiguard fingerprint`); the extension loads that
//! database and asks, for a pasted or typed text, which spans of it share enough fingerprints
//! with it. The design note is `FINGERPRINTS.md` at the crate root.
//!
//! * `tokenize.rs` (with `reserved.rs`): one normalisation for every language (a paste has no
//!   file name): whitespace and comments dropped, identifiers and literals each one placeholder,
//!   reserved words and punctuation kept.
//! * `winnow.rs`: rolling k-gram hashes and the window minimum (winnowing).
//! * [`FingerprintKey`]: the secret the selected k-grams are hashed with (SipHash-1-3).
//! * `db.rs`: the database file: layout, validation, the filter.
//! * `build.rs`: from files to a database, dropping boilerplate and generic code.
//! * `scan.rs`: from a text to matched spans.
//! * `split.rs`: the same, natively, in parts on several threads.

mod block_masks;
mod build;
mod db;
mod hash;
mod reserved;
mod scan;
#[cfg(not(target_arch = "wasm32"))]
mod split;
mod tokenize;
mod winnow;

pub use build::{BuildOptions, DbBuilder};
pub use db::{BuildStats, DbError, FingerprintDb, FORMAT_VERSION};
pub use scan::{FingerprintMatch, MAX_GAP, MIN_DENSITY, MIN_DISTINCT, MIN_VOCABULARY, MIN_WHOLE};
pub use winnow::{Repetition, MAX_PERIOD, REPEAT_SUFFIX};

/// Tokens per k-gram. With `W` and the minimum match count it fixes how long a copied run must
/// be to count; see `FINGERPRINTS.md` for the measurements behind 24.
pub const K: usize = 24;
/// Winnowing window, in k-grams: any shared run of `W + K - 1` normalised tokens is guaranteed
/// to share at least one fingerprint.
pub const W: usize = 8;
/// The k-grams that carry no information of their own: those repeating a k-gram that starts
/// at most 32 tokens before (a line of one assignment is 5 or 6 tokens, a getter 13, a null
/// check that throws 16). See [`Repetition`] and `FINGERPRINTS.md` for the measurements.
pub const REPETITION: Repetition = Repetition { max_period: 32, separates: true };
/// Distinct matched fingerprints that make a span a match, when the caller has no setting.
pub const DEFAULT_MIN_MATCHES: usize = 4;

/// Version of the token normalisation (reserved words, comment and literal rules, token ids,
/// rolling hash). A database records it: any change in how a text becomes fingerprints makes
/// old databases useless, and the loader says so instead of silently matching nothing.
pub const NORMALISATION: u16 = 1;

/// One selected fingerprint of a text: keyed 64-bit hash and the byte range in the input it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    pub hash: u64,
    pub start: usize,
    pub end: usize,
}

/// The 128-bit SipHash key the k-gram hashes are keyed with. It is stored in the database
/// (the extension must compute the same hashes), so it protects hashes seen without the file,
/// not the file itself: see `FINGERPRINTS.md`.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey([u8; 16]);

impl FingerprintKey {
    /// A key from 16 bytes; the CLI draws them from the operating system's random source.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        FingerprintKey(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    fn hasher(&self) -> KeyedHasher {
        let (k0, k1) = self.0.split_at(8);
        KeyedHasher { k0: u64::from_le_bytes(k0.try_into().expect("8 bytes")), k1: u64::from_le_bytes(k1.try_into().expect("8 bytes")) }
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// SipHash-1-3 of one 64-bit value (the k-gram's rolling hash), written out for that one case:
/// the general byte-slice hasher buffers its input and handles any length and tail, work that
/// would be paid once per selected k-gram. A test checks it against the `siphasher` crate.
#[derive(Clone, Debug)]
struct KeyedHasher {
    k0: u64,
    k1: u64,
}

impl KeyedHasher {
    #[inline]
    fn hash(&self, m: u64) -> u64 {
        #[inline(always)]
        fn round(v: &mut [u64; 4]) {
            v[0] = v[0].wrapping_add(v[1]);
            v[1] = v[1].rotate_left(13) ^ v[0];
            v[0] = v[0].rotate_left(32);
            v[2] = v[2].wrapping_add(v[3]);
            v[3] = v[3].rotate_left(16) ^ v[2];
            v[0] = v[0].wrapping_add(v[3]);
            v[3] = v[3].rotate_left(21) ^ v[0];
            v[2] = v[2].wrapping_add(v[1]);
            v[1] = v[1].rotate_left(17) ^ v[2];
            v[2] = v[2].rotate_left(32);
        }
        let mut v = [
            self.k0 ^ 0x736f_6d65_7073_6575,
            self.k1 ^ 0x646f_7261_6e64_6f6d,
            self.k0 ^ 0x6c79_6765_6e65_7261,
            self.k1 ^ 0x7465_6462_7974_6573,
        ];
        // One 8-byte block, then the final block holding only the length (8) in its top byte.
        for block in [m, 8u64 << 56] {
            v[3] ^= block;
            round(&mut v);
            v[0] ^= block;
        }
        v[2] ^= 0xff;
        round(&mut v);
        round(&mut v);
        round(&mut v);
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

/// Tokenises (normalised, see `tokenize.rs`) and winnows `text`, hashing with `key`.
pub fn fingerprints(text: &str, key: &FingerprintKey) -> Vec<Fingerprint> {
    fingerprints_with(text, key, REPETITION)
}

/// [`fingerprints`] with another repetition filter (for the accuracy benchmark's ablation).
#[doc(hidden)]
pub fn fingerprints_with(text: &str, key: &FingerprintKey, repetition: Repetition) -> Vec<Fingerprint> {
    let mut out = Vec::new();
    for_each_fingerprint(text, &key.hasher(), repetition, |fp, _, repeats| {
        if !repeats {
            out.push(fp);
        }
    });
    out
}

/// The streaming form: one pass, no allocation, selections in increasing position.
///
/// Tokens are handed over in batches: the tokenizer's many emit sites then only store into
/// arrays, and the winnowing loop keeps its state in registers across a batch. `f` also gets
/// the fingerprint's k-gram index, which is its first token's index, and whether it repeats a
/// recent k-gram (see [`Repetition`]; such a selection is no fingerprint, and its keyed hash
/// is not computed).
fn for_each_fingerprint(text: &str, hasher: &KeyedHasher, repetition: Repetition, mut f: impl FnMut(Fingerprint, usize, bool)) {
    let mut w = winnow::Winnower::new(
        |rolling, start, end, index, repeats| {
            let hash = if repeats { 0 } else { hasher.hash(rolling) };
            f(Fingerprint { hash, start, end }, index, repeats)
        },
        repetition,
    );
    let mut batch = winnow::Batch::new();
    tokenize::tokenize(text, |id, name, start, end| {
        if batch.push(id, name, start, end) {
            w.push_batch(&mut batch);
        }
    });
    w.push_batch(&mut batch);
    w.finish();
}

/// How many distinct kinds of normalised token `text` has: each reserved word and punctuation
/// byte is one kind, all identifiers one, all literals one. A list (an import block, an
/// attribute list, an array of strings) is long but uses a handful of kinds; code uses many.
pub fn vocabulary(text: &str) -> usize {
    vocabulary_up_to(text, usize::MAX)
}

/// [`vocabulary`], but counting stops at `limit`: a span of code reaches the threshold within
/// its first tokens, so checking a long matched span costs a few tokens, not the span.
pub(crate) fn vocabulary_up_to(text: &str, limit: usize) -> usize {
    let seen = std::cell::Cell::new([0u64; 16]);
    let count = std::cell::Cell::new(0usize);
    tokenize::tokenize_until(
        text,
        |id, _, _, _| {
            let id = id as usize % 1024;
            let mut bits = seen.get();
            if bits[id / 64] & (1 << (id % 64)) == 0 {
                bits[id / 64] |= 1 << (id % 64);
                seen.set(bits);
                count.set(count.get() + 1);
            }
        },
        || count.get() >= limit,
    );
    count.get()
}

/// How many normalised tokens `text` has (for diagnostics and the K/W rationale).
pub fn token_count(text: &str) -> usize {
    let mut n = 0;
    tokenize::tokenize(text, |_, _, _, _| n += 1);
    n
}

/// Whether `text` has at least `n` tokens (it is read only that far).
pub(crate) fn has_tokens(text: &str, n: usize) -> bool {
    let count = std::cell::Cell::new(0);
    tokenize::tokenize_until(text, |_, _, _, _| count.set(count.get() + 1), || count.get() >= n);
    count.get() >= n
}

/// A token as (id, identifier hash, start, end).
type Token = (u32, u32, usize, usize);

/// Every token of `text`, read with the tokenizer's plain path where it applies (`plain`) or
/// byte by byte throughout: the two must agree. For tests and fuzzing.
#[doc(hidden)]
pub fn tokens(text: &str, plain: bool) -> Vec<Token> {
    let mut lexer = if plain { tokenize::Lexer::new(text, 0) } else { tokenize::Lexer::byte_by_byte(text, 0) };
    read_to(&mut lexer, text.len())
}

/// [`tokens`] read in two stages: those that start before byte `limit`, then the rest. For
/// fuzzing the lexer's stop at a limit, which the split scan relies on.
#[doc(hidden)]
pub fn tokens_in_stages(text: &str, limit: usize) -> (Vec<Token>, Vec<Token>) {
    let mut lexer = tokenize::Lexer::new(text, 0);
    let first = read_to(&mut lexer, limit.min(text.len()));
    (first, read_to(&mut lexer, text.len()))
}

/// The tokens `lexer` emits up to byte `limit`.
fn read_to(lexer: &mut tokenize::Lexer, limit: usize) -> Vec<Token> {
    let mut out = Vec::new();
    lexer.run(limit, &mut |id, name, start, end| out.push((id, name, start, end)), || false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_is_siphash_1_3() {
        for seed in 0u64..200 {
            let mut key = [0u8; 16];
            for (i, b) in key.iter_mut().enumerate() {
                *b = (hash::mix64(seed * 31 + i as u64) >> 7) as u8;
            }
            let m = hash::mix64(seed ^ 0xABCD);
            let want = siphasher::sip::SipHasher13::new_with_key(&key).hash(&m.to_le_bytes());
            assert_eq!(FingerprintKey::from_bytes(key).hasher().hash(m), want, "seed {seed}");
        }
    }
}
