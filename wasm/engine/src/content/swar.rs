//! Eight bytes at a time in one `u64` (SWAR), for the byte tests of the tokenizer and the
//! secret keyword prefilter. Every function works on little-endian loads, so byte `j` of the
//! text is bits `8j..8j + 8`, and a count of leading bytes is `trailing_zeros / 8`.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// Bit 7 of every byte.
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `s` from `i` (which must exist), little-endian.
#[inline(always)]
pub(crate) fn load8(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"))
}

/// Bit 7 set in each byte of `x` that is in `lo..=hi`; the bytes of `x` must be below 0x80
/// (then no sum carries into the next byte).
#[inline(always)]
pub(crate) fn bytes_in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let from_lo = x + (0x80 - lo as u64) * ONES;
    let above_hi = x + (0x7f - hi as u64) * ONES;
    from_lo & !above_hi & HIGH_BITS
}

/// Bit 7 set in each byte of `x` that is not 0, exactly (the lowest-zero trick of `find_byte`
/// flags only the first zero reliably).
#[inline(always)]
pub(crate) fn nonzero_bytes(x: u64) -> u64 {
    (((x & !HIGH_BITS) + 0x7f * ONES) | x) & HIGH_BITS
}

/// `to_ascii_lowercase` on each of the eight bytes of `x`.
#[inline(always)]
pub(crate) fn to_ascii_lowercase(x: u64) -> u64 {
    let upper = bytes_in_range(x & !HIGH_BITS, b'A', b'Z') & !x;
    x | (upper >> 2)
}

#[cfg(test)]
mod tests {
    /// The eight-byte case fold is `to_ascii_lowercase` on each byte, whatever its neighbours.
    #[test]
    fn to_ascii_lowercase_lowercases_each_byte() {
        let mut next = crate::test_rng::below(0xf01d_8);
        for b in 0..=255u8 {
            for j in 0..8 {
                let mut bytes: [u8; 8] = std::array::from_fn(|_| next(256) as u8);
                bytes[j] = b;
                let expected = bytes.map(|c| c.to_ascii_lowercase());
                assert_eq!(super::to_ascii_lowercase(u64::from_le_bytes(bytes)).to_le_bytes(), expected, "{bytes:?}");
            }
        }
    }
}
