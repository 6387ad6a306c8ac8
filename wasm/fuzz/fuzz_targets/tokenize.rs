//! Any text: the tokenizer's plain path (64-byte blocks read from bit masks) gives exactly the
//! tokens, identifier hashes and byte ranges of its byte-by-byte path, also when read in two
//! stages at a byte limit the input picks (no token of the first stage starts at or after it);
//! every token is a non-empty range in bounds; nothing panics.
#![no_main]
use aiguard_engine::content::fingerprint::{tokens, tokens_in_stages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let plain = tokens(text, true);
    assert_eq!(plain, tokens(text, false));
    for &(_, _, start, end) in &plain {
        assert!(start < end && end <= text.len(), "{start}..{end}");
    }
    let limit = text.len() * pick as usize / 255;
    let (first, second) = tokens_in_stages(text, limit);
    assert!(first.iter().all(|t| t.2 < limit), "a token at or after {limit}");
    assert_eq!([first, second].concat(), plain);
});
