//! The winnowing guarantee, through the public API: a run of W + K - 1 tokens that two texts
//! share gives them a fingerprint in common, and fingerprints carry byte ranges of the original
//! text whatever the key.

mod fingerprint_fixtures;

use aiguard_engine::content::fingerprint::{fingerprints, token_count, FingerprintKey, K, W};
use fingerprint_fixtures::{key, GO_SRC};

#[test]
fn a_shared_run_of_w_plus_k_minus_1_tokens_shares_a_fingerprint() {
    // Statements of exactly four tokens each (`name op literal ;`), so runs of any length can
    // be cut on token boundaries; seven operators in turn, so the run does not repeat within a
    // k-gram (a repetitive run has no fingerprints at all: see `Repetition`).
    let statement = |i: usize| format!("v{} {} {};\n", i % 7, ["=", "<", ">", "*", "-", "+", "&"][i % 7], i * 3);
    assert_eq!(token_count(&statement(1)), 4);
    let words = |from: usize, tokens: usize| -> String {
        let mut s: String = (from..from + tokens / 4).map(statement).collect();
        s += ["", "x\n", "x =\n", "x = 1\n"][tokens % 4];
        s
    };
    let needed = W + K - 1;
    let shared = words(100, needed);
    assert_eq!(token_count(&shared), needed);
    // Different, unrelated surroundings (their own statements can't line up with the run).
    let a = format!("fn setup() {{ return; }}\n{shared}while (true) {{ break; }}\n");
    let b = format!("SELECT * FROM t WHERE 1 = 2;\n{shared}{{ [ ( ) ] }}\n");
    let fa: Vec<u64> = fingerprints(&a, &key()).iter().map(|f| f.hash).collect();
    let common: Vec<_> = fingerprints(&b, &key()).into_iter().filter(|f| fa.contains(&f.hash)).collect();
    assert!(!common.is_empty(), "a run of W + K - 1 = {needed} tokens shares no fingerprint");
    let shared_at = b.find(&shared).unwrap();
    assert!(common.iter().all(|f| f.start >= shared_at && f.end <= shared_at + shared.len()));
}

#[test]
fn fingerprint_ranges_are_original_byte_ranges() {
    // Lines of three shapes in turn (one shape repeated would be too repetitive to fingerprint).
    let text: String = (0..40).map(|i| ["  x\u{a0}=\u{a0}'ü'  ;\r\n", "if\u{a0}(x)\u{a0}{ call('ü', y); }\r\n", "return\u{a0}x\u{a0}+\u{a0}1 ;\r\n"][i % 3]).collect();
    for f in fingerprints(&text, &key()) {
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end) && f.start < f.end);
    }
    assert!(!fingerprints(&text, &key()).is_empty());
    let a = fingerprints(GO_SRC, &key());
    let b = fingerprints(GO_SRC, &FingerprintKey::from_bytes([9; 16]));
    assert_eq!(a.len(), b.len(), "the key changes the hashes, not the selection");
    assert!(a.iter().zip(&b).all(|(x, y)| x.hash != y.hash && x.start == y.start));
}
