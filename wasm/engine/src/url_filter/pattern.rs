//! Parsing one URL filter written in Chrome's enterprise URL filter format, the format admins
//! already use for `URLBlocklist` / `URLAllowlist`:
//!
//! ```text
//! [scheme://][user:pass@][.]host[:port][/path][?query][#fragment]
//! ```
//!
//! * `host` is a domain, an IP literal or `*` (every host). A domain matches itself and its
//!   subdomains; a leading `.` restricts it to the exact host. A trailing `.` or `/` is ignored.
//! * `path` is a case-sensitive prefix of the URL path (after WHATWG normalisation).
//! * `query` is a set of `&`-separated tokens: `key=value` or `key`, each compared with the URL's
//!   query elements (`k=v` or `k`) as a whole; a trailing `*` makes it a prefix match (`key*`
//!   also matches `key=1` and `keyboard`, a bare `*` matches any element). All tokens must be
//!   present, in any order. This is Chrome's element matching.
//! * user info and the fragment are ignored, as Chrome ignores them.
//!
//! Hosts are canonicalised with the same WHATWG host parser the URLs go through (case, IDNA to
//! punycode, percent-decoding, IPv4 number forms), so a filter and a URL that the browser would
//! consider the same host always compare equal as strings. An IPv4-mapped IPv6 literal
//! (`[::ffff:10.1.2.3]`) is the IPv4 address it maps, in filters as in URLs: the browser
//! connects to that IPv4 host either way.

use std::fmt;

/// The most query tokens one filter may carry. The browser rule compiler expresses unordered
/// tokens as permutations in one regular expression; beyond four that stops being practical.
pub const MAX_QUERY_TOKENS: usize = 4;

/// One parsed, canonical URL filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlFilter {
    /// Lowercase scheme the URL must have, or `None` for any scheme.
    pub scheme: Option<String>,
    pub host: HostPattern,
    /// Port the URL's effective port must equal, or `None` for any port.
    pub port: Option<u16>,
    /// Case-sensitive path prefix; empty means any path.
    pub path: String,
    pub query: Vec<QueryToken>,
}

/// The host part of a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPattern {
    /// `*`: every host. Searched last.
    Any,
    /// A canonical host (ASCII, lowercase, no trailing dot; IPv6 in brackets).
    Name {
        host: String,
        /// False for a leading-`.` filter, and always false for IP literals.
        subdomains: bool,
    },
}

/// One query token of a filter: `key=value` or `key`, compared with whole query elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryToken {
    /// The token without its trailing `*`.
    pub text: String,
    /// A trailing `*`: an element starting with `text` matches.
    pub prefix: bool,
}

/// Why a filter string was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError(msg.into()))
}

impl UrlFilter {
    /// Parses a filter such as `claude.ai`, `.chat.qwen.ai`, `https://*`, `github.com/copilot`
    /// or `accounts.google.com/o/oauth2/v2/auth?client_id=123*`.
    ///
    /// ```
    /// use aiguard_engine::url_filter::{UrlFilter, HostPattern};
    /// let f = UrlFilter::parse("HTTPS://Bücher.Example./shop?x=1").unwrap();
    /// assert_eq!(f.scheme.as_deref(), Some("https"));
    /// assert_eq!(f.host, HostPattern::Name { host: "xn--bcher-kva.example".into(), subdomains: true });
    /// assert_eq!(f.path, "/shop");
    /// ```
    pub fn parse(input: &str) -> Result<UrlFilter, PatternError> {
        let text = input.trim();
        if text.is_empty() {
            return err("empty pattern");
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return err("a pattern must not contain spaces or control characters");
        }
        let text = text.split('#').next().unwrap_or("");

        let (scheme, rest) = split_scheme(text)?;
        // `scheme:*` (no slashes) is Chrome's form for every URL of a non-hierarchical scheme.
        if let Some(s) = &scheme {
            if rest == "*" && !text.contains("://") {
                return Ok(UrlFilter {
                    scheme: Some(s.clone()),
                    host: HostPattern::Any,
                    port: None,
                    path: String::new(),
                    query: Vec::new(),
                });
            }
        }

        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        // User info is ignored; the host starts after the last '@'.
        let authority = authority.rsplit('@').next().unwrap_or("");
        let (host_text, port_text) = split_port(authority)?;

        let mut host_text = host_text;
        let exact = host_text.starts_with('.');
        if exact {
            host_text = &host_text[1..];
        }
        while let Some(stripped) = host_text.strip_suffix('.') {
            host_text = stripped;
        }
        if host_text.is_empty() {
            return err("missing host (write `*` to mean every host)");
        }
        let host = if host_text == "*" {
            HostPattern::Any
        } else if host_text.contains('*') {
            return err(format!(
                "`*` is only allowed as the whole host, not inside `{host_text}`"
            ));
        } else {
            let host = canonical_host(host_text)?;
            let is_ip = host.starts_with('[') || is_ipv4(&host);
            HostPattern::Name { host, subdomains: !exact && !is_ip }
        };

        let port = match port_text {
            None => None,
            Some(p) => Some(parse_port(p)?),
        };

        let (path_text, query_text) = match tail.find('?') {
            Some(i) => (&tail[..i], Some(&tail[i + 1..])),
            None => (tail, None),
        };
        let path = canonical_path(path_text)?;
        let query = match query_text {
            None => Vec::new(),
            Some(q) => parse_query(q)?,
        };
        Ok(UrlFilter { scheme, host, port, path, query })
    }
}

fn split_scheme(text: &str) -> Result<(Option<String>, &str), PatternError> {
    if let Some(i) = text.find("://") {
        // Only a scheme if "://" comes before any path or query.
        if !text[..i].contains(['/', '?']) {
            let scheme = &text[..i];
            if !is_scheme(scheme) {
                return err(format!("`{scheme}` is not a valid URL scheme"));
            }
            return Ok((Some(scheme.to_ascii_lowercase()), &text[i + 3..]));
        }
    }
    if let Some(scheme) = text.strip_suffix(":*") {
        if is_scheme(scheme) && !scheme.contains('.') {
            return Ok((Some(scheme.to_ascii_lowercase()), "*"));
        }
    }
    Ok((None, text))
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn split_port(authority: &str) -> Result<(&str, Option<&str>), PatternError> {
    if authority.starts_with('[') || authority.starts_with(".[") {
        let close = match authority.find(']') {
            Some(i) => i,
            None => return err("unterminated IPv6 literal"),
        };
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((host, Some(p))),
                None => err(format!("unexpected `{after}` after the IPv6 literal")),
            },
        };
    }
    Ok(match authority.rfind(':') {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    })
}

fn parse_port(text: &str) -> Result<u16, PatternError> {
    match text.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(p as u16),
        _ => err(format!("port `{text}` is not a number from 1 to 65535")),
    }
}

/// Canonicalises a host exactly as the WHATWG URL parser does for special schemes.
pub(crate) fn canonical_host(host: &str) -> Result<String, PatternError> {
    // Most patterns are already canonical (lowercase ASCII labels); the full host parser (IDNA
    // mapping) works through every character and allocates, only to return them unchanged.
    if super::request::is_plain_domain(host) && !host.ends_with('.') {
        return Ok(host.to_string());
    }
    match url::Host::parse(host) {
        // IDNA mapping can drop characters (a soft hyphen), leaving trailing dots behind: parse
        // again without them, since the result may even be an IPv4 address.
        Ok(url::Host::Domain(d)) if d.ends_with('.') => {
            let trimmed = d.trim_end_matches('.');
            if trimmed.is_empty() {
                return err(format!("`{host}` is not a valid host name"));
            }
            canonical_host(trimmed)
        }
        // A percent-encoded dot can decode to an empty label (`%2ea.com` is `.a.com`), which
        // no browser host has and which would read back as an exact-host filter.
        Ok(url::Host::Domain(d)) if d.starts_with('.') || d.contains("..") => {
            err(format!("`{host}` is not a valid host name (empty label)"))
        }
        // `%2A` decodes to a literal `*`, which would read back as a wildcard.
        Ok(url::Host::Domain(d)) if d.contains('*') => {
            err(format!("`{host}` decodes to a `*` inside the host; `*` is only allowed as the whole host"))
        }
        Ok(url::Host::Domain(d)) => Ok(d),
        Ok(url::Host::Ipv4(ip)) => Ok(ip.to_string()),
        // `[::ffff:10.1.2.3]` is the IPv4 host 10.1.2.3, as in a URL.
        Ok(url::Host::Ipv6(ip)) => Ok(super::request::ipv6_host(ip)),
        Err(e) => err(format!("`{host}` is not a valid host name ({e})")),
    }
}

pub(crate) fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Normalises a filter path the way the URL parser normalises URL paths (dot segments,
/// percent-encoding of characters outside the path set), so the prefix test compares like with
/// like. An empty path and `/` both mean every path.
fn canonical_path(path: &str) -> Result<String, PatternError> {
    if path.is_empty() || path == "/" {
        return Ok(String::new());
    }
    if super::request::is_canonical_path(path) {
        return Ok(path.to_string());
    }
    let base = format!("https://h.invalid{path}");
    match url::Url::parse(&base) {
        // `/.` and `/a/..` normalise to `/`, which like an empty path means every path (and
        // must rank like one).
        Ok(u) if u.path() == "/" => Ok(String::new()),
        Ok(u) => Ok(u.path().to_string()),
        Err(e) => err(format!("path `{path}` is not a valid URL path ({e})")),
    }
}

fn parse_query(q: &str) -> Result<Vec<QueryToken>, PatternError> {
    let mut tokens = Vec::new();
    for raw in q.split('&').filter(|t| !t.is_empty()) {
        let (body, prefix) = match raw.strip_suffix('*') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        if body.contains('*') {
            return err(format!("query token `{raw}`: `*` is only allowed at the end"));
        }
        let token = QueryToken { text: body.to_string(), prefix };
        tokens.push(token);
    }
    if tokens.len() > MAX_QUERY_TOKENS {
        return err(format!(
            "{} query tokens; at most {MAX_QUERY_TOKENS} are supported per pattern",
            tokens.len()
        ));
    }
    Ok(tokens)
}

impl QueryToken {
    /// Whether one query element (`k=v` or `k`, as serialised in the URL) satisfies the token.
    pub fn matches_element(&self, element: &str) -> bool {
        if self.prefix {
            element.starts_with(self.text.as_str())
        } else {
            element == self.text
        }
    }
}

impl fmt::Display for UrlFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.scheme {
            write!(f, "{s}://")?;
        }
        match &self.host {
            HostPattern::Any => f.write_str("*")?,
            HostPattern::Name { host, subdomains } => {
                if !subdomains && !host.starts_with('[') && !is_ipv4(host) {
                    f.write_str(".")?;
                }
                f.write_str(host)?;
            }
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        f.write_str(&self.path)?;
        for (i, t) in self.query.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            f.write_str(&t.text)?;
            if t.prefix {
                f.write_str("*")?;
            }
        }
        Ok(())
    }
}
