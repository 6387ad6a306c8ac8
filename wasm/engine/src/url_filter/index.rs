//! The filter index and Chrome's selection algorithm.
//!
//! Filters are bucketed by their canonical host. A lookup walks the URL's host from the most
//! specific name to the least (`a.b.example.com`, `b.example.com`, `example.com`, `com`), and at
//! each level keeps the filters whose scheme, port, path prefix and query tokens all fit. The
//! first level with a survivor decides: longest path, then most query tokens, then the most
//! permissive action. `*` filters are consulted last. This is the order Chrome documents for
//! URLBlocklist/URLAllowlist, so a pattern means here what it means in the browser's own policy.
//!
//! Cost per lookup: one hash probe per host label plus a scan of the (usually one or two)
//! filters stored under each probed name. The map uses the Fx hash: host names are short and
//! come from the admin's policy, so SipHash's flooding resistance buys nothing here.

use std::collections::HashMap;

use super::pattern::{HostPattern, UrlFilter};
use super::request::RequestUrl;
use rustc_hash::FxBuildHasher;

/// Something a filter stands for; the index is generic so the policy and the catalog share it.
pub trait Ranked {
    /// Tie-break after path and query: higher wins (allow > warn > block for policy rules).
    fn permissiveness(&self) -> u8;
}

/// A set of filters with payloads, answering "which filter decides this URL".
#[derive(Clone, Debug)]
pub struct FilterIndex<T> {
    entries: Vec<(UrlFilter, T)>,
    by_host: HashMap<Box<str>, Vec<u32>, FxBuildHasher>,
    any_host: Vec<u32>,
}

impl<T> Default for FilterIndex<T> {
    fn default() -> Self {
        FilterIndex { entries: Vec::new(), by_host: HashMap::default(), any_host: Vec::new() }
    }
}

impl<T: Ranked> FilterIndex<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, filter: UrlFilter, payload: T) {
        let id = self.entries.len() as u32;
        match &filter.host {
            HostPattern::Any => self.any_host.push(id),
            HostPattern::Name { host, .. } => {
                self.by_host.entry(host.as_str().into()).or_default().push(id)
            }
        }
        self.entries.push((filter, payload));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[(UrlFilter, T)] {
        &self.entries
    }

    /// The filter that decides `url`, if any.
    pub fn lookup(&self, url: &RequestUrl) -> Option<(&UrlFilter, &T)> {
        let mut name = url.host.as_str();
        let mut exact_level = true;
        if !name.is_empty() {
            loop {
                if let Some(ids) = self.by_host.get(name) {
                    if let Some(id) = self.select(ids, url, exact_level) {
                        let (f, p) = &self.entries[id as usize];
                        return Some((f, p));
                    }
                }
                if url.host_is_ip {
                    break;
                }
                match name.find('.') {
                    Some(i) => name = &name[i + 1..],
                    None => break,
                }
                exact_level = false;
            }
        }
        self.select(&self.any_host, url, true).map(|id| {
            let (f, p) = &self.entries[id as usize];
            (f, p)
        })
    }

    fn select(&self, ids: &[u32], url: &RequestUrl, exact_level: bool) -> Option<u32> {
        let mut best: Option<(u32, (usize, usize, u8))> = None;
        for &id in ids {
            let (filter, payload) = &self.entries[id as usize];
            if !exact_level {
                if let HostPattern::Name { subdomains: false, .. } = filter.host {
                    continue;
                }
            }
            if !fits(filter, url) {
                continue;
            }
            // An exact-host (leading `.`) filter and a subdomain filter for the same host rank
            // equally here, as the policy contract specifies; Chrome's own URLBlocklist would
            // prefer the exact one. See DESIGN.md.
            let rank = (filter.path.len(), filter.query.len(), payload.permissiveness());
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((id, rank));
            }
        }
        best.map(|(id, _)| id)
    }
}

/// Scheme, port, path prefix and query tokens: everything but the host.
fn fits(filter: &UrlFilter, url: &RequestUrl) -> bool {
    if let Some(s) = &filter.scheme {
        if *s != url.scheme {
            return false;
        }
    }
    if filter.port.is_some() && filter.port != url.port {
        return false;
    }
    if !url.path.starts_with(filter.path.as_str()) {
        return false;
    }
    if filter.query.is_empty() {
        return true;
    }
    let Some(query) = url.query.as_deref() else {
        return false;
    };
    filter.query.iter().all(|token| query.split('&').filter(|e| !e.is_empty()).any(|element| token.matches_element(element)))
}
