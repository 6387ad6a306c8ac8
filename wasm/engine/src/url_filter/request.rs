//! A URL as the matcher sees it: the WHATWG-canonical parts that filters are compared with.

use std::fmt;

/// The parts of a canonical URL that URL filters look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestUrl {
    /// Lowercase scheme without `:`.
    pub scheme: String,
    /// Canonical host without a trailing dot (IPv6 in brackets); empty for host-less URLs.
    pub host: String,
    pub host_is_ip: bool,
    /// The effective port: explicit, or the scheme's default, or `None` if it has none.
    pub port: Option<u16>,
    /// The serialised path (for opaque URLs, the opaque path).
    pub path: String,
    /// The serialised query without `?`; `None` when there is none.
    pub query: Option<String>,
    /// The canonical serialisation (without the fragment), used for display and browser rules.
    pub href: String,
}

/// Why a string is not a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RequestUrl {
    /// Parses and canonicalises a URL with the WHATWG algorithm browsers use.
    ///
    /// A string with no scheme (`claude.ai/new`) is read as `https://claude.ai/new`, which is
    /// what a person typing into the address bar gets.
    pub fn parse(input: &str) -> Result<RequestUrl, UrlError> {
        let parsed = match url::Url::parse(input) {
            Ok(u) if !looks_like_host_port(input) => u,
            Ok(_) | Err(url::ParseError::RelativeUrlWithoutBase) => {
                url::Url::parse(&format!("https://{}", input.trim_start()))
                    .map_err(|e| UrlError(format!("`{input}` is not a URL ({e})")))?
            }
            Err(e) => return Err(UrlError(format!("`{input}` is not a URL ({e})"))),
        };
        Ok(Self::from_url(&parsed))
    }

    /// Takes the parts of an already-parsed URL.
    pub fn from_url(u: &url::Url) -> RequestUrl {
        let (host, host_is_ip) = match u.host() {
            Some(url::Host::Domain(d)) => (d.trim_end_matches('.').to_string(), false),
            Some(url::Host::Ipv4(ip)) => (ip.to_string(), true),
            Some(url::Host::Ipv6(ip)) => (format!("[{ip}]"), true),
            None => (String::new(), false),
        };
        let mut href = u.as_str().to_string();
        if let Some(i) = href.find('#') {
            href.truncate(i);
        }
        RequestUrl {
            scheme: u.scheme().to_string(),
            host,
            host_is_ip,
            port: u.port_or_known_default(),
            path: u.path().to_string(),
            query: u.query().map(str::to_string),
            href,
        }
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
