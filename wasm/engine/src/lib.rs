//! AIGuard's engine: every policy decision the extension and the `aiguard` CLI make.
//!
//! * [`url_filter`]: Chrome-format URL patterns, canonical URLs, the selecting index.
//! * [`catalog`]: the built-in catalog of AI tools and their categories.
//! * [`policy`]: the admin's policy document, validated and compiled.
//! * [`dnr`]: the policy as browser `declarativeNetRequest` rules.
//! * [`content`]: scanning text for proprietary code, credentials and confidential markers.
//! * [`csp`]: whether a page's Content Security Policy lets the engine run inside it.
//! * [`engine`]: the public face tying them together.
//!
//! The crate has no browser dependency; the wasm bindings and the CLI are thin layers over it.

pub mod catalog;
pub mod content;
pub mod csp;
pub mod dnr;
pub mod engine;
pub mod error;
pub mod policy;
pub mod url_filter;
pub mod verdict;

#[cfg(test)]
mod test_rng;

pub use engine::{Engine, Explanation, Verdict};
pub use error::PolicyError;
pub use verdict::Action;
