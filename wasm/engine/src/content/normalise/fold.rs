//! The folded view: a text with invisible characters removed and look-alike letters and digits
//! written as the ASCII ones they imitate.
//!
//! * Format characters (zero-width spaces and joiners, bidi controls, soft hyphens, variation
//!   selectors, tag characters) render as nothing: `AKIA\u{200B}FLHB…` shows as a key and is
//!   one once they are gone.
//! * Compatibility forms that stand for ASCII letters and digits: fullwidth forms (`ＡＫＩＡ`),
//!   mathematical alphanumerics (`𝐀𝐊𝐈𝐀`), circled letters and digits. This is NFKC for the
//!   characters whose compatibility form is an ASCII letter or digit, which are the ones a
//!   credential or a marker term can be written with; full NFKC would bring tables far larger
//!   than this for no character a detector could match.
//! * Confusables: Cyrillic and Greek letters drawn like Latin ones (`АКІА` in Cyrillic), folded
//!   only inside a word that also has ASCII letters or digits, so that Russian or Greek prose is
//!   left as it is and a key with one look-alike letter in it is not.
//!
//! The view exists only when one of these is in the text (an ASCII text never has one).

/// The folded text and, for each of its bytes, the offset of the original character it came
/// from; the extra last entry is the original text's length.
pub struct Folded {
    pub text: String,
    pub origin: Vec<u32>,
}

/// Characters that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0x3164
        | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// The ASCII letter or digit a compatibility form stands for.
fn compatibility_ascii(c: char) -> Option<char> {
    let u = c as u32;
    let ascii = |v: u32| char::from_u32(v);
    match u {
        // Fullwidth ASCII, and the ideographic space.
        0xFF01..=0xFF5E => ascii(u - 0xFF01 + 0x21),
        0x3000 => Some(' '),
        // Circled and parenthesised letters and digits.
        0x24B6..=0x24CF => ascii(u - 0x24B6 + u32::from(b'A')),
        0x24D0..=0x24E9 => ascii(u - 0x24D0 + u32::from(b'a')),
        0x2460..=0x2468 => ascii(u - 0x2460 + u32::from(b'1')),
        0x24EA => Some('0'),
        // Mathematical alphanumerics: thirteen alphabets of 52 letters, then five of 10 digits.
        // The few holes in the block (letters encoded elsewhere, like ℎ) are unassigned, never
        // written, and fold harmlessly.
        0x1D400..=0x1D6A3 => {
            let i = (u - 0x1D400) % 52;
            ascii(if i < 26 { u32::from(b'A') + i } else { u32::from(b'a') + i - 26 })
        }
        0x1D7CE..=0x1D7FF => ascii(u32::from(b'0') + (u - 0x1D7CE) % 10),
        _ => None,
    }
}

/// The Latin letter a Cyrillic or Greek letter is drawn like, for the letters that are drawn
/// the same in common fonts.
fn confusable_ascii(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y', 'х' => 'x',
        'і' => 'i', 'ј' => 'j', 'ѕ' => 's', 'ԁ' => 'd', 'ԛ' => 'q', 'ԝ' => 'w', 'һ' => 'h',
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H', 'О' => 'O',
        'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X', 'Ѕ' => 'S', 'І' => 'I', 'Ј' => 'J',
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K',
        'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X',
        'ο' => 'o', 'ν' => 'v',
        _ => return None,
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || is_invisible(c)
}

/// Where `text` has something to fold: the span of each invisible character, each
/// compatibility form, and each confusable next to an ASCII letter or digit in its word. Only
/// the non-ASCII characters are looked at.
pub fn positions(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = next_non_ascii(bytes, i) {
        let c = text[p..].chars().next().expect("a character starts at a non-ASCII lead byte");
        if is_invisible(c) || compatibility_ascii(c).is_some() || (confusable_ascii(c).is_some() && in_mixed_word(text, p)) {
            out.push((p, p + c.len_utf8()));
        }
        i = p + c.len_utf8();
    }
    out
}

/// The offset of the first byte from `from` on that is not ASCII.
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b >= 0x80).map(|p| i + p)
}

/// Whether the word around the character at `at` has an ASCII letter or digit (looked for up
/// to 64 bytes on each side).
fn in_mixed_word(text: &str, at: usize) -> bool {
    let (mut lo, mut hi) = (at.saturating_sub(64), (at + 64).min(text.len()));
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    let before = text[lo..at].chars().rev();
    let after = text[at..hi].chars();
    let ascii_in = |mut chars: Box<dyn Iterator<Item = char> + '_>| {
        chars.by_ref().take_while(|&c| is_word(c)).any(|c| c.is_ascii_alphanumeric() || compatibility_ascii(c).is_some())
    };
    ascii_in(Box::new(before)) || ascii_in(Box::new(after))
}

/// The folded view of `text`, or `None` when folding would change nothing.
pub fn fold(text: &str) -> Option<Folded> {
    if text.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut changed = false;
    for (i, c) in text.char_indices() {
        if is_invisible(c) {
            changed = true;
            continue;
        }
        let folded = compatibility_ascii(c)
            .or_else(|| confusable_ascii(c).filter(|_| in_mixed_word(text, i)))
            .unwrap_or(c);
        changed |= folded != c;
        let before = out.len();
        out.push(folded);
        origin.extend(std::iter::repeat_n(i as u32, out.len() - before));
    }
    origin.push(text.len() as u32);
    changed.then_some(Folded { text: out, origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_disguise_folds_to_the_ascii_it_imitates() {
        let cases = [
            ("zero-width space inside", "AKIA\u{200B}FLHB", "AKIAFLHB"),
            ("bidi controls and a soft hyphen", "gh\u{202E}p_\u{00AD}x", "ghp_x"),
            ("fullwidth", "ＡＫＩＡ１２", "AKIA12"),
            ("mathematical bold and monospace", "𝐀𝐊𝐈𝐀𝟏 𝚊𝚋", "AKIA1 ab"),
            ("circled", "Ⓐⓑ①", "Ab1"),
            ("a Cyrillic look-alike inside a Latin word", "AKIА9", "AKIA9"),
            ("a Greek look-alike inside a Latin word", "ΑKIA", "AKIA"),
            ("Russian prose is left alone", "Привет, АКІА мир", "Привет, АКІА мир"),
        ];
        for (name, text, want) in cases {
            let got = fold(text).map(|f| f.text).unwrap_or_else(|| text.to_string());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn nothing_to_fold_is_no_view() {
        for text in ["plain ascii", "中文文本", "Привет мир", "naïve café"] {
            assert!(fold(text).is_none(), "{text}");
        }
    }

    #[test]
    fn every_folded_byte_points_into_its_original_character() {
        let text = "x\u{200B}ＡＫ\u{200D}𝐈А-9";
        let f = fold(text).unwrap();
        assert_eq!(f.text, "xAKIA-9");
        assert_eq!(f.origin.len(), f.text.len() + 1);
        for (i, c) in f.text.char_indices() {
            let o = f.origin[i] as usize;
            assert!(text.is_char_boundary(o), "{c} at {i}");
        }
        assert_eq!(*f.origin.last().unwrap() as usize, text.len());
    }
}
