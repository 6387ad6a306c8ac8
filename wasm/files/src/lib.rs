//! A file's bytes into the texts the engine scans.
//!
//! Files are read by their bytes, never by their names or MIME types (which the sender
//! controls). [`decode`] looks at what the bytes are:
//!
//! * a zip container (`.zip`, `.jar`, Office's `.docx/.xlsx/.pptx`, OpenDocument's `.odt`…):
//!   each entry is decoded in turn, nested containers to [`Limits::max_depth`], XML entries
//!   reduced to their text ([`xml`]);
//! * a PDF: the text its pages show, and the strings of its other objects ([`pdf`]);
//! * text in UTF-8, UTF-16 or UTF-32, by byte-order mark or by the pattern of its NUL bytes
//!   ([`text`]);
//! * anything else: its printable runs, as `strings` prints them ([`text::printable_runs`]).
//!
//! What cannot be read is never dropped silently: every encrypted entry, unsupported
//! compression method, corrupt container and exceeded budget is an [`Unreadable`] with its
//! entry and [`Reason`]. Input cut short by the caller (a file over the size limit, read up to
//! it) is decoded as far as it goes and reported as `truncated`.
//!
//! Budgets ([`Limits`]) bound the work a hostile file can cause: total inflated bytes, entries,
//! the compression ratio of an entry, the nesting depth.

use serde::Serialize;

pub mod pdf;
pub mod text;
pub mod xml;
pub mod zip;

mod inflate;

/// Bounds on the work one file may cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Containers inside containers: the file itself is depth 0; a zip inside it is read at
    /// depth 1, a zip inside that at depth 2… An entry deeper than this is unreadable.
    pub max_depth: u32,
    /// Entries across every container of the file.
    pub max_entries: usize,
    /// Bytes inflated across every entry and stream of the file.
    pub max_inflated: u64,
    /// Inflated bytes per compressed byte of one entry, checked once an entry passes
    /// [`RATIO_FLOOR`] bytes: deflate reaches about 1,030:1 on zeros, text rarely 100:1.
    pub max_ratio: u64,
}

/// Entries this small are never judged by their compression ratio (a 100-byte entry of spaces
/// compresses 50:1 and harms no one).
pub const RATIO_FLOOR: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 3, max_entries: 10_000, max_inflated: 64 << 20, max_ratio: 500 }
    }
}

/// Why (part of) a file could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// An encrypted zip entry or an encrypted PDF.
    Encrypted,
    /// A compression method or PDF filter this reader does not have (bzip2, LZMA, zstd, LZW…).
    UnsupportedCompression,
    /// The container's structure is broken (bad offsets, an invalid deflate stream).
    Corrupt,
    /// The input ended inside this entry (the caller read the file only up to its limit).
    Truncated,
    /// More entries than [`Limits::max_entries`]; the rest were not read.
    TooManyEntries,
    /// [`Limits::max_inflated`] reached: this entry was read in part, later ones not at all.
    InflatedTooLarge,
    /// The entry inflates beyond [`Limits::max_ratio`] (a zip bomb's shape); read in part.
    CompressionRatio,
    /// A container nested deeper than [`Limits::max_depth`].
    TooDeep,
    /// PDF text in glyph numbers that no `ToUnicode` map turns into characters.
    FontEncoding,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Encrypted => "encrypted",
            Reason::UnsupportedCompression => "unsupported-compression",
            Reason::Corrupt => "corrupt",
            Reason::Truncated => "truncated",
            Reason::TooManyEntries => "too-many-entries",
            Reason::InflatedTooLarge => "inflated-too-large",
            Reason::CompressionRatio => "compression-ratio",
            Reason::TooDeep => "too-deep",
            Reason::FontEncoding => "font-encoding",
        }
    }
}

/// One text read from the file: the file itself (`entry` none) or an entry of a container
/// (`word/document.xml`, or `inner.zip/.env` for a nested one).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Text {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// How the bytes were read: `utf-8`, `utf-16le`, `utf-16be`, `utf-32le`, `utf-32be`,
    /// `xml`, `pdf` or `strings`.
    pub encoding: &'static str,
    pub text: String,
}

/// Something that could not be read, or was read only in part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unreadable {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    pub reason: Reason,
}

/// Everything read from one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decoded {
    /// What the file is: `text`, `zip`, `pdf` or `binary`.
    pub format: &'static str,
    pub texts: Vec<Text>,
    pub unreadable: Vec<Unreadable>,
    /// The caller's bytes were only the start of the file.
    pub truncated: bool,
    /// The file's full size.
    pub size: u64,
}

/// The running totals of one file's decoding, against its [`Limits`].
pub(crate) struct Budget {
    pub limits: Limits,
    pub entries: usize,
    pub inflated: u64,
}

impl Budget {
    /// Inflated bytes this entry may still produce, from its compressed size.
    pub fn inflate_cap(&self, compressed: u64) -> (u64, Reason) {
        let left = self.limits.max_inflated.saturating_sub(self.inflated);
        let by_ratio = compressed.saturating_mul(self.limits.max_ratio).max(RATIO_FLOOR);
        if by_ratio < left {
            (by_ratio, Reason::CompressionRatio)
        } else {
            (left, Reason::InflatedTooLarge)
        }
    }
}

/// The texts of a file. `bytes` is the file or its first part; `size` is its full size (a
/// `size` above `bytes.len()` marks it truncated).
pub fn decode(bytes: &[u8], size: u64, limits: &Limits) -> Decoded {
    let mut budget = Budget { limits: *limits, entries: 0, inflated: 0 };
    let truncated = size > bytes.len() as u64;
    let mut out = Sink::default();
    let format = decode_into(None, bytes, 0, truncated, &mut budget, &mut out);
    Decoded { format, texts: out.texts, unreadable: out.unreadable, truncated, size: size.max(bytes.len() as u64) }
}

/// Where texts and problems collect while a file is read.
#[derive(Default)]
pub(crate) struct Sink {
    pub texts: Vec<Text>,
    pub unreadable: Vec<Unreadable>,
}

impl Sink {
    pub fn text(&mut self, entry: Option<&str>, encoding: &'static str, text: String) {
        if !text.is_empty() {
            self.texts.push(Text { entry: entry.map(str::to_string), encoding, text });
        }
    }

    pub fn unreadable(&mut self, entry: Option<&str>, reason: Reason) {
        let entry = entry.map(str::to_string);
        if !self.unreadable.iter().any(|u| u.entry == entry && u.reason == reason) {
            self.unreadable.push(Unreadable { entry, reason });
        }
    }
}

/// Decodes `bytes` (the file, or an entry named `entry` at `depth`) into `out`; returns the
/// format it was read as. `cut` says the bytes end before the file does.
pub(crate) fn decode_into(entry: Option<&str>, bytes: &[u8], depth: u32, cut: bool, budget: &mut Budget, out: &mut Sink) -> &'static str {
    if zip::is_zip(bytes) {
        if depth >= budget.limits.max_depth {
            out.unreadable(entry, Reason::TooDeep);
        } else {
            zip::read(entry, bytes, depth, cut, budget, out);
        }
        return "zip";
    }
    if pdf::is_pdf(bytes) {
        pdf::read(entry, bytes, budget, out);
        return "pdf";
    }
    // Inside a container, XML parts are reduced to their text: that is where an Office
    // document's words are, split into runs by its markup.
    if entry.is_some() && xml::is_xml(entry.unwrap_or(""), bytes) {
        let (decoded, _) = text::decode_text(bytes);
        out.text(entry, "xml", xml::text_of(&decoded));
        return "text";
    }
    match text::sniff(bytes) {
        Some(encoding) => {
            out.text(entry, encoding.name(), encoding.decode(bytes));
            "text"
        }
        None => {
            out.text(entry, "strings", text::printable_runs(bytes));
            "binary"
        }
    }
}

/// Builders for test files (zips, `.docx`, PDFs), for this crate's tests and the CLI's.
#[cfg(any(test, feature = "testdata"))]
pub mod testdata;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{cid_pdf, docx, glyphs, pdf, zip, ZipEntry, ASCII_GLYPHS};

    const KEY: &str = "AKIAFLHBMUAPTT2ZN5X2";

    /// The shapes issue 21 found delivered unread; each must give a text holding the key.
    #[test]
    fn every_shape_of_the_same_env_file_gives_its_key() {
        let env = format!("aws_access_key_id = {KEY}\n");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(env.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let mut exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        exe.extend_from_slice(env.as_bytes());
        exe.extend_from_slice(b"\0\x01\x02\x03\xfe\xfd");
        let cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
            ("utf-16 with bom", utf16, "text", None),
            ("one nul byte in front", [&[0][..], env.as_bytes()].concat(), "text", None),
            ("zipped", zip(&[ZipEntry::deflated("prod.env", &env)]), "zip", Some("prod.env")),
            ("docx with the key split across runs", docx(&["aws_access_key_id = ", "AKIA", "FLHBMUAPTT2ZN5X2"]), "zip", Some("word/document.xml")),
            ("pdf", pdf(&format!("BT /F1 12 Tf 72 700 Td (aws_access_key_id = {KEY}) Tj ET"), true, ""), "pdf", None),
            ("pdf saved by Chrome (glyph numbers, ToUnicode)", cid_pdf(&format!("BT /F4 12 Tf 72 700 Td {} Tj ET", glyphs(&format!("aws_access_key_id = {KEY}"))), Some(ASCII_GLYPHS), None), "pdf", None),
            ("inside a binary", exe, "binary", None),
        ];
        for (name, bytes, format, entry) in cases {
            let d = decode(&bytes, bytes.len() as u64, &Limits::default());
            assert_eq!(d.format, format, "{name}");
            let hit = d.texts.iter().find(|t| t.text.contains(&format!("aws_access_key_id = {KEY}")));
            assert_eq!(hit.map(|t| t.entry.as_deref()), Some(entry), "{name}: {:?}", d.texts);
            assert!(d.unreadable.is_empty() && !d.truncated, "{name}: {:?}", d.unreadable);
        }
    }

    #[test]
    fn input_cut_at_the_limit_is_read_and_marked_truncated() {
        let text = format!("aws_access_key_id = {KEY}\n{}", "padding line\n".repeat(100_000));
        let d = decode(&text.as_bytes()[..4096], text.len() as u64, &Limits::default());
        assert!(d.truncated);
        assert_eq!(d.size, text.len() as u64);
        assert!(d.texts[0].text.contains(KEY));
    }

    #[test]
    fn the_output_serialises_as_the_engine_reads_it() {
        let bytes = zip(&[ZipEntry::deflated(".env", "A=1"), ZipEntry::encrypted("x.env", b"\x01")]);
        let d = decode(&bytes, 10_000, &Limits::default());
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "format": "zip",
                "texts": [{"entry": ".env", "encoding": "utf-8", "text": "A=1"}],
                "unreadable": [{"entry": "x.env", "reason": "encrypted"}],
                "truncated": true,
                "size": 10_000,
            })
        );
    }
}
