//! Any text: the tokenizer's plain path (64-byte blocks read from bit masks) gives exactly the
//! tokens, identifier hashes and byte ranges of its byte-by-byte path, and every token is a
//! non-empty range in bounds; nothing panics.
#![no_main]
use aiguard_engine::content::fingerprint::tokens;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let plain = tokens(text, true);
    assert_eq!(plain, tokens(text, false));
    for &(_, _, start, end) in &plain {
        assert!(start < end && end <= text.len(), "{start}..{end}");
    }
});
