//! Winnowing ("Winnowing: local algorithms for document fingerprinting", SIGMOD 2003) over the
//! normalised token stream.
//!
//! Every run of [`K`] consecutive tokens (a k-gram) gets a rolling hash. Of every [`W`]
//! consecutive k-grams (a window), the one with the smallest hash is selected, the rightmost
//! one on a tie unless the previous selection is still in the window with that same hash
//! (robust winnowing), and each selected k-gram is reported once. Because the choice inside a
//! window depends only on that window, two texts that share a run of `W + K - 1` tokens share a
//! whole window and so at least one selected hash: the guarantee the K/W choice rests on. About
//! `2 / (W + 1)` of all k-grams are selected.
//!
//! Identifiers all have one token id, but inside a k-gram an identifier that repeats one of the
//! k-gram's earlier identifiers counts as "the same name as `d` tokens back" (see [`Winnower`]).
//!
//! A text with at least `K` but fewer than `W + K - 1` tokens has no complete window; its
//! smallest k-gram is selected so that short files still contribute something.
//!
//! The rolling hash is a polynomial over per-token 64-bit values, updated in O(1) per token. The
//! window minimum is kept as it slides: a new k-gram replaces it only if smaller, and the window
//! is rescanned (W comparisons) only when the minimum leaves it, about twice per W k-grams. That
//! is O(1) amortised; the comparisons of random hashes are conditional moves, not branches, where
//! a monotone queue's pop loop mispredicts. Tokens arrive in batches, and a batch is winnowed in
//! passes (hashes, minima, reports) so that the state stays in registers. Nothing allocates per
//! token: the last `K` tokens and `W` k-grams live in fixed arrays.

use super::hash::mix64;
use super::{K, W};

/// Odd multiplier of the polynomial hash.
const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// `POW[i] = BASE^i`: the weight of the token `i` places before the end of the k-gram.
const POW: [u64; K + 1] = {
    let mut p = [1u64; K + 1];
    let mut i = 1;
    while i <= K {
        p[i] = p[i - 1].wrapping_mul(BASE);
        i += 1;
    }
    p
};

/// Token id of "the same identifier as the one `d` tokens back" (`d < K`); every other token
/// id is below it.
const LINK_BASE: u32 = 1024;

/// Every token id spread over 64 bits, so k-grams of similar ids don't cancel.
static VALUES: [u64; LINK_BASE as usize + K] = {
    let mut t = [0u64; LINK_BASE as usize + K];
    let mut i = 0;
    while i < t.len() {
        t[i] = mix64((i as u64).wrapping_add(0x2545_F491_4F6C_DD1D));
        i += 1;
    }
    t
};

const _: () = assert!(K < 32, "the name mask is a u32 with a bit per name of a k-gram");
const _: () = assert!(super::reserved::RESERVED_BASE as usize + super::reserved::WORDS.len() <= LINK_BASE as usize);

#[inline(always)]
fn token_value(id: u32) -> u64 {
    VALUES[id as usize]
}

/// Tokens at the end of a k-gram that decide whether it repeats: its last `REPEAT_SUFFIX`
/// tokens the same as the ones ending at most `max_period` tokens before (see [`Repetition`]).
/// Fewer than `K`: a k-gram whose first few tokens break the period (the start of a table of
/// constants or getters, a line of another shape in it) and whose rest is the table counts as
/// the table's. See `FINGERPRINTS.md` for the measurements behind 20.
pub const REPEAT_SUFFIX: usize = 20;
const _: () = assert!(REPEAT_SUFFIX <= K);

/// `BASE^REPEAT_SUFFIX` in 32 bits: what a token's value is worth in the repetition hash when it
/// leaves the suffix.
const POW_SUFFIX: u32 = {
    let mut p = 1u32;
    let mut i = 0;
    while i < REPEAT_SUFFIX {
        p = p.wrapping_mul(BASE as u32);
        i += 1;
    }
    p
};

/// Which token ids are builtin type words: in the repetition hash they count as a name without a
/// link, so that a type in one line and another type, or a class name, in the next are alike
/// (getters of a `String`, an `int` and a `bool`). The fingerprint hash keeps them apart.
static TYPE_WORD: [bool; LINK_BASE as usize + K] = {
    let mut t = [false; LINK_BASE as usize + K];
    let words = super::reserved::TYPE_WORDS;
    let mut i = 0;
    while i < words.len() {
        t[(super::reserved::RESERVED_BASE + super::reserved::index_of(words[i])) as usize] = true;
        i += 1;
    }
    t
};

#[derive(Clone, Copy, Default)]
struct Entry {
    /// The k-gram's rolling hash: the window minimum is taken over it, and the keyed hash is
    /// computed from it for selected k-grams only.
    rolling: u64,
    /// The k-gram's index (its first token's); its byte range is looked up in [`Extents`] when
    /// it is reported.
    index: usize,
}

/// First and last byte of the last [`EXTENTS`] tokens, by token index modulo `EXTENTS`: a
/// k-gram's byte range is needed only when it is reported, so it is not carried through the
/// window with every k-gram.
struct Extents {
    starts: [usize; EXTENTS],
    ends: [usize; EXTENTS],
}

/// Reports trail the newest token by at most `K + W - 2` tokens plus a batch.
const EXTENTS: usize = (K + W + BATCH).next_power_of_two();

impl Extents {
    #[inline(always)]
    fn set(&mut self, token: usize, start: usize, end: usize) {
        self.starts[token % EXTENTS] = start;
        self.ends[token % EXTENTS] = end;
    }

    /// The byte range of k-gram `index`.
    #[inline(always)]
    fn kgram(&self, index: usize) -> (usize, usize) {
        (self.starts[index % EXTENTS], self.ends[(index + K - 1) % EXTENTS])
    }
}

const NONE: usize = usize::MAX;

/// The ring slot after `slot`.
#[inline(always)]
const fn next_slot(slot: usize) -> usize {
    if slot + 1 == K { 0 } else { slot + 1 }
}

#[inline(never)]
fn report<F: FnMut(u64, usize, usize, usize, bool)>(emit: &mut F, extents: &Extents, recent: &Recent, min: &Entry, last: &mut usize, max_period: usize) {
    *last = min.index;
    let (start, end) = extents.kgram(min.index);
    emit(min.rolling, start, end, min.index, recent.repeats(min.index, max_period));
}

/// The repetition hashes of the last [`RECENT`] tokens (32 bits of a rolling hash of the
/// [`REPEAT_SUFFIX`] tokens ending there, each a name's link as it joined the k-gram hash, builtin
/// types read as names), by token index modulo `RECENT`, each stored twice (at `i` and
/// `i + RECENT`) so that the ones before any k-gram's end lie in one stretch: what tells a
/// repeating k-gram (see [`Repetition`]) when it is reported, in compares of four at once. (32
/// bits: two different runs among the few compared agree by chance once in a billion checks,
/// and then agree on every machine.)
struct Recent([u32; 2 * RECENT]);

/// Reports trail the newest token by at most a batch and a window; a repeat is looked for up to
/// [`MAX_PERIOD`] tokens further back.
const RECENT: usize = 128;
/// The longest period [`Repetition`] may look for.
pub const MAX_PERIOD: u8 = 48;
const _: () = assert!(BATCH + W + MAX_PERIOD as usize + 1 < RECENT);

impl Recent {
    #[inline(always)]
    fn set(&mut self, token: usize, rolling: u32) {
        let slot = token % RECENT;
        self.0[slot] = rolling;
        self.0[slot + RECENT] = rolling;
    }

    /// Whether the last [`REPEAT_SUFFIX`] tokens of k-gram `index` are the same as the ones
    /// ending at most `max_period` tokens before: then the `REPEAT_SUFFIX + p` tokens from the
    /// one to the other repeat with period `p`.
    #[inline(always)]
    fn repeats(&self, index: usize, max_period: usize) -> bool {
        let last = index + K - 1;
        let at = last % RECENT + RECENT;
        let hash = self.0[at];
        // The runs compared end `p` tokens before `last` and start at token 0 or later.
        let before = &self.0[at - max_period.min(last + 1 - REPEAT_SUFFIX)..at];
        before.iter().fold(false, |any, &h| any | (h == hash))
    }
}

/// Which k-grams carry no information of their own: those whose last [`REPEAT_SUFFIX`] tokens
/// repeat the ones ending at most `max_period` tokens before (0: none), builtin types read as
/// names. Runs of near-identical lines (a constructor assigning each parameter to a field, a
/// table of similar assertions, `match` arms, enum, constant and field lists, getters of a
/// `String`, an `int` and a `bool`, builder chains) are such runs once names and literals are
/// normalised away, and every codebase has them: the same run in two unrelated codebases would
/// share all its fingerprints. Their selections are reported marked, so that the database does
/// not store them and a scan does not look them up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repetition {
    pub max_period: u8,
    /// Whether a scan counts a repeating selection as an unmatched fingerprint, so that a long
    /// run separates the matches on either side of it (and thins the density of a span around
    /// it), or passes over it as if the run were not there.
    pub separates: bool,
}

impl Repetition {
    /// No k-gram counts as repeating.
    pub const OFF: Repetition = Repetition { max_period: 0, separates: false };
}

const BATCH: usize = 64;

/// Tokens collected between two winnowing passes; one batch goes with one [`Winnower`] for
/// all its tokens.
///
/// `names` holds name hashes (0 when not an identifier) in token order: the last `K` tokens
/// rolled in, then the batch's. A token's name is compared with the `K` before it in one
/// stretch of it, which the tokenizer wrote before the pass began. In a ring indexed by token,
/// as [`Ring`] is, each compare's vector loads read the slot that the token before had just
/// stored, and a load that overlaps a store still on its way to the cache waits for it.
pub(crate) struct Batch {
    ids: [u32; BATCH],
    names: [u32; K + BATCH],
    starts: [usize; BATCH],
    ends: [usize; BATCH],
    len: usize,
}

impl Batch {
    pub(crate) fn new() -> Self {
        Batch { ids: [0; BATCH], names: [0; K + BATCH], starts: [0; BATCH], ends: [0; BATCH], len: 0 }
    }

    /// Adds a token; true when the batch is full.
    #[inline(always)]
    pub(crate) fn push(&mut self, id: u32, name: u32, start: usize, end: usize) -> bool {
        let i = self.len;
        self.ids[i] = id;
        self.names[K + i] = name;
        self.starts[i] = start;
        self.ends[i] = end;
        self.len = i + 1;
        self.len == BATCH
    }

    /// After `n` tokens were rolled in: their last `K` names (with older ones, when `n < K`)
    /// to the front, for the tokens after them. As six vector loads, then six stores, in the
    /// module: the compiler makes any copy a `memory.copy`, which V8 runs as a call.
    #[inline(always)]
    fn keep_last(&mut self, n: usize) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // SAFETY: the loads read `names[n..n + K]` (`n <= BATCH`), the stores `names[..K]`.
        unsafe {
            use core::arch::wasm32::*;
            const _: () = assert!(K % 4 == 0);
            let from = &self.names[n..n + K];
            let last: [v128; K / 4] = std::array::from_fn(|j| v128_load(from[4 * j..].as_ptr().cast()));
            for (j, v) in last.into_iter().enumerate() {
                v128_store(self.names[4 * j..4 * j + 4].as_mut_ptr().cast(), v);
            }
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        self.names.copy_within(n..n + K, 0);
    }
}

/// Streams tokens in and selected k-grams out: `emit(rolling_hash, start, end, index, repeats)`
/// (byte range, the k-gram's index = its first token's, and whether it repeats a recent k-gram,
/// see [`Repetition`]), in increasing order of position.
///
/// Identifiers all have one token id, but inside a k-gram an identifier that repeats one of
/// the k-gram's earlier identifiers is written "same as `d` tokens back". That is invariant under
/// consistent renaming (the point of dropping names) yet tells `a = a + 1` from `a = b + 1`,
/// which makes k-grams of ordinary code far less alike. The link of a token depends on the
/// k-gram it is in (its earlier occurrence may have left), which the rolling update handles in
/// O(1): when a token leaves, at most one later token (the next occurrence of its name) loses
/// its link.
pub(crate) struct Winnower<F: FnMut(u64, usize, usize, usize, bool)> {
    emit: F,
    ring: Ring,
    slot: usize,
    tokens: usize,
    hash: u64,
    /// The repetition hash of the last [`REPEAT_SUFFIX`] tokens (see [`Recent`]).
    repetition: u32,
    /// The last `W` k-grams, by index modulo `W`.
    window: [Entry; W],
    /// The current window minimum, `NONE` before the first k-gram.
    min: Entry,
    /// The last selected k-gram's index.
    last: usize,
    /// [`Repetition::max_period`].
    max_period: usize,
    scratch: Box<Scratch>,
}

/// The last `K` tokens, at `index % K`: plain value (identifier placeholder for names), and
/// what the rolling hash gains when the token leaves the k-gram (the token that links back to
/// it loses its link; 0 when none does).
struct Ring {
    values: [u64; K],
    unlink: [u64; K],
    /// What the repetition hash loses when a token leaves the suffix, at the token's index modulo
    /// [`REPEAT_SUFFIX`].
    leaving: [u32; REPEAT_SUFFIX],
}

/// Bit `t` set where `names[t] == name`: six compares of four names at once, gathered into a
/// mask (SSE2 natively, simd128 in the module). Left to itself the compiler vectorises the
/// loop of [`same_name_mask_one_by_one`] natively with a horizontal OR of per-lane bits, and
/// not at all for wasm, where it was 24 compares, shifts and ORs per identifier.
#[cfg(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
#[allow(unused_unsafe)] // the arithmetic intrinsics are safe with SSE2 on from Rust 1.87 on
fn same_name_mask(names: &[u32; K], name: u32) -> u32 {
    const _: () = assert!(K == 24, "six compares of four names");
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64; each load reads four names of `names` (no alignment
    // needed).
    unsafe {
        use core::arch::x86_64::*;
        let n = _mm_set1_epi32(name as i32);
        let eq = |i: usize| _mm_cmpeq_epi32(_mm_loadu_si128(names[4 * i..4 * i + 4].as_ptr().cast()), n);
        // Signed saturation keeps a lane's all-ones (-1) and zero as they are.
        let first = _mm_packs_epi16(_mm_packs_epi32(eq(0), eq(1)), _mm_packs_epi32(eq(2), eq(3)));
        let last = _mm_packs_epi16(_mm_packs_epi32(eq(4), eq(5)), _mm_setzero_si128());
        _mm_movemask_epi8(first) as u32 | (_mm_movemask_epi8(last) as u32) << 16
    }
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the build enables simd128; each load reads four names of `names`.
    unsafe {
        use core::arch::wasm32::*;
        // Four bits per compare: the compiler lowers the narrowing intrinsics for wasm as
        // clamps and shuffles, not as the one instruction each.
        let n = u32x4_splat(name);
        let bits = |i: usize| (i32x4_bitmask(i32x4_eq(v128_load(names[4 * i..4 * i + 4].as_ptr().cast()), n)) as u32) << (4 * i);
        bits(0) | bits(1) | bits(2) | bits(3) | bits(4) | bits(5)
    }
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
#[inline(always)]
fn same_name_mask(names: &[u32; K], name: u32) -> u32 {
    same_name_mask_one_by_one(names, name)
}

/// [`same_name_mask`] name by name: the definition the vector versions must agree with.
#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
fn same_name_mask_one_by_one(names: &[u32; K], name: u32) -> u32 {
    let mut mask = 0u32;
    for (t, &n) in names.iter().enumerate() {
        mask |= ((n == name) as u32) << t;
    }
    mask
}

/// The token extents and [`Winnower::push_batch`]'s arrays, kept between batches rather than
/// zeroed for each (one allocation per winnower).
struct Scratch {
    extents: Extents,
    recent: Recent,
    /// Per token of the batch: the hash of the k-gram it completes.
    rolling: [u64; BATCH],
    selected: [Entry; BATCH],
}

impl<F: FnMut(u64, usize, usize, usize, bool)> Winnower<F> {
    pub(crate) fn new(emit: F, repetition: Repetition) -> Self {
        assert!(repetition.max_period <= MAX_PERIOD, "a period of at most {MAX_PERIOD} tokens");
        Winnower {
            max_period: repetition.max_period as usize,
            emit,
            ring: Ring { values: [0; K], unlink: [0; K], leaving: [0; REPEAT_SUFFIX] },
            repetition: 0,
            slot: 0,
            tokens: 0,
            hash: 0,
            window: [Entry::default(); W],
            min: Entry { rolling: 0, index: NONE },
            last: NONE,
            scratch: Box::new(Scratch {
                extents: Extents { starts: [0; EXTENTS], ends: [0; EXTENTS] },
                recent: Recent([0; 2 * RECENT]),
                rolling: [0; BATCH],
                selected: [Entry::default(); BATCH],
            }),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Where the selection stands, relative to the token count: how many tokens back the
    /// current window minimum and the last reported k-gram start (wrapping for none). Two
    /// winnowers whose last `K + W - 1` tokens are the same and whose positions are equal select
    /// the same k-grams from then on.
    pub(crate) fn position(&self) -> (usize, usize) {
        (self.tokens.wrapping_sub(self.min.index), self.tokens.wrapping_sub(self.last))
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// The index of the last k-gram selected, if any.
    pub(crate) fn last_selected(&self) -> Option<usize> {
        (self.last != NONE).then_some(self.last)
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Tokens pushed so far.
    pub(crate) fn tokens(&self) -> usize {
        self.tokens
    }

    /// Every token of `batch`, which is left empty (but for the names it keeps for the next).
    /// In passes over the batch: the k-gram hashes first, then the window minima with the
    /// selection state in locals and without a branch on the hashes but the rescan's, then the
    /// reports. The hash comparisons are random, so as branches a good share of them
    /// mispredicted.
    pub(crate) fn push_batch(&mut self, batch: &mut Batch) {
        let scratch = &mut *self.scratch;
        let n = batch.len;
        batch.len = 0;
        let first = self.tokens;
        let (mut hash, mut repetition, mut slot) = (self.hash, self.repetition, self.slot);
        for i in 0..n {
            let id = batch.ids[i];
            let value;
            (hash, value) = Self::roll(&mut self.ring, &batch.names, i, hash, slot, id);
            repetition = Self::roll_repetition(&mut self.ring, repetition, first + i, id, value);
            slot = next_slot(slot);
            scratch.extents.set(first + i, batch.starts[i], batch.ends[i]);
            scratch.recent.set(first + i, repetition);
            scratch.rolling[i] = hash;
        }
        (self.hash, self.repetition, self.slot, self.tokens) = (hash, repetition, slot, first + n);
        batch.keep_last(n);
        // Token `first + i` completes k-gram `first + i + 1 - K`.
        let mut count = 0;
        let (mut min, mut last) = (self.min, self.last);
        for i in (K - 1).saturating_sub(first)..n {
            let index = first + i + 1 - K;
            min = Self::slide(&mut self.window, min, Entry { rolling: scratch.rolling[i], index });
            let fresh = index + 1 >= W && min.index != last;
            // Written every time, kept when fresh: a branch here would mispredict as often.
            scratch.selected[count] = min;
            count += fresh as usize;
            last = if fresh { min.index } else { last };
        }
        (self.min, self.last) = (min, last);
        for e in &scratch.selected[..count] {
            let (start, end) = scratch.extents.kgram(e.index);
            (self.emit)(e.rolling, start, end, e.index, scratch.recent.repeats(e.index, self.max_period));
        }
    }

    /// One normalised token covering `start..end` of the input, winnowed at once; `name` is a
    /// hash of an identifier's spelling, 0 for other tokens. `batch` is the winnower's, empty.
    /// For the split scan, which needs the selection state after each token while it records a
    /// part's start (native only: a page's engine has one thread).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    pub(crate) fn push(&mut self, batch: &mut Batch, id: u32, name: u32, start: usize, end: usize) {
        debug_assert_eq!(batch.len, 0, "a token pushed alone while a batch is pending");
        batch.names[K] = name;
        let value;
        (self.hash, value) = Self::roll(&mut self.ring, &batch.names, 0, self.hash, self.slot, id);
        self.repetition = Self::roll_repetition(&mut self.ring, self.repetition, self.tokens, id, value);
        batch.keep_last(1);
        self.slot = next_slot(self.slot);
        self.scratch.extents.set(self.tokens, start, end);
        self.scratch.recent.set(self.tokens, self.repetition);
        self.tokens += 1;
        if self.tokens < K {
            return;
        }
        let index = self.tokens - K;
        let entry = Entry { rolling: self.hash, index };
        self.min = Self::slide(&mut self.window, self.min, entry);
        if index + 1 >= W {
            self.select();
        }
    }

    /// A token (its id, and its name at `K + i` of a batch's `names`) into the ring at `slot`,
    /// where the token `K` before it leaves: the rolling hash `hash` of the k-gram before it
    /// becomes that of the k-gram it ends. Also the token's value as it joins: its link, for a
    /// name that repeats one of the `K - 1` tokens before it.
    #[inline(always)]
    fn roll(ring: &mut Ring, names: &[u32; K + BATCH], i: usize, hash: u64, slot: usize, id: u32) -> (u64, u64) {
        let plain = token_value(id);
        let name = names[K + i];
        // An identifier that repeats one of the last K - 1 tokens links to the nearest. An exact
        // scan of the k-gram, not a hash table: a table whose slots collide would lose links
        // depending on the spelling of other names, and renaming would change them.
        let mut v = plain;
        if name != 0 {
            // Bit `j` for the token `K - 1 - j` back: the k-gram's other tokens, and this one
            // (bit K - 1, cleared). The nearest with the same name is the highest bit left.
            let kgram: &[u32; K] = names[i + 1..i + 1 + K].try_into().expect("K names");
            let mask = same_name_mask(kgram, name) & ((1u32 << (K - 1)) - 1);
            if mask != 0 {
                let back = K - 1 - (31 - mask.leading_zeros()) as usize;
                let t = if back <= slot { slot - back } else { slot + K - back };
                v = token_value(LINK_BASE + back as u32);
                // When the token in slot `t` leaves the k-gram (`K - back` tokens from now), this
                // one loses its link: what the hash gains then, with this token's weight then.
                ring.unlink[t] = plain.wrapping_sub(v).wrapping_mul(POW[K - 1 - back]);
            }
        }
        // The token leaving never carries a link (it is the first of its k-gram); the token
        // that linked to it, if any, loses its link.
        let out = ring.values[slot];
        let h = hash.wrapping_sub(out.wrapping_mul(POW[K - 1])).wrapping_add(ring.unlink[slot]);
        ring.unlink[slot] = 0;
        ring.values[slot] = plain;
        (h.wrapping_mul(BASE).wrapping_add(v), v)
    }

    /// The repetition hash (see [`Recent`]) after token `token` (id `id`, value `value` as it
    /// joined the k-gram hash) joins the suffix and the one [`REPEAT_SUFFIX`] before it leaves.
    #[inline(always)]
    fn roll_repetition(ring: &mut Ring, repetition: u32, token: usize, id: u32, value: u64) -> u32 {
        let value = if TYPE_WORD[id as usize] { token_value(super::tokenize::IDENT) } else { value } as u32;
        let slot = token % REPEAT_SUFFIX;
        let out = ring.leaving[slot];
        ring.leaving[slot] = value.wrapping_mul(POW_SUFFIX);
        repetition.wrapping_mul(BASE as u32).wrapping_add(value).wrapping_sub(out)
    }

    /// The window minimum after k-gram `entry` joins the window (whose minimum was `min`).
    #[inline(always)]
    fn slide(window: &mut [Entry; W], min: Entry, entry: Entry) -> Entry {
        let index = entry.index;
        window[index % W] = entry;
        // Smaller than the minimum (or, while the first window fills, the rightmost equal). An
        // equal hash later on keeps the earlier selection: robust winnowing, which on a run of
        // identical k-grams (a data table, `0,0,0,…`) selects one per window instead of one per
        // k-gram, and still selects a k-gram with the window's minimum hash. Non-short-circuit
        // operators: the compiler turns the choice into conditional moves.
        let in_window = min.index != NONE && min.index + W > index;
        let smaller = (min.index == NONE) | (in_window & (entry.rolling < min.rolling)) | ((index < W) & (entry.rolling <= min.rolling));
        if smaller {
            entry
        } else if !in_window {
            // The minimum left: the rightmost minimum of the window, its slot chosen by
            // conditional moves.
            let mut best = (index + 1) % W;
            let mut least = window[best].rolling;
            for t in index + 2 - W..=index {
                let slot = t % W;
                let r = window[slot].rolling;
                let take = r <= least;
                least = if take { r } else { least };
                best = if take { slot } else { best };
            }
            window[best]
        } else {
            min
        }
    }

    /// Reports the window minimum unless it already was (the common case, checked inline; the
    /// report only borrows what it needs, so the rolling state can stay in registers).
    #[inline(always)]
    fn select(&mut self) {
        if self.min.index != self.last {
            report(&mut self.emit, &self.scratch.extents, &self.scratch.recent, &self.min, &mut self.last, self.max_period);
        }
    }

    /// Ends the text: a text too short for one full window still yields its smallest k-gram.
    pub(crate) fn finish(mut self) {
        if self.tokens >= K && self.tokens - K + 1 < W {
            self.select();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token of a synthetic stream: an id, and a name for identifiers (0 otherwise).
    type Tok = (u32, u32);

    fn names() -> Vec<u32> {
        (1u32..=12).map(|n| n * 2 + 1).collect()
    }

    fn selected(toks: &[Tok]) -> Vec<(u64, usize)> {
        selected_with(toks, Repetition::OFF).into_iter().map(|(h, start, _)| (h, start)).collect()
    }

    /// Every selection, with whether it repeats a recent k-gram.
    fn selected_with(toks: &[Tok], repetition: Repetition) -> Vec<(u64, usize, bool)> {
        let mut out = Vec::new();
        let mut w = Winnower::new(|h, start, end, index, repeats| {
            assert_eq!((start, end), (index, index + K), "tokens are one byte each here");
            out.push((h, start, repeats))
        }, repetition);
        let mut batch = Batch::new();
        for (i, &(id, name)) in toks.iter().enumerate() {
            w.push(&mut batch, id, name, i, i + 1);
        }
        w.finish();
        out
    }

    /// A deterministic pseudo-random stream: half identifiers from a small pool of names, so
    /// they repeat within k-grams, half other tokens.
    fn stream(seed: u64, n: usize) -> Vec<Tok> {
        let pool = names();
        (0..n as u64)
            .map(|i| {
                let r = mix64(seed ^ i.wrapping_mul(0x1234_5678_9ABC_DEF1));
                if r % 2 == 0 {
                    (1, pool[(r >> 8) as usize % pool.len()])
                } else if r % 7 == 1 {
                    (word(["int", "string", "bool", "u32"][(r >> 8) as usize % 4]), 0)
                } else {
                    (32 + (r >> 8) as u32 % 200, 0)
                }
            })
            .collect()
    }

    /// The k-gram hash computed from scratch, links included.
    fn fresh(kgram: &[Tok]) -> u64 {
        kgram.iter().enumerate().fold(0u64, |h, (i, &(id, name))| {
            let back = (name != 0).then(|| kgram[..i].iter().rposition(|t| t.1 == name)).flatten();
            let v = match back {
                Some(p) => token_value(LINK_BASE + (i - p) as u32),
                None => token_value(id),
            };
            h.wrapping_mul(BASE).wrapping_add(v)
        })
    }

    #[test]
    fn rolling_hash_equals_a_fresh_hash_of_the_kgram() {
        for seed in 0..20 {
            let toks = stream(seed, 400);
            for (h, start) in selected(&toks) {
                assert_eq!(h, fresh(&toks[start..start + K]), "seed {seed}, k-gram at {start}");
            }
        }
    }

    #[test]
    fn consistent_renaming_keeps_the_hashes_and_inconsistent_does_not() {
        let toks = stream(3, 300);
        let renamed: Vec<Tok> = toks.iter().map(|&(id, n)| (id, if n == 0 { 0 } else { n.wrapping_mul(7) | 1 })).collect();
        assert_eq!(selected(&toks), selected(&renamed));
        let pool = names();
        let merged: Vec<Tok> = toks.iter().map(|&(id, n)| (id, if n == pool[1] { pool[0] } else { n })).collect();
        assert_ne!(selected(&toks), selected(&merged));
    }

    #[test]
    fn selection_is_a_window_minimum_in_order_without_repeats() {
        let toks = stream(11, 2_000);
        let sel = selected(&toks);
        assert!(sel.windows(2).all(|p| p[0].1 < p[1].1), "positions strictly increase");
        // Density close to 2 / (W + 1).
        let kgrams = toks.len() - K + 1;
        let density = sel.len() as f64 / kgrams as f64;
        let expected = 2.0 / (W as f64 + 1.0);
        assert!((density - expected).abs() < expected * 0.3, "density {density}, expected about {expected}");
    }

    /// Robust winnowing written the slow, obvious way.
    fn reference(toks: &[Tok]) -> Vec<(u64, usize)> {
        if toks.len() < K {
            return Vec::new();
        }
        let hashes: Vec<u64> = (0..=toks.len() - K).map(|s| fresh(&toks[s..s + K])).collect();
        let mut out: Vec<(u64, usize)> = Vec::new();
        let pick = |window: std::ops::Range<usize>, out: &mut Vec<(u64, usize)>| {
            let min = hashes[window.clone()].iter().copied().min().unwrap();
            if let Some(&(h, i)) = out.last() {
                if window.contains(&i) && h == min {
                    return;
                }
            }
            let i = window.clone().rev().find(|&i| hashes[i] == min).unwrap();
            out.push((min, i));
        };
        if hashes.len() < W {
            pick(0..hashes.len(), &mut out);
        }
        for end in W..=hashes.len() {
            pick(end - W..end, &mut out);
        }
        out
    }

    #[test]
    fn matches_the_reference_including_ties() {
        for seed in 0..50 {
            // Few distinct tokens, so identical k-grams (ties) are common.
            let toks: Vec<Tok> = stream(seed, 300).into_iter().map(|(id, n)| if seed % 2 == 0 { (32 + id % 2, 0) } else { (id, n) }).collect();
            let toks = if seed % 4 == 0 { toks.iter().map(|_| (40, 0)).collect() } else { toks };
            assert_eq!(selected(&toks), reference(&toks), "seed {seed}");
            for n in [K - 1, K, K + 3, W + K - 2, W + K - 1] {
                assert_eq!(selected(&toks[..n]), reference(&toks[..n]), "seed {seed}, {n} tokens");
            }
        }
    }

    #[test]
    fn a_run_of_identical_kgrams_selects_one_per_window() {
        let toks: Vec<Tok> = (0..1000).map(|i| if i % 2 == 0 { (2, 0) } else { (32 + b',' as u32, 0) }).collect();
        let n = selected(&toks).len();
        // Two distinct k-grams alternate; each window holds both, so selections are rare.
        assert!(n <= 2 * toks.len() / W, "{n} selections");
    }

    /// The vector name compare against the loop, on rings over a few names (so that every
    /// slot's bit is seen set and clear, in every combination of neighbours) including names
    /// with the top bit set, which the narrowing's signed saturation must not disturb.
    #[test]
    fn vector_name_mask_agrees_with_the_loop() {
        let pool = [1u32, 2, 0x8000_0000, u32::MAX, 0x7fff_ffff, 0x0001_0000];
        let mut next = crate::test_rng::below(0x5a3e_0a3e);
        for _ in 0..20_000 {
            let names: [u32; K] = std::array::from_fn(|_| pool[next(pool.len())]);
            for &name in pool.iter().chain([&0, &3]) {
                assert_eq!(same_name_mask(&names, name), same_name_mask_one_by_one(&names, name), "{name:#x} in {names:x?}");
            }
        }
        for t in 0..K {
            let mut names = [7u32; K];
            names[t] = 9;
            assert_eq!(same_name_mask(&names, 9), 1 << t);
            assert_eq!(same_name_mask(&names, 7), ((1u64 << K) - 1) as u32 & !(1 << t));
        }
    }

    /// Tokens pushed in batches (of every size up to a full one, mixed with single pushes, as the
    /// split scan does) select what pushing them one by one selects.
    #[test]
    fn batches_select_what_single_pushes_select() {
        let mut next = crate::test_rng::below(0xba7c_4e5);
        let filter = Repetition { max_period: 32, separates: true };
        for seed in 0..40 {
            // Ordinary code with a repeating run in it, so that the flags are tested too.
            let code = stream(seed, 700);
            let toks: Vec<Tok> = code[..300].iter().copied().chain(assignments(10, 5001)).chain(code[300..].iter().copied()).collect();
            let want = selected_with(&toks, filter);
            assert!(want.iter().any(|s| s.2), "seed {seed}");
            let mut got = Vec::new();
            let mut w = Winnower::new(|h, start, end, _, repeats| got.push((h, start, end, repeats)), filter);
            let mut batch = Batch::new();
            let mut i = 0;
            while i < toks.len() {
                let take = if next(4) == 0 { 1 } else { (next(BATCH) + 1).min(toks.len() - i) };
                if take == 1 && next(2) == 0 {
                    w.push(&mut batch, toks[i].0, toks[i].1, i, i + 1);
                } else {
                    for (j, &(id, name)) in toks[i..i + take].iter().enumerate() {
                        batch.push(id, name, i + j, i + j + 1);
                    }
                    w.push_batch(&mut batch);
                }
                i += take;
            }
            w.finish();
            let want: Vec<_> = want.into_iter().map(|(h, start, repeats)| (h, start, start + K, repeats)).collect();
            assert_eq!(got, want, "seed {seed}");
        }
    }

    #[test]
    fn short_texts() {
        assert!(selected(&stream(1, K - 1)).is_empty());
        assert_eq!(selected(&stream(1, K)).len(), 1);
        assert_eq!(selected(&stream(1, W + K - 2)).len(), 1);
    }

    #[test]
    fn a_shared_run_of_w_plus_k_minus_1_tokens_shares_a_fingerprint() {
        for seed in 0..200 {
            let shared = stream(seed, W + K - 1);
            let a: Vec<Tok> = stream(seed + 1000, 57).into_iter().chain(shared.iter().copied()).chain(stream(seed + 2000, 31)).collect();
            let b: Vec<Tok> = stream(seed + 3000, 13).into_iter().chain(shared.iter().copied()).chain(stream(seed + 4000, 90)).collect();
            let ha: Vec<u64> = selected(&a).into_iter().map(|s| s.0).collect();
            assert!(selected(&b).iter().any(|s| ha.contains(&s.0)), "seed {seed}");
        }
    }

    /// Whether each k-gram of `toks` repeats (see [`Recent::repeats`]), asked as soon as its last
    /// token is in: every k-gram, not only the selected ones.
    fn repeats_of_every_kgram(toks: &[Tok], max_period: usize) -> Vec<bool> {
        let mut w = Winnower::new(|_, _, _, _, _| {}, Repetition { max_period: max_period as u8, separates: true });
        let mut batch = Batch::new();
        let mut flags = Vec::new();
        for (i, &(id, name)) in toks.iter().enumerate() {
            w.push(&mut batch, id, name, i, i + 1);
            if i + 1 >= K {
                flags.push(w.scratch.recent.repeats(i + 1 - K, max_period));
            }
        }
        flags
    }

    /// `this . a = a ;` line after line, names changing: period 6.
    fn assignments(lines: usize, first_name: u32) -> Vec<Tok> {
        (0..lines as u32).flat_map(|l| {
            let name = first_name + 2 * l;
            [(300, 0), (32 + b'.' as u32, 0), (1, name), (32 + b'=' as u32, 0), (1, name), (32 + b';' as u32, 0)]
        }).collect()
    }

    #[test]
    fn selections_in_a_repeating_run_are_marked() {
        let filter = Repetition { max_period: 32, separates: true };
        // A run of one assignment shape: only k-grams at its start, whose last REPEAT_SUFFIX
        // tokens repeat nothing before them, are not marked.
        let run = assignments(40, 1001);
        let sel = selected_with(&run, filter);
        assert!(sel.len() > 10);
        assert!(sel.iter().all(|&(_, start, repeats)| repeats == (start + K - REPEAT_SUFFIX >= 6)), "{sel:?}");
        // Every k-gram, selected or not: those that start in the first line and end after the
        // second are marked too.
        let flags = repeats_of_every_kgram(&run, 32);
        assert!(flags.iter().enumerate().all(|(i, &r)| r == (i + K - REPEAT_SUFFIX >= 6)), "{flags:?}");
        assert!(flags[2]);
        // Periods up to the limit, the same selections, marked.
        for p in 1..=40usize {
            let toks: Vec<Tok> = (0..300).map(|i| (32 + (i % p) as u32, 0)).collect();
            let off = selected_with(&toks, Repetition::OFF);
            let on = selected_with(&toks, filter);
            assert_eq!(off.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), on.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), "period {p}");
            let unmarked = on.iter().filter(|s| !s.2).count();
            if p <= 32 {
                assert!(on.iter().all(|&(_, start, repeats)| repeats || start < p), "period {p}: {on:?}");
            } else {
                assert!(unmarked > 2, "period {p}: {unmarked} unmarked");
            }
            assert!(off.iter().all(|s| !s.2));
        }
    }

    /// The token id of reserved word `w`.
    fn word(w: &str) -> u32 {
        super::super::reserved::RESERVED_BASE + super::super::reserved::index_of(w)
    }

    /// `func ( r T ) Name ( ) <type> { return r . name }` getter after getter, the receiver
    /// named alike and the return type taken from `types` in turn: period 15.
    fn getters(lines: usize, types: &[u32]) -> Vec<Tok> {
        let p = |c: u8| (32 + c as u32, 0);
        let (func, ret) = (word("func"), word("return"));
        (0..lines as u32).flat_map(|l| {
            let (receiver, method, field) = (7001, 8001 + 4 * l, 8003 + 4 * l);
            let ty = types[l as usize % types.len()];
            let ty = if ty == 1 { (1, 9001) } else { (ty, 0) };
            [(func, 0), p(b'('), (1, receiver), (1, 7003), p(b')'), (1, method), p(b'('), p(b')'), ty, p(b'{'), (ret, 0), (1, receiver), p(b'.'), (1, field), p(b'}')]
        }).collect()
    }

    #[test]
    fn lines_that_differ_only_in_builtin_types_repeat() {
        let filter = Repetition { max_period: 32, separates: true };
        let period = getters(2, &[1]).len() / 2;
        // Builtin types, and a class name (an identifier) among them: the run repeats.
        for types in [vec![word("string"), word("bool"), word("int")], vec![word("string"), 1, word("uint64"), word("float64")], vec![word("boolean"), word("void"), word("u32"), 1]] {
            let sel = selected_with(&getters(12, &types), filter);
            assert!(sel.len() > 10);
            assert!(sel.iter().all(|&(_, start, repeats)| repeats || start < period), "{types:?}: {sel:?}");
        }
        // Other reserved words in that place are not types: lines that differ in them are not
        // alike.
        let sel = selected_with(&getters(12, &[word("if"), word("for"), word("while")]), filter);
        assert!(sel.iter().filter(|s| !s.2).count() > 5, "{sel:?}");
    }

    #[test]
    fn code_around_a_repeating_run_is_not_marked() {
        let filter = Repetition { max_period: 32, separates: true };
        for seed in 0..50 {
            // Ordinary code does not repeat a k-gram within 32 tokens.
            let code = stream(seed, 400);
            assert!(selected_with(&code, filter).iter().all(|s| !s.2), "seed {seed}");
            // Around a run, only k-grams that end in the run after a period of it are marked.
            let run = assignments(12, 5001);
            let toks: Vec<Tok> = code[..200].iter().copied().chain(run.iter().copied()).chain(code[200..].iter().copied()).collect();
            let sel = selected_with(&toks, filter);
            assert!(sel.iter().filter(|s| s.2).all(|&(_, start, _)| start + K - REPEAT_SUFFIX >= 200 + 6 && start + K <= 200 + run.len()), "seed {seed}: {sel:?}");
            assert!(sel.iter().any(|s| s.2), "seed {seed}");
        }
    }
}
