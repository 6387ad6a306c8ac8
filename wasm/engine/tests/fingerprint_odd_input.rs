//! Hostile and odd input to a fingerprint scan: binary, NUL bytes, unclosed comments and
//! strings, one huge line or literal, non-ASCII text. Each takes bounded time, without a panic,
//! and the time per byte does not grow with the length of a line.

mod fingerprint_fixtures;

use aiguard_engine::content::fingerprint::{fingerprints, DEFAULT_MIN_MATCHES};
use fingerprint_fixtures::{company_db, key, GO_SRC, PY_SRC, RUST_SRC, TS_SRC};

#[test]
fn odd_input_is_handled() {
    let db = company_db();
    let mut state = 99u64;
    let mut rand = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as u8
    };
    let binary: Vec<u8> = (0..200_000).map(|_| rand()).collect();
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("binary decoded lossily", String::from_utf8_lossy(&binary).into_owned()),
        ("NUL bytes", "\0".repeat(10_000)),
        // (A file with `//` comments would be one comment once flattened: TS_SRC has none.)
        ("one long line of code", TS_SRC.replace('\n', " ").repeat(200)),
        ("unclosed comment", format!("/* {}", GO_SRC.repeat(50))),
        ("unclosed string", format!("\"{}", RUST_SRC.repeat(50))),
        ("unclosed docstring", format!("\"\"\"{}", PY_SRC.repeat(50))),
        ("many openers", "/* \"\"\" ''' ` r#\" ' \" ".repeat(20_000)),
        ("deep punctuation", "({[".repeat(100_000)),
        ("one huge literal", format!("\"{}\"", "a".repeat(1 << 20))),
        ("a table of zeros", "0, ".repeat(300_000)),
        ("non-ASCII", "变量 = 函数(参数); ".repeat(20_000)),
    ];
    for (name, text) in cases {
        let started = std::time::Instant::now();
        let m = db.scan(&text, DEFAULT_MIN_MATCHES);
        let n = fingerprints(&text, &key()).len();
        assert!(started.elapsed().as_secs() < 20, "{name}: {:?}", started.elapsed());
        assert!(n <= text.len(), "{name}");
        if name == "one long line of code" {
            assert!(!m.is_empty(), "a file flattened to one line still matches");
        }
    }
}

#[test]
fn a_50_mb_single_line_is_linear() {
    // Time per byte of 5 MB and of 50 MB must be about the same (generous bound: debug build,
    // shared machine).
    let db = company_db();
    let unit = TS_SRC.replace('\n', " ");
    let time = |bytes: usize| {
        let text = unit.repeat(bytes / unit.len() + 1);
        let started = std::time::Instant::now();
        let _ = db.scan(&text, DEFAULT_MIN_MATCHES);
        started.elapsed().as_secs_f64() / text.len() as f64
    };
    let small = time(5 << 20);
    let large = time(50 << 20);
    assert!(large < small * 3.0, "per byte: {small:e} s at 5 MB, {large:e} s at 50 MB");
}
