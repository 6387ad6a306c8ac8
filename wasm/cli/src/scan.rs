//! `aiguard scan`: reading input of any size and shape and scanning it soundly.
//!
//! Input is read in blocks of `BLOCK` bytes that overlap by `OVERLAP`, so memory stays bounded
//! for a 200 MB file and a finding that straddles a block border is still seen whole. Invalid
//! UTF-8 is never "fixed" by replacing bytes (that would shift offsets): each block is scanned
//! as its runs of valid UTF-8, with offsets into the original bytes, and the count of invalid
//! bytes is reported.
//!
//! Input that is not plain UTF-8 text goes through the file decoders, as in the browser: a zip
//! or Office document, a PDF, UTF-16 or UTF-32 text is read into its texts (up to
//! `MAX_DECODED_INPUT`), and each finding names the container `entry` it is in, with offsets
//! into that entry's text; what cannot be read is a finding of the `unscannable` detector. Other
//! binaries keep the exact-offset scan of their UTF-8 runs.

use std::collections::HashSet;
use std::io::Read;

use aiguard_engine::content::scanner::{Finding, ScanReport};
use aiguard_engine::content::submission::{looks_like_text, DecodedFile, DecodedText, Part, PartContent, PartKind, UnreadableEntry};
use aiguard_engine::{Action, Engine};
use aiguard_files::{Decoded, Limits};
use serde::Serialize;

const BLOCK: usize = 16 << 20;
const OVERLAP: usize = 256 << 10;
/// Leading bytes that tell plain text from what needs the decoders.
const SNIFF: usize = 8192;
/// Input read for the decoders; past it the input is reported truncated (as a browser reports
/// a file past `maxFileBytes`).
const MAX_DECODED_INPUT: u64 = 256 << 20;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    action: Action,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "is_zero")]
    invalid_utf8_bytes: u64,
    /// What the decoders read the input as (`zip`, `pdf`, `text` in UTF-16…), when they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'static str>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

pub fn scan_input(engine: &Engine, input: &str) -> Result<Report, String> {
    let reader: Box<dyn Read> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(input).map_err(|e| format!("{input}: cannot read: {e}"))?)
    };
    scan_reader(engine, input, reader)
}

/// [`scan_input`] of what `reader` gives; `input` names it in messages.
pub fn scan_reader(engine: &Engine, input: &str, mut reader: impl Read) -> Result<Report, String> {
    let mut head = Vec::with_capacity(SNIFF);
    (&mut reader).take(SNIFF as u64).read_to_end(&mut head).map_err(|e| format!("{input}: {e}"))?;
    if looks_like_text(&head) {
        return scan_blocks(engine, input, std::io::Cursor::new(head).chain(reader));
    }
    let mut bytes = head;
    (&mut reader).take(MAX_DECODED_INPUT - bytes.len() as u64).read_to_end(&mut bytes).map_err(|e| format!("{input}: {e}"))?;
    let rest = std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| format!("{input}: {e}"))?;
    let decoded = aiguard_files::decode(&bytes, bytes.len() as u64 + rest, &Limits::default());
    let utf8_only = decoded.texts.iter().all(|t| t.encoding == "utf-8" && t.entry.is_none());
    if rest == 0 && (decoded.format == "binary" || (decoded.format == "text" && utf8_only)) {
        // Nothing the decoders add: UTF-8 runs scanned where they stand, offsets exact.
        return scan_blocks(engine, input, std::io::Cursor::new(bytes));
    }
    Ok(decoded_report(engine, input, decoded))
}

/// The engine's verdict on what the decoders read, as the browser asks for it.
fn decoded_report(engine: &Engine, input: &str, decoded: Decoded) -> Report {
    let format = decoded.format;
    let file = DecodedFile {
        texts: decoded.texts.into_iter().map(|t| DecodedText { entry: t.entry, text: t.text }).collect(),
        unreadable: decoded.unreadable.into_iter().map(|u| UnreadableEntry { entry: u.entry, reason: u.reason.as_str().to_string() }).collect(),
        truncated: decoded.truncated,
        size: decoded.size,
    };
    let verdict = engine.check_submission(&[Part { kind: PartKind::File, name: Some(input), content: PartContent::Decoded(&file) }]);
    Report { action: verdict.action, findings: verdict.findings.into_iter().map(|f| f.finding).collect(), invalid_utf8_bytes: 0, decoded: Some(format) }
}

/// Text of any size in overlapping blocks, invalid UTF-8 skipped with offsets kept.
fn scan_blocks(engine: &Engine, input: &str, mut reader: impl Read) -> Result<Report, String> {
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    let mut invalid = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + OVERLAP);
    let mut base = 0u64; // offset of buf[0] in the input
    let mut base_line = 0usize; // newlines of the input before buf[0]
    let mut counted_to = 0u64; // invalid bytes are counted once, outside the overlap
    loop {
        let want = BLOCK + OVERLAP - buf.len();
        let mut chunk = Vec::with_capacity(want);
        let n = (&mut reader).take(want as u64).read_to_end(&mut chunk).map_err(|e| format!("{input}: {e}"))?;
        buf.extend_from_slice(&chunk);
        let last = n < want;
        let mut offset = 0usize;
        let mut piece_line = base_line; // newlines of the input before this piece
        for piece in buf.utf8_chunks() {
            let text = piece.valid();
            for f in scan_piece(engine, text) {
                let mut f = f;
                f.start += base as usize + offset;
                f.end += base as usize + offset;
                if let Some(lines) = &mut f.lines {
                    lines.first += piece_line;
                    lines.last += piece_line;
                }
                if seen.insert((f.detector as u8, f.rule.clone(), f.start, f.end)) {
                    findings.push(f);
                }
            }
            offset += text.len();
            piece_line += newlines(text.as_bytes()) + newlines(piece.invalid());
            let bad = piece.invalid().len();
            if base + offset as u64 >= counted_to {
                invalid += bad as u64;
            }
            offset += bad;
        }
        counted_to = base + buf.len() as u64;
        if last {
            break;
        }
        // Keep the overlap for the next block.
        let keep = OVERLAP.min(buf.len());
        let drop = buf.len() - keep;
        base_line += newlines(&buf[..drop]);
        buf.drain(..drop);
        base += drop as u64;
    }
    findings.sort_by_key(|f| (f.start, f.end));
    let action = Action::most_severe(findings.iter().map(|f| f.action));
    Ok(Report { action, findings, invalid_utf8_bytes: invalid, decoded: None })
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn scan_piece(engine: &Engine, text: &str) -> Vec<Finding> {
    if text.is_empty() {
        return Vec::new();
    }
    let ScanReport { findings, .. } = engine.scan(text);
    findings
}
