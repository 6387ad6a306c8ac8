//! Encoded runs: base64 (standard and URL-safe), hex and percent-encoding, decoded so the
//! detectors see what they carry.
//!
//! A run is a candidate by its alphabet and length alone; it is decoded only when that gives
//! text (every byte printable ASCII, a tab or a line end, or valid UTF-8 that is not a control),
//! which random identifiers, hashes and binary blobs do not. Decoding is bounded: one level (what
//! a decoded run holds is not decoded again), at most [`MAX_RUNS`] runs per text, and runs of at
//! most [`MAX_RUN_BYTES`].

/// How a run was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    Hex,
    Percent,
}

/// A decoded run: its span in the text and the text it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub start: usize,
    pub end: usize,
    pub encoding: Encoding,
    pub text: String,
}

/// Shortest base64 run decoded: 20 characters carry 15 bytes, less than any credential the
/// rules know (the shortest are 16).
pub const MIN_BASE64: usize = 20;
/// Shortest hex run decoded: 32 digits carry 16 bytes.
pub const MIN_HEX: usize = 32;
/// Fewest escapes in a percent-encoded run.
pub const MIN_ESCAPES: usize = 3;
/// Most runs decoded in one text.
pub const MAX_RUNS: usize = 4096;
/// Longest run decoded (a run is decoded whole or not at all).
pub const MAX_RUN_BYTES: usize = 1 << 20;

const B64: u8 = 1; // A-Z a-z 0-9
const B64_STD: u8 = 2; // + /
const B64_URL: u8 = 4; // - _
const HEX: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            t[i] = B64;
        }
        if b.is_ascii_hexdigit() {
            t[i] |= HEX;
        }
        i += 1;
    }
    t[b'+' as usize] = B64_STD;
    t[b'/' as usize] = B64_STD;
    t[b'-' as usize] = B64_URL;
    t[b'_' as usize] = B64_URL;
    t
};

/// Every encoded run of `text` that decodes to text.
pub fn decoded_runs(text: &str) -> Vec<Decoded> {
    let mut out = Vec::new();
    for_each_run(text.as_bytes(), |run| {
        let bytes = &text.as_bytes()[run.start..run.end];
        if run.all == HEX && bytes.len() >= MIN_HEX && bytes.len() % 2 == 0 {
            if let Some(t) = decode_hex(bytes).and_then(as_text) {
                out.push(Decoded { start: run.start, end: run.end, encoding: Encoding::Hex, text: t });
            }
        } else if bytes.len() >= MIN_BASE64 && run.any & (B64_STD | B64_URL) != (B64_STD | B64_URL) && starts_as_text(bytes) {
            if let Some(t) = decode_base64(bytes).and_then(as_text) {
                out.push(Decoded { start: run.start, end: run.padded_end, encoding: Encoding::Base64, text: t });
            }
        }
        out.len() < MAX_RUNS
    });
    if out.len() < MAX_RUNS {
        percent_runs(text, &mut out);
    }
    out.sort_by_key(|d| d.start);
    out
}

/// A run of the base64 alphabets (which hold the hex one) long enough to decode.
struct Run {
    start: usize,
    end: usize,
    /// `end` and the `=` padding after it (at most two).
    padded_end: usize,
    /// The classes of the run's bytes, any of them and all of them.
    any: u8,
    all: u8,
}

/// Calls `visit` with every run of at least [`MIN_BASE64`] bytes (shorter than [`MAX_RUN_BYTES`]),
/// in order, until it returns false.
fn for_each_run(bytes: &[u8], mut visit: impl FnMut(Run) -> bool) {
    // Runs are found by skipping, as a substring search skips: a run long enough to decode
    // (MIN bytes) that ends at or after `probe` and starts after `done` holds `probe`. If the
    // byte there is no run byte, no such run holds it and the next one to look at is MIN bytes
    // on; if it is, the bytes back from it show either MIN of them in a row (a run: found whole
    // around it) or where the run through `probe` starts, and so how far a long enough run from
    // there would reach. Short runs (identifiers, words) cost a few reads each, and most bytes
    // are never read.
    const MIN: usize = if MIN_BASE64 < MIN_HEX { MIN_BASE64 } else { MIN_HEX };
    let class = |i: usize| CLASS[bytes[i] as usize];
    let mut done = 0; // every run before this offset has been visited
    let mut probe = MIN - 1;
    while probe < bytes.len() {
        if class(probe) == 0 {
            probe += MIN;
            continue;
        }
        let mut back = probe;
        while back > done && probe + 1 - back < MIN && class(back - 1) != 0 {
            back -= 1;
        }
        if probe + 1 - back < MIN {
            // The run through `probe` starts at `back`: a long one would reach `back + MIN - 1`.
            probe = back + MIN - 1;
            continue;
        }
        let mut start = back;
        while start > done && class(start - 1) != 0 {
            start -= 1;
        }
        let (mut any, mut all) = (0u8, HEX);
        let mut end = start;
        while end < bytes.len() && class(end) != 0 {
            any |= class(end);
            all &= class(end);
            end += 1;
        }
        let mut padded_end = end;
        while padded_end < bytes.len() && bytes[padded_end] == b'=' && padded_end - end < 2 {
            padded_end += 1;
        }
        done = padded_end;
        probe = padded_end + MIN - 1;
        if end - start <= MAX_RUN_BYTES && !visit(Run { start, end, padded_end, any, all }) {
            return;
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_hex(run: &[u8]) -> Option<Vec<u8>> {
    run.chunks_exact(2).map(|p| Some(hex_value(p[0])? << 4 | hex_value(p[1])?)).collect()
}

fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Base64 without its padding: a final group of 2 or 3 characters carries 1 or 2 bytes; a
/// lone last character carries nothing and is dropped.
fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(run.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &b in run {
        acc = acc << 6 | u32::from(base64_value(b)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether the first bytes a base64 run carries could begin a text: identifiers and random data
/// fail here, before the run is decoded whole.
fn starts_as_text(run: &[u8]) -> bool {
    decode_base64(&run[..16.min(run.len())]).is_some_and(|head| match std::str::from_utf8(&head) {
        Ok(s) => s.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')),
        // A character cut at the end of the head is fine; an invalid one is not.
        Err(e) => e.error_len().is_none(),
    })
}

/// The bytes as text, when they are text: valid UTF-8 without control characters other than
/// tabs and line ends, at least 12 bytes long.
fn as_text(bytes: Vec<u8>) -> Option<String> {
    if bytes.len() < 12 {
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).then_some(text)
}

/// Stretches with at least [`MIN_ESCAPES`] `%XX` escapes and no white space or quotes, decoded.
fn percent_runs(text: &str, out: &mut Vec<Decoded>) {
    let bytes = text.as_bytes();
    let stops = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`');
    let mut from = 0;
    while let Some(p) = memchr::memchr(b'%', &bytes[from..]).map(|p| from + p) {
        if out.len() >= MAX_RUNS {
            return;
        }
        let mut start = p;
        while start > from && !stops(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = p;
        while end < bytes.len() && !stops(bytes[end]) {
            end += 1;
        }
        from = end.max(p + 1);
        let run = &bytes[start..end];
        if run.len() > MAX_RUN_BYTES {
            continue;
        }
        let mut decoded = Vec::with_capacity(run.len());
        let mut escapes = 0;
        let mut k = 0;
        while k < run.len() {
            if run[k] == b'%' && k + 2 < run.len() {
                if let (Some(h), Some(l)) = (hex_value(run[k + 1]), hex_value(run[k + 2])) {
                    decoded.push(h << 4 | l);
                    escapes += 1;
                    k += 3;
                    continue;
                }
            }
            decoded.push(if run[k] == b'+' { b' ' } else { run[k] });
            k += 1;
        }
        if escapes >= MIN_ESCAPES {
            if let Ok(t) = String::from_utf8(decoded) {
                out.push(Decoded { start, end, encoding: Encoding::Percent, text: t });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Encoding, String, &str)> {
        decoded_runs(text).into_iter().map(|d| (d.encoding, d.text, &text[d.start..d.end])).collect()
    }

    #[test]
    fn each_encoding_is_decoded_to_the_text_it_carries() {
        let key = "AKIAFLHBMUAPTT2ZN5X2";
        let cases = [
            ("base64 with padding", "QUtJQUZMSEJNVUFQVFQyWk41WDI=", Encoding::Base64),
            ("base64 without padding", "QUtJQUZMSEJNVUFQVFQyWk41WDI", Encoding::Base64),
            ("hex, lower case", "414b4941464c48424d5541505454325a4e355832", Encoding::Hex),
            ("percent-encoded", "%41%4B%49%41FLHBMUAPTT2ZN5X2", Encoding::Percent),
        ];
        for (name, encoded, encoding) in cases {
            let text = format!("the key: {encoded} end");
            let got = found(&text);
            assert_eq!(got.len(), 1, "{name}: {got:?}");
            assert_eq!(got[0].0, encoding, "{name}");
            assert!(key.starts_with(&got[0].1[..12]), "{name}: {}", got[0].1);
            assert_eq!(got[0].2, encoded, "{name}: the span is the encoded run");
        }
    }

    #[test]
    fn runs_that_do_not_decode_to_text_are_left() {
        for text in [
            "let configurationManagerInstance = 1;",             // an identifier
            "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", // a hash
            "aGVsbG8=",                                          // too short to carry a credential
            "path/to/some/deeply/nested/file_name.rs",           // a path
            "100%25 sure 50%25",                                 // two escapes only
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    /// Every run of the base64 alphabets, found by reading every byte: what the skipping search
    /// must find.
    fn runs_read_byte_by_byte(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && CLASS[bytes[i] as usize] != 0 {
                i += 1;
            }
            if i - start >= MIN_BASE64.min(MIN_HEX) {
                out.push((start, i));
            }
            i += 1;
        }
        out
    }

    #[test]
    fn the_skipping_search_finds_every_run_the_byte_by_byte_one_does() {
        let mut below = crate::test_rng::below(7);
        let alphabet = b"QUtJQUZMSEJNVUFQVFQyWk41WDI414b4941464c48 .,;\n=+/_-";
        for round in 0..2000 {
            let len = 1 + below(300);
            let mut text = Vec::with_capacity(len);
            while text.len() < len {
                // Long runs now and then, so that runs of every length near the minimum occur.
                if below(8) == 0 {
                    let n = below(40);
                    text.extend(std::iter::repeat_n(b'Q', n));
                }
                text.push(alphabet[below(alphabet.len())]);
            }
            let text = String::from_utf8(text).unwrap();
            // What decodes to text differs; where runs are found must not: the spans of the
            // decoded runs are the long runs (or one of them with its padding).
            let want = runs_read_byte_by_byte(text.as_bytes());
            let mut got = Vec::new();
            for_each_run(text.as_bytes(), |run| {
                got.push((run.start, run.end));
                true
            });
            assert_eq!(got, want, "round {round}: {text:?}");
        }
    }

    #[test]
    fn decoding_is_bounded_to_max_runs() {
        let one = "QUtJQUZMSEJNVUFQVFQyWk41WDI= ";
        let text = one.repeat(MAX_RUNS + 10);
        assert_eq!(decoded_runs(&text).len(), MAX_RUNS);
    }
}
