//! The filter index and Chrome's selection algorithm.
//!
//! A lookup walks the URL's host from the most specific name to the least (`a.b.example.com`,
//! `b.example.com`, `example.com`, `com`), and at each level keeps the filters whose scheme,
//! port, path prefix and query tokens all fit. The first level with a survivor decides: longest
//! path, then most query tokens, then the most permissive action. `*` filters are consulted
//! last. This is the order Chrome documents for URLBlocklist/URLAllowlist, so a pattern means
//! here what it means in the browser's own policy.
//!
//! Layout, built once from all filters (lookups never allocate):
//!
//! ```text
//!  seen:    [u64; 2^k]    one bit per host hash (16 bits per indexed host): most probed names
//!                         (`www.…`, `com`) are rejected here, from cache, without a map probe
//!  by_hash: Fx(host) ──► (start, len) into `order`
//!  order:   [entry id]    entry ids grouped by host hash; each entry's own host is compared,
//!                         so two hosts sharing a 64-bit hash still answer correctly
//!  entries: [(filter, payload)]
//! ```
//!
//! Cost per lookup: one hash and bit test per host label, and for indexed names one map probe
//! and a scan of the (usually one or two) filters stored under that name.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use rustc_hash::FxBuildHasher;

use super::pattern::{HostPattern, UrlFilter};
use super::request::RequestUrl;

/// Something a filter stands for; the index is generic so the policy and the catalog share it.
pub trait Ranked {
    /// Tie-break after path and query: higher wins (allow > warn > block for policy rules).
    fn permissiveness(&self) -> u8;
}

/// The map is keyed by an Fx hash already computed; hashing it again would be waste.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, _: &[u8]) {
        unreachable!("keys are u64 hashes")
    }
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of filters with payloads, answering "which filter decides this URL".
#[derive(Clone, Debug)]
pub struct FilterIndex<T> {
    entries: Vec<(UrlFilter, T)>,
    by_hash: HashMap<u64, (u32, u32), BuildHasherDefault<PassThrough>>,
    order: Vec<u32>,
    any_host: Vec<u32>,
    seen: Vec<u64>,
}

impl std::fmt::Debug for PassThrough {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassThrough")
    }
}

#[inline]
fn host_hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

impl<T: Ranked> FilterIndex<T> {
    /// Builds the index over all filters.
    pub fn build(entries: Vec<(UrlFilter, T)>) -> Self {
        let mut hashed: Vec<(u64, u32)> = Vec::with_capacity(entries.len());
        let mut any_host = Vec::new();
        for (id, (filter, _)) in entries.iter().enumerate() {
            match &filter.host {
                HostPattern::Any => any_host.push(id as u32),
                HostPattern::Name { host, .. } => hashed.push((host_hash(host), id as u32)),
            }
        }
        hashed.sort_unstable();
        let mut by_hash = HashMap::with_capacity_and_hasher(hashed.len(), BuildHasherDefault::default());
        let mut order = Vec::with_capacity(hashed.len());
        let bits = (hashed.len() * 16).next_power_of_two().max(1024);
        let mut seen = vec![0u64; bits / 64];
        let mut i = 0;
        while i < hashed.len() {
            let h = hashed[i].0;
            let start = order.len() as u32;
            while i < hashed.len() && hashed[i].0 == h {
                order.push(hashed[i].1);
                i += 1;
            }
            by_hash.insert(h, (start, order.len() as u32 - start));
            let bit = (h >> 7) as usize & (bits - 1);
            seen[bit / 64] |= 1 << (bit % 64);
        }
        FilterIndex { entries, by_hash, order, any_host, seen }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The filter that decides `url`, if any.
    pub fn lookup(&self, url: &RequestUrl<'_>) -> Option<(&UrlFilter, &T)> {
        let mut name: &str = &url.host;
        let mut exact_level = true;
        let mask = self.seen.len() * 64 - 1;
        if !name.is_empty() {
            loop {
                let h = host_hash(name);
                let bit = (h >> 7) as usize & mask;
                if self.seen[bit / 64] & (1 << (bit % 64)) != 0 {
                    if let Some(&(start, len)) = self.by_hash.get(&h) {
                        let ids = &self.order[start as usize..(start + len) as usize];
                        if let Some(id) = self.select(ids, url, Some(name), exact_level) {
                            let (f, p) = &self.entries[id as usize];
                            return Some((f, p));
                        }
                    }
                }
                if url.host_is_ip {
                    break;
                }
                // A byte scan: `str::find(char)` costs several times more on names this short.
                match name.bytes().position(|c| c == b'.') {
                    Some(i) => name = &name[i + 1..],
                    None => break,
                }
                exact_level = false;
            }
        }
        self.select(&self.any_host, url, None, true).map(|id| {
            let (f, p) = &self.entries[id as usize];
            (f, p)
        })
    }

    fn select(&self, ids: &[u32], url: &RequestUrl<'_>, name: Option<&str>, exact_level: bool) -> Option<u32> {
        let mut best: Option<(u32, (usize, usize, u8))> = None;
        for &id in ids {
            let (filter, payload) = &self.entries[id as usize];
            if let HostPattern::Name { host, subdomains } = &filter.host {
                if Some(host.as_str()) != name || (!exact_level && !subdomains) {
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
fn fits(filter: &UrlFilter, url: &RequestUrl<'_>) -> bool {
    if let Some(s) = &filter.scheme {
        if s.as_str() != url.scheme {
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
