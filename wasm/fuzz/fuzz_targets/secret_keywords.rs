//! Any bytes, searched for the secret rules' keywords by the prefilter and by an Aho-Corasick
//! automaton's overlapping search: the same hits, in the same order (by start, then keyword).
#![no_main]
use aho_corasick::AhoCorasickBuilder;
use aiguard_engine::content::secrets::{KeywordPrefilter, RULES};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static SEARCHERS: OnceLock<(KeywordPrefilter, aho_corasick::AhoCorasick)> = OnceLock::new();
    let (prefilter, automaton) = SEARCHERS.get_or_init(|| {
        let keywords: Vec<&str> = RULES.iter().flat_map(|r| r.keywords.iter().copied()).collect();
        let automaton = AhoCorasickBuilder::new().ascii_case_insensitive(true).build(&keywords).expect("automaton");
        (KeywordPrefilter::new(&keywords), automaton)
    });
    let mut expected: Vec<(usize, usize, usize)> =
        automaton.find_overlapping_iter(data).map(|m| (m.start(), m.pattern().as_usize(), m.end())).collect();
    expected.sort_unstable();
    let mut found = Vec::new();
    prefilter.for_each_hit(data, |keyword, start, end| found.push((start, keyword, end)));
    assert_eq!(found, expected);
});
