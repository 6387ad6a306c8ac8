//! Text in any of the Unicode encodings a tool saves, and the printable runs of anything else.
//!
//! The encoding is read from a byte-order mark when there is one, else from where the NUL
//! bytes fall: ASCII in UTF-16LE is `c 00 c 00…`, in UTF-32BE `00 00 00 c…`. Bytes that are
//! UTF-8 throughout (NUL bytes included: a NUL is a valid UTF-8 character) are UTF-8. Anything
//! else is binary, read as its printable runs.

/// Leading bytes whose NUL pattern decides between UTF-16 and UTF-32.
const SNIFF: usize = 4096;

/// A printable run shorter than this is noise in a binary (`strings` uses 4; 8 keeps most
/// machine code out while every credential the rules know is longer).
pub const MIN_RUN: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 with its byte-order mark, which is dropped.
    Utf8Bom,
    Utf16Le { bom: bool },
    Utf16Be { bom: bool },
    Utf32Le { bom: bool },
    Utf32Be { bom: bool },
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => "utf-8",
            Encoding::Utf16Le { .. } => "utf-16le",
            Encoding::Utf16Be { .. } => "utf-16be",
            Encoding::Utf32Le { .. } => "utf-32le",
            Encoding::Utf32Be { .. } => "utf-32be",
        }
    }

    /// The text, with U+FFFD for each unit that is not a character (a cut last unit included).
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Utf8Bom => String::from_utf8_lossy(&bytes[3..]).into_owned(),
            Encoding::Utf16Le { bom } => utf16(&bytes[if bom { 2 } else { 0 }..], u16::from_le_bytes),
            Encoding::Utf16Be { bom } => utf16(&bytes[if bom { 2 } else { 0 }..], u16::from_be_bytes),
            Encoding::Utf32Le { bom } => utf32(&bytes[if bom { 4 } else { 0 }..], u32::from_le_bytes),
            Encoding::Utf32Be { bom } => utf32(&bytes[if bom { 4 } else { 0 }..], u32::from_be_bytes),
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    if bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> String {
    let mut text: String =
        bytes.chunks_exact(4).map(|c| char::from_u32(unit([c[0], c[1], c[2], c[3]])).unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    if bytes.len() % 4 != 0 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// The encoding `bytes` are text in, or `None` for binary.
pub fn sniff(bytes: &[u8]) -> Option<Encoding> {
    // UTF-32LE's mark begins with UTF-16LE's: test it first.
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Some(Encoding::Utf32Le { bom: true });
    }
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some(Encoding::Utf32Be { bom: true });
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Some(Encoding::Utf8Bom);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Some(Encoding::Utf16Le { bom: true });
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Some(Encoding::Utf16Be { bom: true });
    }
    if let Some(wide) = by_nul_pattern(&bytes[..bytes.len().min(SNIFF)]) {
        return Some(wide);
    }
    // Valid throughout, or cut inside the last character by the caller's size limit.
    match std::str::from_utf8(bytes) {
        Ok(_) => Some(Encoding::Utf8),
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() => Some(Encoding::Utf8),
        Err(_) => None,
    }
}

/// UTF-16 or UTF-32 without a mark, from where the NUL bytes fall: nine in ten code units of
/// the shape of ASCII text for UTF-32, six in ten for UTF-16 (text in other scripts has fewer
/// NULs; its ASCII digits, punctuation and spaces are usually enough), and few of the other
/// byte order.
fn by_nul_pattern(head: &[u8]) -> Option<Encoding> {
    let quads = head.len() / 4;
    if quads >= 2 {
        let le = head.chunks_exact(4).filter(|q| q[2] == 0 && q[3] == 0 && (q[1] != 0 || textual(q[0]))).count();
        let be = head.chunks_exact(4).filter(|q| q[0] == 0 && q[1] == 0 && (q[2] != 0 || textual(q[3]))).count();
        if le * 10 >= quads * 9 {
            return Some(Encoding::Utf32Le { bom: false });
        }
        if be * 10 >= quads * 9 {
            return Some(Encoding::Utf32Be { bom: false });
        }
    }
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let le = head.chunks_exact(2).filter(|p| p[1] == 0 && textual(p[0])).count();
        let be = head.chunks_exact(2).filter(|p| p[0] == 0 && textual(p[1])).count();
        if le * 10 >= pairs * 6 && be * 10 < pairs {
            return Some(Encoding::Utf16Le { bom: false });
        }
        if be * 10 >= pairs * 6 && le * 10 < pairs {
            return Some(Encoding::Utf16Be { bom: false });
        }
    }
    None
}

/// A byte that is printable ASCII or a line's whitespace: the low byte of most code units of
/// text, and of few little integers in a binary's tables.
fn textual(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E)
}

/// Text of any Unicode encoding, or the printable runs when the bytes are not text; with the
/// encoding's name.
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    match sniff(bytes) {
        Some(e) => (e.decode(bytes), e.name()),
        None => (printable_runs(bytes), "strings"),
    }
}

/// The runs of at least [`MIN_RUN`] printable characters, one a line: UTF-8 runs (ASCII
/// included), then UTF-16LE runs of printable ASCII (`strings -e l`), which is how Windows
/// programs and documents keep their strings.
pub fn printable_runs(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let mut chars = 0;
    let flush = |run: &mut String, chars: &mut usize, out: &mut String| {
        if *chars >= MIN_RUN {
            out.push_str(run);
            out.push('\n');
        }
        run.clear();
        *chars = 0;
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\t' || !c.is_control() {
                run.push(c);
                chars += 1;
            } else {
                flush(&mut run, &mut chars, &mut out);
            }
        }
        if !chunk.invalid().is_empty() {
            flush(&mut run, &mut chars, &mut out);
        }
    }
    flush(&mut run, &mut chars, &mut out);
    // UTF-16LE at both alignments: a run may start at an odd offset.
    for start in 0..2 {
        for pair in bytes.get(start..).unwrap_or_default().chunks_exact(2) {
            if pair[1] == 0 && (pair[0] == b'\t' || (0x20..0x7F).contains(&pair[0])) {
                run.push(pair[0] as char);
                chars += 1;
            } else {
                flush(&mut run, &mut chars, &mut out);
            }
        }
        flush(&mut run, &mut chars, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }
    fn utf16be(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFE, 0xFF] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        v
    }
    fn utf32le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE, 0, 0] } else { vec![] };
        v.extend(s.chars().flat_map(|c| (c as u32).to_le_bytes()));
        v
    }
    fn utf32be(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0, 0, 0xFE, 0xFF] } else { vec![] };
        v.extend(s.chars().flat_map(|c| (c as u32).to_be_bytes()));
        v
    }

    const ENV: &str = "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\nregion = eu-west-1 (Zürich)\n";

    #[test]
    fn every_unicode_encoding_reads_back_the_same_text() {
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("utf-8", ENV.as_bytes().to_vec(), "utf-8"),
            ("utf-8 with bom", [&[0xEF, 0xBB, 0xBF][..], ENV.as_bytes()].concat(), "utf-8"),
            ("utf-16le with bom", utf16le(ENV, true), "utf-16le"),
            ("utf-16le without bom", utf16le(ENV, false), "utf-16le"),
            ("utf-16be with bom", utf16be(ENV, true), "utf-16be"),
            ("utf-16be without bom", utf16be(ENV, false), "utf-16be"),
            ("utf-32le with bom", utf32le(ENV, true), "utf-32le"),
            ("utf-32le without bom", utf32le(ENV, false), "utf-32le"),
            ("utf-32be with bom", utf32be(ENV, true), "utf-32be"),
            ("utf-32be without bom", utf32be(ENV, false), "utf-32be"),
        ];
        for (name, bytes, encoding) in cases {
            let e = sniff(&bytes).unwrap_or_else(|| panic!("{name}: read as binary"));
            assert_eq!(e.name(), encoding, "{name}");
            assert_eq!(e.decode(&bytes), ENV, "{name}");
        }
    }

    #[test]
    fn a_nul_byte_in_front_of_utf8_text_is_still_utf8() {
        let bytes = [&[0u8][..], ENV.as_bytes()].concat();
        assert_eq!(sniff(&bytes), Some(Encoding::Utf8));
        assert!(Encoding::Utf8.decode(&bytes).contains("AKIAFLHBMUAPTT2ZN5X2"));
    }

    #[test]
    fn text_cut_inside_a_character_or_a_unit_is_still_text() {
        let cut = &"key = é".as_bytes()[..7];
        assert_eq!(sniff(cut), Some(Encoding::Utf8));
        let odd = &utf16le(ENV, true)[..41];
        assert_eq!(sniff(odd), Some(Encoding::Utf16Le { bom: true }));
        assert!(sniff(odd).unwrap().decode(odd).ends_with('\u{FFFD}'));
    }

    #[test]
    fn binaries_are_not_text() {
        for bytes in [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0"[..], b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\xff\xfe"] {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn printable_runs_find_utf8_and_utf16_strings_in_a_binary() {
        let mut bin = b"\x7fELF\x02\x01\x01\0\xff\xfe\x01".to_vec();
        bin.extend_from_slice(b"aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\0\x01\x02short\0\xfe");
        bin.push(0x9c);
        bin.extend(utf16le("password=Tr0ub4dor&3xyz", false));
        bin.extend_from_slice(b"\x03\x04");
        let runs = printable_runs(&bin);
        let lines: Vec<&str> = runs.lines().collect();
        assert!(lines.contains(&"aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2"), "{runs:?}");
        assert!(lines.contains(&"password=Tr0ub4dor&3xyz"), "{runs:?}");
        assert!(!lines.iter().any(|l| l.contains("short")), "runs under {MIN_RUN} characters are noise: {runs:?}");
    }
}
