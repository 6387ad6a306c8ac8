//! The fingerprint database file: golden bytes for a fixed key and fixed hashes, a round trip
//! that keeps everything, its size per fingerprint, and the rejection of every kind of bad file
//! with an error that says what is wrong, without a panic on any input.

mod fingerprint_fixtures;

use aiguard_engine::content::fingerprint::{BuildOptions, BuildStats, DbBuilder, DbError, FingerprintDb, FingerprintKey, DEFAULT_MIN_MATCHES, FORMAT_VERSION};
use fingerprint_fixtures::{key, GO_SRC, RUST_SRC};

/// 64-bit FNV-1a, for the golden test (independent of the format's own checksum).
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

fn fixed_db() -> FingerprintDb {
    let key = FingerprintKey::from_bytes(*b"0123456789abcdef");
    let hashes = (0u64..1000).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555);
    let stats = BuildStats { files: 12, bytes: 34_567, skipped: 3, removed_common: 4, removed_boilerplate: 5 };
    FingerprintDb::build(key, hashes, stats).unwrap()
}

#[test]
fn golden_format() {
    let bytes = fixed_db().to_bytes();
    assert_eq!(&bytes[..8], b"\x89AIGFP\r\n");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), FORMAT_VERSION);
    assert_eq!(
        (bytes.len(), fnv64(&bytes)),
        (2932, 0x87C9_36D7_21DA_5223),
        "the database bytes for a fixed key and fixed hashes changed. If the layout changed on \
         purpose, bump FORMAT_VERSION in db.rs (and NORMALISATION in mod.rs if fingerprints of the \
         same text changed) and update this constant; if the filter library was upgraded, check \
         that it still reads files written by the previous version before updating it"
    );
}

#[test]
fn round_trip_keeps_everything() {
    let db = fixed_db();
    let back = FingerprintDb::from_bytes(&db.to_bytes()).unwrap();
    assert_eq!(back.len(), 1000);
    assert_eq!(back.key(), db.key());
    assert_eq!(back.stats(), db.stats());
    assert_eq!(back.to_bytes(), db.to_bytes());
    for i in 0u64..1000 {
        assert!(back.contains(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555));
    }
    assert_eq!(db.byte_len(), db.to_bytes().len());
}

#[test]
fn bytes_per_fingerprint() {
    let key = FingerprintKey::from_bytes([1; 16]);
    let n = 1_000_000u64;
    let db = FingerprintDb::build(key, (0..n).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)), BuildStats::default()).unwrap();
    let per = db.byte_len() as f64 / n as f64;
    println!("{per:.3} bytes per fingerprint at {n} fingerprints");
    assert!(per <= 2.5, "{per}");
    let started = std::time::Instant::now();
    let bytes = db.to_bytes();
    let _ = FingerprintDb::from_bytes(&bytes).unwrap();
    println!("to_bytes + from_bytes: {:?} (debug build)", started.elapsed());
}

#[test]
fn empty_and_tiny_databases_work() {
    for n in [0u64, 1, 2, 3] {
        let db = FingerprintDb::build(key(), 0..n, BuildStats::default()).unwrap();
        let back = FingerprintDb::from_bytes(&db.to_bytes()).unwrap();
        assert_eq!(back.len(), n as usize);
        assert!(back.scan(GO_SRC, 1).is_empty() || n > 0);
    }
    let db = DbBuilder::new(key(), BuildOptions::default()).build().unwrap();
    assert!(db.is_empty());
    assert!(db.scan(GO_SRC, DEFAULT_MIN_MATCHES).is_empty());
}

fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// CRC-32 (IEEE), bit by bit: the test's own, to forge files whose checksum is right.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |mut c, &b| {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
        c
    })
}

#[test]
fn bad_files_are_rejected_with_a_specific_error() {
    let good = fixed_db().to_bytes();
    let set = |at: usize, v: &[u8]| {
        let mut b = good.clone();
        b[at..at + v.len()].copy_from_slice(v);
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "truncated at byte 0"),
        ("text", b"hello, this is not a database at all".to_vec(), "not an AIGuard fingerprint database"),
        ("JSON", br#"{"version": 1}"#.to_vec(), "not an AIGuard fingerprint database"),
        ("magic only", good[..8].to_vec(), "truncated at byte 8"),
        ("half a header", good[..60].to_vec(), "truncated at byte 60"),
        ("header only", good[..112].to_vec(), "truncated at byte 112"),
        ("last byte missing", good[..good.len() - 1].to_vec(), "truncated at byte"),
        ("a byte too many", [good.clone(), vec![0]].concat(), "1 unexpected bytes after its checksum"),
        ("text-mode copy", [b"\x89AIGFP\n".as_slice(), &good[8..]].concat(), "line endings were converted"),
        ("future version", set(8, &2u16.to_le_bytes()), "unsupported fingerprint database format version 2"),
        ("flipped filter bit", set(200, &[good[200] ^ 1]), "checksum mismatch"),
        ("huge entry count", set(108, &u32::MAX.to_le_bytes()), "truncated at byte"),
        ("other normalisation", with_crc(set(12, &99u16.to_le_bytes())), "token normalisation 99"),
        ("other K", with_crc(set(14, &3u16.to_le_bytes())), "K=3"),
        ("unknown flags", with_crc(set(10, &1u16.to_le_bytes())), "unsupported fingerprint database flags"),
        ("reserved bytes", with_crc(set(20, &[1])), "reserved"),
        ("segment length not a power of two", with_crc(set(96, &3u32.to_le_bytes())), "power of two"),
        ("mask mismatch", with_crc(set(100, &0u32.to_le_bytes())), "mask"),
        ("segments past the entries", with_crc(set(104, &(1u32 << 30).to_le_bytes())), "fewer entries"),
        ("count above capacity", with_crc(set(24, &u64::MAX.to_le_bytes())), "claims"),
    ];
    for (name, bytes, want) in cases {
        match FingerprintDb::from_bytes(&bytes) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(want), "{name}: {msg:?} should say {want:?}");
                let _: &dyn std::error::Error = &e;
            }
        }
    }
    assert_eq!(FingerprintDb::from_bytes(&[]).unwrap_err(), DbError::Truncated { at: 0, needed: 116 });
}

#[test]
fn no_input_makes_from_bytes_panic() {
    let good = fixed_db().to_bytes();
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Every truncation.
    for n in 0..good.len() {
        assert!(FingerprintDb::from_bytes(&good[..n]).is_err(), "prefix of {n} bytes accepted");
    }
    // Garbage of every small size, and random header fields with a valid checksum (the CRC is
    // no defence against a crafted file: the field checks must hold on their own).
    for n in 0..300 {
        let garbage: Vec<u8> = (0..n).map(|_| rand() as u8).collect();
        let _ = FingerprintDb::from_bytes(&garbage);
    }
    for _ in 0..3000 {
        let mut b = good.clone();
        for _ in 0..1 + rand() % 4 {
            let at = (rand() % 112) as usize;
            b[at] = rand() as u8;
        }
        let b = with_crc(b);
        if let Ok(db) = FingerprintDb::from_bytes(&b) {
            // Whatever was accepted must be safe to use.
            let _ = db.scan(RUST_SRC, 1);
        }
    }
}
