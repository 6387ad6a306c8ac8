//! The whole scan, with every detector, on a text long enough to be split across threads: the
//! report is the one a single thread gives, for a text of many lines and for one line.

mod fingerprint_fixtures;

use fingerprint_fixtures::{company_db, PROSE, TREE, UNRELATED};

#[test]
fn a_large_text_scanned_on_several_threads_reports_what_one_thread_does() {
    use aiguard_engine::content::scanner::PARALLEL_MIN_BYTES;
    let mut engine = aiguard_engine::Engine::from_policy_json(
        r#"{"version": 1, "rules": [], "content": {"markers": [{"id": "c", "action": "warn", "terms": ["ACME CONFIDENTIAL"]}]}}"#,
    )
    .unwrap();
    engine.set_fingerprints(Some(company_db()));
    // Company files, unrelated code and prose, with a credential and a marker in every round.
    let mut text = String::new();
    let mut round = 0;
    while text.len() < 2 * PARALLEL_MIN_BYTES {
        let s = &TREE[round % TREE.len()];
        text.push_str(&format!("Round {round}: ACME CONFIDENTIAL\nGITHUB_TOKEN={}{round:06}\n", concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA")));
        text.push_str(s.text);
        text.push_str(UNRELATED[round % UNRELATED.len()].1);
        text.push_str(PROSE);
        round += 1;
    }
    let one = engine.content().scan_on_one_thread(&text);
    let two = engine.scan(&text);
    for detector in ["fingerprint", "secret", "marker"] {
        let n = one.findings.iter().filter(|f| serde_json::to_value(f.detector).unwrap() == detector).count();
        assert!(n >= round / 2, "{detector}: {n} findings in {round} rounds");
    }
    assert_eq!(two, one);
}

#[test]
fn a_large_text_without_a_line_start_to_split_at_is_scanned_whole() {
    // The parts of a split scan start at line starts: a long one-line paste (minified code, a
    // log line) has none, and is one part.
    use aiguard_engine::content::scanner::PARALLEL_MIN_BYTES;
    let mut engine = aiguard_engine::Engine::from_policy_json(r#"{"version": 1, "rules": []}"#).unwrap();
    engine.set_fingerprints(Some(company_db()));
    let mut text = String::new();
    let mut round = 0;
    while text.len() < 2 * PARALLEL_MIN_BYTES {
        text.push_str(&TREE[round % TREE.len()].text.replace('\n', " "));
        round += 1;
    }
    assert_eq!(engine.scan(&text), engine.content().scan_on_one_thread(&text));
}
