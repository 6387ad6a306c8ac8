//! Where content is judged for a page: by an engine compiled inside the page (the content
//! script's, synchronous, inside the event) or by the extension's background engine (the
//! content is held while it decides).
//!
//! The engine in the page is the faster path, and it is not always possible or wanted:
//!
//! * Chromium checks a content script's WebAssembly against the page's CSP; where that forbids
//!   it, trying would fail and tell the page (see [`crate::csp`]). Without a record of the
//!   headers the document was served with, nothing is known, so the background judges.
//! * The policy can keep the engine out of pages (`content.engineInPage`): by default when it
//!   has marker terms, which would otherwise sit in the web page's process.
//! * A fingerprint database stays in the background: pages get the policy, not the company's
//!   code fingerprints.
//! * A page out of scope needs no engine at all.

use serde::Serialize;

/// The answer for one document, with the reason (for diagnostics and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageEngine {
    /// The content script may compile the engine with the policy's content section.
    Allowed,
    /// Content going into this page is not checked.
    OutOfScope,
    /// `content.engineInPage` keeps the engine out of pages.
    PolicyKeepsOut,
    /// A fingerprint database is loaded; content is judged where it is.
    FingerprintsLoaded,
    /// No record of the CSP headers the document was served with.
    NoCspRecord,
    /// The document's CSP (a header or a `<meta>`) forbids WebAssembly.
    CspForbidsWasm,
}

impl PageEngine {
    pub fn allowed(self) -> bool {
        self == PageEngine::Allowed
    }
}

/// What is known about the document asking.
#[derive(Clone, Copy, Debug)]
pub struct PageFacts<'a> {
    pub in_scope: bool,
    /// The CSP header values the document was served with (report-only included), or `None`
    /// when the background saw no response for it.
    pub header_csps: Option<&'a [String]>,
    /// The contents of the document's `<meta http-equiv="content-security-policy">` elements.
    pub meta_csps: &'a [String],
}

/// The decision, in the order of the module notes.
pub fn decide(engine_in_page: bool, fingerprints_loaded: bool, page: PageFacts<'_>) -> PageEngine {
    if !page.in_scope {
        return PageEngine::OutOfScope;
    }
    if !engine_in_page {
        return PageEngine::PolicyKeepsOut;
    }
    if fingerprints_loaded {
        return PageEngine::FingerprintsLoaded;
    }
    let Some(headers) = page.header_csps else {
        return PageEngine::NoCspRecord;
    };
    if crate::csp::allows_wasm(headers) && crate::csp::allows_wasm(page.meta_csps) {
        PageEngine::Allowed
    } else {
        PageEngine::CspForbidsWasm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_keeps_the_engine_out_in_its_turn() {
        let strict = vec!["script-src 'self'".to_string()];
        let wasm = vec!["script-src 'self' 'wasm-unsafe-eval'".to_string()];
        let none: Vec<String> = vec![];
        let page = |in_scope, headers: Option<&'static [String]>, metas: &'static [String]| PageFacts { in_scope, header_csps: headers, meta_csps: metas };
        let strict: &'static [String] = strict.leak();
        let wasm: &'static [String] = wasm.leak();
        let none: &'static [String] = none.leak();
        let cases = [
            ("out of scope", true, false, page(false, Some(none), none), PageEngine::OutOfScope),
            ("policy keeps it out", false, false, page(true, Some(none), none), PageEngine::PolicyKeepsOut),
            ("fingerprints loaded", true, true, page(true, Some(none), none), PageEngine::FingerprintsLoaded),
            ("no record", true, false, page(true, None, none), PageEngine::NoCspRecord),
            ("header forbids", true, false, page(true, Some(strict), none), PageEngine::CspForbidsWasm),
            ("meta forbids", true, false, page(true, Some(none), strict), PageEngine::CspForbidsWasm),
            ("header allows", true, false, page(true, Some(wasm), none), PageEngine::Allowed),
            ("no CSP at all", true, false, page(true, Some(none), none), PageEngine::Allowed),
        ];
        for (name, in_page, fingerprints, facts, expected) in cases {
            assert_eq!(decide(in_page, fingerprints, facts), expected, "{name}");
        }
    }
}
