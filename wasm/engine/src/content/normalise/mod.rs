//! Views of a text with its disguises undone, for the secret and marker detectors.
//!
//! An employee can keep a credential or a confidential term from matching without changing what
//! it says to a reader or a program: invisible characters inside it, look-alike letters,
//! fullwidth or "fancy" Unicode forms, a literal split by string concatenation or by white
//! space, or the value base64-, hex- or percent-encoded. Each module here undoes one kind and gives a [`View`]: a
//! text the detectors scan as they scan the original, and a map from the view back to the
//! original, so that findings are reported (and redacted) at offsets of the text the employee
//! gave.
//!
//! * [`fold`]: format characters, compatibility forms, confusables.
//! * [`joins`]: string concatenation and line continuations.
//! * [`spacing`]: credentials broken by spaces or wrapped over lines, where the family allows it.
//! * [`decode`]: base64, hex and percent-encoded runs, one level deep.
//!
//! A view exists only when its disguise is present, so an ordinary text costs the passes that
//! look for them and nothing more.

pub mod decode;
mod fold;
mod joins;
pub mod spacing;

use serde::Serialize;

/// The disguise a view undid: what the employee sees named beside a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Disguise {
    /// Invisible characters, look-alike letters or compatibility forms.
    Unicode,
    /// A value split across string literals.
    Concatenated,
    /// A credential broken by spaces or wrapped over lines.
    Spaced,
    Base64,
    Hex,
    /// URL percent-encoding.
    Percent,
}

/// A text to scan in place of part of the original.
pub struct View {
    pub text: String,
    pub disguise: Disguise,
    map: Map,
}

enum Map {
    /// For each byte of the view, its offset in the original (one more entry: the end).
    Offsets(Vec<u32>),
    /// The view is what this span of the original decodes to.
    Span(usize, usize),
}

impl View {
    /// The span of `original` that the view's `start..end` came from.
    pub fn original_span(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        match &self.map {
            Map::Span(s, e) => (*s, *e),
            // `start` and `end` are character boundaries of the view, and the entry of a view
            // boundary is a boundary of the original: the original character the view's next
            // character came from (or the end of the window).
            Map::Offsets(origin) => {
                let (from, to) = (origin[start] as usize, origin[end] as usize);
                debug_assert!(original.is_char_boundary(from) && original.is_char_boundary(to));
                (from, to.max(from))
            }
        }
    }
}

/// Bytes of the original on each side of a disguise that its view holds: as much context as a
/// secret rule's regex reads around its keyword, within the disguise's line.
pub const CONTEXT: usize = 256;

/// The windows of `text` around the disguises at `spans` (ascending byte ranges): from the
/// start of a disguise's first line to the end of its last, cut to [`CONTEXT`] bytes on each
/// side and to character boundaries, overlapping windows merged.
fn windows(text: &str, spans: impl IntoIterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (p, q) in spans {
        let lo = p.saturating_sub(CONTEXT);
        let hi = (q + CONTEXT).min(text.len());
        let mut start = memchr::memrchr(b'\n', &bytes[lo..p]).map_or(lo, |i| lo + i + 1);
        let mut end = memchr::memchr(b'\n', &bytes[q..hi]).map_or(hi, |i| q + i);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Every view of `text` whose disguise is present in it.
pub fn views(text: &str) -> Vec<View> {
    views_at(text, &spacing::anchors(text))
}

/// [`views`], given where in `text` a credential family's prefix may begin a token that white
/// space broke ([`spacing::is_anchor`]): the secret scanner's keyword pass reports them, so the
/// spaced view costs no pass of its own.
pub fn views_at(text: &str, anchors: &[usize]) -> Vec<View> {
    let mut out = Vec::new();
    for (start, end) in windows(text, fold::positions(text)) {
        if let Some(f) = fold::fold(&text[start..end]) {
            let origin = f.origin.into_iter().map(|o| o + start as u32).collect();
            out.push(View { text: f.text, disguise: Disguise::Unicode, map: Map::Offsets(origin) });
        }
    }
    for (start, end) in windows(text, joins::joiners(text)) {
        if let Some(j) = joins::join(&text[start..end]) {
            let origin = j.origin.into_iter().map(|o| o + start as u32).collect();
            out.push(View { text: j.text, disguise: Disguise::Concatenated, map: Map::Offsets(origin) });
        }
    }
    let spacing::Gaps { gaps, spans } = spacing::gaps(text, anchors);
    if !gaps.is_empty() {
        let mut k = 0;
        for (start, end) in windows(text, spans) {
            let first = k;
            while k < gaps.len() && gaps[k].0 < end {
                k += 1;
            }
            let inside: Vec<(usize, usize)> = gaps[first..k].iter().filter(|g| g.0 >= start).map(|&(p, q)| (p - start, q - start)).collect();
            if inside.is_empty() {
                continue;
            }
            let s = spacing::close(&text[start..end], &inside);
            let origin = s.origin.into_iter().map(|o| o + start as u32).collect();
            out.push(View { text: s.text, disguise: Disguise::Spaced, map: Map::Offsets(origin) });
        }
    }
    for d in decode::decoded_runs(text) {
        let disguise = match d.encoding {
            decode::Encoding::Base64 => Disguise::Base64,
            decode::Encoding::Hex => Disguise::Hex,
            decode::Encoding::Percent => Disguise::Percent,
        };
        out.push(View { text: d.text, disguise, map: Map::Span(d.start, d.end) });
    }
    out
}

/// A view made by removing ranges of a text (joiners, white-space gaps), and for each of its
/// bytes its offset in the original; the extra last entry is the original text's length.
pub struct Cut {
    pub text: String,
    pub origin: Vec<u32>,
}

/// `text` without `ranges` (ascending, disjoint, on character boundaries).
pub(crate) fn cut_out(text: &str, ranges: &[(usize, usize)]) -> Cut {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut at = 0;
    for &(start, end) in ranges {
        out.push_str(&text[at..start]);
        origin.extend((at..start).map(|o| o as u32));
        at = end;
    }
    out.push_str(&text[at..]);
    origin.extend((at..text.len()).map(|o| o as u32));
    origin.push(text.len() as u32);
    Cut { text: out, origin }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_in_a_view_maps_back_to_the_disguised_original() {
        let cases = [
            ("unicode", "key AKIA\u{200B}FLHB end", "AKIAFLHB", "AKIA\u{200B}FLHB"),
            ("concatenated", r#"k = "AKIA" + "FLHB";"#, "AKIAFLHB", r#"AKIA" + "FLHB"#),
            ("base64", "k QUtJQUZMSEJNVUFQVFQyWk41WDI= end", "AKIAFLHB", "QUtJQUZMSEJNVUFQVFQyWk41WDI="),
            ("spaced", "t ghp_KpcFfvQx8EeMZk1iJF\n  AZIFFaYhbDZCI1d3BX end", "ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX", "ghp_KpcFfvQx8EeMZk1iJF\n  AZIFFaYhbDZCI1d3BX"),
        ];
        for (name, text, needle, want) in cases {
            let view = views(text).into_iter().find(|v| v.text.contains(needle)).expect(name);
            let at = view.text.find(needle).unwrap();
            let (s, e) = view.original_span(text, at, at + needle.len());
            assert_eq!(&text[s..e], want, "{name}");
        }
    }

    #[test]
    fn an_ordinary_text_has_no_view() {
        for text in ["fn main() { println!(\"hello\"); }", "请审阅这段代码", "see https://example.com/a?b=c"] {
            assert!(views(text).is_empty(), "{text}");
        }
    }
}
