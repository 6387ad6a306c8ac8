//! Fleet delivery, natively: the fingerprint databases of a large company (1 and 10 million
//! fingerprints: the sample company tree's own, `tests/corpora/fingerprint-fixtures/company`,
//! padded with random ones), what each costs the admin to build and a browser to check and load,
//! and the memory it takes once loaded. Writes them to `target/bench/fleet-1m.db` and
//! `fleet-10m.db`, with their counts in `fleet-dbs.json`, for the browser benchmark
//! (`tests/bench/bundle-apply.mjs`: from a new bundle on the server to enforcement in Chromium).
//! Prints figures; asserts nothing.

use std::path::Path;
use std::time::Instant;

use aiguard_engine::bundle::{check_database, sha256, FingerprintRef};
use aiguard_engine::content::fingerprint::{fingerprints, BuildStats, FingerprintDb, FingerprintKey};

mod record;
use record::record;

const SIZES: [(&str, usize); 2] = [("1m", 1_000_000), ("10m", 10_000_000)];

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// The median of `runs` timings of `f`, in ms.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs).map(|_| {
        let t = Instant::now();
        f();
        ms(t)
    }).collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    let key = FingerprintKey::from_bytes(*b"aiguard-fleet-k!");
    let company_dir = root.join("tests/corpora/fingerprint-fixtures/company");
    let mut company: Vec<u64> = std::fs::read_dir(&company_dir).unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .flat_map(|text| fingerprints(&text, &key).into_iter().map(|f| f.hash))
        .collect();
    company.sort_unstable();
    company.dedup();

    println!("Fingerprint databases for fleet delivery, native (the sample company's {} fingerprints and random ones)", company.len());
    println!("{:<14}{:>14}{:>12}{:>14}{:>16}{:>12}{:>14}", "database", "fingerprints", "MB", "build ms", "SHA-256+size ms", "load ms", "memory MiB");
    let mut manifest = Vec::new();
    for (name, count) in SIZES {
        let mut hashes = company.clone();
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        while hashes.len() < count {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            hashes.push(rng);
        }
        let t = Instant::now();
        let db = FingerprintDb::build(key.clone(), hashes, BuildStats::default()).expect("database builds");
        let build = ms(t);
        let bytes = db.to_bytes();
        let file = format!("fleet-{name}.db");
        std::fs::write(out_dir.join(&file), &bytes).unwrap();
        let reference = FingerprintRef { url: format!("https://bundles.example/{file}"), sha256: sha256(&bytes), bytes: bytes.len() as u64 };
        let check = median_ms(5, || check_database(&bytes, &reference).expect("the database matches its reference"));
        let load = median_ms(5, || drop(FingerprintDb::from_bytes(&bytes).expect("database loads")));
        let loaded = FingerprintDb::from_bytes(&bytes).unwrap();
        // What the loaded database holds: its filter, the size of the file less header and checksum.
        let memory = loaded.byte_len() as f64 / 1_048_576.0;
        println!("{:<14}{:>14}{:>12.1}{:>14.0}{:>16.1}{:>12.1}{:>14.1}", file, loaded.len(), bytes.len() as f64 / 1e6, build, check, load, memory);
        let input = format!("{}-fingerprint database", if count == 1_000_000 { "1M" } else { "10M" });
        record("fleet", &input, "AIGuard native", "database build (aiguard fingerprint's last step)", format!("{build:.0}"), "ms");
        record("fleet", &input, "AIGuard native", "file size", bytes.len(), "bytes");
        record("fleet", &input, "AIGuard native", "SHA-256 and size check", format!("{check:.1}"), "ms");
        record("fleet", &input, "AIGuard native", "load", format!("{load:.1}"), "ms");
        record("fleet", &input, "AIGuard native", "memory loaded", format!("{memory:.1}"), "MiB");
        manifest.push(format!("{{\"name\": \"{name}\", \"file\": \"{file}\", \"fingerprints\": {}}}", loaded.len()));
    }
    std::fs::write(out_dir.join("fleet-dbs.json"), format!("[{}]\n", manifest.join(", "))).unwrap();
}
