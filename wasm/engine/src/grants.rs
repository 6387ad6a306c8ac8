//! "Continue" on a warn page, remembered per host until it expires.
//!
//! A grant belongs to the employee's session, not to a compiled policy: the extension keeps one
//! [`Grants`] value across policy reloads (a changed policy clears it) and passes it to
//! [`Engine::explain`](crate::Engine::explain), so a compiled engine never changes after it is
//! built. Whether "Continue" may be given at all, and for how long, is
//! [`Engine::continue_on`](crate::Engine::continue_on).
//!
//! The stored form is a JSON object keyed by host, `{"chatgpt.com": {"url": "https://chatgpt.com/",
//! "until": 1767225600000}}`, with `until` in milliseconds since the epoch; it is what the
//! extension keeps in its local storage so that a grant outlives a browser restart.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// One host's "Continue": the URL it was given on (the network layer's allow rule is derived
/// from it) and when it ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub url: String,
    /// Milliseconds since the epoch.
    pub until: f64,
}

/// Every host's "Continue", by canonical host name. A browser holds a handful of grants, so
/// they are a list searched in order: a map type here would cost the wasm module its generic
/// code (measured in BENCHMARKS.md, "Wasm module size") for no gain at this size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grants {
    by_host: Vec<(String, Grant)>,
}

/// Why a stored set of grants could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantsError(pub String);

impl std::fmt::Display for GrantsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stored grants: {}", self.0)
    }
}

impl std::error::Error for GrantsError {}

/// Hosts compare as the URL parser writes them: lower case, no trailing dot.
fn host_key(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

impl Grants {
    /// No grants.
    pub fn new() -> Grants {
        Grants::default()
    }

    /// Reads the stored form. Entries whose expiry is not a finite number are dropped: they
    /// could never be told apart from a grant that lasts for ever.
    pub fn from_json(text: &str) -> Result<Grants, GrantsError> {
        let mut grants: Grants = serde_json::from_str(text).map_err(|e| GrantsError(e.to_string()))?;
        grants.by_host.retain(|(_, g)| g.until.is_finite());
        Ok(grants)
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("grants serialise")
    }

    /// Remembers "Continue" on `url` for `host` until `until` (ms since the epoch), replacing any
    /// earlier grant for the host.
    pub fn add(&mut self, host: &str, url: &str, until: f64) {
        let host = host_key(host);
        let grant = Grant { url: url.to_string(), until };
        match self.by_host.iter_mut().find(|(h, _)| *h == host) {
            Some((_, g)) => *g = grant,
            None => self.by_host.push((host, grant)),
        }
    }

    /// Whether `host` has a grant that has not expired at `now_ms`.
    pub fn is_active(&self, host: &str, now_ms: f64) -> bool {
        self.active_until(host, now_ms).is_some()
    }

    /// Until when `host`'s grant lasts, if it has one that has not expired at `now_ms`.
    pub fn active_until(&self, host: &str, now_ms: f64) -> Option<f64> {
        self.by_host.iter().find(|(h, g)| h == host && g.until > now_ms).map(|(_, g)| g.until)
    }

    /// Drops the grants that have expired at `now_ms`; returns how many.
    pub fn prune(&mut self, now_ms: f64) -> usize {
        let before = self.by_host.len();
        self.by_host.retain(|(_, g)| g.until > now_ms);
        before - self.by_host.len()
    }

    /// The grants, by host.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Grant)> {
        self.by_host.iter().map(|(h, g)| (h.as_str(), g))
    }

    pub fn len(&self) -> usize {
        self.by_host.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_host.is_empty()
    }
}

impl Serialize for Grants {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.by_host.len()))?;
        for (host, grant) in &self.by_host {
            map.serialize_entry(host, grant)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Grants {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Grants, D::Error> {
        struct GrantsVisitor;
        impl<'de> Visitor<'de> for GrantsVisitor {
            type Value = Grants;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of {url, until} by host")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Grants, A::Error> {
                let mut grants = Grants::new();
                while let Some((host, grant)) = map.next_entry::<String, Grant>()? {
                    grants.add(&host, &grant.url, grant.until);
                }
                Ok(grants)
            }
        }
        deserializer.deserialize_map(GrantsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_active_until_its_expiry_and_pruned_after() {
        let mut g = Grants::new();
        g.add("ChatGPT.com.", "https://chatgpt.com/", 1_000.0);
        assert!(g.is_active("chatgpt.com", 999.0));
        assert!(!g.is_active("chatgpt.com", 1_000.0));
        assert_eq!(g.prune(999.0), 0);
        assert_eq!(g.prune(1_000.0), 1);
        assert!(g.is_empty());
    }

    #[test]
    fn the_stored_form_round_trips_and_keeps_the_extensions_shape() {
        let mut g = Grants::new();
        g.add("claude.ai", "https://claude.ai/new", 5.0e12);
        let text = g.to_json();
        assert_eq!(text, r#"{"claude.ai":{"url":"https://claude.ai/new","until":5000000000000.0}}"#);
        assert_eq!(Grants::from_json(&text).unwrap(), g);
        // What earlier versions wrote (integers from JavaScript) reads the same.
        let old = Grants::from_json(r#"{"Claude.AI":{"url":"https://claude.ai/new","until":5000000000000}}"#).unwrap();
        assert_eq!(old, g);
    }

    #[test]
    fn stored_grants_that_are_not_an_object_of_grants_are_an_error() {
        for bad in ["[]", "{\"a\":1}", "{\"a\":{\"url\":\"x\"}}", "nope"] {
            assert!(Grants::from_json(bad).is_err(), "{bad}");
        }
    }
}
