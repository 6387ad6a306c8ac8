//! Sixty-four bytes of text as bit masks of the tokenizer's byte classes, for its plain-text
//! path (`Lexer::plain_stretch` in `tokenize.rs`).
//!
//! Bit `j` of a mask stands for byte `j` of the block:
//!
//! | mask | bytes | the tokenizer reads them as |
//! |---|---|---|
//! | `word` | `A`–`Z` `a`–`z` `0`–`9` `_` `$` | identifiers, reserved words, numbers |
//! | `punct` | the other printable ASCII bytes, except the `special` ones | one token each |
//! | `newline` | `\n` | whitespace that starts a line |
//! | `special` | `"` `'` `` ` `` `/` `#` `-` and every byte from 0x80 | strings, comments, fences, non-ASCII: the byte-by-byte path |
//!
//! Every other byte (space, tab, CR and the other control characters) is whitespace and in no
//! mask. Most of a source file's blocks have no special byte, or a few: the plain path reads
//! the tokens up to the first one from the masks, without a turn of the lexer's loop per
//! token, per whitespace run and per class.
//!
//! Where the target has vectors of 16 bytes in its baseline (SSE2 on x86-64, `simd128` in the
//! wasm build), a block is classified with them; [`AVAILABLE`] is false elsewhere and the
//! tokenizer keeps to its byte-by-byte path, which a byte loop classifying 64 bytes would not
//! beat. The byte loop, [`classify_bytes`], is the reference the vector versions are tested
//! against.

/// The four class masks of one 64-byte block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BlockMasks {
    pub(crate) word: u64,
    pub(crate) punct: u64,
    pub(crate) newline: u64,
    pub(crate) special: u64,
}

/// Block length in bytes: one bit per byte of a `u64`.
pub(crate) const BLOCK: usize = 64;

/// Whether this target classifies blocks with vector instructions (see the module comment).
pub(crate) const AVAILABLE: bool = cfg!(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")));

/// The masks of `s[at..at + 64]` (which must exist).
#[inline(always)]
pub(crate) fn classify(s: &[u8], at: usize) -> BlockMasks {
    let block: &[u8; BLOCK] = s[at..at + BLOCK].try_into().expect("64 bytes");
    classify_block(block)
}

/// A block's masks from those of its four 16-byte chunks.
#[cfg(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn classify_block(block: &[u8; BLOCK]) -> BlockMasks {
    let mut m = BlockMasks::default();
    for (q, chunk) in block.chunks_exact(16).enumerate() {
        let [word, punct, newline, special] = chunk_masks(chunk);
        let shift = 16 * q;
        m.word |= word << shift;
        m.punct |= punct << shift;
        m.newline |= newline << shift;
        m.special |= special << shift;
    }
    m
}

/// The word, punctuation, newline and special masks of a 16-byte chunk.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unused_unsafe)] // the arithmetic intrinsics are safe with SSE2 on from Rust 1.87 on
fn chunk_masks(chunk: &[u8]) -> [u64; 4] {
    use core::arch::x86_64::*;
    assert_eq!(chunk.len(), 16);
    // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads the 16 bytes of `chunk`
    // (unaligned loads are allowed).
    unsafe {
        let x = _mm_loadu_si128(chunk.as_ptr().cast());
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        // `lo <= x <= lo + n - 1` as one signed compare: shift the range to start at -128.
        let in_range = |v: __m128i, lo: u8, n: u8| {
            _mm_cmplt_epi8(_mm_add_epi8(v, splat(0x80u8.wrapping_sub(lo))), splat(0x80u8.wrapping_add(n)))
        };
        let eq = |b: u8| _mm_cmpeq_epi8(x, splat(b));
        let letter = in_range(_mm_or_si128(x, splat(0x20)), b'a', 26);
        let word = _mm_or_si128(_mm_or_si128(letter, in_range(x, b'0', 10)), _mm_or_si128(eq(b'_'), eq(b'$')));
        let printable = in_range(x, 0x21, 0x7e - 0x21 + 1);
        let special = _mm_or_si128(
            _mm_or_si128(in_range(x, b'"', 2), eq(b'\'')),
            _mm_or_si128(_mm_or_si128(eq(b'`'), eq(b'/')), eq(b'-')),
        );
        let mask = |v: __m128i| _mm_movemask_epi8(v) as u16 as u64;
        // Bytes from 0x80 are negative: their own sign bits.
        let (word, special) = (mask(word), mask(special) | mask(x));
        [word, mask(printable) & !word & !special, mask(eq(b'\n')), special]
    }
}

/// The word, punctuation, newline and special masks of a 16-byte chunk.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
#[allow(unused_unsafe)]
fn chunk_masks(chunk: &[u8]) -> [u64; 4] {
    use core::arch::wasm32::*;
    assert_eq!(chunk.len(), 16);
    // SAFETY: the build enables simd128, and the load reads the 16 bytes of `chunk` (wasm loads
    // need no alignment).
    unsafe {
        let x = v128_load(chunk.as_ptr().cast());
        let in_range = |v: v128, lo: u8, n: u8| u8x16_lt(u8x16_sub(v, u8x16_splat(lo)), u8x16_splat(n));
        let eq = |b: u8| i8x16_eq(x, u8x16_splat(b));
        let letter = in_range(v128_or(x, u8x16_splat(0x20)), b'a', 26);
        let word = v128_or(v128_or(letter, in_range(x, b'0', 10)), v128_or(eq(b'_'), eq(b'$')));
        let printable = in_range(x, 0x21, 0x7e - 0x21 + 1);
        let special = v128_or(
            v128_or(v128_or(in_range(x, b'"', 2), eq(b'\'')), v128_or(eq(b'`'), eq(b'/'))),
            v128_or(eq(b'-'), u8x16_ge(x, u8x16_splat(0x80))),
        );
        let mask = |v: v128| i8x16_bitmask(v) as u64;
        let (word, special) = (mask(word), mask(special));
        [word, mask(printable) & !word & !special, mask(eq(b'\n')), special]
    }
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
#[inline(always)]
fn classify_block(block: &[u8; BLOCK]) -> BlockMasks {
    classify_bytes(block)
}

/// The masks byte by byte: the definition the vector versions must agree with.
#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
pub(crate) fn classify_bytes(block: &[u8; BLOCK]) -> BlockMasks {
    let mut m = BlockMasks::default();
    for (j, &b) in block.iter().enumerate() {
        let bit = 1u64 << j;
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'$' => m.word |= bit,
            b'"' | b'\'' | b'`' | b'/' | b'#' | b'-' | 0x80..=0xff => m.special |= bit,
            b'\n' => m.newline |= bit,
            0x21..=0x7e => m.punct |= bit,
            _ => {}
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every place of a block, and random blocks over the class borders.
    #[test]
    fn vector_masks_agree_with_the_byte_loop() {
        let check = |block: [u8; BLOCK]| {
            assert_eq!(classify(&block, 0), classify_bytes(&block), "{block:?}");
        };
        for b in 0..=255u8 {
            for j in 0..BLOCK {
                let mut block = *b"let x = foo(bar, 42);\n    if x { return y_$; } else { z.w[0] }  ";
                block[j] = b;
                check(block);
            }
        }
        let borders = b"\x00\x08\t\n\r\x1f !\"#$%&'()*+,-./09:;@AZ[\\]^_`az{|}~\x7f\x80\xbf\xc0\xff";
        let mut next = crate::test_rng::below(0xb10c_4a5c);
        for _ in 0..50_000 {
            check(std::array::from_fn(|_| borders[next(borders.len())]));
        }
    }

    /// The byte classes are the tokenizer's own (`tokenize.rs` tests the rest of the agreement:
    /// tokens with and without the plain path).
    #[test]
    fn masks_partition_the_printable_bytes() {
        let block: [u8; BLOCK] = std::array::from_fn(|j| 0x20 + j as u8);
        let m = classify_bytes(&block);
        assert_eq!(m.word & m.punct, 0);
        assert_eq!((m.word | m.punct | m.special).count_ones(), 63, "all but the space");
    }
}
