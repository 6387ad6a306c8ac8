//! A font's `ToUnicode` CMap: the characters each of its codes stands for.
//!
//! Read from the map's `begincodespacerange` (how many bytes a code has: one to four, by the
//! ranges its first bytes fall in), `beginbfchar` (one code, one destination) and
//! `beginbfrange` sections (a run of codes onto a run of characters, the destination's last
//! unit counting up, or onto an array of destinations). Destinations are UTF-16BE, so
//! characters outside the Basic Multilingual Plane come as surrogate pairs, and a ligature's
//! glyph as several characters. Ranges are kept as ranges, never spread out, so a map
//! claiming every code of four bytes costs no more than its text.

use super::objects::Table;
use super::{operations, Token};

pub(super) struct CMap {
    /// Each codespace range's first and last code, bytes of equal length.
    codespace: Vec<(Vec<u8>, Vec<u8>)>,
    chars: Table<String>,
    /// Runs of codes, by their first code.
    ranges: Table<Range>,
}

struct Range {
    last: u32,
    /// The UTF-16BE destination of `first`; each next code is one more.
    start: Vec<u8>,
}

/// A code of at most four bytes as a number (keys do not keep the length: producers write
/// `<41>` or `<0041>` for the same one-byte code).
fn code(bytes: &[u8]) -> Option<u32> {
    (1..=4).contains(&bytes.len()).then(|| bytes.iter().fold(0, |c, &b| c << 8 | u32::from(b)))
}

fn utf16(bytes: &[u8]) -> String {
    let units = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

impl CMap {
    pub fn parse(bytes: &[u8]) -> CMap {
        let mut map = CMap { codespace: Vec::new(), chars: Table::default(), ranges: Table::default() };
        let (mut chars, mut ranges) = (Vec::new(), Vec::new());
        // A section's entries are the operands of its closing operator.
        operations(bytes, usize::MAX, |op, operands| match op {
            b"endcodespacerange" => {
                for pair in operands.chunks_exact(2) {
                    if let [Token::Str(first), Token::Str(last)] = pair {
                        if first.len() == last.len() && (1..=4).contains(&first.len()) {
                            map.codespace.push((first.clone(), last.clone()));
                        }
                    }
                }
            }
            b"endbfchar" => {
                for pair in operands.chunks_exact(2) {
                    if let [Token::Str(from), Token::Str(to)] = pair {
                        if let Some(c) = code(from) {
                            chars.push((c, utf16(to)));
                        }
                    }
                }
            }
            b"endbfrange" => {
                for triple in operands.chunks_exact(3) {
                    let [Token::Str(first), Token::Str(last), to] = triple else { continue };
                    let (Some(first), Some(last)) = (code(first), code(last)) else { continue };
                    if last < first {
                        continue;
                    }
                    match to {
                        Token::Str(start) => ranges.push((first, Range { last, start: start.clone() })),
                        // An array gives each code of the range its own destination; it is as
                        // long as the file made it, so spreading it out costs nothing more.
                        Token::Array(items) => {
                            for (c, item) in (first..=last).zip(items) {
                                if let Token::Str(to) = item {
                                    chars.push((c, utf16(to)));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        });
        map.chars = Table::from_pairs(chars);
        map.ranges = Table::from_pairs(ranges);
        map
    }

    /// How many bytes the code at the start of `bytes` has, by the codespace ranges; `None`
    /// when the map declares none.
    pub fn code_length(&self, bytes: &[u8]) -> Option<usize> {
        let within = |n: usize| {
            self.codespace.iter().any(|(first, last)| first.len() == n && (0..n).all(|k| first[k] <= bytes[k] && bytes[k] <= last[k]))
        };
        // A code outside every range takes the shortest range's length, as readers do.
        (1..=bytes.len().min(4)).find(|&n| within(n)).or_else(|| self.codespace.iter().map(|(first, _)| first.len()).min())
    }

    /// Appends the characters of code `c`; false when the map does not have it.
    pub fn push(&self, c: u32, out: &mut String) -> bool {
        if let Some(text) = self.chars.get(c) {
            out.push_str(text);
            return true;
        }
        // The last range starting at or before `c`; ranges rarely overlap, a few before it are
        // looked at too.
        let ranges = &self.ranges.0;
        let after = ranges.partition_point(|(first, _)| *first <= c);
        let Some((first, range)) = ranges[..after].iter().rev().take(4).find(|(_, r)| c <= r.last) else { return false };
        // The destination counts up as a big-endian number (so the low unit of a surrogate
        // pair counts on from where the range starts).
        let mut to = range.start.clone();
        let mut carry = u64::from(c - first);
        for b in to.iter_mut().rev() {
            if carry == 0 {
                break;
            }
            let sum = u64::from(*b) + (carry & 0xFF);
            *b = sum as u8;
            carry = (carry >> 8) + (sum >> 8);
        }
        out.push_str(&utf16(&to));
        true
    }
}
