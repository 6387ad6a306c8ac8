//! Eight bytes at a time in one `u64` (SWAR), for the byte tests of the tokenizer, the secret
//! keyword prefilter and the marker term finder. Every function works on little-endian loads,
//! so byte `j` of the text is bits `8j..8j + 8`, and a count of leading bytes is
//! `trailing_zeros / 8`.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// Bit 7 of every byte.
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `s` from `i` (which must exist), little-endian.
#[inline(always)]
pub(crate) fn load8(s: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"))
}

/// The bytes of `s` from `i` (at most eight, `i <= s.len()`), zero past the end of `s`.
#[inline(always)]
pub(crate) fn load8_padded(s: &[u8], i: usize) -> u64 {
    if i + 8 <= s.len() {
        load8(s, i)
    } else {
        let mut b = [0u8; 8];
        b[..s.len() - i].copy_from_slice(&s[i..]);
        u64::from_le_bytes(b)
    }
}

/// A mask of the low `n` bytes of a `u64` (all eight from `n = 8` on).
#[inline(always)]
pub(crate) const fn low_bytes(n: usize) -> u64 {
    low_bits(8 * n)
}

/// A mask of the low `n` bits (all 64 from `n = 64` on).
#[inline(always)]
pub(crate) const fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
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
    /// The padded load reads what is there and zeros after the end; the mask keeps `n` bytes.
    #[test]
    fn padded_load_and_low_bytes() {
        let s = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(super::load8_padded(&s, 0), u64::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8]));
        assert_eq!(super::load8_padded(&s, 6), u64::from_le_bytes([7, 8, 9, 0, 0, 0, 0, 0]));
        assert_eq!(super::load8_padded(&s, 9), 0);
        assert_eq!(super::low_bytes(0), 0);
        assert_eq!(super::low_bytes(3), 0xff_ffff);
        assert_eq!(super::low_bytes(8), u64::MAX);
        assert_eq!(super::low_bytes(12), u64::MAX);
    }

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
