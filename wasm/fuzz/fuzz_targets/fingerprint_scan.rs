//! Any text as company code and any text as a paste: the database builds, and every match the
//! scan reports, of the paste or of the whole text, is a well-formed span (in bounds, on
//! character boundaries, counts and score consistent, enough kinds of token); nothing panics.
#![no_main]
use aiguard_engine::content::fingerprint::{vocabulary, BuildOptions, DbBuilder, FingerprintDb, FingerprintKey, MIN_VOCABULARY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first half (at a character boundary) is the company's file, the rest the paste.
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let (company, paste) = text.split_at(cut);
    let mut builder = DbBuilder::new(FingerprintKey::from_bytes(*b"fuzz-fingerprint"), BuildOptions::default());
    builder.add_file(company);
    builder.add_file(text);
    let db = builder.build().expect("a database of any text builds");
    let db = FingerprintDb::from_bytes(&db.to_bytes()).expect("round trip");
    for min_matches in [1, 4, 50] {
        for scanned in [paste, text] {
            for m in db.scan(scanned, min_matches) {
                assert!(m.start < m.end && m.end <= scanned.len(), "{m:?}");
                assert!(scanned.is_char_boundary(m.start) && scanned.is_char_boundary(m.end), "{m:?}");
                assert!(m.matched >= 1 && m.matched <= m.total, "{m:?}");
                assert!((0.0..=1.0).contains(&m.score), "{m:?}");
                assert!(vocabulary(&scanned[m.start..m.end]) >= MIN_VOCABULARY, "{m:?}");
            }
        }
    }
});
