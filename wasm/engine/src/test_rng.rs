//! A seeded xorshift generator for the unit tests' random cases (reproducible, no dependency).

/// `next(n)`: a number below `n` (n ≥ 1), from a sequence fixed by `seed` (not 0).
pub(crate) fn below(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
