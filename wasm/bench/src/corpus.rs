//! The pinned public packages of `tests/corpora/fingerprint/packages.json` (or another corpus
//! manifest, such as the held-out one in `tests/corpora/fingerprint-holdout/`), fetched by
//! `node tests/corpora/fetch.mjs` into `target/corpus` (checksums checked), and their files as
//! `aiguard fingerprint` walks them: the corpus of the accuracy and scan benchmarks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aiguard_cli::walk;

/// The language families measured, in report order.
pub const FAMILIES: &[&str] = &["rust", "javascript", "python", "go", "java", "ruby", "php", "c", "cpp", "shell"];

/// A file's family from its extension; files without a telling extension (`.h`, scripts
/// without one) belong to their package's language.
pub fn family(path: &Path, package_language: &str) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let by_ext = match ext.as_str() {
        "rs" => "rust",
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" => "javascript",
        "py" | "pyi" => "python",
        "go" => "go",
        "java" | "kt" => "java",
        "rb" | "rake" => "ruby",
        "php" => "php",
        "c" => "c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "ipp" | "inl" => "cpp",
        "sh" | "bash" | "zsh" => "shell",
        _ => "",
    };
    let name = if by_ext.is_empty() { package_language } else { by_ext };
    FAMILIES.iter().copied().find(|f| *f == name).unwrap_or("other")
}

pub struct Package {
    pub name: String,
    pub version: String,
    pub language: String,
    pub company: bool,
    pub paths: Vec<String>,
}

/// The packages of the project's corpus manifest.
pub fn packages(root: &Path) -> Vec<Package> {
    packages_of(&root.join("tests/corpora/fingerprint/packages.json"))
}

/// The packages of a corpus manifest (`packages.json`).
pub fn packages_of(manifest: &Path) -> Vec<Package> {
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let field = |p: &serde_json::Value, f: &str| p[f].as_str().unwrap_or_else(|| panic!("{}: a package has no {f}", manifest.display())).to_string();
    json["packages"].as_array().expect("packages array").iter().map(|p| Package {
        name: field(p, "name"),
        version: field(p, "version"),
        language: field(p, "language"),
        company: field(p, "role") == "company",
        paths: p["paths"].as_array().expect("paths").iter().map(|s| s.as_str().expect("path").to_string()).collect(),
    }).collect()
}

/// One walked source file.
pub struct Source {
    pub package: String,
    pub path: PathBuf,
    pub family: &'static str,
    pub text: String,
}

/// The roots of `package` under `target/corpus`.
pub fn roots(corpus: &Path, p: &Package) -> Vec<PathBuf> {
    let dir = corpus.join(format!("{}-{}", p.name, p.version));
    if !dir.join(".corpus-sha256").is_file() {
        panic!("{} is missing: run `node tests/corpora/fetch.mjs` first", dir.display());
    }
    p.paths.iter().map(|s| if s.is_empty() { dir.clone() } else { dir.join(s) }).collect()
}

pub fn walk_packages(corpus: &Path, packages: &[&Package]) -> Vec<Source> {
    let mut out = Vec::new();
    let mut skipped = BTreeMap::new();
    for p in packages {
        for root in roots(corpus, p) {
            walk::walk(&root, &mut skipped, |path, text| {
                out.push(Source { package: p.name.clone(), path: path.to_path_buf(), family: family(path, &p.language), text: text.to_string() });
            }).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    out
}
