//! The fingerprint tests' fixtures, from `tests/corpora/fingerprint-fixtures/` (its README says
//! what each directory holds): the "company tree" that the database is built from, and the
//! code, idioms, lists and prose that must not match it. The files are compiled in, byte for
//! byte, so a test fails on the fixture it names and not on a missing file at run time.

// Each test file is its own crate and uses a part of this module.
#![allow(dead_code)]

use aiguard_engine::content::fingerprint::{BuildOptions, DbBuilder, FingerprintDb, FingerprintKey, FingerprintMatch, DEFAULT_MIN_MATCHES};

macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpora/fingerprint-fixtures/", $path))
    };
}

// ---------------------------------------------------------------------------------------------
// The company tree.

/// One file of the company tree, with what the edit transformations need to know about it.
pub struct Source {
    pub name: &'static str,
    /// The Markdown fence language a user would write.
    pub fence: &'static str,
    /// Which quotes delimit strings (the literal-changing transformation needs to know).
    pub quotes: &'static str,
    /// Names a user might rename consistently.
    pub renames: &'static [(&'static str, &'static str)],
    pub text: &'static str,
}

pub const C_SRC: &str = fixture!("company/ring.c");
pub const GO_SRC: &str = fixture!("company/quota.go");
pub const JAVA_SRC: &str = fixture!("company/InvoiceCalculator.java");
pub const TS_SRC: &str = fixture!("company/syncQueue.ts");
pub const PY_SRC: &str = fixture!("company/reconcile.py");
pub const RUST_SRC: &str = fixture!("company/ring.rs");
pub const SQL_SRC: &str = fixture!("company/retention.sql");
pub const SH_SRC: &str = fixture!("company/rollout.sh");

pub const TREE: &[Source] = &[
    Source { name: "ring.c", fence: "c", quotes: "\"'", renames: &[("ring", "rb"), ("mask", "cap_mask"), ("first", "chunk"), ("round_up_pow2", "next_pow2")], text: C_SRC },
    Source { name: "quota.go", fence: "go", quotes: "\"", renames: &[("bucket", "tokenBucket"), ("tenant", "account"), ("Limiter", "Throttle"), ("cost", "weight")], text: GO_SRC },
    Source { name: "InvoiceCalculator.java", fence: "java", quotes: "\"", renames: &[("subtotal", "gross"), ("tiers", "discountTiers"), ("line", "usage"), ("discount", "reduction")], text: JAVA_SRC },
    Source { name: "syncQueue.ts", fence: "ts", quotes: "\"'`", renames: &[("pending", "queue"), ("batch", "chunk"), ("attempts", "retries"), ("flush", "drain")], text: TS_SRC },
    Source { name: "reconcile.py", fence: "python", quotes: "\"'", renames: &[("entries", "rows"), ("reference", "ref_id"), ("ledger", "books"), ("statement", "bank")], text: PY_SRC },
    Source { name: "ring.rs", fence: "rust", quotes: "\"", renames: &[("points", "vnodes"), ("index", "slot"), ("node", "member"), ("point_hash", "hash_point")], text: RUST_SRC },
    Source { name: "retention.sql", fence: "sql", quotes: "'", renames: &[("cohort_month", "cohort"), ("net_cents", "net"), ("monthly", "per_month"), ("first_orders", "firsts")], text: SQL_SRC },
    Source { name: "rollout.sh", fence: "bash", quotes: "\"'", renames: &[("region", "zone"), ("SERVICE", "APP"), ("wait_healthy", "await_ready"), ("ready", "status")], text: SH_SRC },
];

pub fn key() -> FingerprintKey {
    FingerprintKey::from_bytes(*b"test-fingerprint")
}

/// The database of the company tree, through the file format, as the extension gets it.
pub fn company_db() -> FingerprintDb {
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for s in TREE {
        assert!(b.add_file(s.text) > 0, "{} yields fingerprints", s.name);
    }
    let db = b.build().expect("build");
    FingerprintDb::from_bytes(&db.to_bytes()).expect("round trip")
}

pub fn scan(db: &FingerprintDb, text: &str) -> Vec<FingerprintMatch> {
    db.scan(text, DEFAULT_MIN_MATCHES)
}

// ---------------------------------------------------------------------------------------------
// What must not match.

/// Other projects' code in the tree's languages, by other authors.
pub const UNRELATED: &[(&str, &str)] = &[
    ("C", fixture!("unrelated/bst.c")),
    ("Go", fixture!("unrelated/wordcount.go")),
    ("Java", fixture!("unrelated/Catalog.java")),
    ("TypeScript", fixture!("unrelated/todos.ts")),
    ("Python", fixture!("unrelated/weather.py")),
    ("Rust", fixture!("unrelated/calc.rs")),
    ("SQL", fixture!("unrelated/library.sql")),
    ("shell", fixture!("unrelated/backup.sh")),
];

/// Code every codebase has: short, and the same everywhere.
pub const IDIOMS: &[(&str, &str)] = &[
    ("C for loop", fixture!("idioms/for-loop.c")),
    ("Java getter and setter", fixture!("idioms/getter-setter.java")),
    ("Go error checks", fixture!("idioms/error-checks.go")),
    ("Go import block", fixture!("idioms/imports.go")),
    ("Java import block", fixture!("idioms/imports.java")),
    ("Python imports and main guard", fixture!("idioms/imports-main-guard.py")),
    ("Rust derive and struct", fixture!("idioms/derive-struct.rs")),
    ("licence header", fixture!("idioms/licence-header.txt")),
    ("shell strict mode", fixture!("idioms/strict-mode.sh")),
    ("SQL select", fixture!("idioms/select.sql")),
];

/// Lists that two codebases easily share: long, regular, a handful of token kinds.
pub const JAVA_IMPORTS: &str = fixture!("lists/imports.java");
pub const PYTHON_ALL: &str = fixture!("lists/all.py");

/// A prompt with no code in it.
pub const PROSE: &str = fixture!("prose/cover-letter.txt");
