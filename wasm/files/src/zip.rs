//! Zip containers: `.zip`, `.jar`, Office Open XML (`.docx`, `.xlsx`, `.pptx`), OpenDocument
//! (`.odt`, `.ods`, `.odp`), `.epub`, `.apk`…
//!
//! ```text
//! [local header 1][data 1] … [local header n][data n] [central directory] [end record]
//!  PK 03 04                                             PK 01 02 × n       PK 05 06
//! ```
//!
//! The central directory at the end lists every entry with its sizes and where its local
//! header is; it is read first. A file cut short (read only up to the size limit) has no
//! directory: its local headers are then walked from the front, each deflate stream inflated
//! until it ends, so the entries before the cut are still read. Zip64 sizes and offsets are
//! read from their extra field. Entries are stored (method 0) or deflated (8); any other
//! method, and encrypted entries, are reported with their reason.

use crate::inflate::{inflate, End};
use crate::{decode_into, Budget, Reason, Sink};

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
const END: &[u8; 4] = b"PK\x05\x06";
const END64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
const END64: &[u8; 4] = b"PK\x06\x06";
const DESCRIPTOR: &[u8; 4] = b"PK\x07\x08";
/// The end record is 22 bytes plus a comment of up to 65,535.
const END_SEARCH: usize = 22 + 0xFFFF;

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const METHOD_AES: u16 = 99;

/// Whether `bytes` are a zip: a local header first (the usual case, a cut one included), or an
/// end record that points at a central directory (an empty zip, or one behind a prefix such as
/// a self-extracting stub).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(LOCAL) || bytes.starts_with(END) || directory(bytes).is_some()
}

struct Entry {
    name: String,
    flags: u16,
    method: u16,
    compressed: u64,
    size: u64,
    /// Where its local header is, in `bytes`.
    header: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The central directory's entries, or `None` when there is no readable end record.
fn directory(bytes: &[u8]) -> Option<Vec<Entry>> {
    let from = bytes.len().saturating_sub(END_SEARCH);
    let end = (from..bytes.len().saturating_sub(21)).rev().find(|&i| &bytes[i..i + 4] == END)?;
    let mut count = u64::from(u16_at(bytes, end + 10)?);
    let mut dir_size = u64::from(u32_at(bytes, end + 12)?);
    let mut dir_offset = u64::from(u32_at(bytes, end + 16)?);
    let mut dir_end = end as u64;
    if (count == 0xFFFF || dir_size == 0xFFFF_FFFF || dir_offset == 0xFFFF_FFFF) && end >= 20 && &bytes[end - 20..end - 16] == END64_LOCATOR {
        let record = usize::try_from(u64_at(bytes, end - 12)?).ok()?;
        // Like the 32-bit record, it may sit after a prefix: find it just before its locator.
        let at = (end - 20).checked_sub(56)?;
        if bytes.get(at..at + 4)? != END64 && bytes.get(record..record + 4)? != END64 {
            return None;
        }
        let at = if &bytes[at..at + 4] == END64 { at } else { record };
        count = u64_at(bytes, at + 32)?;
        dir_size = u64_at(bytes, at + 40)?;
        dir_offset = u64_at(bytes, at + 48)?;
        dir_end = at as u64;
    }
    // Offsets count from the archive's start, which a prefix moves: the directory ends where
    // the end record starts.
    let dir_start = dir_end.checked_sub(dir_size)?;
    let shift = dir_start.checked_sub(dir_offset)?;
    let mut entries = Vec::new();
    let mut at = usize::try_from(dir_start).ok()?;
    // Each directory record is at least 46 bytes: a count larger than the directory holds is a
    // lie, and reading stops at the directory's end.
    for _ in 0..count.min(dir_size / 46 + 1) {
        if bytes.get(at..at + 4)? != CENTRAL {
            return None;
        }
        let name_len = usize::from(u16_at(bytes, at + 28)?);
        let extra_len = usize::from(u16_at(bytes, at + 30)?);
        let comment_len = usize::from(u16_at(bytes, at + 32)?);
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        let extra = bytes.get(at + 46 + name_len..at + 46 + name_len + extra_len)?;
        let mut entry = Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            flags: u16_at(bytes, at + 8)?,
            method: u16_at(bytes, at + 10)?,
            compressed: u64::from(u32_at(bytes, at + 20)?),
            size: u64::from(u32_at(bytes, at + 24)?),
            header: u64::from(u32_at(bytes, at + 42)?),
        };
        zip64_sizes(extra, &mut entry);
        entry.header += shift;
        entries.push(entry);
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(entries)
}

/// Replaces the 32-bit fields that say "see zip64" (all ones) with the zip64 extra field's
/// values, which come in this order and only for those fields.
fn zip64_sizes(mut extra: &[u8], entry: &mut Entry) {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0).unwrap_or(0), usize::from(u16_at(extra, 2).unwrap_or(0)));
        let Some(body) = extra.get(4..4 + len) else { return };
        if id == 1 {
            let mut at = 0;
            for field in [&mut entry.size, &mut entry.compressed, &mut entry.header] {
                if *field == 0xFFFF_FFFF {
                    if let Some(v) = u64_at(body, at) {
                        *field = v;
                        at += 8;
                    }
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

/// Reads every entry of the zip in `bytes` (itself the file, or the entry `container`).
pub(crate) fn read(container: Option<&str>, bytes: &[u8], depth: u32, cut: bool, budget: &mut Budget, out: &mut Sink) {
    match directory(bytes) {
        Some(entries) => {
            for e in entries {
                if !entry(container, bytes, &e, depth, budget, out) {
                    return;
                }
            }
        }
        None => walk_local_headers(container, bytes, depth, cut, budget, out),
    }
}

fn path(container: Option<&str>, name: &str) -> String {
    match container {
        Some(c) => format!("{c}/{name}"),
        None => name.to_string(),
    }
}

/// Reads one entry found in the directory; `false` when the budget says to stop reading.
fn entry(container: Option<&str>, bytes: &[u8], e: &Entry, depth: u32, budget: &mut Budget, out: &mut Sink) -> bool {
    if e.name.ends_with('/') {
        return true; // a directory
    }
    let name = path(container, &e.name);
    if !count_entry(container, budget, out) {
        return false;
    }
    let data = usize::try_from(e.header).ok().and_then(|h| {
        if bytes.get(h..h + 4)? != LOCAL {
            return None;
        }
        Some(h + 30 + usize::from(u16_at(bytes, h + 26)?) + usize::from(u16_at(bytes, h + 28)?))
    });
    let Some(data) = data.filter(|&d| d <= bytes.len()) else {
        out.unreadable(Some(&name), Reason::Corrupt);
        return true;
    };
    let end = usize::try_from(e.compressed).ok().and_then(|c| data.checked_add(c)).unwrap_or(usize::MAX);
    let (body, cut) = if end > bytes.len() { (&bytes[data..], true) } else { (&bytes[data..end], false) };
    contents(&name, e.flags, e.method, body, cut, depth, budget, out)
}

/// Counts an entry against the budget; `false` (with the reason reported once) when over.
fn count_entry(container: Option<&str>, budget: &mut Budget, out: &mut Sink) -> bool {
    budget.entries += 1;
    if budget.entries > budget.limits.max_entries {
        out.unreadable(container, Reason::TooManyEntries);
        return false;
    }
    true
}

/// An entry's data into texts. `cut` says the data ends before the entry does. Returns
/// `false` when the total inflate budget is spent, so later entries are not read.
#[allow(clippy::too_many_arguments)]
fn contents(name: &str, flags: u16, method: u16, body: &[u8], cut: bool, depth: u32, budget: &mut Budget, out: &mut Sink) -> bool {
    if flags & FLAG_ENCRYPTED != 0 || method == METHOD_AES {
        out.unreadable(Some(name), Reason::Encrypted);
        return true;
    }
    let (plain, cut) = match method {
        METHOD_STORED => (std::borrow::Cow::Borrowed(body), cut),
        METHOD_DEFLATE => {
            let (cap, over) = budget.inflate_cap(body.len() as u64);
            let inflated = inflate(body, false, cap);
            budget.inflated += inflated.bytes.len() as u64;
            match inflated.end {
                End::Complete => {}
                End::Capped => out.unreadable(Some(name), over),
                End::InputEnded if cut => {}
                End::InputEnded | End::Invalid => out.unreadable(Some(name), Reason::Corrupt),
            }
            (std::borrow::Cow::Owned(inflated.bytes), cut && inflated.end == End::InputEnded)
        }
        _ => {
            out.unreadable(Some(name), Reason::UnsupportedCompression);
            return true;
        }
    };
    if cut {
        out.unreadable(Some(name), Reason::Truncated);
    }
    decode_into(Some(name), &plain, depth + 1, cut, budget, out);
    budget.inflated < budget.limits.max_inflated
}

/// A zip without its directory (cut short, or a broken end): each local header in turn.
fn walk_local_headers(container: Option<&str>, bytes: &[u8], depth: u32, cut: bool, budget: &mut Budget, out: &mut Sink) {
    if !cut {
        // Whole, yet no directory: broken, whatever the local headers still give.
        out.unreadable(container, Reason::Corrupt);
    }
    let mut at = 0;
    while let Some(h) = find(bytes, LOCAL, at) {
        let header = (|| {
            let flags = u16_at(bytes, h + 6)?;
            let method = u16_at(bytes, h + 8)?;
            let compressed = u32_at(bytes, h + 18)?;
            let name_len = usize::from(u16_at(bytes, h + 26)?);
            let extra_len = usize::from(u16_at(bytes, h + 28)?);
            let name = bytes.get(h + 30..h + 30 + name_len)?;
            Some((flags, method, compressed, String::from_utf8_lossy(name).into_owned(), h + 30 + name_len + extra_len))
        })();
        let Some((flags, method, compressed, raw_name, data)) = header else {
            // The header itself is cut: an entry was begun and not read.
            out.unreadable(container, Reason::Truncated);
            return;
        };
        let data = data.min(bytes.len());
        if raw_name.ends_with('/') {
            at = data;
            continue;
        }
        if !count_entry(container, budget, out) {
            return;
        }
        let name = path(container, &raw_name);
        let sized = flags & FLAG_DESCRIPTOR == 0 && compressed != 0xFFFF_FFFF;
        if method == METHOD_DEFLATE && flags & FLAG_ENCRYPTED == 0 {
            // A deflate stream says where it ends, with or without the size in the header.
            let limit = if sized { (data + compressed as usize).min(bytes.len()) } else { bytes.len() };
            let (cap, over) = budget.inflate_cap((limit - data) as u64);
            let inflated = inflate(&bytes[data..limit], false, cap);
            budget.inflated += inflated.bytes.len() as u64;
            let ended = inflated.end == End::InputEnded;
            match inflated.end {
                End::Complete => {}
                End::Capped => out.unreadable(Some(&name), over),
                End::InputEnded => out.unreadable(Some(&name), Reason::Truncated),
                End::Invalid => out.unreadable(Some(&name), Reason::Corrupt),
            }
            decode_into(Some(&name), &inflated.bytes, depth + 1, ended, budget, out);
            if budget.inflated >= budget.limits.max_inflated {
                return;
            }
            at = if sized { limit } else { data + inflated.consumed };
            if !sized && bytes.get(at..at + 4) == Some(DESCRIPTOR) {
                at += 4;
            }
        } else if sized {
            let end = data.saturating_add(compressed as usize);
            let body = &bytes[data..end.min(bytes.len())];
            if !contents(&name, flags, method, body, end > bytes.len(), depth, budget, out) {
                return;
            }
            at = end.min(bytes.len());
        } else {
            // A stored entry of unknown length, or an encrypted one: its end can't be known
            // without the directory.
            let reason = if flags & FLAG_ENCRYPTED != 0 { Reason::Encrypted } else { Reason::Corrupt };
            out.unreadable(Some(&name), reason);
            at = data;
        }
    }
}

fn find(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use crate::testdata::{zip, ZipEntry};
    use crate::{decode, Limits, Reason};

    const ENV: &str = "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\n";

    fn texts(d: &crate::Decoded) -> Vec<(Option<&str>, &str)> {
        d.texts.iter().map(|t| (t.entry.as_deref(), t.text.as_str())).collect()
    }
    fn problems(d: &crate::Decoded) -> Vec<(Option<&str>, Reason)> {
        d.unreadable.iter().map(|u| (u.entry.as_deref(), u.reason)).collect()
    }

    #[test]
    fn stored_and_deflated_entries_are_read_with_their_paths() {
        let bytes = zip(&[ZipEntry::deflated("config/.env", ENV), ZipEntry::stored("notes.txt", "hello there"), ZipEntry::dir("empty/")]);
        let d = decode(&bytes, bytes.len() as u64, &Limits::default());
        assert_eq!(d.format, "zip");
        assert_eq!(texts(&d), [(Some("config/.env"), ENV), (Some("notes.txt"), "hello there")]);
        assert!(d.unreadable.is_empty());
    }

    #[test]
    fn nested_zips_are_read_to_the_depth_limit() {
        let inner = zip(&[ZipEntry::deflated(".env", ENV)]);
        let middle = zip(&[ZipEntry::deflated_bytes("inner.zip", &inner)]);
        let outer = zip(&[ZipEntry::stored_bytes("middle.zip", &middle)]);
        let d = decode(&outer, outer.len() as u64, &Limits::default());
        assert_eq!(texts(&d), [(Some("middle.zip/inner.zip/.env"), ENV)]);
        let shallow = Limits { max_depth: 2, ..Limits::default() };
        let d = decode(&outer, outer.len() as u64, &shallow);
        assert_eq!(problems(&d), [(Some("middle.zip/inner.zip"), Reason::TooDeep)]);
        assert!(d.texts.is_empty());
    }

    #[test]
    fn what_cannot_be_read_is_reported_per_entry() {
        type Case<'a> = (&'a str, Vec<u8>, Vec<(Option<&'a str>, Reason)>);
        let cases: Vec<Case> = vec![
            ("encrypted entry", zip(&[ZipEntry::encrypted("secret.env", b"\x13\x37garbage"), ZipEntry::stored("ok.txt", "fine text")]), vec![(Some("secret.env"), Reason::Encrypted)]),
            ("aes entry", zip(&[ZipEntry { method: 99, ..ZipEntry::stored("aes.env", "x") }]), vec![(Some("aes.env"), Reason::Encrypted)]),
            ("bzip2 entry", zip(&[ZipEntry { method: 12, ..ZipEntry::stored("b.env", "x") }]), vec![(Some("b.env"), Reason::UnsupportedCompression)]),
            ("broken deflate", zip(&[ZipEntry { method: 8, ..ZipEntry::stored_bytes("bad.env", b"\xff\xff\xff\xff") }]), vec![(Some("bad.env"), Reason::Corrupt)]),
        ];
        for (name, bytes, expected) in cases {
            let d = decode(&bytes, bytes.len() as u64, &Limits::default());
            assert_eq!(problems(&d), expected, "{name}");
        }
    }

    #[test]
    fn a_zip_bomb_stops_at_the_budgets() {
        let zeros = vec![0u8; 8 << 20];
        let bomb = zip(&[ZipEntry::deflated_bytes("zeros.bin", &zeros), ZipEntry::deflated("after.env", ENV)]);
        let d = decode(&bomb, bomb.len() as u64, &Limits::default());
        assert_eq!(problems(&d), [(Some("zeros.bin"), Reason::CompressionRatio)]);
        assert_eq!(texts(&d).last(), Some(&(Some("after.env"), ENV)), "the ratio stops one entry, not the rest");

        let total = Limits { max_ratio: u64::MAX, max_inflated: 1 << 20, ..Limits::default() };
        let d = decode(&bomb, bomb.len() as u64, &total);
        assert_eq!(problems(&d), [(Some("zeros.bin"), Reason::InflatedTooLarge)]);
        assert!(d.texts.iter().all(|t| t.entry.as_deref() != Some("after.env")), "nothing is inflated past the total");

        let many: Vec<ZipEntry> = (0..20).map(|i| ZipEntry::stored_owned(format!("f{i}.txt"), "some text here")).collect();
        let d = decode(&zip(&many), 0, &Limits { max_entries: 5, ..Limits::default() });
        assert_eq!(problems(&d), [(None, Reason::TooManyEntries)]);
        assert_eq!(d.texts.len(), 5);
    }

    #[test]
    fn a_zip_cut_at_the_size_limit_is_read_up_to_the_cut() {
        let filler: String = (0..4000).map(|i| format!("line {i} of the filler, nothing secret\n")).collect();
        let bytes = zip(&[ZipEntry::deflated(".env", ENV), ZipEntry::stored_owned("big.txt".into(), &filler), ZipEntry::deflated("late.env", ENV)]);
        let cut = &bytes[..bytes.len() / 2];
        let d = decode(cut, bytes.len() as u64, &Limits::default());
        assert!(d.truncated);
        assert_eq!(d.texts[0], crate::Text { entry: Some(".env".into()), encoding: "utf-8", text: ENV.into() });
        assert_eq!(d.texts[1].entry.as_deref(), Some("big.txt"));
        assert_eq!(problems(&d), [(Some("big.txt"), Reason::Truncated)]);
    }

    #[test]
    fn entries_with_data_descriptors_are_walked_when_the_directory_is_gone() {
        let bytes = zip(&[ZipEntry { descriptor: true, ..ZipEntry::deflated("a.env", ENV) }, ZipEntry { descriptor: true, ..ZipEntry::deflated("b.txt", "second entry text") }]);
        let dir = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        let d = decode(&bytes[..dir], bytes.len() as u64, &Limits::default());
        assert_eq!(texts(&d), [(Some("a.env"), ENV), (Some("b.txt"), "second entry text")]);
    }

    #[test]
    fn a_prefix_before_the_zip_is_allowed() {
        let mut bytes = b"#!/bin/sh\nexec unzip \"$0\"\n".to_vec();
        bytes.extend(zip(&[ZipEntry::deflated(".env", ENV)]));
        let d = decode(&bytes, bytes.len() as u64, &Limits::default());
        assert_eq!(texts(&d), [(Some(".env"), ENV)]);
    }
}
