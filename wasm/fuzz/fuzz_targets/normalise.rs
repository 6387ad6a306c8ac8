//! Any text through the disguise views: never panics, and every span of a view maps back to a
//! span of the text that is in bounds and on character boundaries.
#![no_main]
use aiguard_engine::content::normalise::views;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for view in views(text) {
        let bounds: Vec<usize> = (0..=view.text.len()).filter(|&i| view.text.is_char_boundary(i)).collect();
        for (k, &start) in bounds.iter().enumerate().step_by(3) {
            for &end in bounds[k..].iter().step_by(5) {
                let (s, e) = view.original_span(text, start, end);
                assert!(s <= e && e <= text.len(), "{s}..{e} of {}", text.len());
                assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            }
        }
    }
});
