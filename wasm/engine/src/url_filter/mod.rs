//! URL filters: parsing Chrome-format patterns, canonical request URLs, the index that picks
//! the deciding filter, and the proxies whose URLs stand for another site's.

mod index;
mod pattern;
pub mod proxies;
mod request;

pub use index::{FilterIndex, Ranked};
pub use pattern::{HostPattern, PatternError, QueryToken, UrlFilter, MAX_QUERY_TOKENS};
pub use request::{mapped_ipv6_literal, RequestUrl, UrlError};
