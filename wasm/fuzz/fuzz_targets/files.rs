//! Any bytes through the file decoders, as any size of file: never panics, stays within its
//! budgets, and reports a cut input as truncated.
#![no_main]
use aiguard_files::{decode, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small budgets, so that the fuzzer reaches them with small inputs.
    let limits = Limits { max_depth: 3, max_entries: 50, max_inflated: 1 << 20, max_ratio: 100 };
    // The first byte says how much of the rest the caller read, as a file cut at its limit.
    let Some((&cut, bytes)) = data.split_first() else { return };
    let read = bytes.len() * usize::from(cut) / 255;
    let d = decode(&bytes[..read], bytes.len() as u64, &limits);
    assert_eq!(d.truncated, read < bytes.len());
    assert_eq!(d.size, bytes.len() as u64);
    // Text comes from the input or from at most `max_inflated` inflated bytes, each at most a
    // few characters of output (a byte as Latin-1 or a replacement character is 3 bytes).
    let text: usize = d.texts.iter().map(|t| t.text.len()).sum();
    assert!(text <= 8 * (read + (limits.max_inflated as usize)) + 16, "{text} bytes of text from {read}");
});
