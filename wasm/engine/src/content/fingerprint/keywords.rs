//! The keyword set: the union over every supported language family, matched ASCII
//! case-insensitively.
//!
//! A pasted snippet carries no file name, so the tokenizer cannot pick one language's keywords.
//! It keeps every word that is reserved (or is a builtin nobody renames) in any of the families,
//! and maps everything else to the identifier placeholder. A word that is a keyword in one
//! language and an ordinary name in another (`type`, `match`, `set`) is a keyword everywhere:
//! that costs nothing as long as build and scan agree, and only matters when someone renames a
//! variable called `type`, which changes one token.
//!
//! Case-insensitive because SQL is (`SELECT` = `select`); in the other languages a name that
//! differs from a keyword only in case is rare (`Self`, `None`, `NULL` are meant to fold).
//!
//! `true`, `false`, `null`, `nil`, `None`, `undefined`, `nullptr` are in the table but are
//! literals: changing a literal must not change the token stream.
//!
//! The lookup table is built at compile time: an identifier costs one multiply on its length and
//! end bytes, one table probe, and a byte comparison only when the probe finds a candidate.

/// Every keyword, lowercase. The index is the keyword's token id (offset by `KEYWORD_BASE`):
/// any change to this list changes fingerprints and needs `NORMALISATION` bumped.
///
/// Words that are reserved somewhere but are everyday variable names elsewhere (`end`, `next`,
/// `event`, `base`, `params`, `out`, `object`, `number`, `val`, `cap`, `region`…) are left out:
/// renaming a variable must not turn a keyword into an identifier.
pub(crate) const KEYWORDS: &[&str] = &[
    // C, C++ and the preprocessor
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "bool", "class", "namespace", "template", "typename", "public", "private",
    "protected", "virtual", "override", "final", "new", "delete", "this", "operator", "throw", "try",
    "catch", "using", "friend", "explicit", "mutable", "constexpr", "noexcept", "decltype",
    "static_cast", "dynamic_cast", "reinterpret_cast", "const_cast", "include", "define", "ifdef",
    "ifndef", "endif", "elif", "undef", "pragma", "malloc", "free", "printf",
    // C#
    "abstract", "as", "byte", "delegate", "foreach", "implicit", "in", "interface", "internal", "is",
    "readonly", "ref", "sbyte", "sealed", "stackalloc", "string", "uint", "ulong", "ushort",
    "unchecked", "unsafe", "var", "yield", "async", "await", "get", "set", "nullable",
    // Go
    "chan", "defer", "fallthrough", "func", "go", "import", "map", "package", "range", "select", "type",
    "iota", "make", "len", "append", "panic", "recover", "rune", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
    // Java and Kotlin
    "boolean", "extends", "implements", "instanceof", "native", "super", "synchronized", "throws",
    "transient", "assert", "finally", "fun", "when", "companion", "lateinit", "init",
    // JavaScript and TypeScript
    "function", "let", "typeof", "export", "from", "of", "debugger", "with", "declare", "keyof",
    "module", "any", "unknown", "never", "require",
    // PHP
    "echo", "elseif", "endforeach", "endwhile", "isset", "unset", "and", "or", "xor", "global",
    "trait", "insteadof", "fn", "match", "require_once", "include_once",
    // Python
    "def", "del", "except", "lambda", "nonlocal", "not", "pass", "raise", "self", "print",
    // Ruby
    "elsif", "ensure", "redo", "rescue", "then", "unless", "until", "puts",
    // Rust
    "crate", "dyn", "impl", "loop", "mod", "move", "mut", "pub", "use", "where", "std",
    "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize", "f32", "f64", "str",
    "some", "ok",
    // Swift
    "associatedtype", "deinit", "extension", "fileprivate", "guard", "inout", "precedencegroup",
    "protocol", "repeat", "rethrows", "subscript", "typealias",
    // Shell
    "fi", "esac", "done", "local", "shift", "exit",
    // SQL words that are also everyday names (`order`, `limit`, `values`, `table`): keywords
    // only when written in capitals, as SQL mostly is. From `FIRST_UPPERCASE_ONLY`.
    "insert", "into", "values", "update", "create", "table", "drop", "alter", "join", "inner",
    "outer", "on", "group", "order", "having", "limit", "offset", "all", "distinct", "exists",
    "between", "like", "commit", "rollback", "primary", "foreign", "references", "constraint",
    "unique", "returning", "begin", "end",
    // Values: found through the same table, but mapped to the literal placeholder (changing
    // `true` to `false` is changing a literal). Keep them last, from `FIRST_LITERAL_WORD`.
    "true", "false", "null", "nil", "none", "undefined", "nullptr",
];

/// Index of the first keyword that counts only in capitals.
pub(crate) const FIRST_UPPERCASE_ONLY: u32 = index_of("insert");
/// Index of the first keyword that is really a literal value.
pub(crate) const FIRST_LITERAL_WORD: u32 = index_of("true");

const fn index_of(word: &str) -> u32 {
    let mut i = 0;
    while i < KEYWORDS.len() {
        if eq(KEYWORDS[i].as_bytes(), word.as_bytes()) {
            return i as u32;
        }
        i += 1;
    }
    panic!("not a keyword")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Token id offset of keyword 0 (identifier, literal and punctuation ids are all below).
pub(crate) const KEYWORD_BASE: u32 = 256;

/// Longest keyword, in bytes: longer identifiers skip the lookup.
pub(crate) const MAX_LEN: usize = 16;

/// 4,096 slots of two bytes for under 300 keywords: most identifiers land on an empty slot at
/// once. With 1,024 slots the probes past occupied ones cost 1.8 ms of a 10 MB tokenisation
/// (31.5–32.1 against 29.5–29.8 ms).
const TABLE_BITS: u32 = 12;
const TABLE_SIZE: usize = 1 << TABLE_BITS;
const EMPTY: u16 = u16::MAX;

/// The slot of a word of length 2..=MAX_LEN: length, first two and last two bytes, folded to
/// lowercase with `| 0x20` (which leaves digits alone and maps `_` to a fixed value). No loop
/// over the word, so most identifiers cost one multiply here.
#[inline(always)]
const fn slot(w: &[u8]) -> usize {
    let n = w.len();
    let x = (n as u32)
        | ((w[0] | 0x20) as u32) << 8
        | ((w[1] | 0x20) as u32) << 16
        | ((w[n - 1] | 0x20) as u32) << 24;
    let x = x ^ (((w[n - 2] | 0x20) as u32) << 4);
    (x.wrapping_mul(0x9E37_79B1) >> (32 - TABLE_BITS)) as usize
}

/// Open addressing, linear probing, built by the compiler.
const TABLE: [u16; TABLE_SIZE] = {
    let mut t = [EMPTY; TABLE_SIZE];
    let mut k = 0;
    while k < KEYWORDS.len() {
        let w = KEYWORDS[k].as_bytes();
        assert!(w.len() <= MAX_LEN, "keyword longer than MAX_LEN");
        let mut s = slot(w);
        while t[s] != EMPTY {
            s = (s + 1) & (TABLE_SIZE - 1);
        }
        t[s] = k as u16;
        k += 1;
    }
    t
};

/// The keyword index of `word` (ASCII, any case, 2..=MAX_LEN bytes), or `None` for an ordinary
/// identifier.
#[inline]
pub(crate) fn lookup(word: &[u8]) -> Option<u32> {
    let mut s = slot(word);
    loop {
        let k = TABLE[s];
        if k == EMPTY {
            return None;
        }
        let kw = KEYWORDS[k as usize].as_bytes();
        if kw.len() == word.len() && kw.iter().zip(word).all(|(a, b)| *a == b.to_ascii_lowercase()) {
            return Some(k as u32);
        }
        s = (s + 1) & (TABLE_SIZE - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_unique_lowercase_and_found() {
        let mut seen = std::collections::HashSet::new();
        for (i, k) in KEYWORDS.iter().enumerate() {
            assert!(seen.insert(*k), "duplicate keyword {k}");
            assert_eq!(k.to_ascii_lowercase(), *k);
            let upper = k.to_ascii_uppercase();
            assert_eq!(lookup(upper.as_bytes()), Some(i as u32), "{k}");
        }
        assert!(KEYWORDS.len() < TABLE_SIZE / 2, "keep the table at most half full");
        for w in ["foo", "user_id", "xy", "selector", "returns", "__", "$$"] {
            assert_eq!(lookup(w.as_bytes()), None, "{w}");
        }
    }
}
