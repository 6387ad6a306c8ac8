//! One tokenizer for every language family, because a pasted snippet has no file name.
//!
//! The output is a stream of normalised token ids with the byte range each came from:
//!
//! * whitespace (including U+00A0, U+200B, U+3000 and a BOM, which copying from a web page
//!   brings in) and comments produce nothing;
//! * identifiers become [`IDENT`], reserved words (the union over all families, see
//!   `reserved.rs`) keep their own id;
//! * string, character and number literals, and `true`/`false`/`null`/`nil`/`None`, become
//!   [`LITERAL`]; a triple-quoted docstring is one literal;
//! * every other ASCII character is its own punctuation token: `!=` is `!` `=`, so spacing
//!   around operators never matters;
//! * a Markdown code fence (three or more backticks, and the info string after an opening one)
//!   produces nothing, so code inside a fence tokenises exactly as the file it came from.
//!
//! Comment syntaxes, and what keeps them from eating code in the languages where the same
//! characters mean something else (the same rule applies at build and at scan time, so a
//! misread only has to be consistent, not right):
//!
//! | syntax | comment when | otherwise |
//! |---|---|---|
//! | `//` to end of line | the byte before is not part of a word, path or URL (`http://`, `a//b`) | `/` `/` |
//! | `/* … */` | as for `//` (an unclosed one runs to the end) | `/` `*` (a shell glob like `src/*.c`) |
//! | `… """` or `… '''` with no opener | the text, or a fenced block, starts inside a docstring: within its first 4 KB, a triple quote that follows no code on its line, with a `def`/`class` line after it (before the next triple quote) and none before | the quotes open a literal |
//! | `… */` with no opener | the text, or a fenced block, starts with lines that each begin with `*` and the first `*/` closes them (a paste that begins inside a doc comment) | `*` tokens |
//! | `#` to end of line | at the start of the input or after whitespace | `#` (`$#`, `${#a}`, `obj.#priv`) |
//! | | except `#[…]`/`#![…]` (Rust attributes) and `#include`, `#define`, `#if`, `#region`… at the start of a line | `#` then the directive |
//! | `--` to end of line | followed by whitespace and not after a word (SQL, Lua, HTML `<!--`) | `-` `-` (`i--`, `--flag`) |
//!
//! Every construct is bounded: single-line strings stop at the end of the line, an unclosed `/*`
//! ends the input, and a search for a closing backtick or triple quote that fails is remembered,
//! so no later opener searches again. The whole pass is linear in the input and allocates
//! nothing.
//!
//! Plain stretches of text (no quote, backtick, slash, `#`, minus or non-ASCII byte) are read
//! from bit masks of 64-byte blocks (`block_masks.rs`), a token at a time without looking at
//! each byte; everything else byte by byte. Both paths give the same tokens.

use super::block_masks::{self, BlockMasks, BLOCK};
use super::reserved::{self, RESERVED_BASE};
use crate::content::swar::{bytes_in_range, load8, load8_padded, low_bits, low_bytes, nonzero_bytes, to_ascii_lowercase, HIGH_BITS, ONES};

/// Every identifier that is not a reserved word.
pub(crate) const IDENT: u32 = 1;
/// Every string, character, number and boolean/null literal.
pub(crate) const LITERAL: u32 = 2;
/// Punctuation byte `b` has id `PUNCT_BASE + b`.
const PUNCT_BASE: u32 = 32;

/// Preprocessor-like directives kept after a `#` at the start of a line (C, C#, Swift, Objective-C).
const DIRECTIVES: &[&[u8]] = &[
    b"include", b"define", b"undef", b"if", b"ifdef", b"ifndef", b"elif", b"else", b"endif", b"pragma",
    b"error", b"warning", b"line", b"region", b"endregion", b"import", b"nullable", b"available",
];

// Byte classes.
const SPACE: u8 = 0;
const NEWLINE: u8 = 1;
const WORD: u8 = 2; // A-Z a-z _ $
const DIGIT: u8 = 3;
const PUNCT: u8 = 4;
const DQUOTE: u8 = 5;
const SQUOTE: u8 = 6;
const BACKTICK: u8 = 7;
const SLASH: u8 = 8;
const HASH: u8 = 9;
const MINUS: u8 = 10;
const HIGH: u8 = 11; // a byte of a multi-byte UTF-8 character
const CONTROL: u8 = 12; // other control characters: ignored like whitespace

const CLASS: [u8; 256] = {
    let mut t = [CONTROL; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = PUNCT;
        b += 1;
    }
    let mut b = 0x80;
    while b < 0x100 {
        t[b] = HIGH;
        b += 1;
    }
    let mut b = b'a';
    while b <= b'z' {
        t[b as usize] = WORD;
        t[(b - 32) as usize] = WORD;
        b += 1;
    }
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = DIGIT;
        b += 1;
    }
    t[b'_' as usize] = WORD;
    t[b'$' as usize] = WORD;
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[0x0b] = SPACE;
    t[0x0c] = SPACE;
    t[b'\n' as usize] = NEWLINE;
    t[b'"' as usize] = DQUOTE;
    t[b'\'' as usize] = SQUOTE;
    t[b'`' as usize] = BACKTICK;
    t[b'/' as usize] = SLASH;
    t[b'#' as usize] = HASH;
    t[b'-' as usize] = MINUS;
    t
};

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

#[inline(always)]
fn is_word_byte(b: u8) -> bool {
    matches!(class(b), WORD | DIGIT | HIGH)
}

/// Length of a Unicode space character (or BOM) starting at `i`, 0 if there is none.
#[inline]
fn unicode_space(s: &[u8], i: usize) -> usize {
    match s[i] {
        0xC2 if s.get(i + 1) == Some(&0xA0) => 2, // U+00A0 no-break space
        0xE2 if s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0x80..=0x8B | 0xAF)) => 3,
        0xE3 if s.get(i + 1) == Some(&0x80) && s.get(i + 2) == Some(&0x80) => 3, // U+3000
        0xEF if s.get(i + 1) == Some(&0xBB) && s.get(i + 2) == Some(&0xBF) => 3, // BOM
        _ => 0,
    }
}

/// Whether a `//` or `/*` after byte `prev` can start a comment: not inside a word, a path
/// (`dir/*`), a URL (`https://`) or after an expression operand without a space (`a//b`).
#[inline]
fn slash_comment_after(prev: u8) -> bool {
    !(is_word_byte(prev) || matches!(prev, b'.' | b'~' | b'*' | b'}' | b'"' | b'\'' | b':' | b'-' | b'/'))
}

/// A string prefix glued to a quote: Python `f"…"`/`rb'…'`, Rust `b"…"`, C++ `u8"…"`/`L"…"`,
/// C# `$"…"`. The prefix becomes part of the literal so `f"…"` and `"…"` tokenise alike.
fn is_string_prefix(w: &[u8]) -> bool {
    w.len() <= 3
        && w.iter().all(|b| matches!(b, b'r' | b'R' | b'b' | b'B' | b'f' | b'F' | b'u' | b'U' | b'c' | b'L' | b'8' | b'$'))
}

fn is_directive(w: &[u8]) -> bool {
    DIRECTIVES.contains(&w)
}

/// A hash of the spelling of the identifier `s[start..end]`, eight bytes per multiply (the last
/// chunk zero-padded); never 0 (0 means "not an identifier"). The last partial chunk is one
/// 8-byte load masked to the word where the text goes on that far, nearly always: copying a
/// tail of 1 to 7 bytes into a buffer is a loop or a call, per identifier.
#[inline]
fn name_hash_at(s: &[u8], start: usize, end: usize) -> u32 {
    const M: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (end - start) as u64;
    let mut i = start;
    while i + 8 <= end {
        h = (h ^ load8(s, i)).wrapping_mul(M).rotate_left(29);
        i += 8;
    }
    let tail = load8_padded(s, i) & low_bytes(end - i);
    h = (h ^ tail).wrapping_mul(M);
    ((h >> 32) as u32) | 1
}

/// [`name_hash_at`] of a word of 2..=16 bytes given as two little-endian `u64`s, zero past its
/// end, with a select for each length class instead of the loop's branches.
#[inline(always)]
fn name_hash_of(word: [u64; 2], n: usize) -> u32 {
    const M: u64 = 0x9E37_79B9_7F4A_7C15;
    let one = (n as u64 ^ word[0]).wrapping_mul(M).rotate_left(29);
    let two = (one ^ word[1]).wrapping_mul(M).rotate_left(29);
    let (h, tail) = if n >= 16 { (two, 0) } else if n >= 8 { (one, word[1]) } else { (n as u64, word[0]) };
    (((h ^ tail).wrapping_mul(M) >> 32) as u32) | 1
}

/// Position of the first `needle` at or after `from`, eight bytes at a time (comments and long
/// literals are a good share of source text).
#[inline]
fn find_byte(s: &[u8], from: usize, needle: u8) -> Option<usize> {
    let pattern = ONES.wrapping_mul(needle as u64);
    let mut i = from;
    while i + 8 <= s.len() {
        let x = load8(s, i) ^ pattern;
        // The lowest flagged byte is always a real zero (borrows only run upwards).
        let zero = x.wrapping_sub(ONES) & !x & HIGH_BITS;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i.min(s.len())..].iter().position(|&b| b == needle).map(|p| i + p)
}

/// How many of the eight bytes of `x` (little-endian), from the first, are ASCII word bytes
/// (`A`–`Z`, `a`–`z`, `0`–`9`, `_`, `$`). Identifiers are mostly shorter than eight bytes, so
/// their end is found without a branch per byte, whose exit mispredicts once per word.
#[inline(always)]
fn ascii_word_bytes(x: u64) -> usize {
    let low = x & !HIGH_BITS;
    let letter = bytes_in_range(low | 0x20 * ONES, b'a', b'z');
    let digit = bytes_in_range(low, b'0', b'9');
    let underscore = bytes_in_range(low, b'_', b'_');
    let dollar = bytes_in_range(low, b'$', b'$');
    let word = (letter | digit | underscore | dollar) & !x;
    ((!word & HIGH_BITS).trailing_zeros() / 8) as usize
}

/// How many of the eight bytes of `x`, from the first, are spaces (indentation).
#[inline(always)]
fn space_bytes(x: u64) -> usize {
    (nonzero_bytes(x ^ (b' ' as u64 * ONES)).trailing_zeros() / 8) as usize
}

/// Where a text that starts at `from` inside a comment or a docstring leaves it, or `from`.
fn tail_end(s: &[u8], from: usize, memo: &mut TailMemo) -> usize {
    match comment_tail_end(s, from) {
        end if end > from => end,
        _ => memo.docstring_tail_end(s, from),
    }
}

/// Where a text that starts inside a Python docstring leaves it ([`TailMemo::docstring_tail_end`]),
/// with the searches a lexer made for it before, so that a text of many fences does not search
/// the same kilobytes once per fence. It is asked at the text's start and at a fence's line
/// end, where the line of the first quote after `from` starts after `from`: what follows from
/// that quote, but for the definition lines between `from` and it, is the quote's alone. Test
/// `remembered_docstring_tails_are_the_direct_ones` compares it with a memo asked once.
#[derive(Default)]
struct TailMemo {
    /// Per quote of [`QUOTES`]: `s[lo..hi]` was searched, and held its first occurrence there.
    next: [Option<(usize, usize, Option<usize>)>; 2],
    /// The last quote that was the first after some `from`.
    quote: Option<QuoteFacts>,
}

struct QuoteFacts {
    open: usize,
    /// Whether the quote closes a docstring the text starts in, if no definition line comes
    /// before it.
    closes: bool,
    /// Where the definition lines were looked for (up to `open`), and the start of the last.
    defs_from: usize,
    last_def: Option<usize>,
}

const QUOTES: [&[u8; 3]; 2] = [b"\"\"\"", b"'''"];

impl TailMemo {
    /// Where a text that starts at `from` (its start or a line end) inside a Python docstring
    /// leaves it, or `from`. Read from the start, the docstring's closing quotes would open a
    /// literal that swallows the code after them, and every later docstring would swap with the
    /// code around it. The first triple quote (within [`TAIL_REACH`]) closes a docstring when
    /// nothing on its line before it is code that a string follows (`x = """`, `f("""`,
    /// `return """`, a prefix like `r"""`), and a definition line (`def …` or `class …`) comes
    /// after it, before the next triple quote, with none before it: read the other way, the
    /// definition would be inside a string and the prose before it code.
    fn docstring_tail_end(&mut self, s: &[u8], from: usize) -> usize {
        debug_assert!(from == 0 || from == s.len() || s[from] == b'\n', "asked at a text's start or a line end");
        let mut first = None;
        for (k, quote) in QUOTES.iter().enumerate() {
            let found = match self.next[k] {
                Some((lo, _, Some(p))) if lo <= from && p >= from => Some(p),
                Some((lo, hi, None)) if lo <= from && from + TAIL_REACH <= hi => None,
                _ => {
                    // Twice the reach: the next `from`s within one reach need no search.
                    let hi = s.len().min(from + 2 * TAIL_REACH);
                    let found = memchr::memmem::find(&s[from..hi], &quote[..]).map(|p| from + p);
                    self.next[k] = Some((from, hi, found));
                    found
                }
            };
            if let Some(p) = found.filter(|&p| p + 3 <= from + TAIL_REACH) {
                first = Some(first.map_or(p, |q: usize| q.min(p)));
            }
        }
        let Some(open) = first else { return from };
        let facts = match &mut self.quote {
            Some(f) if f.open == open && f.defs_from <= from => f,
            slot => slot.insert(QuoteFacts::of(s, from, open)),
        };
        let definition_before = facts.last_def.is_some_and(|d| d >= from);
        if facts.closes && !definition_before { open + 3 } else { from }
    }
}

impl QuoteFacts {
    fn of(s: &[u8], from: usize, open: usize) -> QuoteFacts {
        let after = open + 3;
        let line = s[..open].iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
        let region = &s[after..s.len().min(after + 4 * TAIL_REACH)];
        let region = memchr::memmem::find(region, &s[open..after]).map_or(region, |next| &region[..next]);
        let mut last_def = None;
        let mut at = from;
        for piece in s[from..open].split(|&b| b == b'\n') {
            if is_definition(piece) {
                last_def = Some(at);
            }
            at += piece.len() + 1;
        }
        QuoteFacts { open, closes: !follows_code(&s[line..open]) && has_definition(region), defs_from: from, last_def }
    }
}

/// [`TailMemo::docstring_tail_end`] asked once, with nothing remembered.
#[cfg(test)]
fn docstring_tail_end(s: &[u8], from: usize) -> usize {
    TailMemo::default().docstring_tail_end(s, from)
}

/// How far into a text (or a fenced block) a docstring it starts inside may close.
const TAIL_REACH: usize = 4 << 10;

/// Whether the start of a line up to a triple quote is code that a string follows (`x = """`,
/// `f("""`, `return """`, a prefix like `r"""`): then the quote opens a string.
fn follows_code(before_quote: &[u8]) -> bool {
    let before = before_quote.trim_ascii_end();
    before.last().is_some_and(|&b| is_word_byte(b) || b"=(,[{:+%".contains(&b)) || before.ends_with(b"return")
}

/// Whether `text` has a Python definition line.
fn has_definition(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').any(is_definition)
}

/// Whether `line` is a Python definition line: `def`, `async def` or `class`, a name, and a
/// line end of `:`, `(` or `,` (a signature that goes on).
fn is_definition(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    let rest = t.strip_prefix(b"async ").unwrap_or(t);
    let named = |r: &[u8]| r.first().is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_');
    let header = rest.strip_prefix(b"def ").or_else(|| rest.strip_prefix(b"class ")).is_some_and(named);
    header && t.last().is_some_and(|b| b":(,".contains(b))
}

/// Where a text that starts at `from` inside a block comment leaves it, or `from`. A paste often
/// begins in the middle of a doc comment (` * @param …` lines, then ` */`), which the file it
/// came from reads as a comment; read as code, its prose would be tokens the file never had.
/// Only the unambiguous form is taken: every line from `from` to the first `*/` begins with `*`
/// (blank lines aside) and no `/*` comes before it. Bounded by those lines.
fn comment_tail_end(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < s.len() {
        let end = line_end(s, i);
        let line = &s[i..end];
        let Some(first) = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r')) else {
            i = end + 1;
            continue;
        };
        if line[first] != b'*' {
            return from;
        }
        if let Some(close) = line.windows(2).position(|w| w == b"*/") {
            let opened = line[..close].windows(2).any(|w| w == b"/*");
            return if opened { from } else { i + close + 2 };
        }
        i = end + 1;
    }
    from
}

/// Position of the next `\n` at or after `i`, or the end of the input.
#[inline]
fn line_end(s: &[u8], i: usize) -> usize {
    find_byte(s, i, b'\n').unwrap_or(s.len())
}

/// Tokenises `text`, calling `emit(id, name, start, end)` for each token in order; `name` is a
/// hash of an identifier's spelling (for [`IDENT`] tokens) and 0 otherwise.
pub(crate) fn tokenize(text: &str, emit: impl FnMut(u32, u32, usize, usize)) {
    tokenize_until(text, emit, || false)
}

/// [`tokenize`] that stops before the next token once `done()` is true (checked between tokens).
pub(crate) fn tokenize_until(text: &str, mut emit: impl FnMut(u32, u32, usize, usize), done: impl Fn() -> bool) {
    Lexer::new(text, 0).run(text.len(), &mut emit, done)
}

/// A lexer that can stop and go on: the split scan reads a part in stages (its recorded start,
/// then up to the next part, then token by token against that part's record), each with its
/// own `emit`, so the long middle stage costs per token what a whole-text pass does.
pub(crate) struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    /// Only whitespace since the last newline (for `#include` and fences).
    line_start: bool,
    /// A search for a closing backtick, or a closing `"""` / `'''`, ran to the end of the input:
    /// no later opener can close either.
    no_backtick: bool,
    no_triple: [bool; 2],
    /// The searches for where a docstring the text (or a fenced block) starts inside ends.
    tails: TailMemo,
    /// Rust raw strings: from this position a closing `"` + n×`#` is known to be absent.
    raw_fail: [usize; 8],
    /// The masks of aligned blocks `block_index` and `block_index + 1`, for the plain path.
    blocks: [BlockMasks; 2],
    block_index: usize,
    /// Whether the plain path is used (tests and fuzzing compare against the byte-by-byte path).
    plain: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer at byte `from` of `text` (a character boundary), as if a line started there,
    /// with the whole text around it: `prev()` and the searches for closing quotes see the real
    /// bytes on both sides. Where the lexer reading from the start would be inside a comment or
    /// a string at `from`, the tokens differ until the two meet again: see `split.rs` for how
    /// that is found.
    ///
    /// Every token is emitted by the processing that begins at the token's own first byte, and
    /// after it the state is only the position (its end, or one past a skipped apostrophe, both
    /// fixed by the bytes at its start) and `line_start`, which every token clears; the other
    /// fields remember searches that failed, so they save time but never change a result. Two
    /// lexers that emit the same token therefore emit the same tokens from then on.
    pub(crate) fn new(text: &'a str, from: usize) -> Self {
        let s = text.as_bytes();
        let line_start = from == 0 || s[from - 1] == b'\n';
        let mut tails = TailMemo::default();
        Lexer {
            s,
            i: if from == 0 { tail_end(s, 0, &mut tails) } else { from },
            line_start,
            no_backtick: false,
            no_triple: [false; 2],
            tails,
            raw_fail: [usize::MAX; 8],
            blocks: [BlockMasks::default(); 2],
            // No block yet (nor the one before a block): the first window classifies two.
            block_index: usize::MAX / 2,
            plain: true,
        }
    }

    /// [`Lexer::new`] reading every byte one by one, without the plain path: the reference the
    /// plain path's tokens are compared with.
    pub(crate) fn byte_by_byte(text: &'a str, from: usize) -> Self {
        Lexer { plain: false, ..Lexer::new(text, from) }
    }

    /// Whether the whole text has been read.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn prev(&self) -> u8 {
        if self.i == 0 { b'\n' } else { self.s[self.i - 1] }
    }

    /// Emits the tokens that start before byte `limit` (at most the text's length), stopping
    /// early once `done()` is true (checked between tokens). Every token starts where the
    /// loop's turn that emits it starts, and a turn emits at most one, so stopping at the top of
    /// a turn at `limit` stops exactly before the first token at or after it; the next call
    /// goes on from there.
    pub(crate) fn run(&mut self, limit: usize, emit: &mut impl FnMut(u32, u32, usize, usize), done: impl Fn() -> bool) {
        let s = self.s;
        let n = s.len();
        debug_assert!(limit <= n);
        while self.i < limit && !done() {
            if block_masks::AVAILABLE && self.plain {
                // A stretch can end past `limit` (a number that runs on past the window).
                while self.i < limit && self.has_window() && self.plain_stretch(limit, emit, &done) {}
                if self.i >= limit || done() {
                    break;
                }
            }
            let start = self.i;
            let b = s[start];
            match class(b) {
                SPACE | CONTROL => {
                    self.i += 1;
                    while self.i + 8 <= n {
                        let run = space_bytes(load8(s, self.i));
                        self.i += run;
                        if run < 8 {
                            break;
                        }
                    }
                    while self.i < n && s[self.i] == b' ' {
                        self.i += 1;
                    }
                    continue;
                }
                NEWLINE => {
                    self.i += 1;
                    self.line_start = true;
                    continue;
                }
                WORD => self.word(emit),
                DIGIT => {
                    self.number();
                    emit(LITERAL, 0, start, self.i);
                }
                DQUOTE => self.double_quote(emit),
                SQUOTE => self.single_quote(emit),
                BACKTICK => {
                    if self.backtick(emit) {
                        continue; // a fence: like whitespace, and the line start is kept
                    }
                }
                SLASH => {
                    let next = s.get(start + 1).copied();
                    if next == Some(b'/') && slash_comment_after(self.prev()) {
                        self.i = line_end(s, start);
                        continue;
                    }
                    if next == Some(b'*') && slash_comment_after(self.prev()) {
                        // Unclosed: a comment to the end, as a compiler reads it (a fragment cut
                        // inside a comment must not turn the comment's prose into code).
                        self.i = find2(s, start + 2, b'*', b'/').map_or(n, |end| end + 2);
                        continue;
                    }
                    self.punct(emit, b);
                }
                HASH => {
                    if self.hash_is_comment() {
                        self.i = line_end(s, start);
                        continue;
                    }
                    self.punct(emit, b);
                }
                MINUS => {
                    let comment = s.get(start + 1) == Some(&b'-')
                        && s.get(start + 2).is_none_or(|&c| matches!(class(c), SPACE | NEWLINE))
                        && !is_word_byte(self.prev());
                    if comment {
                        self.i = line_end(s, start);
                        continue;
                    }
                    self.punct(emit, b);
                }
                HIGH => {
                    let sp = unicode_space(s, start);
                    if sp > 0 {
                        self.i += sp;
                        continue;
                    }
                    self.word(emit);
                }
                _ => self.punct(emit, b),
            }
            self.line_start = false;
        }
    }

    /// Whether the 64 bytes from `self.i` lie in two whole blocks of the text (the plain path's
    /// window).
    #[inline(always)]
    fn has_window(&self) -> bool {
        (self.i / BLOCK + 2) * BLOCK <= self.s.len()
    }

    /// The tokens that the block masks decide in the 64 bytes from `self.i` (see
    /// `block_masks.rs`): every punctuation byte and word up to the first special byte, except a
    /// word that runs to that byte or to the window's end (a string prefix, a raw string's `r`,
    /// a non-ASCII identifier, or more to read: the byte-by-byte path or the next window reads
    /// it). Numbers are read as the byte-by-byte path reads them, from the masks' word start.
    /// Stops before the first token at or after `limit`, and before a token when `done()`;
    /// `line_start` is left as that path would. True when it stopped at the window's end, past
    /// `self.i`: a window from there goes on.
    ///
    /// The window is cut from the masks of the two aligned blocks it overlaps, kept between
    /// calls, so each block of the text is classified once however often a string or a
    /// comment sends the lexer to the byte-by-byte path and back.
    #[inline(always)]
    fn plain_stretch(&mut self, limit: usize, emit: &mut impl FnMut(u32, u32, usize, usize), done: &impl Fn() -> bool) -> bool {
        let s = self.s;
        let base = self.i;
        let k = base / BLOCK;
        if k != self.block_index {
            self.blocks[0] = if k == self.block_index + 1 { self.blocks[1] } else { block_masks::classify(s, k * BLOCK) };
            self.blocks[1] = block_masks::classify(s, (k + 1) * BLOCK);
            self.block_index = k;
        }
        let d = base % BLOCK;
        // Bits `d..` of the first block, then the second's below them (`<< 1 << 63 - d` is
        // `<< 64 - d`, and nothing for `d = 0`).
        let [a, b] = self.blocks;
        let cut = |x: u64, y: u64| (x >> d) | (y << 1 << (BLOCK - 1 - d));
        let (word, punct, newline, special) = (cut(a.word, b.word), cut(a.punct, b.punct), cut(a.newline, b.newline), cut(a.special, b.special));
        let end = (special.trailing_zeros() as usize).min(limit - base);
        // Nothing but the window's end stops this stretch: the next window goes on.
        let open = end == BLOCK;
        let mut starts = ((word & !(word << 1)) | punct) & low_bits(end);
        // Relative to `base`: the end of the last token emitted here, if any.
        let mut last_end = None;
        let mut stop = end;
        let mut go_on = open;
        while starts != 0 {
            let p = starts.trailing_zeros() as usize;
            if done() {
                (stop, go_on) = (p, false);
                break;
            }
            let at = base + p;
            if word >> p & 1 == 0 {
                emit(PUNCT_BASE + s[at] as u32, 0, at, at + 1);
                starts &= starts - 1;
                last_end = Some(p + 1);
                continue;
            }
            let word_end = p + (!(word >> p)).trailing_zeros() as usize;
            if word_end >= end {
                // A window from the word's start reads it, unless it starts this one.
                (stop, go_on) = (p, open && p > 0);
                break;
            }
            if s[at].is_ascii_digit() {
                let number_end = number_end(s, at);
                emit(LITERAL, 0, at, number_end);
                if number_end - base >= end {
                    // Past the stretch (`1e-3`, a fraction reaching a special byte): go on there.
                    self.i = number_end;
                    self.line_start = false;
                    return true;
                }
                starts &= !low_bits(number_end - base);
                last_end = Some(number_end - base);
                continue;
            }
            self.emit_word(at, base + word_end, true, emit);
            starts &= starts - 1;
            last_end = Some(word_end);
        }
        self.i = base + stop;
        let newline_from = |from: usize| newline & low_bits(stop) & !low_bits(from) != 0;
        match last_end {
            Some(e) => self.line_start = newline_from(e),
            None => self.line_start |= newline_from(0),
        }
        go_on
    }

    #[inline]
    fn punct(&mut self, emit: &mut impl FnMut(u32, u32, usize, usize), b: u8) {
        emit(PUNCT_BASE + b as u32, 0, self.i, self.i + 1);
        self.i += 1;
    }

    /// An identifier or reserved word, or a string prefix glued to its quote.
    fn word(&mut self, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let s = self.s;
        let start = self.i;
        let mut i = start;
        let mut ascii = true;
        while i < s.len() {
            if i + 8 <= s.len() {
                let run = ascii_word_bytes(load8(s, i));
                i += run;
                if run == 8 {
                    continue;
                }
            }
            match class(s[i]) {
                WORD | DIGIT => i += 1,
                HIGH => {
                    if unicode_space(s, i) > 0 {
                        break;
                    }
                    ascii = false;
                    i += 1;
                }
                _ => break,
            }
        }
        self.i = i;
        let w = &s[start..i];
        match s.get(i) {
            Some(b'"' | b'\'') if is_string_prefix(w) => {
                if s[i] == b'"' {
                    self.double_quote_at(start, emit);
                } else {
                    self.quoted(start, b'\'', emit);
                }
                return;
            }
            Some(b'#') if matches!(w, b"r" | b"br" | b"cr") && self.raw_string(start, emit) => return,
            _ => {}
        }
        self.emit_word(start, i, ascii, emit);
    }

    /// The word `start..end` (no string prefix), `ascii` when it has no byte from 0x80: a
    /// reserved word, a literal word (`true`, `null`…) or an identifier.
    #[inline(always)]
    fn emit_word(&self, start: usize, end: usize, ascii: bool, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let s = self.s;
        let n = end - start;
        if !(ascii && (2..=reserved::MAX_LEN).contains(&n)) {
            emit(IDENT, name_hash_at(s, start, end), start, end);
            return;
        }
        // The word's bytes, zero past its end, as the reserved word table and the name hash
        // read them. What the word is (reserved word, literal word or identifier) is chosen by
        // selects: whether a word is reserved follows no pattern a branch could learn.
        let raw = [load8_padded(s, start) & low_bytes(n), load8_padded(s, (start + 8).min(s.len())) & low_bytes(n.saturating_sub(8))];
        let k = reserved::index(&[to_ascii_lowercase(raw[0]), to_ascii_lowercase(raw[1])], n);
        let is_reserved = k != reserved::NOT_RESERVED;
        let literal = is_reserved & (k >= reserved::FIRST_LITERAL_WORD);
        let has_lowercase = (bytes_in_range(raw[0], b'a', b'z') | bytes_in_range(raw[1], b'a', b'z')) != 0;
        let capitals_only = (k >= reserved::FIRST_UPPERCASE_ONLY) & (k < reserved::FIRST_LITERAL_WORD);
        let identifier = !is_reserved | (capitals_only & has_lowercase);
        let name = name_hash_of(raw, n);
        let id = if literal { LITERAL } else if identifier { IDENT } else { RESERVED_BASE + k };
        emit(id, if identifier { name } else { 0 }, start, end);
    }

    /// `123`, `0x1F`, `1_000u32`, `1.5e-3`, `3.14f`: one literal.
    fn number(&mut self) {
        self.i = number_end(self.s, self.i);
    }

    fn double_quote(&mut self, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let start = self.i;
        self.double_quote_at(start, emit);
    }

    /// A `"` string at `self.i`, whose literal starts at `start` (before any prefix).
    fn double_quote_at(&mut self, start: usize, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        if self.s[self.i..].starts_with(b"\"\"\"") {
            self.triple(start, 0, emit);
        } else {
            self.quoted(start, b'"', emit);
        }
    }

    fn single_quote(&mut self, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let s = self.s;
        let start = self.i;
        if s[start..].starts_with(b"'''") {
            return self.triple(start, 1, emit);
        }
        // A Rust lifetime (`&'a`, `<'static>`): an identifier, not the start of a string.
        if matches!(self.prev(), b'&' | b'<') && s.get(start + 1).is_some_and(|&b| class(b) == WORD) {
            let mut i = start + 1;
            while i < s.len() && matches!(class(s[i]), WORD | DIGIT) {
                i += 1;
            }
            if s.get(i) != Some(&b'\'') {
                self.i = i;
                emit(IDENT, name_hash_at(s, start, i), start, i);
                return;
            }
        }
        self.quoted(start, b'\'', emit);
    }

    /// A single-line string or character literal quoted with `q` at `self.i`. A doubled quote
    /// (`'it''s'`, SQL and C# verbatim strings) continues it. An unterminated `"` runs to the end of
    /// the line; an unterminated `'` is an apostrophe (prose, a Rust label) and yields nothing.
    fn quoted(&mut self, start: usize, q: u8, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let s = self.s;
        let mut i = self.i + 1;
        while i < s.len() {
            match memchr::memchr3(q, b'\\', b'\n', &s[i..]) {
                Some(p) => i += p,
                None => {
                    i = s.len();
                    break;
                }
            }
            let b = s[i];
            if b == q {
                if s.get(i + 1) == Some(&q) {
                    i += 2;
                    continue;
                }
                self.i = i + 1;
                emit(LITERAL, 0, start, self.i);
                return;
            }
            match b {
                b'\\' => i += 2,
                b'\n' => break,
                _ => i += 1,
            }
        }
        let end = i.min(s.len());
        if q == b'\'' {
            self.i += 1; // skip the apostrophe alone
            if start < self.i - 1 {
                emit(IDENT, name_hash_at(s, start, self.i - 1), start, self.i - 1); // a word after all
            }
        } else {
            self.i = end;
            emit(LITERAL, 0, start, end);
        }
    }

    /// `"""…"""` or `'''…'''` (Python docstrings, Kotlin, Swift and Java text blocks). Unclosed:
    /// a literal to the end of the line.
    fn triple(&mut self, start: usize, which: usize, emit: &mut impl FnMut(u32, u32, usize, usize)) {
        let s = self.s;
        let q = if which == 0 { b'"' } else { b'\'' };
        let open = self.i + 3;
        let mut end = None;
        if !self.no_triple[which] {
            let mut j = open;
            while let Some(p) = s[j..].iter().position(|&b| b == q || b == b'\\') {
                let k = j + p;
                if s[k] == b'\\' {
                    j = k + 2;
                    if j >= s.len() {
                        break;
                    }
                    continue;
                }
                if s[k..].starts_with(&[q, q, q]) {
                    // A run of more than three closes at its end: `""""` ends a string ending in `"`.
                    let mut e = k + 3;
                    while e < s.len() && s[e] == q {
                        e += 1;
                    }
                    end = Some(e);
                    break;
                }
                j = k + 1;
            }
            if end.is_none() {
                self.no_triple[which] = true;
            }
        }
        self.i = end.unwrap_or_else(|| line_end(s, open));
        emit(LITERAL, 0, start, self.i);
    }

    /// Rust `r#"…"#` (any number of `#`), at the `#` after the prefix. False when it isn't one.
    fn raw_string(&mut self, start: usize, emit: &mut impl FnMut(u32, u32, usize, usize)) -> bool {
        let s = self.s;
        let mut i = self.i;
        let mut hashes = 0;
        while s.get(i) == Some(&b'#') {
            hashes += 1;
            i += 1;
        }
        if s.get(i) != Some(&b'"') || hashes > self.raw_fail.len() {
            return false;
        }
        let body = i + 1;
        if self.raw_fail[hashes - 1] <= body {
            return false;
        }
        let mut j = body;
        while let Some(k) = find_byte(s, j, b'"') {
            if s[k + 1..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes {
                self.i = k + 1 + hashes;
                emit(LITERAL, 0, start, self.i);
                return true;
            }
            j = k + 1;
        }
        // No closer from here for this many hashes, nor for more.
        for f in &mut self.raw_fail[hashes - 1..] {
            *f = (*f).min(body);
        }
        false
    }

    /// Backticks at `self.i`. Returns true for a Markdown fence (three or more), which yields
    /// nothing; otherwise emits a literal (JS template, Go raw string, shell command, inline code).
    fn backtick(&mut self, emit: &mut impl FnMut(u32, u32, usize, usize)) -> bool {
        let s = self.s;
        let start = self.i;
        let mut i = start;
        while s.get(i) == Some(&b'`') {
            i += 1;
        }
        let run = i - start;
        if run >= 3 {
            // An opening fence's info string (```python) is not code either.
            self.i = if self.line_start { tail_end(s, line_end(s, i), &mut self.tails) } else { i };
            return true;
        }
        if run == 2 {
            self.i = i;
            emit(LITERAL, 0, start, i);
            return false;
        }
        if !self.no_backtick {
            match find_byte(s, i, b'`') {
                // A fence is no closer: a backtick left open in a fenced snippet is unclosed,
                // as in the snippet pasted alone, where its code reads as code.
                Some(k) if s[k..].starts_with(b"```") => {}
                Some(k) => {
                    self.i = k + 1;
                    emit(LITERAL, 0, start, self.i);
                    return false;
                }
                None => self.no_backtick = true,
            }
        }
        self.i = i;
        false
    }

    /// Whether the `#` at `self.i` starts a comment (see the module table).
    fn hash_is_comment(&self) -> bool {
        let s = self.s;
        let i = self.i;
        match s.get(i + 1) {
            Some(b'[') => return false,
            Some(b'!') if s.get(i + 2) == Some(&b'[') => return false,
            _ => {}
        }
        if self.line_start {
            let mut j = i + 1;
            while j < s.len() && class(s[j]) == WORD {
                j += 1;
            }
            if j > i + 1 && is_directive(&s[i + 1..j]) {
                return false;
            }
        }
        matches!(class(self.prev()), SPACE | NEWLINE | CONTROL)
    }
}

/// Position of the first `a` immediately followed by `b` at or after `from`.
fn find2(s: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    let mut j = from;
    while let Some(k) = find_byte(s, j, a) {
        if s.get(k + 1) == Some(&b) {
            return Some(k);
        }
        j = k + 1;
    }
    None
}

/// The end of the number starting with the digit at `start` (see `Lexer::number`).
#[inline]
fn number_end(s: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    loop {
        while i < s.len() && matches!(class(s[i]), WORD | DIGIT) {
            i += 1;
        }
        let digit_at = |j: usize| s.get(j).is_some_and(|b| b.is_ascii_digit());
        let fraction = i < s.len() && s[i] == b'.' && digit_at(i + 1);
        let exponent = i < s.len() && matches!(s[i], b'+' | b'-') && matches!(s[i - 1], b'e' | b'E') && digit_at(i + 1);
        if !(fraction || exponent) {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The identifier hash as first written (and as every database was built), chunk by chunk.
    fn name_hash(w: &[u8]) -> u32 {
        let mut h = w.len() as u64;
        let mut chunks = w.chunks_exact(8);
        for c in &mut chunks {
            h = (h ^ u64::from_le_bytes(c.try_into().expect("8 bytes"))).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> 32) as u32) | 1
    }

    #[test]
    fn identifier_hash_reads_only_the_word() {
        for len in 1..=40 {
            let word: String = (0..len).map(|i| (b'a' + (i * 7 % 26) as u8) as char).collect();
            for after in ["", ";", "(x, y)", " and more text after the word"] {
                let text = format!("{word}{after}");
                assert_eq!(name_hash_at(text.as_bytes(), 0, len), name_hash(word.as_bytes()), "{text:?}");
                let text = format!("x = {word}{after}");
                assert_eq!(name_hash_at(text.as_bytes(), 4, 4 + len), name_hash(word.as_bytes()), "{text:?}");
            }
        }
    }

    /// The remembered docstring tails are those of a memo asked once: texts of fences, triple
    /// quotes of both kinds (after code or alone), definition lines, code, prose and blank
    /// lines, asked at the start and at every line end in order, as a lexer asks, on one memo
    /// per text; and a closing quote after prose of every length around the searches' reach.
    #[test]
    fn remembered_docstring_tails_are_the_direct_ones() {
        let mut next = crate::test_rng::below(0xd0c5_7a11);
        let lines = [
            "```", "```python", "\"\"\"", "'''", "    \"\"\"Doc.\"\"\"", "x = \"\"\"", "return '''", "def f(a, b):", "class C:",
            "async def g(", "    return a + b", "prose about it", "", "  ", "* star", "*/",
        ];
        // Closing quotes after prose of every length around the searches' reach and twice it.
        let far: Vec<String> = (0..=6 * TAIL_REACH / 100).map(|n| format!("{}\"\"\"\ndef f(a):\n    \"\"\"", "prose, no code\n".repeat(n * 100 / 15))).collect();
        let mut random = (0..2000).map(|_| {
            let count = 1 + next(40);
            (0..count).map(|_| lines[next(lines.len())]).collect::<Vec<_>>().join("\n")
        });
        let (mut cases, mut closed) = (0, 0);
        for text in far.into_iter().chain(&mut random) {
            let s = text.as_bytes();
            let mut memo = TailMemo::default();
            let asked = std::iter::once(0).chain(s.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i));
            for from in asked {
                let end = memo.docstring_tail_end(s, from);
                let near = &text[from.saturating_sub(80)..text.len().min(from + 80)];
                assert_eq!(end, docstring_tail_end(s, from), "from {from} of a text of {} bytes, around it: {near:?}", text.len());
                cases += 1;
                closed += (end > from) as usize;
            }
        }
        assert!(cases > 100_000 && closed > cases / 20, "{closed} of {cases} closed a docstring");
    }

    /// Words of every length the reserved word table reads, at the end of the text and before
    /// more: identifiers get the first-written hash, reserved words their id (capitalised SQL
    /// words too), on both of the tokenizer's paths.
    #[test]
    fn words_up_to_the_longest_reserved_word_are_hashed_and_looked_up_as_first_written() {
        let mut next = crate::test_rng::below(0x70_4e5);
        let letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$";
        for _ in 0..3000 {
            let len = 2 + next(reserved::MAX_LEN - 1);
            let mut word: String = (0..len).map(|i| letters[next(if i == 0 { 52 } else { letters.len() })] as char).collect();
            if next(3) == 0 {
                let k = reserved::WORDS[next(reserved::WORDS.len())];
                word = if next(2) == 0 { k.to_ascii_uppercase() } else { k.to_string() };
            }
            for text in [word.clone(), format!("{word};"), format!("x = {word} + y; // and more text after the word")] {
                for plain in [true, false] {
                    let got: Vec<(u32, u32)> = crate::content::fingerprint::tokens(&text, plain).into_iter().map(|(id, name, _, _)| (id, name)).collect();
                    let at = if text.starts_with("x = ") { 2 } else { 0 };
                    let want = match reserved::lookup(word.as_bytes()) {
                        Some(k) if k >= reserved::FIRST_LITERAL_WORD => (LITERAL, 0),
                        Some(k) if k >= reserved::FIRST_UPPERCASE_ONLY && word.bytes().any(|b| b.is_ascii_lowercase()) => (IDENT, name_hash(word.as_bytes())),
                        Some(k) => (RESERVED_BASE + k, 0),
                        None => (IDENT, name_hash(word.as_bytes())),
                    };
                    assert_eq!(got[at], want, "{text:?}, plain path {plain}");
                }
            }
        }
    }

    /// The token stream written compactly: `i` identifier, `L` literal, a reserved word as itself,
    /// punctuation as its character, space-separated.
    fn show(text: &str) -> String {
        let mut out = Vec::new();
        tokenize(text, |id, _, start, end| {
            assert!(start < end && end <= text.len(), "bad range {start}..{end}");
            out.push(match id {
                IDENT => "i".to_string(),
                LITERAL => "L".to_string(),
                id if id >= RESERVED_BASE => reserved::WORDS[(id - RESERVED_BASE) as usize].to_string(),
                id => ((id - PUNCT_BASE) as u8 as char).to_string(),
            });
        });
        out.join(" ")
    }

    #[test]
    fn normalisation_table() {
        let cases: &[(&str, &str)] = &[
            // identifiers, reserved words, literals
            ("x = foo(1, \"a\")", "i = i ( L , L )"),
            ("SELECT name FROM users WHERE id = 1", "select i from i where i = L"),
            ("SELECT a FROM t ORDER BY a LIMIT 5", "select i from i order i i limit L"),
            ("order.limit = values[offset]", "i . i = i [ i ]"),
            ("if err != nil { return err }", "if i ! = L { return i }"),
            ("let s = 'it''s'; let t = f\"{x}\"; let r = r#\"a\"b\"#;", "let i = L ; let i = L ; let i = L ;"),
            ("0x1F + 1.5e-3 + 1_000u32 + 3.14f", "L + L + L + L"),
            ("return True or None", "return L or L"),
            ("fn f<'a>(x: &'a str) -> &'static str", "fn i < i > ( i : & i str ) - > & i str"),
            ("'\\n' '\\''", "L L"),
            // comments of every family
            ("a // note\nb", "i i"),
            ("a /* x\n y */ b", "i i"),
            ("a /* never closed\n b c", "i"),
            // a paste that starts inside a doc comment: its tail is a comment, as in the file
            ("     * @param input the text\n     *\n     */\n    f(x);", "i ( i ) ;"),
            ("Fix:\n```java\n * @return it */\nf(x);\n```", "i : i ( i ) ;"),
            ("*p = 1;\n*q = 2; /* x */", "* i = L ; * i = L ;"),
            (" * a\nb();\n */ c", "* i i ( ) ; * / i"),
            (" * a /* b */ c", "* i i"),
            // a paste that starts inside a docstring: its tail is the docstring's, as in the file
            ("    doesn't work here.\n    \"\"\"\n    x = f()\n\n\ndef g():\n    \"\"\"Doc.\"\"\"\n", "i = i ( ) def i ( ) : L"),
            ("Doc.'''\n    return x\n\nclass A:\n    '''More.'''", "return i class i : L"),
            // ... and not when the first triple quote opens a string, or no definition follows
            ("q = \"\"\"\ndef f():\n\"\"\"\nx", "i = L i"),
            ("x = 1\n\"\"\"Doc.\"\"\"\ny = 2", "i = L L i = L"),
            ("    more.\n    \"\"\"\n    return 1\n\"\"\"x\"\"\"", "i . L i L"),
            ("x = 1  # note", "i = L"),
            ("#!/bin/sh\necho hi", "echo i"),
            ("SELECT 1 -- why\nFROM t", "select L from i"),
            ("i--; --j; ls --all", "i - - ; - - i ; i - - i"),
            ("<!-- note -->\n<p>", "< ! < i >"),
            // things that look like comments and are not
            ("#include <stdio.h>\n#define N 10", "# include < i . i > # define i L"),
            ("#[derive(Debug)]\n#![no_std]", "# [ i ( i ) ] # ! [ i ]"),
            ("echo $# ${#a}", "echo i # i { # i }"),
            ("cp src/*.c dst/ && curl http://x/y", "i i / * . i i / & & i i : / / i / i"),
            ("q = a//b", "i = i / / i"),
            // docstrings, templates, fences
            ("def f():\n    \"\"\"Doc\n    more.\"\"\"\n    pass", "def i ( ) : L pass"),
            ("`a ${b}`", "L"),
            ("Fix this:\n```python\nx = 1\n```\nthanks", "i this : i = L i"),
            ("  ```\nx\n  ```", "i"),
            // a backtick left open inside a fence is unclosed, as in the snippet pasted alone
            ("```\n)} to ${f(x)}`,\ny();\n```", ") } i i { i ( i ) } , i ( ) ;"),
            (")} to ${f(x)}`,\ny();", ") } i i { i ( i ) } , i ( ) ;"),
            // prose
            ("Don't worry, it's fine.", "i L i i ."),
            ("don't", "i i"),
            // whitespace from web pages
            ("a\u{a0}=\u{200b}b\u{3000}", "i = i"),
            ("\u{feff}int x;", "int i ;"),
        ];
        let mut failures = Vec::new();
        for (input, want) in cases {
            // Short inputs are read byte by byte; padded, the same text takes the plain path
            // wherever that applies.
            for input in [input.to_string(), format!("{input}{:64}", "")] {
                let got = show(&input);
                if got != *want {
                    failures.push(format!("{input:?}\n   got  {got}\n   want {want}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The plain path gives exactly the tokens (ids, identifier hashes, byte ranges) of the
    /// byte-by-byte path, over texts built from pieces of every construct, from random offsets
    /// (the split scan starts lexers mid-text), stopping at random limits and token counts.
    #[test]
    fn plain_path_agrees_with_the_byte_by_byte_path() {
        let pieces: &[&str] = &[
            "let x = foo(bar, 42);", "\n", "    ", "\t", "\r\n", " ", "if (a<b) { return c_d$; }", "x.y[z] += 1;",
            "\"str\"", "'c'", "don't", "`tpl ${a}`", "```rust\n", "```\n", "// note\n", "/* block */", "/* open",
            "# comment\n", "#include <x.h>\n", "#[derive(Debug)]", "-- sql\n", "i--;", "a//b", "http://x/y",
            "1.5e-3", "0x1F", "3.14f", "1e+5", "12.", "7.x", "f\"{x}\"", "b'a'", "r#\"raw\"#", "r\"", "&'a T",
            "\"\"\"doc\"\"\"", "'''d'''", "SELECT name FROM users WHERE id = 1", "ORDER BY x LIMIT 5", "é", "naïve_x",
            "\u{a0}", "\u{3000}", "\u{feff}", "\u{200b}", "\x00", "\x7f", "~!@%^&*()+=|\\:;<>,.?", "$#", "a.5",
            "true || null", "AbcdefghijklmnopqrstuvwxyzAbcdefghijklmnopqrstuvwxyzAbcdefghijklmnopqrstuvwxyz_0123",
            "                                                                        ", "1234567890123456789012345678901234567890",
        ];
        let mut next = crate::test_rng::below(0x91a1_7e57);
        for round in 0..4000 {
            let mut text = String::new();
            let count = 1 + next(60);
            for _ in 0..count {
                text.push_str(pieces[next(pieces.len())]);
                if next(3) == 0 {
                    text.push(' ');
                }
            }
            let read = |mut lexer: Lexer| super::super::read_to(&mut lexer, text.len());
            let reference = read(Lexer::byte_by_byte(&text, 0));
            assert_eq!(read(Lexer::new(&text, 0)), reference, "round {round}: {text:?}");
            let mut from = next(text.len() + 1);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            assert_eq!(read(Lexer::new(&text, from)), read(Lexer::byte_by_byte(&text, from)), "round {round} from {from}: {text:?}");
            // In stages at every limit, and stopping after a number of tokens, as the split scan does.
            let cut = next(text.len() + 1);
            let mut staged = Vec::new();
            let mut lexer = Lexer::new(&text, 0);
            lexer.run(cut, &mut |id, name, a, b| staged.push((id, name, a, b)), || false);
            assert!(staged.iter().all(|t| t.2 < cut), "a token at or after the limit {cut}: {text:?}");
            let stop_after = staged.len() + next(20);
            let count = std::cell::Cell::new(staged.len());
            lexer.run(text.len(), &mut |id, name, a, b| {
                staged.push((id, name, a, b));
                count.set(count.get() + 1);
            }, || count.get() >= stop_after);
            assert_eq!(count.get(), stop_after.min(reference.len()), "stopped late or early: {text:?}");
            lexer.run(text.len(), &mut |id, name, a, b| staged.push((id, name, a, b)), || false);
            assert_eq!(staged, reference, "staged at {cut}, stop after {stop_after}: {text:?}");
        }
    }

    /// The eight-byte counts agree with a byte-by-byte loop, for every byte value at every
    /// place of a run and over random chunks.
    #[test]
    fn word_and_space_runs_agree_with_a_byte_loop() {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        let check = |bytes: [u8; 8]| {
            let x = u64::from_le_bytes(bytes);
            assert_eq!(ascii_word_bytes(x), bytes.iter().take_while(|&&b| word(b)).count(), "{bytes:?}");
            assert_eq!(space_bytes(x), bytes.iter().take_while(|&&b| b == b' ').count(), "{bytes:?}");
        };
        for b in 0..=255u8 {
            for j in 0..8 {
                let mut word_run = *b"aZ_$09zA";
                word_run[j] = b;
                check(word_run);
                let mut space_run = [b' '; 8];
                space_run[j] = b;
                check(space_run);
            }
        }
        let mut next = crate::test_rng::below(0x5a4d_0008);
        let alphabet = b" \t\nazAZ09_$@[`{/:\x80\xff\x7f\x00";
        for _ in 0..100_000 {
            check(std::array::from_fn(|_| alphabet[next(alphabet.len())]));
        }
    }

    #[test]
    fn find_byte_agrees_with_a_plain_search() {
        let text: Vec<u8> = (0u32..300).map(|i| [b'a', b'\n', 0x80, 0xff, b'*'][(i * 7 % 11 % 5) as usize]).collect();
        for needle in [b'\n', b'*', 0x80, 0xff, b'z'] {
            for from in 0..=text.len() + 2 {
                let plain = text.get(from..).and_then(|t| t.iter().position(|&b| b == needle)).map(|p| from + p);
                assert_eq!(find_byte(&text, from, needle), plain, "needle {needle} from {from}");
            }
        }
    }

    #[test]
    fn layout_does_not_matter() {
        let a = "int main(void) {\n    for (int i = 0; i < n; i++) { s += a[i]; } // sum\n    return s;\n}\n";
        let b = "int main(void)\r\n{\r\n\tfor (int i=0;i<n;i++)\r\n\t{\r\n\t\ts+=a[i];\r\n\t}\r\n\treturn s;\r\n}";
        assert_eq!(show(a), show(b));
    }

    #[test]
    fn unclosed_constructs_stay_linear_and_bounded() {
        // Many openers without closers: each search fails once and is remembered.
        for unit in ["/* ", "\"\"\" ", "''' ", "` ", "r#\" ", "' ", "\" "] {
            let text = unit.repeat(200_000);
            let started = std::time::Instant::now();
            let mut count = 0;
            tokenize(&text, |_, _, _, _| count += 1);
            assert!(started.elapsed().as_secs() < 5, "{unit:?} took {:?}", started.elapsed());
        }
    }
}
