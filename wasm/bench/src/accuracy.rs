//! Fingerprint accuracy on real code: recall per paste transformation and the false-positive
//! rate on unrelated code of the same languages, and on prose.
//!
//! Corpus: the pinned public packages of `tests/corpora/fingerprint/packages.json`, fetched by
//! `node tests/corpora/fetch.mjs` into `target/corpus` (checksums checked). Packages with role
//! `company` stand for the company's code: their files are walked exactly as
//! `aiguard fingerprint` walks a tree (same walker, same skip rules) and built into a database
//! file, which is then loaded like the extension loads it. Packages with role `unrelated` are
//! other projects in the same languages, by other authors.
//!
//! Per language family, snippets are drawn with a fixed seed: 30-line windows and 12-line
//! fragments of company files (positives, each also transformed the way people edit code before
//! pasting) and 30-line windows of unrelated files (negatives).
//!
//! `--seed N` draws another sample; `--min-matches N` sets the policy's threshold (default: the engine's default);
//! `--corpus PATH` measures on another corpus manifest (the held-out one:
//! `tests/corpora/fingerprint-holdout/packages.json`, fetched the same way);
//! `--common PATH` (repeatable) adds a row to the ablation: the database built with the
//! unrelated packages of that corpus manifest as `aiguard fingerprint --common` input, the
//! way an admin subtracts open-source code of the company's languages;
//! `AIGUARD_ACCURACY_DEBUG=1` prints the first misses and false matches.
//!
//! Then an ablation: the same snippets against databases built, and scanned, with each measure
//! against repetitive code turned off or set otherwise ([`ABLATION`]), to show what each buys.
//!
//! It also writes the sample (the company files' paths, every snippet and this engine's verdict
//! on it) to `target/corpus/accuracy-sample.json`, where `tests/bench/fingerprint-compare.mjs`
//! runs the wasm engine and Dolos on exactly the same snippets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aiguard_cli::walk;
use aiguard_engine::content::fingerprint::{fingerprints, tokens, BuildOptions, FingerprintDb, FingerprintKey, Repetition, DEFAULT_MIN_MATCHES, REPETITION};

/// Positives (30-line windows, and as many 12-line fragments) per language family.
const POSITIVES: usize = 60;
/// Negatives (30-line windows of unrelated code) per language family.
const NEGATIVES: usize = 100;
/// 30-line windows of unrelated code per language family for the per-language false-positive
/// rate, drawn apart (their own random stream, so the sample above is the same with or without
/// them): a hundred windows cannot tell 1% from 2%.
const WIDE_NEGATIVES: usize = 1000;

mod corpus;
use corpus::{packages, packages_of, roots, walk_packages, Package, Source, FAMILIES};

/// The settings the ablation compares, by name: the product's first.
const ABLATION: &[(&str, Repetition)] = &[
    ("repeating k-grams (period <= 32) unmatched: the product", REPETITION),
    ("no repetition filter", Repetition::OFF),
    ("period <= 32, passed over instead of unmatched", Repetition { max_period: 32, separates: false }),
    ("period <= 12", Repetition { max_period: 12, separates: true }),
    ("period <= 48", Repetition { max_period: 48, separates: true }),
];
mod record;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn is_comment_line(t: &str, family: &str) -> bool {
    let slash = t.starts_with("//") || t.starts_with("/*") || t.starts_with("* ") || t == "*" || t.starts_with("*/");
    let hash = t.starts_with('#') && !t.starts_with("#!") && !t.starts_with("#include") && !t.starts_with("#define") && !t.starts_with("#if") && !t.starts_with("#endif") && !t.starts_with("#[");
    match family {
        "python" | "ruby" | "shell" => hash,
        "php" => slash || hash,
        _ => slash,
    }
}

/// An import, include or namespace line: boilerplate that must not count as a match, so a
/// snippet made of them is not a positive.
fn is_import_line(t: &str) -> bool {
    ["import ", "from ", "use ", "package ", "#include", "require ", "require_relative ", "namespace ", "using ", "extern crate "].iter().any(|p| t.starts_with(p))
}

/// A row of a data table: a literal or bracket at the start and a comma at the end
/// (`404: ("not_found",),`, `{"\u2032", "&prime;"},`), or a constant assignment
/// (`ICON_GB="G"`). Tables are data, which the engine deliberately does not treat as code.
fn is_data_line(t: &str) -> bool {
    let code = t.split(" //").next().unwrap_or(t).trim_end();
    let row = code.ends_with(',') || code.ends_with("),") || code.ends_with("},");
    let starts_as_data = t.starts_with(|c: char| c.is_ascii_digit() || "\"'{([".contains(c));
    let constant = t.split_once('=').is_some_and(|(name, value)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !value.contains(['$', '(', ' '])
    });
    (row && starts_as_data) || constant
}

/// `lines` consecutive lines of a random file of `pool`, mostly code: at least half of them
/// carry code punctuation and a word and are not comments, imports or rows of data.
/// For company code (`positive`), also: at least half the lines hold code as the file itself
/// reads (a token that is not a literal: not inside a block comment, a docstring or a template
/// string opened above the window), and the window is not repetitive (see
/// [`repetitive_snippet`]: the product deliberately claims no such run, whoever wrote it).
fn snippet<'a>(pool: &[&'a Source], lines: usize, rng: &mut Rng, positive: bool) -> Option<(&'a Source, String)> {
    let eligible: Vec<&&Source> = pool.iter().filter(|s| s.text.lines().count() >= lines + 10).collect();
    if eligible.is_empty() {
        return None;
    }
    for _ in 0..10_000 {
        let source = eligible[rng.below(eligible.len())];
        let all: Vec<&str> = source.text.lines().collect();
        let start = rng.below(all.len() - lines);
        let window = &all[start..start + lines];
        let code_like = window.iter().filter(|l| {
            let t = l.trim();
            !is_comment_line(t, source.family) && !is_import_line(t) && !is_data_line(t)
                && t.contains(['(', ')', '{', '}', ';', '=', '$', '['])
                && t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w.len() > 2 && w.starts_with(|c: char| c.is_ascii_alphabetic()))
        }).count();
        if code_like * 2 < lines {
            continue;
        }
        if positive && (code_lines(&source.text)[start..start + lines].iter().filter(|&&c| c).count() * 2 < lines || repetitive(window)) {
            continue;
        }
        return Some((source, window.join("\n")));
    }
    None
}

/// Per line of `text`: whether a token that is not a literal starts on it, as the engine reads
/// the whole text.
fn code_lines(text: &str) -> Vec<bool> {
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let mut code = vec![false; starts.len()];
    for (id, _, start, _) in tokens(text, true) {
        if id != LITERAL_ID {
            code[starts.partition_point(|&s| s <= start) - 1] = true;
        }
    }
    code
}

/// The token id of literals (`tokenize.rs`).
const LITERAL_ID: u32 = 2;

/// Whether a third of the window's lines have the shape of the line before.
fn repetitive(window: &[&str]) -> bool {
    let shapes: Vec<String> = window.iter().map(|l| shape(l)).collect();
    shapes.windows(2).filter(|p| p[0] == p[1] && p[1].len() > 3).count() * 3 >= window.len()
}

/// A line's shape: words and numbers as `x`, white space dropped. Near-identical lines (a field
/// assigned from a parameter, one assertion of a table, a `case` arm) have one shape.
fn shape(line: &str) -> String {
    let mut out = String::new();
    let mut in_word = false;
    for c in line.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            if !in_word {
                out.push('x');
            }
            in_word = true;
        } else {
            in_word = false;
            if !c.is_whitespace() {
                out.push(c);
            }
        }
    }
    out
}

/// `lines` consecutive lines of a random file of `pool` that are repetitive code: at least a
/// third of them have the shape of the line before (and are more than a word or a bracket),
/// the idioms every codebase has (see `Repetition`).
fn repetitive_snippet(pool: &[&Source], lines: usize, rng: &mut Rng) -> Option<String> {
    let eligible: Vec<&&Source> = pool.iter().filter(|s| s.text.lines().count() >= lines).collect();
    if eligible.is_empty() {
        return None;
    }
    for _ in 0..20_000 {
        let source = eligible[rng.below(eligible.len())];
        let all: Vec<&str> = source.text.lines().collect();
        let start = rng.below(all.len() - lines + 1);
        let window = &all[start..start + lines];
        if repetitive(window) {
            return Some(window.join("\n"));
        }
    }
    None
}

fn reindent(s: &str) -> String {
    s.lines().map(|l| {
        let body = l.trim_start();
        let depth = (l.len() - body.len()) / 2;
        format!("{}{body}", "\t".repeat(depth))
    }).collect::<Vec<_>>().join("\n")
}

/// Drops whole-line comments and trailing ` // ` / ` # ` comments, as someone tidying a
/// snippet would.
fn strip_comments(s: &str, family: &str) -> String {
    let trailing = match family {
        "python" | "ruby" | "shell" => " # ",
        _ => " // ",
    };
    s.lines().filter(|l| !is_comment_line(l.trim_start(), family)).map(|l| match l.find(trailing) {
        Some(i) => &l[..i],
        None => l,
    }).collect::<Vec<_>>().join("\n")
}

/// Each family's own vocabulary: its keywords and the names the language predefines (builtin
/// types, functions, macros and global objects; Java's `java.lang`, C's and C++'s standard
/// library names). A renaming touches every other word of four letters or more: the names a
/// project chose, and the names of libraries it calls, which is harsher than a real renaming.
/// A renaming of the language's own words would break the code, and no one does it.
fn reserved(family: &str) -> &'static [&'static str] {
    match family {
        "rust" => &["self", "Self", "true", "false", "None", "Some", "else", "return", "match", "impl", "const", "static", "where", "while", "loop", "break", "continue", "struct", "enum", "trait", "type", "unsafe", "async", "await", "crate", "super", "move", "extern", "union", "macro", "yield", "abstract", "become", "final", "override", "priv", "typeof", "unsized", "virtual",
            "String", "Option", "Result", "usize", "isize", "bool", "char", "i128", "u128", "Default", "Clone", "Copy", "Send", "Sync", "Sized", "Unpin", "Drop", "FnMut", "FnOnce", "From", "Into", "TryFrom", "TryInto", "AsRef", "AsMut", "Iterator", "IntoIterator", "DoubleEndedIterator", "ExactSizeIterator", "Extend", "PartialEq", "PartialOrd", "ToString", "ToOwned", "Debug", "Display", "Hash",
            "println", "print", "eprintln", "eprint", "format", "write", "writeln", "panic", "assert", "assert_eq", "assert_ne", "debug_assert", "debug_assert_eq", "unreachable", "todo", "unimplemented", "matches", "include_str", "include_bytes", "concat", "stringify", "derive", "test", "allow", "inline"],
        "javascript" => &["function", "this", "true", "false", "null", "undefined", "return", "const", "else", "while", "break", "continue", "class", "extends", "typeof", "catch", "throw", "finally", "yield", "delete", "instanceof", "default", "case", "switch", "async", "await", "export", "import", "from", "super", "static", "void", "with", "enum", "implements", "interface", "package", "private", "protected", "public", "debugger", "arguments",
            "type", "declare", "namespace", "module", "readonly", "keyof", "infer", "never", "unknown", "string", "number", "boolean", "symbol", "bigint", "object", "abstract", "asserts", "satisfies",
            "Object", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Math", "JSON", "Promise", "Error", "TypeError", "RangeError", "SyntaxError", "Date", "RegExp", "WeakMap", "WeakSet", "Reflect", "Proxy", "Infinity", "console", "require", "exports", "process", "Buffer", "parseInt", "parseFloat", "isNaN", "isFinite", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "queueMicrotask", "globalThis", "window", "document", "__dirname", "__filename"],
        "python" => &["self", "True", "False", "None", "return", "elif", "else", "while", "break", "continue", "class", "from", "import", "pass", "raise", "except", "finally", "lambda", "yield", "with", "assert", "global", "nonlocal", "async", "await", "match", "case", "type",
            "print", "bool", "bytes", "bytearray", "callable", "classmethod", "compile", "complex", "delattr", "dict", "divmod", "enumerate", "eval", "exec", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr", "hash", "help", "input", "isinstance", "issubclass", "iter", "list", "locals", "memoryview", "next", "object", "open", "property", "range", "repr", "reversed", "round", "setattr", "slice", "sorted", "staticmethod", "super", "tuple", "vars", "ascii", "breakpoint",
            "Exception", "BaseException", "ValueError", "TypeError", "KeyError", "IndexError", "AttributeError", "RuntimeError", "NotImplementedError", "NotImplemented", "StopIteration", "OSError", "IOError", "ImportError", "LookupError", "ArithmeticError", "ZeroDivisionError", "AssertionError", "UnicodeDecodeError", "UnicodeEncodeError", "Ellipsis",
            "__init__", "__name__", "__main__", "__repr__", "__str__", "__eq__", "__hash__", "__call__", "__enter__", "__exit__", "__iter__", "__next__", "__len__", "__getitem__", "__setitem__", "__class__", "__dict__", "__all__", "__file__", "__doc__"],
        "go" => &["func", "return", "else", "range", "struct", "interface", "type", "package", "import", "const", "defer", "chan", "select", "switch", "case", "default", "break", "continue", "goto", "fallthrough",
            "true", "false", "iota", "string", "error", "bool", "byte", "rune", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "comparable",
            "make", "append", "panic", "recover", "close", "copy", "delete", "imag", "real", "clear", "print", "println"],
        "java" => &["public", "private", "protected", "static", "final", "class", "interface", "extends", "implements", "return", "this", "super", "else", "while", "break", "continue", "switch", "case", "default", "throw", "throws", "catch", "finally", "true", "false", "null", "void", "char", "long", "byte", "short", "float", "double", "boolean", "synchronized", "abstract", "instanceof", "import", "package", "assert", "enum", "native", "strictfp", "transient", "volatile", "goto", "const", "record", "yield", "sealed", "permits",
            "String", "Object", "Integer", "Long", "Double", "Float", "Boolean", "Character", "Byte", "Short", "Number", "Math", "System", "Class", "Void", "Enum", "Thread", "Runnable", "Iterable", "Comparable", "CharSequence", "StringBuilder", "Throwable", "Error", "Exception", "RuntimeException", "IllegalArgumentException", "IllegalStateException", "NullPointerException", "UnsupportedOperationException", "IndexOutOfBoundsException", "Override", "Deprecated", "SuppressWarnings", "FunctionalInterface", "SafeVarargs",
            "when", "companion", "data", "init", "lateinit", "object", "open", "internal", "inline", "suspend", "override", "vararg", "typealias"],
        "ruby" => &["self", "true", "false", "else", "elsif", "unless", "until", "while", "return", "class", "module", "then", "when", "case", "begin", "rescue", "ensure", "raise", "yield", "super", "alias", "undef", "defined?", "BEGIN", "next", "break", "redo", "retry",
            "puts", "print", "require", "require_relative", "attr_reader", "attr_writer", "attr_accessor", "private", "protected", "public", "include", "extend", "prepend", "lambda", "proc", "loop", "block_given?", "initialize", "freeze", "frozen?",
            "Array", "Hash", "String", "Integer", "Float", "Symbol", "Object", "Class", "Module", "Kernel", "Comparable", "Enumerable", "Proc", "Range", "Struct", "StandardError", "ArgumentError", "RuntimeError", "NotImplementedError", "TypeError", "NameError", "NoMethodError", "KeyError", "IndexError", "__method__", "__FILE__", "__dir__"],
        "php" => &["function", "this", "true", "false", "null", "return", "else", "elseif", "while", "foreach", "break", "continue", "class", "interface", "trait", "extends", "implements", "public", "private", "protected", "static", "final", "abstract", "const", "throw", "catch", "finally", "array", "isset", "unset", "empty", "echo", "print", "self", "parent", "namespace", "match", "instanceof", "switch", "case", "default", "clone", "declare", "enddeclare", "endfor", "endforeach", "endif", "endswitch", "endwhile", "eval", "exit", "global", "goto", "include", "include_once", "require", "require_once", "insteadof", "list", "readonly", "yield", "callable", "enum",
            "string", "bool", "float", "void", "mixed", "iterable", "object", "never", "TRUE", "FALSE", "NULL",
            "count", "strlen", "is_array", "is_string", "is_int", "is_null", "is_object", "is_callable", "array_map", "array_filter", "array_keys", "array_values", "array_merge", "in_array", "explode", "implode", "sprintf", "str_replace", "substr", "strpos", "trim", "json_encode", "json_decode", "func_get_args", "Exception", "InvalidArgumentException", "RuntimeException", "Closure", "Throwable", "__construct", "__toString", "__get", "__set", "__call", "__invoke", "__DIR__", "__FILE__", "__CLASS__", "__FUNCTION__", "__METHOD__", "__NAMESPACE__"],
        "c" | "cpp" => &["return", "else", "while", "break", "continue", "switch", "case", "default", "struct", "union", "enum", "typedef", "const", "static", "extern", "void", "char", "short", "long", "float", "double", "unsigned", "signed", "sizeof", "goto", "inline", "auto", "register", "restrict", "volatile", "_Bool", "_Static_assert", "NULL",
            "class", "public", "private", "protected", "template", "typename", "namespace", "using", "virtual", "override", "final", "this", "true", "false", "nullptr", "bool", "operator", "delete", "throw", "catch", "noexcept", "constexpr", "consteval", "constinit", "explicit", "friend", "mutable", "decltype", "alignas", "alignof", "static_cast", "dynamic_cast", "const_cast", "reinterpret_cast", "static_assert", "thread_local", "typeid", "wchar_t", "char8_t", "char16_t", "char32_t", "concept", "requires", "co_await", "co_return", "co_yield",
            "include", "define", "ifdef", "ifndef", "endif", "elif", "undef", "pragma",
            "size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "FILE", "stdin", "stdout", "stderr", "errno", "EOF",
            "printf", "fprintf", "sprintf", "snprintf", "vsnprintf", "puts", "fputs", "fopen", "fclose", "fread", "fwrite", "malloc", "calloc", "realloc", "free", "memcpy", "memmove", "memset", "memcmp", "strlen", "strcmp", "strncmp", "strcpy", "strncpy", "strcat", "strchr", "strrchr", "strstr", "strdup", "atoi", "strtol", "strtoul", "assert", "abort", "exit",
            "std", "string", "string_view", "vector", "unique_ptr", "shared_ptr", "make_unique", "make_shared", "move", "forward", "cout", "cerr", "endl", "optional", "variant", "tuple", "pair"],
        "shell" => &["then", "else", "elif", "done", "esac", "case", "while", "until", "function", "select", "time", "coproc",
            "local", "return", "exit", "echo", "printf", "export", "readonly", "shift", "true", "false", "test", "eval", "exec", "source", "unset", "read", "declare", "typeset", "break", "continue", "trap", "wait", "kill", "getopts", "alias", "command", "builtin", "mapfile", "readarray", "pushd", "popd", "shopt"],
        _ => &[],
    }
}

/// Consistently renames identifiers of four letters or more that are not reserved words.
fn rename(s: &str, family: &str) -> String {
    let keep = reserved(family);
    let mut map: HashMap<String, String> = HashMap::new();
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, map: &mut HashMap<String, String>| {
        if word.len() > 3 && !keep.contains(&word.as_str()) && !word.starts_with(|c: char| c.is_ascii_digit()) {
            let n = map.len();
            out.push_str(map.entry(word.clone()).or_insert_with(|| format!("v{n}x")));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut map);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut map);
    out
}

fn in_prompt(s: &str) -> String {
    format!("Hi! Can you find the bug in this code and suggest a fix?\n\n```\n{s}\n```\n\nIt fails on large inputs. Thanks.")
}

/// The match threshold under test: `minMatches` of the policy (`--min-matches N` to compare).
fn min_matches() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--min-matches").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MIN_MATCHES)
}

/// The corpus manifest (`--corpus PATH`), if not the project's.
fn corpus_manifest() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--corpus").and_then(|i| args.get(i + 1)).map(PathBuf::from)
}

/// The corpus manifests whose unrelated packages make the `--common` row of the ablation.
fn common_manifests() -> Vec<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).filter(|a| a[0] == "--common").map(|a| PathBuf::from(&a[1])).collect()
}

/// The sampling seed (`--seed N`; the figures in BENCHMARKS.md are for seeds 1-3).
fn seed() -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--seed").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(1)
}

fn matches(db: &FingerprintDb, text: &str) -> bool {
    !db.scan(text, min_matches()).is_empty()
}

type Transform = fn(&str, &str) -> String;

const TRANSFORMS: &[(&str, Transform)] = &[
    ("verbatim", |s, _| s.to_string()),
    ("re-indented (tabs)", |s, _| reindent(s)),
    ("comments stripped", strip_comments),
    ("CRLF", |s, _| s.replace('\n', "\r\n")),
    ("in a prose prompt, fenced", |s, _| in_prompt(s)),
    ("identifiers renamed", rename),
    ("all of the above", |s, f| in_prompt(&rename(&strip_comments(&reindent(s), f), f)).replace('\n', "\r\n")),
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("target/corpus");
    let manifest = corpus_manifest();
    let packages = match &manifest {
        Some(path) => packages_of(path),
        None => packages(&root),
    };
    let corpus_name = manifest.as_ref().map_or("project corpus".to_string(), |m| {
        m.parent().and_then(|d| d.file_name()).map_or("corpus".into(), |d| d.to_string_lossy().into_owned())
    });
    let company_packages: Vec<&Package> = packages.iter().filter(|p| p.company).collect();
    let unrelated_packages: Vec<&Package> = packages.iter().filter(|p| !p.company).collect();
    let debug = std::env::var_os("AIGUARD_ACCURACY_DEBUG").is_some();

    // The database, built and loaded the way the product does it.
    let db_path = corpus.join("company.aigfp");
    let company_roots: Vec<PathBuf> = company_packages.iter().flat_map(|p| roots(&corpus, p)).collect();
    let summary = walk::build_database_with(&company_roots, &[], &db_path, FingerprintKey::from_bytes(*b"accuracy-key-16b"), BuildOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let db = FingerprintDb::from_bytes(&std::fs::read(&db_path).expect("database file")).expect("database loads");
    let company = walk_packages(&corpus, &company_packages);
    let unrelated = walk_packages(&corpus, &unrelated_packages);
    println!("company: {} packages, {}", company_packages.len(), summary.to_string().replace('\n', "; "));
    println!("unrelated: {} packages, {} files, {:.1} MB", unrelated_packages.len(), unrelated.len(),
        unrelated.iter().map(|s| s.text.len()).sum::<usize>() as f64 / 1e6);
    println!("minMatches {}, seed {}\n", min_matches(), seed());
    record::record("fingerprint-db", "accuracy corpus database", "AIGuard native", "fingerprints", summary.fingerprints, "count");
    record::record("fingerprint-db", "accuracy corpus database", "AIGuard native", "file size", summary.db_bytes, "bytes");

    let mut sample = Vec::new();
    let mut record = |family: &str, set: &str, text: String, found: bool| {
        sample.push(serde_json::json!({"family": family, "set": set, "text": text, "aiguard": found}));
    };
    let mut rng = Rng(0x5eed_1234_abcd_ef01 ^ seed().wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut totals = vec![(0usize, 0usize); TRANSFORMS.len() + 2];
    let mut drawn: Vec<Drawn> = Vec::new();
    let mut idiom_total = (0usize, 0usize);
    let mut company_idioms = (0usize, 0usize);
    let mut short_total = (0usize, 0usize);
    let (mut fp_total, mut neg_total, mut fp_files_total, mut files_total) = (0, 0, 0, 0);
    println!("{:<11} {:>14} {:>9} {:>8} {:>8} {:>8} {:>9} {:>14} {:>12} {:>14}", "family", "files (co/un)", "verbatim", "renamed", "12-line", "12 ren.", "all edits", "false pos.", "files w/ FP", "repetitive FP");
    for &f in FAMILIES {
        let pos_pool: Vec<&Source> = company.iter().filter(|s| s.family == f).collect();
        let neg_pool: Vec<&Source> = unrelated.iter().filter(|s| s.family == f).collect();
        let positives: Vec<(&Source, String)> = (0..POSITIVES).filter_map(|_| snippet(&pos_pool, 30, &mut rng, true)).collect();
        let fragments: Vec<(&Source, String)> = (0..POSITIVES).filter_map(|_| snippet(&pos_pool, 12, &mut rng, true)).collect();
        let negatives: Vec<(&Source, String)> = (0..NEGATIVES).filter_map(|_| snippet(&neg_pool, 30, &mut rng, false)).collect();
        let short_negatives: Vec<(&Source, String)> = (0..NEGATIVES).filter_map(|_| snippet(&neg_pool, 12, &mut rng, false)).collect();
        short_total.0 += short_negatives.iter().filter(|(_, s)| matches(&db, s)).count();
        short_total.1 += short_negatives.len();
        if debug {
            for (src, s) in short_negatives.iter().filter(|(_, s)| matches(&db, s)).take(3) {
                println!("--- {f}: false match in a 12-line window of {}: {:?}\n{s}", src.package, db.scan(s, min_matches()));
            }
        }
        if positives.is_empty() || negatives.is_empty() {
            println!("{f:<11} no snippets (company files {}, unrelated files {})", pos_pool.len(), neg_pool.len());
            continue;
        }
        let idioms: Vec<String> = (0..NEGATIVES).filter_map(|_| repetitive_snippet(&neg_pool, 30, &mut rng)).collect();
        // Repetitive windows of the company's code: not positives (see `snippet`), but what is
        // found of them is reported.
        for s in (0..POSITIVES).filter_map(|_| repetitive_snippet(&pos_pool, 30, &mut rng)) {
            company_idioms.0 += matches(&db, &s) as usize;
            company_idioms.1 += 1;
        }
        let idiom_fp = idioms.iter().filter(|s| matches(&db, s)).count();
        idiom_total.0 += idiom_fp;
        idiom_total.1 += idioms.len();
        if debug {
            for s in idioms.iter().filter(|s| matches(&db, s)).take(2) {
                println!("--- {f}: false match in a repetitive window: {:?}\n{s}", db.scan(s, min_matches()));
            }
        }
        drawn.push(Drawn {
            idioms,
            family: f,
            positives: positives.iter().map(|(_, s)| s.clone()).collect(),
            fragments: fragments.iter().map(|(_, s)| s.clone()).collect(),
            negatives: negatives.iter().map(|(_, s)| s.clone()).collect(),
        });
        let mut row = Vec::new();
        for (i, (name, t)) in TRANSFORMS.iter().enumerate() {
            let found = positives.iter().filter(|(_, s)| matches(&db, &t(s, f))).count();
            totals[i].0 += found;
            totals[i].1 += positives.len();
            row.push(found);
            if debug && *name == "verbatim" {
                for (src, s) in positives.iter().filter(|(_, s)| !matches(&db, s)).take(1) {
                    let fps = fingerprints(s, db.key());
                    let hits = fps.iter().filter(|x| db.contains(x.hash)).count();
                    println!("--- {f}: missed snippet of {} ({} fingerprints, {hits} in the database)\n{s}", src.package, fps.len());
                }
            }
        }
        let frag = fragments.iter().filter(|(_, s)| matches(&db, s)).count();
        let frag_renamed = fragments.iter().filter(|(_, s)| matches(&db, &rename(s, f))).count();
        for (_, s) in &positives {
            record(f, "30 lines", s.clone(), matches(&db, s));
            let renamed = rename(s, f);
            record(f, "30 lines, renamed", renamed.clone(), matches(&db, &renamed));
        }
        for (_, s) in &fragments {
            record(f, "12 lines", s.clone(), matches(&db, s));
            let renamed = rename(s, f);
            record(f, "12 lines, renamed", renamed.clone(), matches(&db, &renamed));
        }
        for (_, s) in &negatives {
            record(f, "unrelated", s.clone(), matches(&db, s));
        }
        let n = TRANSFORMS.len();
        totals[n].0 += frag;
        totals[n].1 += fragments.len();
        totals[n + 1].0 += frag_renamed;
        totals[n + 1].1 += fragments.len();
        let fp: Vec<&(&Source, String)> = negatives.iter().filter(|(_, s)| matches(&db, s)).collect();
        let fp_files = neg_pool.iter().filter(|s| matches(&db, &s.text)).count();
        if debug {
            for src in neg_pool.iter().filter(|s| matches(&db, &s.text)).take(3) {
                for m in db.scan(&src.text, min_matches()) {
                    println!("--- {f}: false match in a file of {}: {m:?}\n{}", src.package, &src.text[m.start..m.end]);
                }
            }
            for (src, s) in fp.iter().take(3) {
                let spans = db.scan(s, min_matches());
                println!("--- {f}: false match in {}: {spans:?}\n{s}", src.package);
            }
        }
        fp_total += fp.len();
        neg_total += negatives.len();
        fp_files_total += fp_files;
        files_total += neg_pool.len();
        let pct = |k: usize, n: usize| 100.0 * k as f64 / n.max(1) as f64;
        let last = drawn.last().expect("drawn");
        let idiom_fp = last.idioms.iter().filter(|s| matches(&db, s)).count();
        println!("{f:<11} {:>14} {:>8.1}% {:>7.1}% {:>7.1}% {:>7.1}% {:>8.1}% {:>6}/{:<3} {:>4.1}% {:>6}/{:<5} {:>6}/{:<3} {:>4.1}%",
            format!("{}/{}", pos_pool.len(), neg_pool.len()),
            pct(row[0], positives.len()), pct(row[5], positives.len()), pct(frag, fragments.len()), pct(frag_renamed, fragments.len()), pct(row[6], positives.len()),
            fp.len(), negatives.len(), pct(fp.len(), negatives.len()), fp_files, neg_pool.len(),
            idiom_fp, last.idioms.len(), pct(idiom_fp, last.idioms.len()));
    }

    println!("\n{:<28} {:>8} {:>10}", "transformation (all)", "recall", "snippets");
    let names = TRANSFORMS.iter().map(|(n, _)| *n).chain(["12-line fragment", "12-line fragment, renamed"]);
    let sample_name = format!("{corpus_name}, seed {} minMatches {}", seed(), min_matches());
    for (name, (found, n)) in names.zip(&totals) {
        let recall = *found as f64 / (*n).max(1) as f64;
        println!("{name:<28} {recall:>8.3} {n:>10}");
        record::record("fingerprint-accuracy", &format!("{sample_name}: {name}"), "AIGuard native", "recall", format!("{recall:.3}"), "fraction");
    }
    let company_files: Vec<serde_json::Value> = company.iter().map(|s| serde_json::json!({
        "family": s.family, "path": s.path.strip_prefix(&root).unwrap_or(&s.path),
    })).collect();
    let out = serde_json::json!({"corpus": corpus_name, "minMatches": min_matches(), "seed": seed(), "company": company_files, "snippets": sample});
    std::fs::write(corpus.join("accuracy-sample.json"), out.to_string()).expect("write the sample");

    let prose = std::fs::read_to_string(root.join("README.md")).unwrap() + &std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap();
    println!("\nfalse positives: {fp_total}/{neg_total} unrelated 30-line windows ({:.2}%), {fp_files_total}/{files_total} whole unrelated files with a match, prose: {}",
        100.0 * fp_total as f64 / neg_total.max(1) as f64, if matches(&db, &prose) { "matched" } else { "clean" });
    record::record("fingerprint-accuracy", &format!("{sample_name}: unrelated 30-line windows"), "AIGuard native", "false positives", fp_total, &format!("of {neg_total} windows"));
    record::record("fingerprint-accuracy", &format!("{sample_name}: unrelated files"), "AIGuard native", "false positives", fp_files_total, &format!("of {files_total} files"));
    println!("repetitive unrelated code: {}/{} 30-line windows ({:.2}%) matched", idiom_total.0, idiom_total.1, 100.0 * idiom_total.0 as f64 / idiom_total.1.max(1) as f64);
    println!("false positives: {}/{} unrelated 12-line windows ({:.2}%)", short_total.0, short_total.1, 100.0 * short_total.0 as f64 / short_total.1.max(1) as f64);
    record::record("fingerprint-accuracy", &format!("{sample_name}: unrelated 12-line windows"), "AIGuard native", "false positives", short_total.0, &format!("of {} windows", short_total.1));
    println!("repetitive company code (not counted as positives): {}/{} 30-line windows found", company_idioms.0, company_idioms.1);
    record::record("fingerprint-accuracy", &format!("{sample_name}: repetitive company 30-line windows"), "AIGuard native", "found", company_idioms.0, &format!("of {} windows", company_idioms.1));
    record::record("fingerprint-accuracy", &format!("{sample_name}: repetitive unrelated 30-line windows"), "AIGuard native", "false positives", idiom_total.0, &format!("of {} windows", idiom_total.1));

    // The other corpora's unrelated code, as an admin's `--common` input: never the packages
    // measured here (a package in both would be subtracted from the company's own code).
    let measured: Vec<String> = packages.iter().map(|p| format!("{}-{}", p.name, p.version)).collect();
    let common_packages: Vec<Package> = common_manifests().iter().flat_map(|m| packages_of(m))
        .filter(|p| !p.company && !measured.contains(&format!("{}-{}", p.name, p.version))).collect();
    let common = (!common_packages.is_empty()).then(|| {
        let refs: Vec<&Package> = common_packages.iter().collect();
        let bytes: usize = walk_packages(&corpus, &refs).iter().map(|s| s.text.len()).sum();
        let common_roots: Vec<PathBuf> = refs.iter().flat_map(|p| roots(&corpus, p)).collect();
        let (summary, db) = build_db(&corpus, &company_roots, &common_roots, BuildOptions::default());
        Common { name: format!("the product, with --common: {} other packages' code ({:.1} MB)", refs.len(), bytes as f64 / 1e6), summary, db }
    });
    wide_false_positives(&db, common.as_ref().map(|c| &c.db), &unrelated, &sample_name);
    ablation(&corpus, &company_roots, common.as_ref(), &drawn, &unrelated, &sample_name);
}

/// The company's code built into a database with `common` subtracted, written and loaded the
/// way the product does it.
fn build_db(corpus: &Path, company_roots: &[PathBuf], common: &[PathBuf], options: BuildOptions) -> (walk::WalkSummary, FingerprintDb) {
    let path = corpus.join("measured.aigfp");
    let summary = walk::build_database_with(company_roots, common, &path, FingerprintKey::from_bytes(*b"accuracy-key-16b"), options)
        .unwrap_or_else(|e| panic!("{e}"));
    let db = FingerprintDb::from_bytes(&std::fs::read(&path).expect("database file")).expect("database loads");
    let _ = std::fs::remove_file(&path);
    (summary, db)
}

/// The database built with the `--common` manifests' unrelated code subtracted.
struct Common {
    name: String,
    summary: walk::WalkSummary,
    db: FingerprintDb,
}

/// False positives per language on [`WIDE_NEGATIVES`] unrelated 30-line windows each, with the
/// product's database and, given `--common`, with the one built against that code.
fn wide_false_positives(db: &FingerprintDb, with_common: Option<&FingerprintDb>, unrelated: &[Source], sample_name: &str) {
    let mut rng = Rng(0x0dd_ba11_5eed_cafe ^ seed().wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (mut total, mut total_common, mut windows) = (0, 0, 0);
    let mut rows = Vec::new();
    for &f in FAMILIES {
        let pool: Vec<&Source> = unrelated.iter().filter(|s| s.family == f).collect();
        let drawn: Vec<String> = (0..WIDE_NEGATIVES).filter_map(|_| snippet(&pool, 30, &mut rng, false).map(|(_, s)| s)).collect();
        let found = drawn.iter().filter(|s| matches(db, s)).count();
        let found_common = with_common.map(|c| drawn.iter().filter(|s| matches(c, s)).count());
        if std::env::var_os("AIGUARD_ACCURACY_DEBUG").is_some() {
            let shown = with_common.unwrap_or(db);
            for s in &drawn {
                for m in shown.scan(s, min_matches()) {
                    println!("  {f} false match ({} fingerprints): {:?}", m.matched, &s[m.start..m.end]);
                }
            }
        }
        total += found;
        total_common += found_common.unwrap_or(0);
        windows += drawn.len();
        let pct = |k: usize| 100.0 * k as f64 / drawn.len().max(1) as f64;
        rows.push(match found_common {
            Some(c) => format!("{f} {:.1}% ({:.1}%)", pct(found), pct(c)),
            None => format!("{f} {:.1}%", pct(found)),
        });
        record::record("fingerprint-accuracy", &format!("{sample_name}: unrelated 30-line {f} windows"), "AIGuard native", "false positives", found, &format!("of {} windows", drawn.len()));
        if let Some(c) = found_common {
            record::record("fingerprint-accuracy", &format!("{sample_name}: unrelated 30-line {f} windows, with --common"), "AIGuard native", "false positives", c, &format!("of {} windows", drawn.len()));
        }
    }
    let pct = |k: usize| 100.0 * k as f64 / windows.max(1) as f64;
    println!("\nfalse positives, {WIDE_NEGATIVES} unrelated 30-line windows per language{}: {:.2}%{}", if with_common.is_some() { " (with --common)" } else { "" },
        pct(total), if with_common.is_some() { format!(" ({:.2}%)", pct(total_common)) } else { String::new() });
    println!("  {}", rows.join(", "));
}

/// One family's drawn snippets.
struct Drawn {
    family: &'static str,
    positives: Vec<String>,
    fragments: Vec<String>,
    negatives: Vec<String>,
    /// Repetitive windows of unrelated code (see [`repetitive_snippet`]).
    idioms: Vec<String>,
}

/// The same snippets against a database built and scanned with each setting of [`ABLATION`].
fn ablation(corpus: &Path, company_roots: &[PathBuf], common: Option<&Common>, drawn: &[Drawn], unrelated: &[Source], sample_name: &str) {
    println!("\nablation: each setting builds its own database of the company code and scans the same snippets");
    println!("{:<56} {:>9} {:>8} {:>8} {:>8} {:>9} {:>10} {:>13} {:>11} {:>11} {:>12}", "setting", "verbatim", "renamed", "12-line", "12 ren.", "all edits", "false pos.", "worst family", "repetitive", "files w/ FP", "fingerprints");
    let settings = ABLATION.iter().map(|&(name, repetition)| (name, repetition, None)).chain(common.map(|c| (c.name.as_str(), REPETITION, Some(c))));
    for (name, repetition, common) in settings {
        let built;
        let (summary, db) = match common {
            Some(c) => (&c.summary, &c.db),
            None => {
                built = build_db(corpus, company_roots, &[], BuildOptions { repetition, ..BuildOptions::default() });
                (&built.0, &built.1)
            }
        };
        let repetition = &repetition;
        let found = |text: &str| !db.scan_with(text, min_matches(), *repetition).is_empty();
        let rate = |texts: &mut dyn Iterator<Item = bool>| {
            let (mut k, mut n) = (0usize, 0usize);
            for t in texts {
                k += t as usize;
                n += 1;
            }
            k as f64 / n.max(1) as f64
        };
        let all_edits = TRANSFORMS.last().expect("transforms").1;
        let verbatim = rate(&mut drawn.iter().flat_map(|d| d.positives.iter().map(|s| found(s))));
        let renamed = rate(&mut drawn.iter().flat_map(|d| d.positives.iter().map(move |s| found(&rename(s, d.family)))));
        let fragment = rate(&mut drawn.iter().flat_map(|d| d.fragments.iter().map(|s| found(s))));
        let fragment_renamed = rate(&mut drawn.iter().flat_map(|d| d.fragments.iter().map(move |s| found(&rename(s, d.family)))));
        let edited = rate(&mut drawn.iter().flat_map(|d| d.positives.iter().map(move |s| found(&all_edits(s, d.family)))));
        let false_pos = rate(&mut drawn.iter().flat_map(|d| d.negatives.iter().map(|s| found(s))));
        let (worst, worst_rate) = drawn.iter()
            .map(|d| (d.family, rate(&mut d.negatives.iter().map(|s| found(s)))))
            .fold(("", -1.0), |a, b| if b.1 > a.1 { b } else { a });
        let idioms = rate(&mut drawn.iter().flat_map(|d| d.idioms.iter().map(|s| found(s))));
        let files = unrelated.iter().filter(|s| found(&s.text)).count();
        println!("{name:<56} {:>9.3} {:>8.3} {:>8.3} {:>8.3} {:>9.3} {:>9.2}% {:>13} {:>10.2}% {:>11} {:>12}",
            verbatim, renamed, fragment, fragment_renamed, edited, 100.0 * false_pos, format!("{worst} {:.0}%", 100.0 * worst_rate), 100.0 * idioms,
            format!("{files}/{}", unrelated.len()), summary.fingerprints);
        record::record("fingerprint-ablation", &format!("{sample_name}: {name}"), "AIGuard native", "unrelated files with a match", files, &format!("of {} files", unrelated.len()));
        for (metric, value) in [("recall, verbatim", verbatim), ("recall, renamed", renamed), ("recall, 12-line", fragment),
            ("recall, 12-line renamed", fragment_renamed), ("recall, all edits", edited), ("false positives", false_pos),
            ("false positives, repetitive windows", idioms)] {
            record::record("fingerprint-ablation", &format!("{sample_name}: {name}"), "AIGuard native", metric, format!("{value:.3}"), "fraction");
        }
    }
}
