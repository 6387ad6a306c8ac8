//! The fingerprint database file.
//!
//! A binary fuse filter (`xorf::BinaryFuse16`, about 2.25 bytes per fingerprint, false positive
//! rate 2^-16 per lookup) of the keyed fingerprint hashes, with what is needed to compute the
//! same hashes and to tell a good file from a bad one. All integers are little-endian.
//!
//! ```text
//!  byte 0        1        2        3        4        5        6        7
//!     0 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       |  0x89     'A'      'I'      'G'      'F'      'P'     '\r'     '\n'   |  magic
//!     8 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | format version  | flags (0)       | normalisation   | K               |  u16 ×4
//!    16 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | W               | reserved, zero                                      |
//!    24 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | fingerprints: distinct hashes in the filter                    (u64) |
//!    32 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | key: 16 bytes, SipHash-1-3                                           |
//!       |                                                                      |
//!    48 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | build stats: files fingerprinted                               (u64) |
//!    56 |              bytes fingerprinted                               (u64) |
//!    64 |              files skipped                                     (u64) |
//!    72 |              fingerprints removed as generic (common code)     (u64) |
//!    80 |              fingerprints removed as boilerplate (too many files) (u64) |
//!    88 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | filter seed                                                    (u64) |
//!    96 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | segment length  (u32)             | segment length mask (u32)         |
//!   104 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | segment count × length (u32)      | entries: n (u32)                  |
//!   112 +--------+--------+--------+--------+--------+--------+--------+--------+
//!       | entries: n × u16                                                      |
//!       :                                                                       :
//! 112+2n +--------+--------+--------+--------+
//!       | CRC-32 (IEEE) of bytes 0..112+2n  |
//!       +--------+--------+--------+--------+   total 116 + 2n bytes
//! ```
//!
//! * The magic starts with a non-ASCII byte and ends in CR LF, as PNG's does: a file that went
//!   through a text-mode transfer is recognised as such instead of failing its checksum.
//! * `normalisation`, `K` and `W` must equal the engine's own: a database built with other
//!   parameters would silently match nothing, so it is refused with a message to rebuild it.
//! * The three segment fields are the filter's descriptor. They are checked against `n` (the
//!   filter indexes up to `segment count × length + 2 × segment length`) even when the checksum
//!   is right, because a CRC is no defence against a crafted file and a lookup must never index
//!   out of bounds.
//! * Every length is validated against the buffer before anything is allocated, so a corrupt
//!   length field can cost at most a clear error.
//!
//! Loading is a checksum pass and one u16 read per entry: no hashing, no per-fingerprint work.

use std::fmt;

use xorf::{BinaryFuse16, Descriptor, Filter};

use super::{FingerprintKey, KeyedHasher, K, NORMALISATION, W};

/// Layout version written by this engine. Bump it whenever the bytes for the same input change
/// on purpose (the golden test in `tests/fingerprint_db.rs` notices when they change by accident).
pub const FORMAT_VERSION: u16 = 1;

const MAGIC: [u8; 8] = *b"\x89AIGFP\r\n";
const HEADER_LEN: usize = 112;
const CRC_LEN: usize = 4;
/// xorf never uses longer segments.
const MAX_SEGMENT_LENGTH: u32 = 1 << 18;

/// What the build saw, stored in the file for the admin's information.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// Source files fingerprinted.
    pub files: u64,
    /// Bytes of source fingerprinted.
    pub bytes: u64,
    /// Files skipped (binary, vendored, generated, too large, not source).
    pub skipped: u64,
    /// Distinct fingerprints removed because the common (generic) code has them too.
    pub removed_common: u64,
    /// Distinct fingerprints removed because too many files of the tree have them.
    pub removed_boilerplate: u64,
}

/// Why a database could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbError {
    /// The first bytes are not the magic.
    NotADatabase,
    /// The magic with its CR LF turned into LF (or the reverse): a text-mode copy.
    LineEndingsConverted,
    UnsupportedVersion(u16),
    UnsupportedFlags(u16),
    /// The input ends at byte `at`; the layout needs `needed` bytes.
    Truncated { at: usize, needed: u64 },
    /// Bytes after the checksum: `extra` of them.
    TrailingBytes { extra: u64 },
    ChecksumMismatch { stored: u32, computed: u32 },
    /// Built with another token normalisation.
    Normalisation { found: u16, expected: u16 },
    /// Built with other K/W.
    Parameters { k: u16, w: u16 },
    ReservedNotZero,
    /// The filter's descriptor does not fit its entries.
    CorruptFilter(&'static str),
    /// The fingerprint count is larger than the filter can hold.
    CountExceedsFilter { count: u64, entries: u32 },
    /// The filter could not be constructed (xorf's reason), or is too large for the format.
    Build(&'static str),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::NotADatabase => f.write_str("not an AIGuard fingerprint database"),
            DbError::LineEndingsConverted => f.write_str(
                "not an AIGuard fingerprint database any more: its line endings were converted by a text-mode copy; copy it as binary",
            ),
            DbError::UnsupportedVersion(v) => {
                write!(f, "unsupported fingerprint database format version {v} (this engine reads version {FORMAT_VERSION})")
            }
            DbError::UnsupportedFlags(v) => write!(f, "unsupported fingerprint database flags {v:#06x}"),
            DbError::Truncated { at, needed } => {
                write!(f, "fingerprint database truncated at byte {at} (the layout needs {needed} bytes)")
            }
            DbError::TrailingBytes { extra } => write!(f, "fingerprint database has {extra} unexpected bytes after its checksum"),
            DbError::ChecksumMismatch { stored, computed } => write!(
                f,
                "fingerprint database checksum mismatch (stored {stored:#010x}, computed {computed:#010x}): the file is corrupt"
            ),
            DbError::Normalisation { found, expected } => write!(
                f,
                "fingerprint database was built with token normalisation {found}, this engine uses {expected}: rebuild it with `aiguard fingerprint`"
            ),
            DbError::Parameters { k, w } => write!(
                f,
                "fingerprint database was built with K={k}, W={w}, this engine uses K={K}, W={W}: rebuild it with `aiguard fingerprint`"
            ),
            DbError::ReservedNotZero => f.write_str("fingerprint database has non-zero reserved header bytes 18..24"),
            DbError::CorruptFilter(why) => write!(f, "fingerprint database filter is corrupt: {why}"),
            DbError::CountExceedsFilter { count, entries } => {
                write!(f, "fingerprint database claims {count} fingerprints but its filter has {entries} entries")
            }
            DbError::Build(why) => write!(f, "cannot build the fingerprint filter: {why}"),
        }
    }
}

impl std::error::Error for DbError {}

/// A loaded (or freshly built) fingerprint database.
#[derive(Clone)]
pub struct FingerprintDb {
    key: FingerprintKey,
    pub(super) hasher: KeyedHasher,
    filter: BinaryFuse16,
    count: u64,
    stats: BuildStats,
}

impl fmt::Debug for FingerprintDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FingerprintDb")
            .field("fingerprints", &self.count)
            .field("filter_entries", &self.filter.fingerprints.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl FingerprintDb {
    /// A database of `hashes` (keyed with `key`; duplicates are fine).
    pub fn build(key: FingerprintKey, hashes: impl IntoIterator<Item = u64>, stats: BuildStats) -> Result<FingerprintDb, DbError> {
        let mut keys: Vec<u64> = hashes.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        // The entry count is a u32 in the file and the filter has ~1.13 entries per key.
        if keys.len() > (u32::MAX / 2) as usize {
            return Err(DbError::Build("more than 2^31 fingerprints"));
        }
        let filter = BinaryFuse16::try_from(&keys).map_err(DbError::Build)?;
        Ok(FingerprintDb { hasher: key.hasher(), key, filter, count: keys.len() as u64, stats })
    }

    /// The file bytes (layout at the top of this module).
    pub fn to_bytes(&self) -> Vec<u8> {
        let entries = &self.filter.fingerprints;
        let d = &self.filter.descriptor;
        let mut out = Vec::with_capacity(HEADER_LEN + 2 * entries.len() + CRC_LEN);
        out.extend_from_slice(&MAGIC);
        for v in [FORMAT_VERSION, 0, NORMALISATION, K as u16, W as u16, 0, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(self.key.as_bytes());
        let s = &self.stats;
        for v in [s.files, s.bytes, s.skipped, s.removed_common, s.removed_boilerplate, d.seed] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [d.segment_length, d.segment_length_mask, d.segment_count_length, entries.len() as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        debug_assert_eq!(out.len(), HEADER_LEN);
        for e in entries.iter() {
            out.extend_from_slice(&e.to_le_bytes());
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a database, rejecting anything truncated, foreign, corrupt or built with other
    /// parameters with a specific error. Never panics, and allocates only after the length
    /// fields have been checked against `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<FingerprintDb, DbError> {
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            if bytes.starts_with(b"\x89AIGFP\n") || bytes.starts_with(b"\x89AIGFP\r\r\n") {
                return Err(DbError::LineEndingsConverted);
            }
            if MAGIC.starts_with(bytes) {
                return Err(DbError::Truncated { at: bytes.len(), needed: (HEADER_LEN + CRC_LEN) as u64 });
            }
            return Err(DbError::NotADatabase);
        }
        let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("8 bytes"));
        // The version first, so a newer file says so rather than failing later checks.
        if bytes.len() < 10 {
            return Err(DbError::Truncated { at: bytes.len(), needed: (HEADER_LEN + CRC_LEN) as u64 });
        }
        let version = u16_at(8);
        if version != FORMAT_VERSION {
            return Err(DbError::UnsupportedVersion(version));
        }
        if bytes.len() < HEADER_LEN {
            return Err(DbError::Truncated { at: bytes.len(), needed: (HEADER_LEN + CRC_LEN) as u64 });
        }
        let entries = u32_at(108);
        let needed = HEADER_LEN as u64 + 2 * entries as u64 + CRC_LEN as u64;
        if (bytes.len() as u64) < needed {
            return Err(DbError::Truncated { at: bytes.len(), needed });
        }
        if bytes.len() as u64 > needed {
            return Err(DbError::TrailingBytes { extra: bytes.len() as u64 - needed });
        }
        let body = bytes.len() - CRC_LEN;
        let stored = u32_at(body);
        let computed = crc32fast::hash(&bytes[..body]);
        if stored != computed {
            return Err(DbError::ChecksumMismatch { stored, computed });
        }

        let flags = u16_at(10);
        if flags != 0 {
            return Err(DbError::UnsupportedFlags(flags));
        }
        let normalisation = u16_at(12);
        if normalisation != NORMALISATION {
            return Err(DbError::Normalisation { found: normalisation, expected: NORMALISATION });
        }
        let (k, w) = (u16_at(14), u16_at(16));
        if k as usize != K || w as usize != W {
            return Err(DbError::Parameters { k, w });
        }
        if bytes[18..24].iter().any(|&b| b != 0) {
            return Err(DbError::ReservedNotZero);
        }
        let count = u64_at(24);
        let key = FingerprintKey::from_bytes(bytes[32..48].try_into().expect("16 bytes"));
        let stats = BuildStats {
            files: u64_at(48),
            bytes: u64_at(56),
            skipped: u64_at(64),
            removed_common: u64_at(72),
            removed_boilerplate: u64_at(80),
        };
        let descriptor = Descriptor {
            seed: u64_at(88),
            segment_length: u32_at(96),
            segment_length_mask: u32_at(100),
            segment_count_length: u32_at(104),
        };
        check_descriptor(&descriptor, entries)?;
        if count > entries as u64 {
            return Err(DbError::CountExceedsFilter { count, entries });
        }
        let fingerprints: Box<[u16]> =
            bytes[HEADER_LEN..body].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        Ok(FingerprintDb { hasher: key.hasher(), key, filter: BinaryFuse16 { descriptor, fingerprints }, count, stats })
    }

    /// Distinct fingerprints in the database.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn key(&self) -> &FingerprintKey {
        &self.key
    }

    pub fn stats(&self) -> &BuildStats {
        &self.stats
    }

    /// Size of [`to_bytes`](Self::to_bytes), without building it.
    pub fn byte_len(&self) -> usize {
        HEADER_LEN + 2 * self.filter.fingerprints.len() + CRC_LEN
    }

    /// Whether a keyed fingerprint hash is in the database (false positives at about 2^-16).
    #[inline]
    pub fn contains(&self, hash: u64) -> bool {
        self.filter.contains(&hash)
    }

    /// [`contains`](Self::contains) for `hash(0)`, …, `hash(N - 1)`, as a bit mask (bit `i` for
    /// `hash(i)`), in two passes: first the three entry positions of every hash (arithmetic
    /// only), then the loads. The loads of different hashes then sit next to each other, and
    /// their cache misses overlap. The positions are computed as `xorf`'s lookup computes them
    /// (a test compares the two). Nothing is zeroed first: in the module, zeroing the arrays
    /// for each batch was a call into V8 and a run of stores.
    #[inline]
    pub(super) fn contains_each<const N: usize>(&self, hash: impl Fn(usize) -> u64) -> u64 {
        const { assert!(N <= 64, "a bit per hash") };
        let d = &self.filter.descriptor;
        let entries = &self.filter.fingerprints;
        let at: [(u16, u32, u32, u32); N] = std::array::from_fn(|i| {
            let hash = super::hash::mix64(hash(i).wrapping_add(d.seed));
            let h0 = mul_high(hash, d.segment_count_length);
            let h1 = (h0 + d.segment_length) ^ (((hash >> 18) as u32) & d.segment_length_mask);
            let h2 = (h0 + 2 * d.segment_length) ^ ((hash as u32) & d.segment_length_mask);
            ((hash ^ (hash >> 32)) as u16, h0, h1, h2)
        });
        let mut found = 0u64;
        for (i, &(fingerprint, h0, h1, h2)) in at.iter().enumerate() {
            found |= ((fingerprint ^ entries[h0 as usize] ^ entries[h1 as usize] ^ entries[h2 as usize] == 0) as u64) << i;
        }
        found
    }
}

/// `(x × n) >> 64`, exactly, with 64-bit products: a 128-bit multiply is a library call in
/// wasm, which the lookups would pay per hash. With `x = hi·2³² + lo`, the product is
/// `hi·n·2³² + lo·n`, and dropping the low 32 bits of `lo·n` before the final shift cannot
/// change the result (what is dropped is below one unit of 2³²).
#[inline(always)]
fn mul_high(x: u64, n: u32) -> u32 {
    let n = n as u64;
    (((x >> 32) * n + (((x & 0xFFFF_FFFF) * n) >> 32)) >> 32) as u32
}

/// The filter reads entries `h0 < segment_count_length` and `h1`, `h2` in the two segments after
/// `h0`'s, so with power-of-two segments it needs `segment_count_length + 2 × segment_length`
/// entries. Anything else would index out of bounds on some lookup.
fn check_descriptor(d: &Descriptor, entries: u32) -> Result<(), DbError> {
    let len = d.segment_length;
    if len == 0 || !len.is_power_of_two() || len > MAX_SEGMENT_LENGTH {
        return Err(DbError::CorruptFilter("segment length is not a power of two up to 2^18"));
    }
    if d.segment_length_mask != len - 1 {
        return Err(DbError::CorruptFilter("segment length mask does not match the segment length"));
    }
    let span = d.segment_count_length;
    if span < len || span % len != 0 {
        return Err(DbError::CorruptFilter("segment count × length is not a positive multiple of the segment length"));
    }
    if (entries as u64) < span as u64 + 2 * len as u64 {
        return Err(DbError::CorruptFilter("fewer entries than its segments address"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 64-bit form against the 128-bit product, at the edges of both factors and on random
    /// pairs.
    #[test]
    fn mul_high_is_the_high_half_of_the_product() {
        let mut next = crate::test_rng::below(0x6d75_6c68);
        let edges = [0u64, 1, 0xFFFF_FFFF, 0x1_0000_0000, u64::MAX, u64::MAX - 1, 1 << 63];
        for &x in edges.iter().chain(&[0x9E37_79B9_7F4A_7C15]) {
            for n in [0u32, 1, 2, 0xFFFF_FFFF, 0x8000_0000, 12_345_678] {
                assert_eq!(mul_high(x, n), ((x as u128 * n as u128) >> 64) as u32, "{x:#x} × {n}");
            }
        }
        for _ in 0..100_000 {
            let x = ((next(1 << 32) as u64) << 32) | next(1 << 32) as u64;
            let n = next(1 << 32) as u32;
            assert_eq!(mul_high(x, n), ((x as u128 * n as u128) >> 64) as u32, "{x:#x} × {n}");
        }
    }

    /// The batched lookup answers as `xorf`'s own, for members and for other hashes, in
    /// databases of several sizes (the segment fields differ with the size).
    #[test]
    fn contains_each_agrees_with_the_filter() {
        let mut next = crate::test_rng::below(0xb47c_4ed);
        let mut random = || ((next(1 << 32) as u64) << 32) | next(1 << 32) as u64;
        for size in [1, 10, 1000, 100_000] {
            let members: Vec<u64> = (0..size).map(|_| random()).collect();
            let db = FingerprintDb::build(FingerprintKey::from_bytes(*b"contains-each-ok"), members.clone(), BuildStats::default()).expect("builds");
            let queries: Vec<u64> = members.iter().copied().chain((0..50_000).map(|_| random())).collect();
            let mut positives = 0;
            for chunk in queries.chunks_exact(32) {
                let found = db.contains_each::<32>(|i| chunk[i]);
                for (i, h) in chunk.iter().enumerate() {
                    let f = found >> i & 1 != 0;
                    assert_eq!(f, db.filter.contains(h), "{size} members, hash {h:#x}");
                    positives += f as usize;
                }
            }
            assert!(positives >= size / 32 * 32, "members are found");
        }
    }
}
