//! Whether a page's Content Security Policy lets a content script compile WebAssembly.
//!
//! Chromium checks a content script's `WebAssembly.compile`/`instantiate` against the page's
//! CSP. Where the page does not allow it, trying is not harmless: the compile throws, and the
//! page receives a `securitypolicyviolation` event (and its `report-uri` a report) naming a
//! `chrome-extension:` source, which tells the site the extension is there. So the extension
//! decides beforehand, from the policies the page was served with (headers, report-only ones
//! included, and `<meta http-equiv>` ones), and only then compiles the engine in the page.
//!
//! Parsing follows CSP Level 3, "parse a serialized CSP list": policies are separated by commas,
//! directives by semicolons; a directive's name is case-insensitive and its first occurrence in
//! a policy wins. WebAssembly compilation is checked against `script-src`, or `default-src`
//! when a policy has no `script-src`, and is allowed by `'wasm-unsafe-eval'` or `'unsafe-eval'`
//! ("EnsureCSPDoesNotBlockWasmEval"). Every policy must allow it: report-only policies too,
//! because they report.

/// Whether WebAssembly may be compiled in a document served with these policies. Each item is
/// one header value or `<meta>` content, which may itself hold several comma-separated policies.
pub fn allows_wasm<S: AsRef<str>>(policies: &[S]) -> bool {
    policies.iter().flat_map(|list| list.as_ref().split(',')).all(policy_allows_wasm)
}

fn policy_allows_wasm(policy: &str) -> bool {
    let mut script_src = None;
    let mut default_src = None;
    for directive in policy.split(';') {
        let directive = directive.trim_matches(is_ascii_space);
        let (name, value) = directive.split_once(is_ascii_space).unwrap_or((directive, ""));
        let slot = if name.eq_ignore_ascii_case("script-src") {
            &mut script_src
        } else if name.eq_ignore_ascii_case("default-src") {
            &mut default_src
        } else {
            continue;
        };
        // The first occurrence of a directive wins; later ones are ignored.
        slot.get_or_insert(value);
    }
    match script_src.or(default_src) {
        None => true,
        Some(sources) => sources
            .split(is_ascii_space)
            .any(|s| s.eq_ignore_ascii_case("'wasm-unsafe-eval'") || s.eq_ignore_ascii_case("'unsafe-eval'")),
    }
}

/// ASCII whitespace as the CSP grammar means it (tab, LF, FF, CR, space).
fn is_ascii_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::allows_wasm;

    #[test]
    fn table() {
        // (policies, allowed)
        let cases: &[(&[&str], bool)] = &[
            (&[], true),
            (&[""], true),
            (&["img-src 'self'; frame-ancestors 'none'"], true),
            (&["script-src 'self'"], false),
            (&["default-src 'self'"], false),
            (&["script-src 'self' 'wasm-unsafe-eval'"], true),
            (&["script-src 'self' 'unsafe-eval'"], true),
            (&["SCRIPT-SRC 'self' 'WASM-UNSAFE-EVAL'"], true),
            // script-src takes precedence over default-src, either way round.
            (&["default-src 'self'; script-src 'wasm-unsafe-eval'"], true),
            (&["default-src 'wasm-unsafe-eval'; script-src 'self'"], false),
            (&["default-src 'self' 'unsafe-eval'"], true),
            // The first occurrence of a directive wins.
            (&["script-src 'self'; script-src 'wasm-unsafe-eval'"], false),
            (&["script-src 'wasm-unsafe-eval'; script-src 'self'"], true),
            // Unquoted, or with a longer name, it is a host source, not `'wasm-unsafe-eval'`.
            (&["script-src wasm-unsafe-eval"], false),
            (&["script-src 'unsafe-inline' 'unsafe-hashes' *"], false),
            (&["script-src 'wasm-unsafe-evaluate'"], false),
            // Every policy must allow it: a comma list, several headers, report-only ones.
            (&["script-src 'wasm-unsafe-eval', script-src 'self'"], false),
            (&["script-src 'wasm-unsafe-eval', img-src *"], true),
            (&["script-src 'wasm-unsafe-eval'", "default-src 'none'"], false),
            (&["script-src 'unsafe-eval'", "script-src 'wasm-unsafe-eval'"], true),
            // Whitespace the grammar allows around and between tokens.
            (&["  script-src\t'self'\n'wasm-unsafe-eval' ;; "], true),
            (&["script-src"], false),
            // A directive that only sounds like it: script-src-elem does not govern eval.
            (&["script-src-elem 'self'"], true),
        ];
        for (policies, allowed) in cases {
            assert_eq!(allows_wasm(policies), *allowed, "{policies:?}");
        }
    }
}
