//! Any text, with its own fingerprints as the database, scanned in one pass and on three
//! threads over a grid of parts that start at line starts the input picks: the matches are the
//! same (the passes that threads start at the parts they claim must meet and join exactly,
//! wherever a boundary falls: in a comment, a string, a fence, a data table).
#![no_main]
use aiguard_engine::content::fingerprint::{fingerprints, BuildStats, FingerprintDb, FingerprintKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the boundaries: every `step`-th line start.
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let key = FingerprintKey::from_bytes(*b"fuzz-split-parts");
    let hashes: Vec<u64> = fingerprints(text, &key).into_iter().map(|f| f.hash).collect();
    let db = FingerprintDb::build(key, hashes, BuildStats::default()).expect("a database of any text builds");
    let starts: Vec<usize> = text.bytes().enumerate().filter(|&(i, b)| b == b'\n' && i + 1 < text.len()).map(|(i, _)| i + 1).collect();
    let step = 1 + pick as usize % 16;
    let mut bounds = vec![0];
    bounds.extend(starts.iter().skip(pick as usize / 16).step_by(step).take(7));
    for min_matches in [1, 4] {
        let one = db.scan(text, min_matches);
        let parts = db.scan_in_parts_at(text, min_matches, &bounds).expect("line starts are valid bounds");
        assert_eq!(parts, one, "bounds {bounds:?}");
    }
});
