//! The text of a PDF: what its pages show, and the strings of its other objects (title,
//! author, link targets, form values).
//!
//! A bounded reader, not a PDF library: it walks the file's `stream … endstream` objects in
//! order, inflates those with `/FlateDecode`, and reads the text-showing operators of each
//! (`Tj`, `TJ`, `'`, `"`) with their literal `( )` and hex `< >` strings; text positioning
//! (`Td` to a new line, `T*`, `Tm`, `ET`) becomes line breaks, a wide gap in a `TJ` array a
//! space. Images, fonts and cross-reference streams are skipped; object streams are read for
//! their strings. The measured alternative, `lopdf`, is in DESIGN.md.
//!
//! Strings are drawn in the font the content selected (`Tf`): before the streams are walked,
//! the document's objects are read far enough to know each content stream's fonts
//! ([`fonts`]), and a font whose codes are glyph numbers rather than characters (the composite
//! `Identity-H` fonts every "Save as PDF" of a browser writes) is read through its `ToUnicode`
//! map ([`cmap`]).
//!
//! What it does not read, it says: an encrypted document (`/Encrypt`), streams under filters
//! other than Flate (LZW, ASCII85, run-length) that are not images, and text in glyph numbers
//! that no `ToUnicode` map turns into characters: those are [`Reason::FontEncoding`].

use std::borrow::Cow;
use std::rc::Rc;

use crate::inflate::{inflate, End};
use crate::{Budget, Reason, Sink};

mod cmap;
mod fonts;
mod objects;

use fonts::{Document, Font, FontMap};

/// Whether `bytes` are a PDF: its header within the first kilobyte, as readers accept it.
pub fn is_pdf(bytes: &[u8]) -> bool {
    find(&bytes[..bytes.len().min(1024)], b"%PDF-", 0).is_some()
}

/// Image filters: what they hold is pixels, which no text detector reads.
const IMAGE_FILTERS: [&str; 4] = ["DCTDecode", "JPXDecode", "CCITTFaxDecode", "JBIG2Decode"];

/// A TJ adjustment below this (thousandths of the font size) is a gap between words.
const WORD_GAP: f32 = -200.0;

pub(crate) fn read(entry: Option<&str>, bytes: &[u8], budget: &mut Budget, out: &mut Sink) {
    if encrypted(bytes) {
        out.unreadable(entry, Reason::Encrypted);
        return;
    }
    let mut doc = Document::read(entry, bytes, budget, out);
    let mut shown = Shown { any: doc.any.clone(), ..Shown::default() };
    let mut strings = String::new();
    let mut at = 0;
    while let Some(keyword) = stream_keyword(bytes, at) {
        let objects = &bytes[at..keyword];
        object_strings(objects, &mut strings);
        let raw = raw_stream(bytes, at, keyword);
        at = raw.next;
        let decoded = match doc.read.remove(keyword as u32) {
            Some(Some(data)) => Cow::Owned(data),
            // A font's map, or a stream that could not be read (and was reported).
            Some(None) => continue,
            None => match decode_stream(entry, bytes, &raw, budget, out) {
                Some(data) => data,
                None => continue,
            },
        };
        let dict = &raw.dict;
        if name_after(dict, "Type").is_some_and(|t| t == "ObjStm") {
            object_strings(&decoded, &mut strings);
        } else if name_after(dict, "Subtype").is_some_and(|s| s == "XML") {
            strings.push_str(&crate::xml::text_of(&String::from_utf8_lossy(&decoded)));
            strings.push('\n');
        } else {
            shown.fonts = doc.fonts.get(keyword as u32).cloned();
            shown.content(&decoded);
        }
        if budget.inflated >= budget.limits.max_inflated {
            break;
        }
    }
    object_strings(&bytes[at.min(bytes.len())..], &mut strings);
    if shown.glyph_codes {
        out.unreadable(entry, Reason::FontEncoding);
    }
    let mut text = shown.text;
    if !strings.is_empty() {
        text.push('\n');
        text.push_str(&strings);
    }
    out.text(entry, "pdf", text);
}

/// A stream as the file has it: its dictionary's text, where its data is, and where the
/// object after it may start.
struct RawStream {
    dict: String,
    data: usize,
    end: usize,
    next: usize,
}

/// The stream whose `stream` keyword is at `keyword`, its object's header at or after `from`.
fn raw_stream(bytes: &[u8], from: usize, keyword: usize) -> RawStream {
    let objects = &bytes[from.min(keyword)..keyword];
    let dict = latin1(&objects[rfind(objects, b"obj").map_or(0, |i| i + 3)..]);
    let mut data = keyword + 6;
    if bytes.get(data) == Some(&b'\r') {
        data += 1;
    }
    if bytes.get(data) == Some(&b'\n') {
        data += 1;
    }
    let end = stream_end(bytes, data, &dict);
    let next = find(bytes, b"endstream", end).map_or(bytes.len(), |e| e + 9);
    RawStream { dict, data, end, next }
}

/// A stream's data with its filters undone, within the budget; `None` for what holds no text
/// (images, embedded font programs, cross-reference streams) and for filters this reader does
/// not have (reported).
fn decode_stream<'a>(entry: Option<&str>, bytes: &'a [u8], stream: &RawStream, budget: &mut Budget, out: &mut Sink) -> Option<Cow<'a, [u8]>> {
    let dict = &stream.dict;
    let raw = &bytes[stream.data..stream.end.max(stream.data)];
    let filters = filters(dict);
    if name_after(dict, "Subtype").is_some_and(|s| s == "Image")
        || name_after(dict, "Type").is_some_and(|t| t == "XRef")
        || ["/Length1", "/Length2", "/Length3"].iter().any(|k| dict.contains(k))
        || filters.iter().any(|f| IMAGE_FILTERS.contains(&f.as_str()))
    {
        return None;
    }
    match filters.as_slice() {
        [] => Some(raw.into()),
        [flate] if flate == "FlateDecode" || flate == "Fl" => {
            let (cap, over) = budget.inflate_cap(raw.len() as u64);
            let inflated = inflate(raw, true, cap);
            budget.inflated += inflated.bytes.len() as u64;
            match inflated.end {
                End::Complete | End::InputEnded => {}
                End::Capped => out.unreadable(entry, over),
                End::Invalid => out.unreadable(entry, Reason::Corrupt),
            }
            Some(inflated.bytes.into())
        }
        _ => {
            out.unreadable(entry, Reason::UnsupportedCompression);
            None
        }
    }
}

/// Whether the document is encrypted: its trailer (or cross-reference stream) names an
/// `/Encrypt` dictionary.
fn encrypted(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(i) = find(bytes, b"/Encrypt", at) {
        if bytes.get(i + 8).is_some_and(|&b| b.is_ascii_whitespace() || b == b'<' || b.is_ascii_digit()) {
            return true;
        }
        at = i + 8;
    }
    false
}

/// The next `stream` keyword at or after `from` that opens a stream: after a dictionary's
/// `>>`, before an end of line.
fn stream_keyword(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let i = find(bytes, b"stream", from)?;
        from = i + 6;
        let before = bytes[..i].iter().rposition(|b| !b.is_ascii_whitespace());
        let after = bytes.get(i + 6);
        if before.is_some_and(|b| b >= 1 && &bytes[b - 1..=b] == b">>") && matches!(after, Some(b'\r' | b'\n')) {
            return Some(i);
        }
    }
}

/// Where a stream's data ends: at its direct `/Length` when `endstream` follows there,
/// otherwise before the next `endstream` (or the end of the input, for a file cut short).
fn stream_end(bytes: &[u8], data: usize, dict: &str) -> usize {
    let direct = number_after(dict, "Length").filter(|_| !dict_value_is_reference(dict, "Length")).map(|n| data.saturating_add(n));
    if let Some(end) = direct.filter(|&e| e <= bytes.len()) {
        let tail = &bytes[end..bytes.len().min(end + 12)];
        let tail = tail.strip_prefix(b"\r").unwrap_or(tail);
        let tail = tail.strip_prefix(b"\n").unwrap_or(tail);
        if tail.starts_with(b"endstream") {
            return end;
        }
    }
    match find(bytes, b"endstream", data) {
        Some(mut e) => {
            // The end of line before `endstream` is not data.
            if e > data && bytes[e - 1] == b'\n' {
                e -= 1;
            }
            if e > data && bytes[e - 1] == b'\r' {
                e -= 1;
            }
            e
        }
        None => bytes.len(),
    }
}

fn dict_value_is_reference(dict: &str, key: &str) -> bool {
    let Some(at) = key_position(dict, key) else { return false };
    let words: Vec<&str> = dict[at..].split_ascii_whitespace().take(3).collect();
    words.len() == 3 && words[2].starts_with('R')
}

/// Where the value of `/key` starts in a dictionary's text.
fn key_position(dict: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = dict[from..].find(&format!("/{key}"))? + from;
        let end = i + 1 + key.len();
        // `/Length` is not `/Length1`.
        if !dict[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Some(end);
        }
        from = end;
    }
}

fn number_after(dict: &str, key: &str) -> Option<usize> {
    let at = key_position(dict, key)?;
    dict[at..].split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>' || c == '[').find(|w| !w.is_empty())?.parse().ok()
}

fn name_after<'d>(dict: &'d str, key: &str) -> Option<&'d str> {
    let at = key_position(dict, key)?;
    let rest = dict[at..].trim_start().strip_prefix('/')?;
    Some(rest.split(|c: char| c.is_ascii_whitespace() || "/<>[]()".contains(c)).next().unwrap_or(""))
}

/// The stream's filters, in order: `/Filter /FlateDecode` or `/Filter [/A /B]`.
fn filters(dict: &str) -> Vec<String> {
    let Some(at) = key_position(dict, "Filter") else { return Vec::new() };
    let rest = dict[at..].trim_start();
    let list = match rest.strip_prefix('[') {
        Some(inner) => &inner[..inner.find(']').unwrap_or(inner.len())],
        None => rest.split(|c: char| c == '>' || c.is_ascii_whitespace()).find(|w| !w.is_empty()).unwrap_or(""),
    };
    list.split('/').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect()
}

/// Bytes as Latin-1 text (PDF's own text encoding agrees with it for the printable ASCII the
/// dictionaries are written in).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// A PDF string as text: UTF-16BE behind its mark, else one byte a character. `None` when its
/// bytes are mostly control codes: glyph numbers of a two-byte font, not characters.
fn string_text(bytes: &[u8]) -> Option<String> {
    if let Some(units) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units = units.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
        return Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect());
    }
    let controls = bytes.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')).count();
    if controls * 3 > bytes.len() {
        return None;
    }
    Some(latin1(bytes))
}

/// Strings found in object syntax (dictionaries, arrays) outside page content, one a line,
/// keeping those that read as text (document ids and other binary strings do not).
fn object_strings(bytes: &[u8], out: &mut String) {
    let mut lexer = Lexer { bytes, at: 0 };
    while let Some(token) = lexer.next() {
        if let Token::Str(s) = token {
            if let Some(text) = string_text(&s).filter(|t| !t.trim().is_empty()) {
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
}

/// The text a content stream shows.
#[derive(Default)]
struct Shown {
    text: String,
    /// Some string was in glyph numbers, not characters.
    glyph_codes: bool,
    /// The last text matrix's vertical position (a new one is a new line).
    line_y: Option<f32>,
    /// The fonts of the stream being read, by name, when its page is known; `any` otherwise.
    fonts: Option<Rc<FontMap>>,
    any: Rc<FontMap>,
    /// The font `Tf` selected, and those saved by `q` for `Q` to restore.
    font: Option<Rc<Font>>,
    saved: Vec<Option<Rc<Font>>>,
}

/// Graphics states saved (`q`) and not yet restored, at most: deeper saves are not kept.
const MAX_SAVED: usize = 64;

impl Shown {
    fn show(&mut self, bytes: &[u8]) {
        let read = match &self.font {
            Some(font) => font.show(bytes, &mut self.text),
            // No font known (a content stream no page names, a font missing from its
            // resources): bytes that read as text are taken as text.
            None => string_text(bytes).map(|text| self.text.push_str(&text)).is_some(),
        };
        if !read {
            self.glyph_codes = true;
        }
    }

    fn new_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn content(&mut self, bytes: &[u8]) {
        // Operators take at most six operands; a stream that is not content must not grow
        // them without bound.
        operations(bytes, 16, |op, operands| self.operator(op, operands));
    }

    fn operator(&mut self, op: &[u8], operands: &[Token]) {
        let last_string = || operands.iter().rev().find_map(|t| if let Token::Str(s) = t { Some(s.as_slice()) } else { None });
        let number = |i: usize| match operands.get(i) {
            Some(Token::Number(n)) => Some(*n),
            _ => None,
        };
        match op {
            b"Tj" => {
                if let Some(s) = last_string() {
                    self.show(s)
                }
            }
            b"'" | b"\"" => {
                self.new_line();
                if let Some(s) = last_string() {
                    self.show(s)
                }
            }
            b"TJ" => {
                if let Some(Token::Array(items)) = operands.last() {
                    for item in items {
                        match item {
                            Token::Str(s) => self.show(s),
                            Token::Number(n) if *n < WORD_GAP => self.text.push(' '),
                            _ => {}
                        }
                    }
                }
            }
            b"Tf" => {
                if let Some(Token::Name(name)) = operands.iter().rev().find(|t| matches!(t, Token::Name(_))) {
                    self.font = self.fonts.as_deref().and_then(|f| f.get(name)).or_else(|| self.any.get(name)).cloned();
                }
            }
            b"q" if self.saved.len() < MAX_SAVED => self.saved.push(self.font.clone()),
            b"Q" => {
                if let Some(font) = self.saved.pop() {
                    self.font = font;
                }
            }
            b"T*" | b"ET" => self.new_line(),
            b"Td" | b"TD" if number(1).is_some_and(|ty| ty != 0.0) => self.new_line(),
            b"Tm" => {
                let y = number(5);
                if y.is_some() && y != self.line_y {
                    self.new_line();
                }
                self.line_y = y.or(self.line_y);
            }
            _ => {}
        }
    }
}

/// Calls `f` with each operator of `bytes` (content, or a CMap) and its operands, arrays
/// gathered into one operand each; at most `keep` operands are kept, the last ones.
fn operations(bytes: &[u8], keep: usize, mut f: impl FnMut(&[u8], &[Token])) {
    let mut lexer = Lexer { bytes, at: 0 };
    let mut operands: Vec<Token> = Vec::new();
    // Open arrays' elements; a `TJ` array's strings and gaps.
    let mut arrays: Vec<Vec<Token>> = Vec::new();
    while let Some(token) = lexer.next() {
        match token {
            Token::ArrayStart => arrays.push(Vec::new()),
            Token::ArrayEnd => {
                let items = arrays.pop().unwrap_or_default();
                match arrays.last_mut() {
                    Some(outer) => outer.push(Token::Array(items)),
                    None => operands.push(Token::Array(items)),
                }
            }
            Token::Operator(op) => {
                arrays.clear();
                f(&op, &operands);
                if op == b"BI" {
                    lexer.skip_inline_image();
                }
                operands.clear();
            }
            other => match arrays.last_mut() {
                Some(array) => array.push(other),
                None => {
                    if operands.len() >= keep {
                        operands.remove(0);
                    }
                    operands.push(other)
                }
            },
        }
    }
}

/// A token of PDF syntax, as much as text extraction and finding fonts need.
enum Token {
    Str(Vec<u8>),
    Number(f32),
    Name(Vec<u8>),
    Array(Vec<Token>),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    Operator(Vec<u8>),
    /// Anything else no reader here needs.
    Other,
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b)
}

impl Lexer<'_> {
    // One copy for its five callers: inlined into each, it costs the module kilobytes.
    #[inline(never)]
    fn next(&mut self) -> Option<Token> {
        let b = self.bytes;
        loop {
            let c = *b.get(self.at)?;
            match c {
                c if c.is_ascii_whitespace() || c == 0 => self.at += 1,
                b'%' => {
                    while self.at < b.len() && !matches!(b[self.at], b'\r' | b'\n') {
                        self.at += 1;
                    }
                }
                b'(' => return Some(Token::Str(self.literal())),
                b'<' if b.get(self.at + 1) == Some(&b'<') => {
                    self.at += 2;
                    return Some(Token::DictStart);
                }
                b'<' => return Some(Token::Str(self.hex())),
                b'>' if b.get(self.at + 1) == Some(&b'>') => {
                    self.at += 2;
                    return Some(Token::DictEnd);
                }
                b'>' => {
                    self.at += 1;
                    return Some(Token::Other);
                }
                b'[' => {
                    self.at += 1;
                    return Some(Token::ArrayStart);
                }
                b']' => {
                    self.at += 1;
                    return Some(Token::ArrayEnd);
                }
                b'/' => {
                    self.at += 1;
                    let start = self.at;
                    while self.at < b.len() && !is_delimiter(b[self.at]) {
                        self.at += 1;
                    }
                    return Some(Token::Name(b[start..self.at].to_vec()));
                }
                b'{' | b'}' | b')' => {
                    self.at += 1;
                    return Some(Token::Other);
                }
                _ => {
                    let word = self.word();
                    let first = word.first().copied().unwrap_or(b'?');
                    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
                        return Some(std::str::from_utf8(word).ok().and_then(|w| w.parse().ok()).map_or(Token::Other, Token::Number));
                    }
                    return Some(Token::Operator(word.to_vec()));
                }
            }
        }
    }

    fn word(&mut self) -> &[u8] {
        let start = self.at;
        while self.at < self.bytes.len() && !is_delimiter(self.bytes[self.at]) {
            self.at += 1;
        }
        if self.at == start {
            self.at += 1; // never stall on a stray byte
        }
        &self.bytes[start..self.at.min(self.bytes.len())]
    }

    /// A `( … )` string, balanced parentheses and escapes decoded.
    fn literal(&mut self) -> Vec<u8> {
        let b = self.bytes;
        let mut out = Vec::new();
        let mut depth = 0usize;
        self.at += 1;
        while let Some(&c) = b.get(self.at) {
            self.at += 1;
            match c {
                b'\\' => {
                    let Some(&e) = b.get(self.at) else { break };
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match b.get(self.at) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        // A backslash before an end of line continues the string.
                        b'\r' => {
                            if b.get(self.at) == Some(&b'\n') {
                                self.at += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// A `< … >` string of hex digits (whitespace ignored, an odd last digit padded with 0).
    fn hex(&mut self) -> Vec<u8> {
        let b = self.bytes;
        self.at += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(&c) = b.get(self.at) {
            self.at += 1;
            let v = match c {
                b'>' => break,
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    /// After `BI`: the image's dictionary, `ID`, its binary data, `EI`.
    fn skip_inline_image(&mut self) {
        let b = self.bytes;
        let Some(id) = find(b, b"ID", self.at) else {
            self.at = b.len();
            return;
        };
        let mut at = id + 3;
        while let Some(ei) = find(b, b"EI", at) {
            let before = ei > 0 && b[ei - 1].is_ascii_whitespace();
            let after = b.get(ei + 2).is_none_or(|c| c.is_ascii_whitespace());
            if before && after {
                self.at = ei + 2;
                return;
            }
            at = ei + 2;
        }
        self.at = b.len();
    }
}

fn find(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let hay = bytes.get(from..)?;
    memfind(hay, needle).map(|i| from + i)
}

fn rfind(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).rposition(|w| w == needle)
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut at = 0;
    while let Some(i) = hay.get(at..)?.iter().position(|&b| b == first) {
        let i = at + i;
        if hay.get(i..i + needle.len()) == Some(needle) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::testdata::{cid_pdf, glyphs, pdf, ASCII_GLYPHS};
    use crate::{decode, Limits, Reason};

    fn read(bytes: &[u8]) -> (String, Vec<Reason>) {
        let d = decode(bytes, bytes.len() as u64, &Limits::default());
        assert_eq!(d.format, "pdf");
        (d.texts.iter().map(|t| t.text.as_str()).collect(), d.unreadable.iter().map(|u| u.reason).collect())
    }

    #[test]
    fn text_showing_operators_are_read_from_deflated_and_plain_streams() {
        let cases = [
            ("Tj", "BT /F1 12 Tf 72 700 Td (aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2) Tj ET", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2"),
            ("TJ with kerning and a word gap", "BT [(aws_access_key_id)-120( =)-600(AKIA)12(FLHBMUAPTT2ZN5X2)] TJ ET", "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2"),
            ("hex strings", "BT <616B6961> Tj <464C48> Tj ET", "akiaFLH"),
            ("escapes and nested parentheses", r"BT (a\(b\) \050c\051 (d) \\ e\
f) Tj ET", r"a(b) (c) (d) \ ef"),
            ("quote operators start lines", "BT (one) Tj (two) ' 1 2 (three) \" ET", "one\ntwo\nthree"),
            ("Td to a new line, T*, Tm", "BT (a) Tj 0 -14 Td (b) Tj 10 0 Td (c) Tj T* (d) Tj 1 0 0 1 72 600 Tm (e) Tj 1 0 0 1 72 580 Tm (f) Tj ET", "a\nbc\nd\ne\nf"),
            ("utf-16 string", "BT <FEFF00480069> Tj ET", "Hi"),
            ("inline image skipped", "BT (before) Tj ET BI /W 2 /H 2 ID \x00(Tj)\x01 EI BT (after) Tj ET", "before\nafter"),
        ];
        for (name, content, expected) in cases {
            for deflate in [false, true] {
                let (text, problems) = read(&pdf(content, deflate, ""));
                assert!(text.starts_with(expected), "{name} (deflate {deflate}): {text:?}");
                assert!(problems.is_empty(), "{name}: {problems:?}");
            }
        }
    }

    #[test]
    fn document_strings_outside_pages_are_read() {
        let (text, _) = read(&pdf("BT (page) Tj ET", true, ""));
        assert!(text.contains("Quarterly plan") && text.contains("Alice"), "{text:?}");
    }

    #[test]
    fn what_a_pdf_hides_is_reported() {
        let (text, problems) = read(&pdf("BT (secret) Tj ET", true, "/Encrypt 9 0 R "));
        assert_eq!((text.as_str(), problems.as_slice()), ("", &[Reason::Encrypted][..]));
        let (_, problems) = read(&pdf("BT <00250036> Tj ET", false, ""));
        assert_eq!(problems, [Reason::FontEncoding]);
        let lzw = String::from_utf8_lossy(&pdf("x", false, "")).replace("<< /Length 1 >>", "<< /Filter /LZWDecode /Length 1 >>");
        let (_, problems) = read(lzw.as_bytes());
        assert_eq!(problems, [Reason::UnsupportedCompression]);
    }

    /// Text drawn in glyph numbers is read through its font's `ToUnicode` map: each case is a
    /// page drawing with `/F4` (a `Type0` font with `Identity-H` unless the case gives other
    /// font entries), the body of its map (none: no map), the content, and what must be read.
    #[test]
    fn glyph_codes_are_read_through_the_fonts_tounicode_map() {
        let ascii = Some(ASCII_GLYPHS);
        let key = "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2";
        type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, String, &'a str, Vec<Reason>);
        let cases: Vec<Case> = vec![
            ("bfrange, as Chrome writes it", ascii, None, format!("BT /F4 12 Tf 72 700 Td {} Tj ET", glyphs(key)), key, vec![]),
            ("TJ with kerning between glyphs", ascii, None, format!("BT /F4 12 Tf [{} -20 {}] TJ ET", glyphs("aws_access_key_id = AKIA"), glyphs("FLHBMUAPTT2ZN5X2")), key, vec![]),
            ("bfchar", Some("1 begincodespacerange <0000> <FFFF> endcodespacerange\n3 beginbfchar\n<0024> <0041>\n<0025> <0042>\n<0003> <0020>\nendbfchar"), None, "BT /F4 9 Tf <002400030025> Tj ET".into(), "A B", vec![]),
            ("bfrange array form and a ligature", Some("1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange\n<0010> <0012> [<0078> <00660069> <0079>]\nendbfrange"), None, "BT /F4 9 Tf <001000110012> Tj ET".into(), "xfiy", vec![]),
            ("surrogate pairs, also incremented in a range", Some("1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfchar <0001> <D83DDE00> endbfchar\n1 beginbfrange <0002> <0003> <D83DDE03> endbfrange"), None, "BT /F4 9 Tf <000100020003> Tj ET".into(), "\u{1F600}\u{1F603}\u{1F604}", vec![]),
            ("one-byte and two-byte codes in one codespace", Some("2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange\n2 beginbfchar <41> <0061> <8141> <3042> endbfchar"), Some("/Subtype /Type0 /BaseFont /Mixed /Encoding /Custom-H /DescendantFonts [7 0 R]"), "BT /F4 9 Tf <41814141> Tj ET".into(), "a\u{3042}a", vec![]),
            ("a simple font's own codes", Some("1 begincodespacerange <00> <FF> endcodespacerange\n2 beginbfchar <01> <0048> <02> <0069> endbfchar"), Some("/Subtype /TrueType /BaseFont /AAAAAA+Custom"), "BT /F4 9 Tf <0102> Tj (!) Tj ET".into(), "Hi!", vec![]),
            ("font selected under q … Q", ascii, None, format!("q BT /F4 9 Tf {} Tj ET Q", glyphs("inside")), "inside", vec![]),
            ("no ToUnicode map: reported", None, None, format!("BT /F4 12 Tf {} Tj ET", glyphs(key)), "", vec![Reason::FontEncoding]),
            ("a glyph the map leaves out: reported", Some("1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfchar <0024> <0041> endbfchar"), None, "BT /F4 9 Tf <00240025> Tj ET".into(), "A", vec![Reason::FontEncoding]),
        ];
        for (name, cmap, font, content, expected, problems) in cases {
            let (text, found) = read(&cid_pdf(&content, cmap, font));
            assert!(text.starts_with(expected), "{name}: {text:?}");
            assert_eq!(found, problems, "{name}");
        }
    }

    #[test]
    fn fonts_are_found_through_indirect_and_inherited_resources_page_by_page() {
        use crate::testdata::{pdf_of, to_unicode, PdfObject::*};
        // Two pages name different fonts /F1: the first inherits its resources from the page
        // tree (a reference to a dictionary whose /Font is a reference too), the second has
        // its own. Each page's text must go through its own /F1.
        let shift = "1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange <0001> <001A> <0061> endbfrange";
        let upper = "1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange <0001> <001A> <0041> endbfrange";
        let bytes = pdf_of(&[
            Dict("<< /Type /Catalog /Pages 2 0 R >>".into()),
            Dict("<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /Resources 5 0 R >>".into()),
            Dict("<< /Type /Page /Parent 2 0 R /Contents [7 0 R] >>".into()),
            Dict("<< /Type /Page /Parent 2 0 R /Contents 8 0 R /Resources << /Font << /F1 10 0 R >> >> >>".into()),
            Dict("<< /Font 6 0 R >>".into()),
            Dict("<< /F1 9 0 R >>".into()),
            Stream(String::new(), b"BT /F1 9 Tf <000100020003> Tj ET".to_vec(), true),
            Stream(String::new(), b"BT /F1 9 Tf <000100020003> Tj ET".to_vec(), false),
            Dict("<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /ToUnicode 11 0 R >>".into()),
            Dict("<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /ToUnicode 12 0 R >>".into()),
            Stream(String::new(), to_unicode(shift).into_bytes(), true),
            Stream(String::new(), to_unicode(upper).into_bytes(), false),
        ]);
        let (text, problems) = read(&bytes);
        assert!(text.starts_with("abc\nABC"), "{text:?}");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn fonts_packed_in_an_object_stream_are_found() {
        use crate::testdata::{glyphs, pdf_of, to_unicode, PdfObject::*, ASCII_GLYPHS};
        // Objects 3 (the page) and 5 (its font) live in object stream 7, as PDF 1.5 writers
        // pack them.
        let page = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F4 5 0 R >> >> >>";
        let font = "<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /ToUnicode 6 0 R >>";
        let header = format!("3 0 5 {} ", page.len() + 1);
        let packed = format!("{header}{page}\n{font}");
        let bytes = pdf_of(&[
            Dict("<< /Type /Catalog /Pages 2 0 R >>".into()),
            Dict("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
            Dict("null".into()),
            Stream(String::new(), format!("BT /F4 9 Tf {} Tj ET", glyphs("packed AKIAFLHBMUAPTT2ZN5X2")).into_bytes(), true),
            Dict("null".into()),
            Stream(String::new(), to_unicode(ASCII_GLYPHS).into_bytes(), true),
            Stream(format!("/Type /ObjStm /N 2 /First {}", header.len()), packed.into_bytes(), true),
        ]);
        let (text, problems) = read(&bytes);
        assert!(text.starts_with("packed AKIAFLHBMUAPTT2ZN5X2"), "{text:?}");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_pdf_cut_inside_a_stream_gives_the_text_before_the_cut() {
        let content: String = (0..300).map(|i| format!("BT (line {i} aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2) Tj ET\n")).collect();
        let bytes = pdf(&content, true, "");
        let cut = &bytes[..bytes.len() / 2];
        let d = decode(cut, bytes.len() as u64, &Limits::default());
        assert!(d.truncated);
        assert!(d.texts[0].text.contains("line 0 aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2"));
    }
}
