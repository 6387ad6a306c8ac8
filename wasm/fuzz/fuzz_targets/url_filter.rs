//! Any text as a URL filter pattern: parses or errs, never panics; a parsed filter's display
//! form parses back to the same filter.
#![no_main]
use aiguard_engine::url_filter::UrlFilter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(f) = UrlFilter::parse(text) {
        let again = UrlFilter::parse(&f.to_string()).expect("display form parses");
        assert_eq!(f, again, "round trip of {text:?}");
    }
});
