//! URL filters: parsing Chrome-format patterns, canonical request URLs, and the index that
//! picks the deciding filter.

mod index;
mod pattern;
mod request;

pub use index::{FilterIndex, Ranked};
pub use pattern::{HostPattern, PatternError, QueryToken, UrlFilter, MAX_QUERY_TOKENS};
pub use request::{mapped_ipv6_literal, RequestUrl, UrlError};
