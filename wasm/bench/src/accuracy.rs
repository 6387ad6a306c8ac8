//! Fingerprint accuracy on real code: recall per paste transformation and the false-positive
//! rate on unrelated code and prose.
//!
//! Corpus (no code of ours, all pinned): the "company" tree is a set of crates at the versions
//! in Cargo.lock, from cargo's registry cache, plus `web-ext`'s JavaScript at the version in
//! package-lock.json; the unrelated tree is other crates and `playwright-core`'s JavaScript.
//! Snippets are 30-line windows (and 12-line fragments) picked with a fixed seed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aiguard_engine::content::fingerprint::{BuildOptions, DbBuilder, FingerprintDb, FingerprintKey, DEFAULT_MIN_MATCHES};

const COMPANY_CRATES: &[&str] = &["regex-syntax", "aho-corasick", "serde_json", "url", "idna", "ignore", "globset"];
const UNRELATED_CRATES: &[&str] = &["clap_builder", "hashbrown", "memchr", "adblock", "serde_core", "rustc-hash", "xorf"];
const SNIPPETS: usize = 300;

fn locked_versions(root: &Path) -> HashMap<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    let mut out = HashMap::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = Some(n.trim_end_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = \""), name.take()) {
            out.insert(n, v.trim_end_matches('"').to_string());
        }
    }
    out
}

fn crate_dir(name: &str, version: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    std::fs::read_dir(home.join("registry/src")).ok()?.flatten().map(|e| e.path().join(format!("{name}-{version}"))).find(|p| p.is_dir())
}

fn files(dir: &Path, ext: &str, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().and_then(|e| e.to_str()) == Some(ext) {
            if let Ok(t) = std::fs::read_to_string(&p) {
                // What `aiguard fingerprint` skips: minified and generated files (the Unicode
                // tables in regex-syntax and idna say "DO NOT EDIT" at the top).
                let head: String = t.lines().take(10).collect::<Vec<_>>().join("\n").to_ascii_lowercase();
                let generated = head.contains("do not edit") || head.contains("@generated") || head.contains("automatically generated");
                if t.len() < 2 << 20 && !p.to_string_lossy().contains(".min.") && !generated {
                    out.push((p, t));
                }
            }
        }
    }
}

fn tree(root: &Path, crates: &[&str], js: &str) -> Vec<(PathBuf, String)> {
    let versions = locked_versions(root);
    let mut out = Vec::new();
    for c in crates {
        let v = versions.get(*c).unwrap_or_else(|| panic!("{c} not in Cargo.lock"));
        let dir = crate_dir(c, v).unwrap_or_else(|| panic!("{c}-{v} not in cargo's registry cache (run cargo fetch)"));
        files(&dir.join("src"), "rs", &mut out);
    }
    files(&root.join("node_modules").join(js), "js", &mut out);
    out
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `lines` consecutive non-trivial lines from a random file.
fn snippet(files: &[(PathBuf, String)], lines: usize, rng: &mut Rng) -> String {
    loop {
        let (_, text) = &files[rng.below(files.len())];
        let all: Vec<&str> = text.lines().collect();
        if all.len() < lines + 10 {
            continue;
        }
        let start = rng.below(all.len() - lines);
        let window = &all[start..start + lines];
        // Code, not prose inside a block comment or a table of numbers: most lines carry code
        // punctuation and an identifier.
        let code_like = window.iter().filter(|l| {
            let t = l.trim();
            !t.starts_with("//") && !t.starts_with('*') && !t.starts_with("/*")
                && t.contains(['(', ')', '{', '}', ';', '='])
                && t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w.len() > 2 && w.starts_with(|c: char| c.is_ascii_alphabetic()))
        }).count();
        if code_like * 2 >= lines {
            return window.join("\n");
        }
    }
}

fn reindent(s: &str) -> String {
    s.lines().map(|l| {
        let body = l.trim_start();
        let depth = (l.len() - body.len()) / 4;
        format!("{}{body}", "\t".repeat(depth))
    }).collect::<Vec<_>>().join("\n")
}

fn strip_comments(s: &str) -> String {
    s.lines().filter_map(|l| {
        let t = l.trim_start();
        if t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') {
            return None;
        }
        Some(match l.find(" // ") {
            Some(i) => l[..i].to_string(),
            None => l.to_string(),
        })
    }).collect::<Vec<_>>().join("\n")
}

/// Consistently renames identifiers longer than 3 letters that are not keywords.
fn rename(s: &str) -> String {
    const KEEP: &[&str] = &["self", "Self", "true", "false", "None", "Some", "else", "return", "match", "impl", "const", "static", "where", "while", "loop", "break", "continue", "struct", "enum", "trait", "type", "unsafe", "function", "this", "var", "let", "new", "async", "await", "export", "import", "from", "class", "extends", "typeof", "null", "undefined", "catch", "throw", "finally", "yield", "delete", "instanceof", "default", "case", "switch", "pub", "crate", "super", "move", "dyn", "mut", "ref", "use", "mod", "for", "if", "in", "fn", "as", "String", "Vec", "Option", "Result", "usize", "u8", "u32", "u64", "i32", "i64", "bool", "char", "str"];
    let mut map: HashMap<String, String> = HashMap::new();
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, map: &mut HashMap<String, String>| {
        if word.len() > 3 && !KEEP.contains(&word.as_str()) && !word.chars().next().unwrap().is_ascii_digit() {
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

fn matches(db: &FingerprintDb, text: &str) -> bool {
    !db.scan(text, min_matches()).is_empty()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let company = tree(&root, COMPANY_CRATES, "web-ext/lib");
    let unrelated = tree(&root, UNRELATED_CRATES, "playwright-core/lib/server");
    let mut builder = DbBuilder::new(FingerprintKey::from_bytes(*b"accuracy-key-16b"), BuildOptions::default());
    let bytes: usize = company.iter().map(|(_, t)| t.len()).sum();
    for (_, t) in &company {
        builder.add_file(t);
    }
    let db = builder.build().expect("database builds");
    println!("company tree: {} files, {:.1} MB, {} fingerprints; unrelated tree: {} files",
        company.len(), bytes as f64 / 1e6, db.len(), unrelated.len());

    let whole = company.iter().filter(|(_, t)| matches(&db, t)).count();
    println!("whole company files found: {whole}/{}", company.len());
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let snippets: Vec<String> = (0..SNIPPETS).map(|_| snippet(&company, 30, &mut rng)).collect();
    let fragments: Vec<String> = (0..SNIPPETS).map(|_| snippet(&company, 12, &mut rng)).collect();
    let transforms: &[(&str, &dyn Fn(&str) -> String)] = &[
        ("verbatim", &|s| s.to_string()),
        ("re-indented (tabs)", &reindent),
        ("comments stripped", &strip_comments),
        ("CRLF", &|s| s.replace('\n', "\r\n")),
        ("in a prose prompt, fenced", &in_prompt),
        ("identifiers renamed", &rename),
        ("all of the above", &|s| in_prompt(&rename(&strip_comments(&reindent(s)))).replace('\n', "\r\n")),
    ];
    if std::env::var_os("AIGUARD_ACCURACY_DEBUG").is_some() {
        for s in snippets.iter().filter(|s| !matches(&db, s)).take(2) {
            let fps = aiguard_engine::content::fingerprint::fingerprints(s, db.key());
            let hits = fps.iter().filter(|f| db.contains(f.hash)).count();
            println!("--- missed: {} fingerprints, {} in the database, {} tokens\n{s}", fps.len(), hits, aiguard_engine::content::fingerprint::token_count(s));
        }
    }
    println!("\n{:<28} {:>8}", "transformation (30 lines)", "recall");
    for (name, f) in transforms {
        let found = snippets.iter().filter(|s| matches(&db, &f(s))).count();
        println!("{name:<28} {:>8.3}", found as f64 / SNIPPETS as f64);
    }
    let found = fragments.iter().filter(|s| matches(&db, s)).count();
    println!("{:<28} {:>8.3}", "12-line fragment", found as f64 / SNIPPETS as f64);
    let found = fragments.iter().filter(|s| matches(&db, &rename(s))).count();
    println!("{:<28} {:>8.3}", "12-line fragment, renamed", found as f64 / SNIPPETS as f64);

    let negatives: Vec<String> = (0..SNIPPETS).map(|_| snippet(&unrelated, 30, &mut rng)).collect();
    let fp = negatives.iter().filter(|s| matches(&db, s)).count();
    let fp_files = unrelated.iter().filter(|(_, t)| matches(&db, t)).count();
    let prose = std::fs::read_to_string(root.join("README.md")).unwrap() + &std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap();
    println!("\nfalse positives: {fp}/{SNIPPETS} unrelated 30-line snippets ({:.1}%), {fp_files}/{} whole unrelated files, prose: {}",
        100.0 * fp as f64 / SNIPPETS as f64, unrelated.len(), if matches(&db, &prose) { "matched" } else { "clean" });
}
