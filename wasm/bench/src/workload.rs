//! Deterministic benchmark workloads, written to disk so the wasm benchmark under Node measures
//! exactly the same policies and URLs as the native one.

use std::fmt::Write as _;

/// A small, fixed PRNG (xorshift64*): the same workload on every machine, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn word(&mut self, len: usize) -> String {
        (0..len).map(|_| (b'a' + self.below(26) as u8) as char).collect()
    }
}

const TLDS: &[&str] = &["com", "ai", "io", "net", "org", "cn", "dev", "app"];

/// A synthetic policy of `n` rules, one host pattern each (a tenth with a path), and the same
/// hosts as adblock `||host^` / `||host/path` filters.
pub fn synthetic_policy(n: usize, rng: &mut Rng) -> (String, Vec<String>, Vec<String>) {
    let mut rules = Vec::with_capacity(n);
    let mut hosts = Vec::with_capacity(n);
    let mut adblock = Vec::with_capacity(n);
    let actions = ["block", "warn", "allow"];
    for i in 0..n {
        let len = 4 + rng.below(8);
        let name = rng.word(len);
        let host = format!("{name}{i}.{}", TLDS[rng.below(TLDS.len())]);
        let (pattern, filter) = if i % 10 == 0 {
            let path = format!("/{}", rng.word(5));
            (format!("{host}{path}"), format!("||{host}{path}"))
        } else {
            (host.clone(), format!("||{host}^"))
        };
        rules.push(serde_json::json!({"id": format!("r{i}"), "action": actions[i % 3], "patterns": [pattern]}));
        hosts.push(host);
        adblock.push(filter);
    }
    let policy = serde_json::json!({"version": 1, "defaultAction": "allow", "rules": rules});
    (policy.to_string(), hosts, adblock)
}

/// `n` URLs: half on listed hosts (often a subdomain, with a path and query), half elsewhere.
pub fn urls(hosts: &[String], n: usize, rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut url = String::from("https://");
        if i % 2 == 0 && !hosts.is_empty() {
            if rng.below(3) == 0 {
                let _ = write!(url, "{}.", rng.word(3));
            }
            url.push_str(&hosts[rng.below(hosts.len())]);
        } else {
            let len = 6 + rng.below(6);
            let name = rng.word(len);
            let _ = write!(url, "www.{name}.{}", TLDS[rng.below(TLDS.len())]);
        }
        let _ = write!(url, "/{}/{}", rng.word(4), rng.word(6));
        if rng.below(2) == 0 {
            let _ = write!(url, "?q={}&page={}", rng.word(5), rng.below(100));
        }
        out.push(url);
    }
    out
}
