//! The reserved words: every word the tokenizer keeps as itself, the union over every supported
//! language family, matched ASCII case-insensitively.
//!
//! A pasted snippet carries no file name, so the tokenizer cannot pick one language's reserved
//! words. It keeps every word that is reserved (or is a builtin nobody renames) in any of the
//! families, and maps everything else to the identifier placeholder. A word that is reserved in
//! one language and an ordinary name in another (`type`, `match`, `set`) is reserved everywhere:
//! that costs nothing as long as build and scan agree, and only matters when someone renames a
//! variable called `type`, which changes one token.
//!
//! Case-insensitive because SQL is (`SELECT` = `select`); in the other languages a name that
//! differs from a reserved word only in case is rare (`Self`, `None`, `NULL` are meant to fold).
//!
//! `true`, `false`, `null`, `nil`, `None`, `undefined`, `nullptr` are in the table but are
//! literals: changing a literal must not change the token stream.
//!
//! The lookup table is built at compile time: a word costs two case folds of eight bytes, one
//! multiply, one table probe and one compare of sixteen bytes, with no branch.

/// Every reserved word, lowercase. The index is the word's token id (offset by `RESERVED_BASE`):
/// any change to this list changes fingerprints and needs `NORMALISATION` bumped.
///
/// Words that are reserved somewhere but are everyday variable names elsewhere (`end`, `next`,
/// `event`, `base`, `params`, `out`, `object`, `number`, `val`, `cap`, `region`…) are left out:
/// renaming a variable must not turn a reserved word into an identifier.
pub(crate) const WORDS: &[&str] = &[
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
    // SQL words that are also everyday names (`order`, `limit`, `values`, `table`): reserved
    // only when written in capitals, as SQL mostly is. From `FIRST_UPPERCASE_ONLY`.
    "insert", "into", "values", "update", "create", "table", "drop", "alter", "join", "inner",
    "outer", "on", "group", "order", "having", "limit", "offset", "all", "distinct", "exists",
    "between", "like", "commit", "rollback", "primary", "foreign", "references", "constraint",
    "unique", "returning", "begin", "end",
    // Values: found through the same table, but mapped to the literal placeholder (changing
    // `true` to `false` is changing a literal). Keep them last, from `FIRST_LITERAL_WORD`.
    "true", "false", "null", "nil", "none", "undefined", "nullptr",
];

/// The builtin type words: a table of lines that differ only in their types (getters of a
/// `String`, an `int` and a `bool`) is as repetitive as one whose lines differ only in names.
pub(crate) const TYPE_WORDS: &[&str] = &[
    "char", "double", "float", "int", "long", "short", "signed", "unsigned", "void", "bool", "byte", "sbyte",
    "string", "uint", "ulong", "ushort", "rune", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float32", "float64", "boolean", "any", "unknown", "never", "u8", "u16", "u32", "u64", "usize",
    "i8", "i16", "i32", "i64", "isize", "f32", "f64", "str",
];

/// Index of the first reserved word that counts only in capitals.
pub(crate) const FIRST_UPPERCASE_ONLY: u32 = index_of("insert");
/// Index of the first reserved word that is really a literal value.
pub(crate) const FIRST_LITERAL_WORD: u32 = index_of("true");

pub(crate) const fn index_of(word: &str) -> u32 {
    let mut i = 0;
    while i < WORDS.len() {
        if eq(WORDS[i].as_bytes(), word.as_bytes()) {
            return i as u32;
        }
        i += 1;
    }
    panic!("not a reserved word")
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

/// Token id offset of reserved word 0 (identifier, literal and punctuation ids are all below).
pub(crate) const RESERVED_BASE: u32 = 256;

/// Longest reserved word, in bytes: longer identifiers skip the lookup.
pub(crate) const MAX_LEN: usize = 16;

/// 4,096 slots of two bytes for under 300 reserved words, each in a slot of its own (a
/// perfect hash): a word is looked up with one probe and one compare, without a branch. Linear
/// probing and a byte-by-byte compare would branch, at every word, on whether it is reserved,
/// and those branches follow no pattern the processor could predict.
const TABLE_BITS: u32 = 12;
const TABLE_SIZE: usize = 1 << TABLE_BITS;
/// Index of the image that no word equals (a slot without a reserved word points at it).
pub(crate) const NOT_RESERVED: u32 = WORDS.len() as u32;

/// A word of 2..=[`MAX_LEN`] ASCII bytes, lowercase, as two little-endian `u64`s, zero past its
/// end. No byte of a word is 0, so two of these are equal exactly when the words are (the
/// lengths too).
pub(crate) type Folded = [u64; 2];

/// A word's slot: its sixteen bytes and its length mixed by a multiply, the top bits kept.
#[inline(always)]
const fn slot(word: &Folded, n: usize, multiplier: u64) -> usize {
    let key = word[0] ^ word[1].rotate_left(29) ^ n as u64;
    (key.wrapping_mul(multiplier) >> (64 - TABLE_BITS)) as usize
}

/// The reserved word `k` as a [`Folded`] word.
const fn image(k: usize) -> Folded {
    let w = WORDS[k].as_bytes();
    let mut out = [0u64; 2];
    let mut i = 0;
    while i < w.len() {
        out[i / 8] |= (w[i] as u64) << (8 * (i % 8));
        i += 1;
    }
    out
}

/// The reserved words as [`Folded`] words, then an all-zero image at [`NOT_RESERVED`].
static IMAGES: [Folded; WORDS.len() + 1] = {
    let mut t = [[0u64; 2]; WORDS.len() + 1];
    let mut k = 0;
    while k < WORDS.len() {
        assert!(WORDS[k].len() >= 2 && WORDS[k].len() <= MAX_LEN, "reserved word length out of 2..=MAX_LEN");
        t[k] = image(k);
        k += 1;
    }
    t
};

/// The `n`-th odd multiplier tried (a fixed sequence: murmur3's finaliser of `n`).
const fn candidate(n: u64) -> u64 {
    super::hash::mix64(n) | 1
}

/// Whether `multiplier` gives every reserved word a slot of its own.
const fn separates(multiplier: u64) -> bool {
    let mut used = [0u64; TABLE_SIZE / 64];
    let mut k = 0;
    while k < WORDS.len() {
        let s = slot(&image(k), WORDS[k].len(), multiplier);
        if used[s / 64] & (1 << (s % 64)) != 0 {
            return false;
        }
        used[s / 64] |= 1 << (s % 64);
        k += 1;
    }
    true
}

/// Where the search for a multiplier that separates the reserved words starts. For 278 words in
/// 4,096 slots about one multiplier in 12,000 does (the chance that they all land apart), and
/// from 1 on the first is the 34,154th: starting there, building the table costs one check.
/// After a change to the list the search goes on from here when the crate is compiled, and a
/// test says where to start it next time.
const FIRST_CANDIDATE: u64 = 34_154;
/// The first candidate from [`FIRST_CANDIDATE`] on that separates the reserved words.
const MULTIPLIER_INDEX: u64 = {
    let mut n = FIRST_CANDIDATE;
    while !separates(candidate(n)) {
        n += 1;
    }
    n
};
const MULTIPLIER: u64 = candidate(MULTIPLIER_INDEX);

/// Reserved word index per slot, [`NOT_RESERVED`] where none.
static TABLE: [u16; TABLE_SIZE] = {
    let mut t = [NOT_RESERVED as u16; TABLE_SIZE];
    let mut k = 0;
    while k < WORDS.len() {
        t[slot(&image(k), WORDS[k].len(), MULTIPLIER)] = k as u16;
        k += 1;
    }
    t
};

/// The reserved word index of the word `folded` of `n` bytes, or [`NOT_RESERVED`].
#[inline(always)]
pub(crate) fn index(folded: &Folded, n: usize) -> u32 {
    let k = TABLE[slot(folded, n, MULTIPLIER)] as usize;
    let image = &IMAGES[k];
    // Non-short-circuit: a select, not a branch.
    if (image[0] == folded[0]) & (image[1] == folded[1]) { k as u32 } else { NOT_RESERVED }
}

/// The reserved word index of `word` (ASCII, any case, 2..=MAX_LEN bytes), or `None` for an
/// ordinary identifier.
#[cfg(test)]
pub(crate) fn lookup(word: &[u8]) -> Option<u32> {
    let mut folded = [0u64; 2];
    for (i, b) in word.iter().enumerate() {
        folded[i / 8] |= (b.to_ascii_lowercase() as u64) << (8 * (i % 8));
    }
    let k = index(&folded, word.len());
    (k != NOT_RESERVED).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_unique_lowercase_and_found() {
        let mut seen = std::collections::HashSet::new();
        for (i, k) in WORDS.iter().enumerate() {
            assert!(seen.insert(*k), "duplicate reserved word {k}");
            assert_eq!(k.to_ascii_lowercase(), *k);
            let upper = k.to_ascii_uppercase();
            assert_eq!(lookup(upper.as_bytes()), Some(i as u32), "{k}");
        }
        assert!(WORDS.len() < TABLE_SIZE / 2, "keep the table at most half full");
        assert_eq!(TABLE.iter().filter(|&&k| k as u32 != NOT_RESERVED).count(), WORDS.len(), "a slot per reserved word");
        assert_eq!(MULTIPLIER_INDEX, FIRST_CANDIDATE, "the reserved words changed: set FIRST_CANDIDATE to {MULTIPLIER_INDEX}");
        for w in ["foo", "user_id", "xy", "selector", "returns", "__", "$$"] {
            assert_eq!(lookup(w.as_bytes()), None, "{w}");
        }
    }
}
