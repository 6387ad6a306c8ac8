//! Content-scan throughput: every secret rule, the policy's markers and (when the fingerprint
//! detector is present) a database of a million fingerprints, over a 4 KB paste and 1 MB and
//! 10 MB inputs of real source code in ten languages (the pinned packages of the accuracy
//! benchmark: `node tests/corpora/fetch.mjs` first) with credentials sprinkled in, and a dense
//! 10 MB of this repository's own sources that the database holds from end to end (the worst
//! case). Writes the inputs to `target/bench/` for the wasm run under Node
//! (`tests/bench/scan-bench.mjs`).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use aiguard_engine::content::fingerprint::{fingerprints, BuildStats, FingerprintDb, FingerprintKey};
use aiguard_engine::Engine;

// Shared with the accuracy benchmark, which uses all of it.
#[allow(dead_code)]
mod corpus;
mod record;
use record::record;

const POLICY: &str = r#"{"version": 1, "rules": [], "content": {"markers": [
  {"id": "confidential", "action": "warn", "terms": ["ACME CONFIDENTIAL", "ACME-INTERNAL", "Project Bluebird"]},
  {"id": "hosts", "action": "warn", "terms": ["corp.acme.internal"], "wholeWord": false},
  {"id": "tickets", "action": "warn", "regex": "BLUE-[0-9]{3,6}"}]}}"#;

/// Real code by other authors: the files of the accuracy benchmark's pinned packages
/// (`corpus.rs`), a file of each package in turn, so that every input mixes languages and
/// projects. Also the text of the "company" packages, whose fingerprints go into the database,
/// so that part of each input matches it, as part of a real paste would.
fn corpus(root: &Path) -> (Vec<String>, String) {
    let packages = corpus::packages(root);
    let dir = root.join("target/corpus");
    let mut by_package: Vec<Vec<corpus::Source>> = packages.iter().map(|p| {
        let mut files = corpus::walk_packages(&dir, &[p]);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }).collect();
    let company: String = packages.iter().zip(&by_package).filter(|(p, _)| p.company)
        .flat_map(|(_, files)| files.iter().map(|f| f.text.as_str())).collect::<Vec<_>>().join("\n");
    let mut files = Vec::new();
    let longest = by_package.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for package in &mut by_package {
            if let Some(f) = package.get_mut(i) {
                files.push(std::mem::take(&mut f.text));
            }
        }
    }
    (files, company)
}

/// The dense input's text: this repository's own sources and docs, in a fixed order. Source
/// code and little else, the secret rules' file (every keyword, many near-secrets) among it, all
/// of it in the database: a paste of the company's own code that matches from end to end.
fn own_sources(root: &Path) -> String {
    let mut files = Vec::new();
    for dir in ["wasm", "extension", "tests/e2e", "scripts"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    let mut out = String::new();
    for f in files {
        if let Ok(t) = std::fs::read_to_string(&f) {
            out.push_str(&t);
            out.push('\n');
        }
    }
    out
}

/// Tracked sources only: build output (a test build's bundles, say) would change the input.
fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if p.is_dir() {
            if !(name.starts_with('.') || matches!(&*name, "target" | "dist" | "node_modules" | "corpus" | "artifacts")) {
                collect(&p, out);
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("rs" | "js" | "mjs" | "md" | "html" | "css" | "sh")) {
            out.push(p);
        }
    }
}

/// The corpus's files in order (from the start again if they run out) to `bytes`, with a GitHub
/// token on a line of its own every 64 KB or so.
fn sized(files: &[String], bytes: usize) -> String {
    let token = concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn");
    let mut out = String::with_capacity(bytes + (1 << 20));
    let mut next_token = 0;
    for (i, f) in files.iter().cycle().enumerate() {
        if out.len() >= bytes {
            break;
        }
        if out.len() >= next_token {
            out.push_str(&format!("GITHUB_TOKEN={token} # copy {i}\n"));
            next_token += 64 << 10;
        }
        out.push_str(f);
        out.push('\n');
    }
    cut_to(out, bytes)
}

/// A prompt of many code blocks, the worst case of the fenced-block rule (each short block
/// without a match is scanned again alone): the company's code in pieces of about 2 KB, each
/// followed by fifty one-line fenced blocks, to `bytes`.
fn fenced(company: &str, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + (4 << 10));
    let mut at = 0;
    while out.len() < bytes {
        let mut end = (at + (2 << 10)).min(company.len());
        while !company.is_char_boundary(end) {
            end += 1;
        }
        out.push_str(&company[at..end]);
        out.push('\n');
        at = if end >= company.len() { 0 } else { end };
        for i in 0..50 {
            out.push_str(&format!("```\nlet total_{i} = prices.iter().sum::<u64>() + {i};\n```\n"));
        }
    }
    cut_to(out, bytes)
}

/// `text` cut to at most `bytes`, at a character boundary.
fn cut_to(mut text: String, bytes: usize) -> String {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    let (corpus, company) = corpus(&root);
    // Cold start: the first scan after the engine is built pays for compiling the regexes of
    // the rules whose keywords it meets (they compile lazily).
    let cold_text = sized(&corpus, 4 << 10);
    let t = Instant::now();
    let cold = Engine::from_policy_json(POLICY).expect("bench policy is valid");
    let build = t.elapsed();
    let t = Instant::now();
    black_box(cold.scan(&cold_text));
    let first = t.elapsed();
    let t = Instant::now();
    black_box(cold.scan(&sized(&corpus, 1 << 20)));
    let first_mb = t.elapsed();
    println!("engine build {:.2} ms; first 4 KB scan {:.2} ms; first 1 MB scan {:.1} ms (includes compiling regexes)",
        build.as_secs_f64() * 1e3, first.as_secs_f64() * 1e3, first_mb.as_secs_f64() * 1e3);
    record("content-scan", "4 KB paste", "AIGuard native", "first scan after start", format!("{:.2}", first.as_secs_f64() * 1e3), "ms");
    record("content-scan", "1 MB", "AIGuard native", "first scan after start", format!("{:.1}", first_mb.as_secs_f64() * 1e3), "ms");
    let mut engine = Engine::from_policy_json(POLICY).expect("bench policy is valid");
    // A database of the company packages' fingerprints plus random ones to just over 1,000,000,
    // so lookups hit a realistically large filter and real matches exist in the inputs.
    let key = FingerprintKey::from_bytes(*b"aiguard-bench-k!");
    let dense = own_sources(&root);
    let mut hashes: Vec<u64> = fingerprints(&company, &key).into_iter().chain(fingerprints(&dense, &key)).map(|f| f.hash).collect();
    // Distinct ones: code repeats itself, and the database keeps each fingerprint once.
    hashes.sort_unstable();
    hashes.dedup();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    while hashes.len() < 1_010_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        hashes.push(rng);
    }
    let db = FingerprintDb::build(key, hashes, BuildStats::default()).expect("database builds");
    let db_bytes = db.to_bytes();
    std::fs::write(out_dir.join("fp-bench.db"), &db_bytes).unwrap();
    let t = Instant::now();
    let loaded = FingerprintDb::from_bytes(&db_bytes).expect("database loads");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let per_fingerprint = db_bytes.len() as f64 / loaded.len() as f64;
    println!("fingerprint database: {} fingerprints, {} bytes ({per_fingerprint:.2} per fingerprint), loaded in {load_ms:.2} ms",
        loaded.len(), db_bytes.len());
    let db_input = format!("bench database of {} fingerprints", loaded.len());
    record("fingerprint-db", &db_input, "AIGuard native", "file size", db_bytes.len(), "bytes");
    record("fingerprint-db", &db_input, "AIGuard native", "file size per fingerprint", format!("{per_fingerprint:.2}"), "bytes");
    record("fingerprint-db", &db_input, "AIGuard native", "load", format!("{load_ms:.2}"), "ms");
    engine.set_fingerprints(Some(loaded));
    let inputs = [
        ("4 KB paste", "scan-4.txt", sized(&corpus, 4 << 10), 201),
        // The shortest text scanned on several threads natively.
        ("256 KB", "scan-256k.txt", sized(&corpus, 256 << 10), 41),
        ("1 MB", "scan-1.txt", sized(&corpus, 1 << 20), 21),
        ("10 MB", "scan-10.txt", sized(&corpus, 10 << 20), 5),
        ("10 MB dense", "scan-10-dense.txt", sized(std::slice::from_ref(&dense), 10 << 20), 5),
        ("10 MB fenced", "scan-10-fenced.txt", fenced(&company, 10 << 20), 5),
    ];
    std::fs::write(out_dir.join("scan-policy.json"), POLICY).unwrap();
    println!("Content scan, native (median; all {} secret rules, 3 marker rules, 1M-fingerprint database)", aiguard_engine::content::secrets::RULES.len());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(aiguard_engine::content::scanner::MAX_THREADS);
    println!("(inputs of {} KB and more: the fingerprint pass split over {threads} threads, one of them also running secrets and markers; then the same scan on one thread; passes interleaved)",
        aiguard_engine::content::scanner::PARALLEL_MIN_BYTES >> 10);
    println!("{:<12} {:>12} {:>8} {:>14} {:>8} {:>10}", "input", "time", "MB/s", "one thread", "MB/s", "findings");
    let mut json = Vec::new();
    for (name, file, text, runs) in &inputs {
        std::fs::write(out_dir.join(&file), text).unwrap();
        let findings = engine.scan(text).findings.len();
        assert_eq!(engine.content().scan_on_one_thread(text).findings.len(), findings);
        let (mut both, mut one) = (Vec::new(), Vec::new());
        for _ in 0..*runs {
            let s = Instant::now();
            black_box(engine.scan(black_box(text)));
            both.push(s.elapsed().as_secs_f64());
            let s = Instant::now();
            black_box(engine.content().scan_on_one_thread(black_box(text)));
            one.push(s.elapsed().as_secs_f64());
        }
        let (t, t1) = (median(both), median(one));
        let mbps = text.len() as f64 / t / 1e6;
        let mbps1 = text.len() as f64 / t1 / 1e6;
        println!("{name:<12} {:>9.3} ms {mbps:>8.0} {:>11.3} ms {mbps1:>8.0} {findings:>10}", t * 1e3, t1 * 1e3);
        // Which scan the product ran: the threaded one from PARALLEL_MIN_BYTES on.
        let scan = if threads > 1 && text.len() >= aiguard_engine::content::scanner::PARALLEL_MIN_BYTES {
            format!("scan on {threads} threads")
        } else {
            "scan".to_string()
        };
        record("content-scan", name, "AIGuard native", &scan, format!("{:.3}", t * 1e3), "ms");
        record("content-scan", name, "AIGuard native", &scan, format!("{mbps:.0}"), "MB/s");
        record("content-scan", name, "AIGuard native", "scan on one thread", format!("{:.3}", t1 * 1e3), "ms");
        record("content-scan", name, "AIGuard native", "scan on one thread", format!("{mbps1:.0}"), "MB/s");
        json.push(serde_json::json!({"input": name, "file": file, "seconds": t, "mbPerS": mbps, "oneThreadSeconds": t1, "oneThreadMbPerS": mbps1, "findings": findings}));
    }
    std::fs::write(out_dir.join("scan-native.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();

    // Where the time of a full scan goes, on the 10 MB input: each stage alone.
    let text = &inputs[3].2;
    let db = engine.content().fingerprints().expect("database installed");
    let no_db = Engine::from_policy_json(POLICY).expect("bench policy is valid");
    black_box(no_db.scan(text));
    let stages: [(&str, &dyn Fn() -> usize); 5] = [
        ("disguise views (looking for them)", &|| aiguard_engine::content::normalise::views(text).len()),
        ("tokenize", &|| aiguard_engine::content::fingerprint::token_count(text)),
        ("tokenize + winnow + keyed hash", &|| fingerprints(text, db.key()).len()),
        ("fingerprint scan (+ lookups, spans)", &|| db.scan(text, 4).len()),
        ("secrets + markers (no database)", &|| no_db.scan(text).findings.len()),
    ];
    let tokens = aiguard_engine::content::fingerprint::token_count(text);
    let selected = fingerprints(text, db.key()).len();
    println!("\nstages of the 10 MB scan, native (median of 5; {tokens} tokens, {selected} fingerprints)");
    for (name, f) in stages {
        let t = median((0..5).map(|_| {
            let s = Instant::now();
            black_box(f());
            s.elapsed().as_secs_f64()
        }).collect());
        let mbps = text.len() as f64 / t / 1e6;
        println!("{name:<38} {:>8.1} ms {mbps:>8.0} MB/s", t * 1e3);
        record("content-scan-stages", "10 MB", "AIGuard native", name, format!("{:.1}", t * 1e3), "ms");
        record("content-scan-stages", "10 MB", "AIGuard native", name, format!("{mbps:.0}"), "MB/s");
    }
}
