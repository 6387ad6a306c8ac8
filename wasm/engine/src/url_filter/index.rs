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
//!                         (`www.…`, `com`) are rejected here, from cache, without a table probe
//!  slots:   [Slot; 2^m]   open addressing, linear probing, at most half full:
//!                         Slot { hash: Fx(host), start: u32, len: u32 }, len 0 = empty
//!  compact: [Compact]     per filter: host bytes inline (up to 38), subdomains?, host-only?,
//!                         payload; sorted by (host hash, policy order), so a slot's filters are
//!                         one contiguous run. `*` filters come last.
//!  filters: [UrlFilter]   the full filters, same order: read only for a filter with a scheme,
//!                         port, path or query, or a host too long to keep inline
//! ```
//!
//! A hit on a host-only filter reads one slot and one `Compact`: two cache lines, where a
//! general-purpose hash map, the filter, its host string and the rule took five. On a large
//! policy few of those lines are in cache, so a lookup is mostly waiting for them (the URL
//! benchmark, `wasm/bench/src/url_bench.rs`, times parsed-URL lookups on a 10,000-rule policy).
//! The host is still compared byte for byte, so two hosts sharing a 64-bit hash answer
//! correctly.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use super::pattern::{HostPattern, UrlFilter};
use super::request::RequestUrl;

/// Something a filter stands for; the index is generic so the policy and the catalog share it.
pub trait Ranked {
    /// Tie-break after path and query: higher wins (allow > warn > block for policy rules).
    fn permissiveness(&self) -> u8;
}

/// A set of filters with payloads, answering "which filter decides this URL".
#[derive(Clone, Debug)]
pub struct FilterIndex<T> {
    /// The filters, in index order.
    filters: Vec<UrlFilter>,
    /// What a lookup reads first, one per filter in the same order: the host inline, and
    /// whether the filter has anything else to check.
    compact: Vec<Compact<T>>,
    slots: Vec<Slot>,
    /// `entries[any_host..]` have the `*` host.
    any_host: usize,
    seen: Vec<u64>,
}

/// Longest host kept inline in [`Compact`]; longer ones are compared in the filter itself.
const INLINE_HOST: usize = 38;

/// The part of a filter a lookup needs for the common case (a host, nothing else), so that a
/// hit reads one slot and one of these: no filter, no host string, no rule.
#[derive(Clone, Debug)]
struct Compact<T> {
    host: [u8; INLINE_HOST],
    /// Length of the inline host, or `u8::MAX` when the host is longer (or the filter is `*`).
    host_len: u8,
    subdomains: bool,
    /// No scheme, port, path or query to check.
    host_only: bool,
    payload: T,
}

impl<T> Compact<T> {
    fn new(filter: &UrlFilter, payload: T) -> Self {
        let mut host = [0; INLINE_HOST];
        let (host_len, subdomains) = match &filter.host {
            HostPattern::Name { host: h, subdomains } if h.len() <= INLINE_HOST => {
                host[..h.len()].copy_from_slice(h.as_bytes());
                (h.len() as u8, *subdomains)
            }
            HostPattern::Name { subdomains, .. } => (u8::MAX, *subdomains),
            HostPattern::Any => (u8::MAX, true),
        };
        let host_only = filter.scheme.is_none() && filter.port.is_none() && filter.path.is_empty() && filter.query.is_empty();
        Compact { host, host_len, subdomains, host_only, payload }
    }
}

/// The filters of one host hash: `filters[start..start + len]`.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    hash: u64,
    start: u32,
    len: u32,
}

/// Slot index of a hash: Fibonacci hashing of the whole 64 bits (Fx hashes mix the high bits
/// better than the low ones).
#[inline]
fn slot_of(h: u64, shift: u32) -> usize {
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

#[inline]
fn host_hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

impl<T: Ranked> FilterIndex<T> {
    /// Builds the index over all filters.
    pub fn build(entries: Vec<(UrlFilter, T)>) -> Self {
        // (host hash, policy order): named hosts grouped by hash, `*` last, each group in the
        // order the policy lists its filters (which the tie-break in `select` relies on).
        let mut keys: Vec<(bool, u64, u32)> = entries.iter().enumerate().map(|(i, (f, _))| match &f.host {
            HostPattern::Any => (true, 0, i as u32),
            HostPattern::Name { host, .. } => (false, host_hash(host), i as u32),
        }).collect();
        keys.sort_unstable(); // sorts the small keys, then moves each filter once
        let any_host = keys.iter().position(|k| k.0).unwrap_or(keys.len());
        let hashes: Vec<u64> = keys.iter().map(|k| k.1).collect();
        let mut taken: Vec<Option<(UrlFilter, T)>> = entries.into_iter().map(Some).collect();
        let (filters, compact) = keys.iter().map(|&(_, _, i)| {
            let (f, p) = taken[i as usize].take().expect("each filter is placed once");
            let c = Compact::new(&f, p);
            (f, c)
        }).unzip();
        let named = &hashes[..any_host];
        let distinct = named.chunk_by(|a, b| a == b).count();
        let slot_bits = (distinct * 2).next_power_of_two().max(16).trailing_zeros();
        let shift = 64 - slot_bits;
        let mut slots = vec![Slot::default(); 1 << slot_bits];
        let bits = (distinct * 16).next_power_of_two().max(1024);
        let mut seen = vec![0u64; bits / 64];
        let mut start = 0;
        for run in named.chunk_by(|a, b| a == b) {
            let h = run[0];
            let mut i = slot_of(h, shift);
            while slots[i].len != 0 {
                i = (i + 1) & (slots.len() - 1);
            }
            slots[i] = Slot { hash: h, start: start as u32, len: run.len() as u32 };
            start += run.len();
            let bit = (h >> 7) as usize & (bits - 1);
            seen[bit / 64] |= 1 << (bit % 64);
        }
        FilterIndex { filters, compact, slots, any_host, seen }
    }

    /// The filters stored under host hash `h`.
    #[inline]
    fn slot(&self, h: u64) -> Option<Slot> {
        let mask = self.slots.len() - 1;
        let mut i = slot_of(h, 64 - self.slots.len().trailing_zeros());
        loop {
            let slot = self.slots[i];
            if slot.len == 0 {
                return None;
            }
            if slot.hash == h {
                return Some(slot);
            }
            i = (i + 1) & mask;
        }
    }

    pub fn len(&self) -> usize {
        self.filters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
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
                    if let Some(slot) = self.slot(h) {
                        let run = slot.start as usize..(slot.start + slot.len) as usize;
                        if let Some(id) = self.select(run, url, Some(name), exact_level) {
                            return Some((&self.filters[id], &self.compact[id].payload));
                        }
                    }
                }
                if url.host_is_ip {
                    break;
                }
                // A byte scan: `str::find(char)` sets up a general search, which names this
                // short do not repay.
                match name.bytes().position(|c| c == b'.') {
                    Some(i) => name = &name[i + 1..],
                    None => break,
                }
                exact_level = false;
            }
        }
        self.select(self.any_host..self.filters.len(), url, None, true).map(|id| (&self.filters[id], &self.compact[id].payload))
    }

    fn select(&self, ids: std::ops::Range<usize>, url: &RequestUrl<'_>, name: Option<&str>, exact_level: bool) -> Option<usize> {
        let mut best: Option<(usize, (usize, usize, u8))> = None;
        for id in ids {
            let c = &self.compact[id];
            if let Some(name) = name {
                let same_host = if c.host_len == u8::MAX {
                    matches!(&self.filters[id].host, HostPattern::Name { host, .. } if host == name)
                } else {
                    &c.host[..c.host_len as usize] == name.as_bytes()
                };
                if !same_host || (!exact_level && !c.subdomains) {
                    continue;
                }
            }
            let rank = if c.host_only {
                (0, 0, c.payload.permissiveness())
            } else {
                let filter = &self.filters[id];
                if !fits(filter, url) {
                    continue;
                }
                (filter.path.len(), filter.query.len(), c.payload.permissiveness())
            };
            // An exact-host (leading `.`) filter and a subdomain filter for the same host rank
            // equally here, as the policy contract specifies; Chrome's own URLBlocklist would
            // prefer the exact one. See DESIGN.md.
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
