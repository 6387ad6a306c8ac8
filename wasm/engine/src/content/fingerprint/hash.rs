//! The unkeyed mixing function the fingerprint modules share. It has a module of its own so
//! that the modules using it depend on it, not on each other: the reserved word table (its
//! multiplier search), winnowing (its token values) and the database (its filter positions,
//! which must be `xorf`'s).

/// The murmur3 64-bit finaliser.
#[inline(always)]
pub(crate) const fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^ (x >> 33)
}
