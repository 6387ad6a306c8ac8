//! A URL as the matcher sees it: the WHATWG-canonical parts that filters are compared with.
//!
//! Browsers hand the extension URLs that are already canonical, so parsing has a fast path: a
//! strict scan that recognises the canonical serialisation of an ordinary http(s)/ws(s) URL and
//! borrows its parts without allocating. Anything it is not certain about (user info, IP hosts,
//! non-ASCII or escaped hosts, dot segments, characters the parser would escape, default ports
//! written out, other schemes) goes through the full WHATWG parser of the `url` crate. The fast
//! path only ever accepts strings the full parser would return unchanged; the shared vectors and
//! `fast_path_agrees_with_the_full_parser` below hold it to that.

use std::borrow::Cow;
use std::fmt;

/// The parts of a canonical URL that URL filters look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestUrl<'a> {
    /// Lowercase scheme without `:`.
    pub scheme: Cow<'a, str>,
    /// Canonical host without a trailing dot (IPv6 in brackets, an IPv4-mapped IPv6 address as
    /// its IPv4 address); empty for host-less URLs. `href` keeps the URL's own spelling.
    pub host: Cow<'a, str>,
    pub host_is_ip: bool,
    /// The effective port: explicit, or the scheme's default, or `None` if it has none.
    pub port: Option<u16>,
    /// The serialised path (for opaque URLs, the opaque path).
    pub path: Cow<'a, str>,
    /// The serialised query without `?`; `None` when there is none.
    pub query: Option<Cow<'a, str>>,
    /// The canonical serialisation without the fragment.
    pub href: Cow<'a, str>,
}

/// Why a string is not a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> RequestUrl<'a> {
    /// Parses and canonicalises a URL with the WHATWG algorithm browsers use.
    ///
    /// A string with no scheme (`claude.ai/new`) is read as `https://claude.ai/new`, which is
    /// what a person typing into the address bar gets.
    pub fn parse(input: &'a str) -> Result<RequestUrl<'a>, UrlError> {
        if let Some(fast) = Self::canonical(input) {
            return Ok(fast);
        }
        Self::parse_full(input)
    }

    /// The full WHATWG parse, always allocating.
    pub fn parse_full(input: &str) -> Result<RequestUrl<'static>, UrlError> {
        let parsed = match url::Url::parse(input) {
            Ok(u) if !looks_like_host_port(input) => u,
            Ok(_) | Err(url::ParseError::RelativeUrlWithoutBase) => {
                url::Url::parse(&format!("https://{}", input.trim_start()))
                    .map_err(|e| UrlError(format!("`{input}` is not a URL ({e})")))?
            }
            Err(e) => return Err(UrlError(format!("`{input}` is not a URL ({e})"))),
        };
        Ok(RequestUrl::from_url(&parsed))
    }

    /// Takes the parts of an already-parsed URL.
    pub fn from_url(u: &url::Url) -> RequestUrl<'static> {
        let (host, host_is_ip) = match u.host() {
            Some(url::Host::Domain(d)) => (d.trim_end_matches('.').to_string(), false),
            Some(url::Host::Ipv4(ip)) => (ip.to_string(), true),
            Some(url::Host::Ipv6(ip)) => (ipv6_host(ip), true),
            None => (String::new(), false),
        };
        let mut href = u.as_str().to_string();
        if let Some(i) = href.find('#') {
            href.truncate(i);
        }
        RequestUrl {
            scheme: Cow::Owned(u.scheme().to_string()),
            host: Cow::Owned(host),
            host_is_ip,
            port: u.port_or_known_default(),
            path: Cow::Owned(u.path().to_string()),
            query: u.query().map(|q| Cow::Owned(q.to_string())),
            href: Cow::Owned(href),
        }
    }

    /// The fast path: `Some` only for a string that is exactly the canonical serialisation of a
    /// special-scheme URL with a plain ASCII domain. One pass over the bytes, no allocation.
    pub fn canonical(input: &'a str) -> Option<RequestUrl<'a>> {
        let b = input.as_bytes();
        let (scheme_len, default_port): (usize, u16) = if b.starts_with(b"https://") {
            (5, 443)
        } else if b.starts_with(b"http://") {
            (4, 80)
        } else if b.starts_with(b"wss://") {
            (3, 443)
        } else if b.starts_with(b"ws://") {
            (2, 80)
        } else {
            return None;
        };
        let n = b.len();
        let host_start = scheme_len + 3;
        let mut i = host_start;
        // Host: lowercase LDH labels; remember the last label to rule out IPv4 forms.
        let mut last_label = (i, i);
        loop {
            let label_start = i;
            while i < n && CLASS[b[i] as usize] & LDH != 0 {
                i += 1;
            }
            let label = &b[label_start..i];
            let c = if i < n { b[i] } else { b'/' };
            if label.is_empty() {
                // Only a single trailing dot may end the host.
                if c == b'.' || i == host_start || b[i - 1] != b'.' || (i >= 2 && b[i - 2] == b'.') {
                    return None;
                }
            } else {
                if label.len() > 63 || label[0] == b'-' || label[label.len() - 1] == b'-' || label.starts_with(b"xn--") {
                    return None;
                }
                last_label = (label_start, i);
            }
            match c {
                b'.' => i += 1,
                b'/' | b':' | b'?' | b'#' => break,
                _ => return None,
            }
        }
        let host_end = i;
        let last = &b[last_label.0..last_label.1];
        if last.is_empty() || last.iter().all(u8::is_ascii_digit) || (last.len() > 2 && last.starts_with(b"0x") && last[2..].iter().all(u8::is_ascii_hexdigit)) {
            return None;
        }
        let mut port = default_port;
        if i < n && b[i] == b':' {
            i += 1;
            let start = i;
            let mut value: u32 = 0;
            while i < n && b[i].is_ascii_digit() && i - start < 5 {
                value = value * 10 + u32::from(b[i] - b'0');
                i += 1;
            }
            if i == start || b[start] == b'0' || value > 65535 || value == u32::from(default_port) {
                return None;
            }
            port = value as u16;
        }
        // Special URLs always serialise a path.
        if i >= n || b[i] != b'/' {
            return None;
        }
        let path_start = i;
        let mut seg_start = i + 1;
        i += 1;
        while i < n {
            let c = b[i];
            if c == b'/' {
                if is_dot_segment(&b[seg_start..i]) {
                    return None;
                }
                seg_start = i + 1;
            } else if !is_plain_path_byte(c) {
                if c == b'?' || c == b'#' {
                    break;
                }
                return None;
            }
            i += 1;
        }
        if is_dot_segment(&b[seg_start..i]) {
            return None;
        }
        let path_end = i;
        let mut query = None;
        if i < n && b[i] == b'?' {
            i += 1;
            let start = i;
            while i < n && is_plain_query_byte(b[i]) {
                i += 1;
            }
            if i < n && b[i] != b'#' {
                return None;
            }
            query = Some(Cow::Borrowed(&input[start..i]));
        }
        let href_end = i;
        if i < n {
            // The fragment: only characters its percent-encode set leaves alone.
            if !b[i + 1..].iter().all(|&c| (0x21..0x7f).contains(&c) && !matches!(c, b'"' | b'<' | b'>' | b'`')) {
                return None;
            }
        }
        let host = &input[host_start..host_end];
        Some(RequestUrl {
            scheme: Cow::Borrowed(&input[..scheme_len]),
            host: Cow::Borrowed(host.strip_suffix('.').unwrap_or(host)),
            host_is_ip: false,
            port: Some(port),
            path: Cow::Borrowed(&input[path_start..path_end]),
            query,
            href: Cow::Borrowed(&input[..href_end]),
        })
    }

    /// An owned copy, independent of the input string.
    pub fn into_owned(self) -> RequestUrl<'static> {
        RequestUrl {
            scheme: Cow::Owned(self.scheme.into_owned()),
            host: Cow::Owned(self.host.into_owned()),
            host_is_ip: self.host_is_ip,
            port: self.port,
            path: Cow::Owned(self.path.into_owned()),
            query: self.query.map(|q| Cow::Owned(q.into_owned())),
            href: Cow::Owned(self.href.into_owned()),
        }
    }
}

/// The canonical host for matching of an IPv6 literal: an IPv4-mapped address
/// (`[::ffff:10.1.2.3]`, which the URL parser prints `[::ffff:a01:203]`) is the IPv4 address
/// itself, since a browser connects to that IPv4 host; any other IPv6 address in brackets.
pub(crate) fn ipv6_host(ip: std::net::Ipv6Addr) -> String {
    match ip.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => format!("[{ip}]"),
    }
}

/// The IPv4-mapped IPv6 literal of an IPv4 host as the URL parser serialises it
/// (`10.1.2.3` → `[::ffff:a01:203]`): the other spelling of the same host in a URL, which
/// network rules must match as well. `None` for any other host.
pub fn mapped_ipv6_literal(host: &str) -> Option<String> {
    let v4: std::net::Ipv4Addr = host.parse().ok()?;
    let [a, b, c, d] = v4.octets();
    Some(format!("[::ffff:{:x}:{:x}]", u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])))
}

/// Lowercase ASCII labels of letters, digits and inner hyphens, at most one trailing dot, and a
/// last label that is not numeric (which the WHATWG parser would read as an IPv4 address).
/// Punycode (`xn--`) labels are left to the full parser, which validates them.
pub(crate) fn is_plain_domain(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let mut last = "";
    for label in host.split('.') {
        let lb = label.as_bytes();
        if lb.is_empty() || lb.len() > 63 || lb[0] == b'-' || lb[lb.len() - 1] == b'-' || label.starts_with("xn--") {
            return false;
        }
        if !lb.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') {
            return false;
        }
        last = label;
    }
    !last.bytes().all(|c| c.is_ascii_digit()) && !(last.starts_with("0x") && last.len() > 2 && last[2..].bytes().all(|c| c.is_ascii_hexdigit()))
}

/// A path the URL parser would serialise unchanged.
pub(crate) fn is_canonical_path(path: &str) -> bool {
    path.starts_with('/') && path.bytes().all(is_plain_path_byte) && !has_dot_segment(path)
}

// Byte classes for the single-pass scan, as tables: one load per byte instead of a chain of
// comparisons.
const PATH_OK: u8 = 1; // printable ASCII the path percent-encode set leaves alone, minus `\ ? #`
const QUERY_OK: u8 = 2; // printable ASCII the special-query percent-encode set leaves alone, minus `#`
const LDH: u8 = 4; // lowercase letters, digits, hyphen: a canonical domain label
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0x21;
    while c < 0x7f {
        let b = c as u8;
        if !matches!(b, b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'\\' | b'?' | b'#') {
            t[c] |= PATH_OK;
        }
        if !matches!(b, b'"' | b'<' | b'>' | b'\'' | b'#') {
            t[c] |= QUERY_OK;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            t[c] |= LDH;
        }
        c += 1;
    }
    t
};

#[inline]
fn is_plain_path_byte(c: u8) -> bool {
    CLASS[c as usize] & PATH_OK != 0
}

#[inline]
fn is_plain_query_byte(c: u8) -> bool {
    CLASS[c as usize] & QUERY_OK != 0
}

/// `.` and `..` segments, literal or percent-encoded, which the parser would remove.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| is_dot_segment(seg.as_bytes()))
}

/// `.`, `..`, or either spelled with `%2e`/`%2E`.
fn is_dot_segment(seg: &[u8]) -> bool {
    fn dot(s: &[u8]) -> Option<&[u8]> {
        match s {
            [b'.', rest @ ..] => Some(rest),
            [b'%', b'2', b'e' | b'E', rest @ ..] => Some(rest),
            _ => None,
        }
    }
    match dot(seg) {
        Some([]) => true,
        Some(rest) => dot(rest) == Some(&[]),
        None => false,
    }
}

/// `claude.ai:443/x` parses as a URL with scheme `claude.ai`; a person means a host and port.
fn looks_like_host_port(input: &str) -> bool {
    let input = input.trim_start();
    match input.split_once(':') {
        Some((scheme, rest)) => {
            scheme.contains('.') && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{mapped_ipv6_literal, RequestUrl};

    /// An IPv4-mapped IPv6 host is matched as its IPv4 address, however it is written; the
    /// href keeps the URL's own (canonical) spelling for display.
    #[test]
    fn ipv4_mapped_ipv6_hosts_are_their_ipv4_address() {
        let cases = [
            ("http://[::ffff:10.1.2.3]/x", "10.1.2.3", "http://[::ffff:a01:203]/x"),
            ("http://[::ffff:a01:203]/x", "10.1.2.3", "http://[::ffff:a01:203]/x"),
            ("https://[::FFFF:0A01:0203]:8443/", "10.1.2.3", "https://[::ffff:a01:203]:8443/"),
            ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "127.0.0.1", "http://[::ffff:7f00:1]/"),
            // Not mapped: an IPv6 host of its own, even when it embeds an IPv4 address.
            ("http://[::10.1.2.3]/", "[::a01:203]", "http://[::a01:203]/"),
            ("http://[64:ff9b::10.1.2.3]/", "[64:ff9b::a01:203]", "http://[64:ff9b::a01:203]/"),
            ("http://[2001:db8::1]/", "[2001:db8::1]", "http://[2001:db8::1]/"),
        ];
        for (input, host, href) in cases {
            let u = RequestUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((u.host.as_ref(), u.host_is_ip, u.href.as_ref()), (host, true, href), "{input}");
        }
    }

    /// The mapped literal network rules match is exactly how the URL parser prints it.
    #[test]
    fn the_mapped_literal_is_the_url_parsers_spelling() {
        for v4 in ["10.1.2.3", "0.0.0.0", "0.0.1.2", "255.255.255.255", "192.168.0.1", "1.0.0.0"] {
            let literal = mapped_ipv6_literal(v4).unwrap();
            let parsed = url::Url::parse(&format!("http://[::ffff:{v4}]/")).unwrap();
            assert_eq!(parsed.host_str(), Some(literal.as_str()), "{v4}");
            assert_eq!(RequestUrl::parse(&format!("http://{literal}/")).unwrap().host, v4);
        }
        assert_eq!(mapped_ipv6_literal("example.com"), None);
        assert_eq!(mapped_ipv6_literal("[2001:db8::1]"), None);
    }

    /// The fast path must accept only strings the full parser serialises unchanged, and then
    /// return the same parts.
    #[test]
    fn fast_path_agrees_with_the_full_parser() {
        let inputs = [
            "https://claude.ai/", "https://claude.ai/new?x=1#frag", "http://a-b.example.com:8080/p/q?r",
            "https://claude.ai./", "wss://api.example.com/socket", "https://chatgpt.com/c/123?model=gpt&x=%20",
            // Must fall back:
            "https://Claude.ai/", "https://claude.ai", "https://claude.ai:443/", "https://user@claude.ai/",
            "https://1.2.3.4/", "https://0x7f.1/", "https://xn--bcher-kva.example/", "https://a.com/./b",
            "https://a.com/%2E%2e/b", "https://a.com/a b", "https://a.com/\\x", "https://a.com/?q='x'",
            "https://a.com/{x}", "https://a.com:0443/", "ftp://a.com/", "https://a..com/", "https://-a.com/",
            "https://a.com/%2e", "https://a.123/", "https://a.com/?\u{e9}", "https://a.com./x", "https://a.com../x",
            "https://.a.com/", "https://a.com:8080", "https://a.com:65536/", "https://a.com:99999/", "https://a.0x1f/",
            "https://a.com/..", "https://a.com/x/.%2E/y", "https://a.com/#x y", "http://localhost/", "http://a:b@c.com/",
        ];
        for input in inputs {
            let full = RequestUrl::parse_full(input).ok();
            if let Some(fast) = RequestUrl::canonical(input) {
                let full = full.unwrap_or_else(|| panic!("fast path accepted {input:?}, the parser rejects it"));
                let mut expected_href = input.to_string();
                if let Some(i) = expected_href.find('#') {
                    expected_href.truncate(i);
                }
                assert_eq!(full.href, expected_href, "fast path accepted a non-canonical {input:?}");
                assert_eq!(fast.clone().into_owned(), full, "parts differ for {input:?}");
            }
        }
        assert!(RequestUrl::canonical("https://claude.ai/new").is_some());
        assert!(RequestUrl::canonical("https://claude.ai:443/").is_none());
    }
}
