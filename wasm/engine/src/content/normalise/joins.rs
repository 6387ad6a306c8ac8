//! The joined view: string literals that code or a prompt splits a value across, put back
//! together. `"AKIAFLHB" + "MUAPTT2ZN5X2"` (or `.`, `||`, `&`, or nothing between the two, as C
//! and Python join adjacent literals) and a backslash line continuation inside a literal both
//! hide a key from a detector that reads it whole.
//!
//! A joiner is a closing quote, optional white space, at most one concatenation operator,
//! optional white space and an opening quote of the same kind; it is removed along with the
//! continuation `\` and its line end. Nothing else changes, so the view is built only when the
//! text has a joiner.

use super::{cut_out, Cut};

/// The length of the joiner starting at `at` (a quote), or 0.
fn joiner_len(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let mut i = at + 1;
    let skip_space = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    i = skip_space(i);
    if bytes[i..].starts_with(b"||") {
        i += 2;
    } else if i < bytes.len() && matches!(bytes[i], b'+' | b'.' | b'&') {
        i += 1;
    }
    i = skip_space(i);
    // An empty literal or a lone quote is no joiner: `""` and `''` stay as they are. Only a
    // value split inside a token is put back together: a word character on both sides of the
    // joiner, as in `"AKIAFLHB" + "MUAP…"`; `"<div>" + "</div>"` and `"a, " + "b"` are left.
    let token = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=');
    let splits_a_token = at > 0 && token(bytes[at - 1]) && bytes.get(i + 1).is_some_and(|&b| token(b));
    if i < bytes.len() && bytes[i] == quote && i > at + 1 && splits_a_token { i + 1 - at } else { 0 }
}

/// Where `text` has joiners: each one's start and end.
pub fn joiners(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(p) = memchr::memchr3(b'"', b'\'', b'\\', &bytes[from..]).map(|p| from + p) {
        let len = if bytes[p] == b'\\' {
            // A continuation inside a token (a word character just before it and first on the
            // next line), not one between the words of a shell command.
            let len = match bytes.get(p + 1..p + 3) {
                Some(b"\r\n") => 3,
                _ if bytes.get(p + 1) == Some(&b'\n') => 2,
                _ => 0,
            };
            let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
            if len > 0 && p > 0 && word(bytes.get(p - 1)) && word(bytes.get(p + len)) { len } else { 0 }
        } else {
            joiner_len(bytes, p)
        };
        if len > 0 {
            cuts.push((p, p + len));
            from = p + len;
        } else {
            from = p + 1;
        }
    }
    cuts
}

/// The joined view of `text`, or `None` when it has no joiner.
pub fn join(text: &str) -> Option<Cut> {
    let cuts = joiners(text);
    if cuts.is_empty() {
        return None;
    }
    Some(cut_out(text, &cuts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_literals_are_put_back_together() {
        let cases = [
            ("plus", r#"key = "AKIAFLHB" + "MUAPTT2ZN5X2""#, r#"key = "AKIAFLHBMUAPTT2ZN5X2""#),
            ("plus across lines", "k = 'AKIAFLHB' +\n    'MUAPTT2ZN5X2'", "k = 'AKIAFLHBMUAPTT2ZN5X2'"),
            ("adjacent literals", r#"K "AKIAFLHB" "MUAPTT2ZN5X2""#, r#"K "AKIAFLHBMUAPTT2ZN5X2""#),
            ("PHP dot and SQL pipes", r#"'ab' . 'cd' || 'ef'"#, r#"'abcdef'"#),
            ("a line continuation", "\"AKIAFLHB\\\nMUAPTT2ZN5X2\"", "\"AKIAFLHBMUAPTT2ZN5X2\""),
        ];
        for (name, text, want) in cases {
            assert_eq!(join(text).map(|j| j.text).as_deref(), Some(want), "{name}");
        }
    }

    #[test]
    fn text_without_joiners_has_no_view() {
        for text in [r#"print("a", "b")"#, r#"x = "a" + y + "b""#, "it's fine", r#"s = """#] {
            assert!(join(text).is_none(), "{text}");
        }
    }

    #[test]
    fn every_joined_byte_maps_to_the_same_byte_of_the_original() {
        let text = r#"a = "xy" + "zw""#;
        let j = join(text).unwrap();
        for (i, b) in j.text.bytes().enumerate() {
            assert_eq!(text.as_bytes()[j.origin[i] as usize], b);
        }
    }
}
