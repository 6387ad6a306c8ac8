//! `aiguard scan`: reading input of any size and shape and scanning it soundly.
//!
//! Input is read in blocks of `BLOCK` bytes that overlap by `OVERLAP`, so memory stays bounded
//! for a 200 MB file and a finding that straddles a block border is still seen whole. Invalid
//! UTF-8 is never "fixed" by replacing bytes (that would shift offsets): each block is scanned
//! as its runs of valid UTF-8, with offsets into the original bytes, and the count of invalid
//! bytes is reported.

use std::collections::HashSet;
use std::io::Read;

use aiguard_engine::content::scanner::{Finding, ScanReport};
use aiguard_engine::{Action, Engine};
use serde::Serialize;

const BLOCK: usize = 16 << 20;
const OVERLAP: usize = 256 << 10;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    action: Action,
    findings: Vec<Finding>,
    #[serde(skip_serializing_if = "is_zero")]
    invalid_utf8_bytes: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

pub fn scan_input(engine: &Engine, input: &str) -> Result<Report, String> {
    let mut reader: Box<dyn Read> = if input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(input).map_err(|e| format!("{input}: cannot read: {e}"))?)
    };
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    let mut invalid = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + OVERLAP);
    let mut base = 0u64; // offset of buf[0] in the input
    let mut counted_to = 0u64; // invalid bytes are counted once, outside the overlap
    loop {
        let want = BLOCK + OVERLAP - buf.len();
        let mut chunk = Vec::with_capacity(want);
        let n = (&mut reader).take(want as u64).read_to_end(&mut chunk).map_err(|e| format!("{input}: {e}"))?;
        buf.extend_from_slice(&chunk);
        let last = n < want;
        let mut offset = 0usize;
        for piece in buf.utf8_chunks() {
            let text = piece.valid();
            for f in scan_piece(engine, text) {
                let mut f = f;
                f.start += base as usize + offset;
                f.end += base as usize + offset;
                if seen.insert((f.detector as u8, f.rule.clone(), f.start, f.end)) {
                    findings.push(f);
                }
            }
            offset += text.len();
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
        buf.drain(..drop);
        base += drop as u64;
    }
    findings.sort_by_key(|f| (f.start, f.end));
    let action = Action::most_severe(findings.iter().map(|f| f.action));
    Ok(Report { action, findings, invalid_utf8_bytes: invalid })
}

fn scan_piece(engine: &Engine, text: &str) -> Vec<Finding> {
    if text.is_empty() {
        return Vec::new();
    }
    let ScanReport { findings, .. } = engine.scan(text);
    findings
}
