//! AIGuard's engine: every policy decision the extension and the `aiguard` CLI make.
//!
//! * [`url_filter`]: Chrome-format URL patterns, canonical URLs, the selecting index.
//! * [`catalog`]: the built-in catalog of AI tools and their categories.
//! * [`policy`]: the admin's policy document, validated and compiled.
//! * [`dnr`]: the policy as browser `declarativeNetRequest` rules.
//! * [`content`]: scanning text for proprietary code, credentials and confidential markers.
//! * [`csp`]: whether a page's Content Security Policy lets the engine run inside it.
//! * [`page_engine`]: whether content for a page is judged inside it or in the background.
//! * [`policy_source`]: which policy is in force (managed, local, last good, built-in), and why.
//! * [`bundle`]: signed policy bundles, verified before they may be put in force.
//! * [`grants`]: "Continue" on a warn page, remembered per host until it expires.
//! * [`engine`]: the public face tying them together.
//!
//! The crate has no browser dependency; the wasm bindings and the CLI are thin layers over it.

pub mod audit;
pub mod bundle;
pub mod catalog;
pub mod content;
pub mod csp;
pub mod dnr;
pub mod engine;
pub mod error;
pub mod grants;
pub mod page_engine;
pub mod policy;
pub mod policy_source;
pub mod time;
pub mod url_filter;
pub mod verdict;

#[cfg(test)]
mod test_rng;

pub use engine::{AddressCheck, ContinueGrant, ContinueRefusal, Engine, Explanation, FrameContext, Verdict};
pub use grants::Grants;
pub use error::PolicyError;
pub use verdict::Action;
