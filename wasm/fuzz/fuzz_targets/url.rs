//! Any text as a URL: the allocation-free canonical scan must only accept what the full WHATWG
//! parser serialises unchanged, with the same parts.
#![no_main]
use aiguard_engine::url_filter::RequestUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(fast) = RequestUrl::canonical(text) {
        let full = RequestUrl::parse_full(text).expect("fast path accepted a string the parser rejects");
        let mut href = text.to_string();
        if let Some(i) = href.find('#') {
            href.truncate(i);
        }
        assert_eq!(full.href, href, "fast path accepted a non-canonical URL");
        assert_eq!(fast.into_owned(), full);
    }
    let _ = aiguard_engine::Engine::builtin().verdict(text);
});
