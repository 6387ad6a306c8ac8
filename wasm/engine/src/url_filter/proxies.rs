//! Proxies that serve any site under a host of their own, and the site each request through
//! them really reaches.
//!
//! Google Translate's website proxy serves `https://claude.ai/new` as
//! `https://claude-ai.translate.goog/new?_x_tr_sl=auto&_x_tr_tl=en`: the page, its scripts and
//! the requests they make to their own origin all go through the proxy to claude.ai. A policy
//! that judged only the host in the address bar would let a blocked tool in under another
//! name, so a request to such a host is judged as the URL it reaches as well (see
//! `Policy::judge`).
//!
//! Only proxies that spell the served host into their own URLs in a way that decodes exactly
//! are listed. Considered and left out:
//!
//! * the Wayback Machine (`web.archive.org/web/<time>/<url>`) and other archives: they replay
//!   recorded copies and rewrite a page's requests to the archive, so nothing typed into one
//!   reaches the tool;
//! * Yandex's page translator (`translated.turbopages.org/proxy_u/<token>/https/<host>/…`): the
//!   host is in the path, in a format that is not documented and has changed (with and without
//!   a signed token, with and without the scheme), and a page served under a path cannot make
//!   its root-relative requests (`/api/…`) through it;
//! * `translate.google.com/translate?u=<url>` and similar entry points: they redirect to the
//!   proxy host, and the redirected request is judged on its own;
//! * web proxies that encrypt or hash the URL: nothing to decode.

use std::borrow::Cow;

use super::pattern::{canonical_host, is_ipv4};
use super::request::RequestUrl;

/// One proxy service: its own domain, and how it spells the host it serves.
#[derive(Debug, PartialEq, Eq)]
pub struct Proxy {
    /// Who runs it, as the warn page and the network rules' notes name it.
    pub name: &'static str,
    /// The domain whose single-label subdomains are the served sites (`translate.goog`).
    pub domain: &'static str,
    /// How a subdomain label spells the served host.
    pub spelling: HostSpelling,
}

/// How a proxy's subdomain label spells the host it serves.
#[derive(Debug, PartialEq, Eq)]
pub enum HostSpelling {
    /// Google's documented scheme (developers.google.com/search/docs/appearance/
    /// ad-network-and-translation): `.` is written `-` and `-` is written `--`
    /// (`my-site.example.com` → `my--site-example-com`); a host too long for one label puts its
    /// start in the `_x_tr_hp` query parameter; `_x_tr_enc` lists a `1-` prefix to drop and a
    /// `0-` prefix that stands for the `xn--` of a punycode host; `_x_tr_sch=http` serves an
    /// http site. Every `_x_tr_*` parameter is the proxy's own and not part of the served URL.
    GoogleTranslate,
}

/// Every proxy the engine sees through.
pub const PROXIES: &[Proxy] = &[Proxy {
    name: "Google Translate",
    domain: "translate.goog",
    spelling: HostSpelling::GoogleTranslate,
}];

/// A request through a proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proxied {
    pub proxy: &'static Proxy,
    /// The URL the request reaches, canonical.
    pub url: RequestUrl<'static>,
    /// The served host is spelled in the label alone, in the plain form (no `_x_tr_hp`, no
    /// `1-`/`0-` prefix, only letters, digits and dashes in runs of one or of pairs): the form
    /// the network rules match, since they see the host but cannot read the query. Anything
    /// else is left to the navigation check.
    pub plain: bool,
}

/// Whether `url` is on a proxy's domain at all: the cheap test before [`through_proxy`].
#[inline]
pub fn on_proxy_domain(url: &RequestUrl<'_>) -> bool {
    PROXIES.iter().any(|p| label_under(&url.host, p.domain).is_some())
}

/// The URL a request through a proxy reaches, or `None` for a URL that is not one (another
/// host, a host a level deeper, a port the proxy does not serve, or a label that does not
/// decode to a valid host).
pub fn through_proxy(url: &RequestUrl<'_>) -> Option<Proxied> {
    PROXIES.iter().find_map(|proxy| {
        let label = label_under(&url.host, proxy.domain)?;
        let default_port = match url.scheme.as_ref() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        if url.port != Some(default_port) {
            return None;
        }
        match proxy.spelling {
            HostSpelling::GoogleTranslate => google_translate(proxy, label, url),
        }
    })
}

/// The single label in front of `.domain`, if `host` is one.
fn label_under<'h>(host: &'h str, domain: &str) -> Option<&'h str> {
    let label = host.strip_suffix(domain)?.strip_suffix('.')?;
    (!label.is_empty() && !label.contains('.')).then_some(label)
}

/// The query parameters the Google proxy reads, by their decoded names (the first of each, as
/// the documented decoder reads them).
#[derive(Default)]
struct GoogleParams {
    host_prefix: Option<String>,
    encodings: Option<String>,
    scheme: Option<String>,
}

fn google_translate(proxy: &'static Proxy, label: &str, url: &RequestUrl<'_>) -> Option<Proxied> {
    let mut params = GoogleParams::default();
    let mut kept: Vec<&str> = Vec::new();
    for element in url.query.as_deref().unwrap_or("").split('&').filter(|e| !e.is_empty()) {
        let Some((name, value)) = url::form_urlencoded::parse(element.as_bytes()).next() else { continue };
        let slot = match name.as_ref() {
            "_x_tr_hp" => &mut params.host_prefix,
            "_x_tr_enc" => &mut params.encodings,
            "_x_tr_sch" => &mut params.scheme,
            n if n.starts_with("_x_tr_") => continue,
            _ => {
                kept.push(element);
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    let host_prefix = params.host_prefix.filter(|p| !p.is_empty());
    let (spelled, stripped) = google_host(label, host_prefix.as_deref(), params.encodings.as_deref());
    let host = canonical_host(&spelled).ok()?;
    let scheme = if params.scheme.as_deref() == Some("http") { "http" } else { "https" };
    let query = (!kept.is_empty()).then(|| kept.join("&"));
    let mut href = format!("{scheme}://{host}{}", url.path);
    if let Some(q) = &query {
        href.push('?');
        href.push_str(q);
    }
    let plain = host_prefix.is_none() && !stripped && is_plain_google_label(label);
    Some(Proxied {
        proxy,
        url: RequestUrl {
            scheme: Cow::Borrowed(scheme),
            host_is_ip: is_ipv4(&host),
            host: Cow::Owned(host),
            port: Some(if scheme == "http" { 80 } else { 443 }),
            path: Cow::Owned(url.path.to_string()),
            query: query.map(Cow::Owned),
            href: Cow::Owned(href),
        },
        plain,
    })
}

/// Google's documented decoder, step by step: the host prefix parameter goes in front of the
/// label; a `1-` prefix is dropped and a `0-` prefix is the `xn--` of an IDN host, each only
/// when `_x_tr_enc` lists it; a `-` between two word characters is a `.`; then each `--` is
/// a `-`. Returns the host as spelled and whether a prefix was dropped.
fn google_host(label: &str, host_prefix: Option<&str>, encodings: Option<&str>) -> (String, bool) {
    let listed = |code: &str| encodings.is_some_and(|e| e.split(',').any(|c| c == code));
    let joined = format!("{}{label}", host_prefix.unwrap_or(""));
    let mut rest = joined.as_str();
    let mut stripped = false;
    if listed("1") {
        if let Some(r) = rest.strip_prefix("1-") {
            rest = r;
            stripped = true;
        }
    }
    let mut idn = false;
    if listed("0") {
        if let Some(r) = rest.strip_prefix("0-") {
            rest = r;
            stripped = true;
            idn = true;
        }
    }
    // `\b-\b`: a dash with a word character (ASCII letter, digit, `_`) on both sides, judged
    // on the text before any replacement, as a global regex replacement does.
    let b = rest.as_bytes();
    let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let dotted: String = rest
        .char_indices()
        .map(|(i, c)| if c == '-' && i > 0 && word(i - 1) && word(i + 1) { '.' } else { c })
        .collect();
    let host = dotted.replace("--", "-");
    (if idn { format!("xn--{host}") } else { host }, stripped)
}

/// Labels the network rules' pattern for the Google proxy matches: runs of lowercase letters
/// and digits joined by a single `-` (a dot) or by pairs of dashes (hyphens). On these the
/// documented decoder is the exact inverse of [`google_label`].
fn is_plain_google_label(label: &str) -> bool {
    let b = label.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !b.first().is_some_and(alnum) || !b.last().is_some_and(alnum) {
        return false;
    }
    b.split(|c| alnum(c)).all(|run| run.is_empty() || (run.iter().all(|&c| c == b'-') && (run.len() == 1 || run.len() % 2 == 0)))
}

/// The label the Google proxy serves a canonical host under, in the plain form; `None` for a
/// host that has no plain form (IPv6 literals, characters other than lowercase letters, digits,
/// dots and hyphens, labels that start or end with a hyphen) or whose plain form is no valid
/// host (`xn--bcher-kva.example` would be `xn----bcher--kva-example`, an invalid punycode
/// label, which is why Google spells such hosts with its `0-` prefix).
pub fn google_label(host: &str) -> Option<String> {
    let regular = !host.is_empty()
        && host.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        });
    if !regular {
        return None;
    }
    let label = host.replace('-', "--").replace('.', "-");
    (canonical_host(&label).ok().as_deref() == Some(label.as_str())).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxied(url: &str) -> Option<Proxied> {
        through_proxy(&RequestUrl::parse(url).unwrap())
    }

    /// Google's own test table for its decoder (the page cited on `GoogleTranslate`), plus the
    /// escaping rules on the hosts AI tools use: each proxy URL reaches exactly this host.
    #[test]
    fn google_proxy_hosts_decode_as_google_documents() {
        let cases = [
            ("https://example-com.translate.goog", "example.com"),
            ("https://foo-example-com.translate.goog", "foo.example.com"),
            ("https://foo--example-com.translate.goog", "foo-example.com"),
            ("https://0-57hw060o-com.translate.goog/?_x_tr_enc=0", "xn--57hw060o.com"),
            ("https://1-en--us-example-com.translate.goog/?_x_tr_enc=1", "en-us.example.com"),
            ("https://0-en----w45as309w-com.translate.goog/?_x_tr_enc=0", "xn--en--w45as309w.com"),
            ("https://1-0-----16pw588q-com.translate.goog/?_x_tr_enc=0,1", "xn----16pw588q.com"),
            (
                "https://lanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch-co-uk.translate.goog/?_x_tr_hp=l",
                "llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch.co.uk",
            ),
            (
                "https://lanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch-co-uk.translate.goog/?_x_tr_hp=www-l",
                "www.llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch.co.uk",
            ),
            (
                "https://g5h3969ntadg44juhyah3c9aza87iiar4i410avdl8d3f1fuq3nz05dg5b-com.translate.goog/?_x_tr_enc=0&_x_tr_hp=0-",
                "xn--g5h3969ntadg44juhyah3c9aza87iiar4i410avdl8d3f1fuq3nz05dg5b.com",
            ),
            // AI tools' hosts.
            ("https://claude-ai.translate.goog/new", "claude.ai"),
            ("https://chat-deepseek-com.translate.goog/", "chat.deepseek.com"),
            ("https://api-openai-com.translate.goog/v1/models", "api.openai.com"),
            ("https://www-perplexity-ai.translate.goog/", "www.perplexity.ai"),
            ("https://tongyi-aliyun-com.translate.goog/", "tongyi.aliyun.com"),
            ("https://dashscope--intl-aliyuncs-com.translate.goog/", "dashscope-intl.aliyuncs.com"),
            ("https://CLAUDE-AI.translate.goog./", "claude.ai"),
            // A prefix is dropped only when `_x_tr_enc` lists it.
            ("https://1-claude-ai.translate.goog/", "1.claude.ai"),
            ("https://0-claude-ai.translate.goog/?_x_tr_enc=1", "0.claude.ai"),
            // A host prefix joins the label in the middle of a name.
            ("https://aude-ai.translate.goog/?_x_tr_hp=cl", "claude.ai"),
            // An IPv4 host.
            ("https://10-1-2-3.translate.goog/", "10.1.2.3"),
        ];
        for (url, host) in cases {
            let p = proxied(url).unwrap_or_else(|| panic!("{url} is a proxy URL"));
            assert_eq!(p.url.host, host, "{url}");
            assert_eq!(p.proxy.domain, "translate.goog");
        }
    }

    /// The served URL keeps the path and the site's own query and drops every `_x_tr_*`
    /// parameter; `_x_tr_sch=http` serves an http site.
    #[test]
    fn the_served_url_is_the_proxy_url_without_the_proxy_parameters() {
        let cases = [
            ("https://claude-ai.translate.goog/new?_x_tr_sl=auto&_x_tr_tl=en&_x_tr_hl=en&_x_tr_pto=wapp", "https://claude.ai/new", None),
            ("https://www-google-com.translate.goog/search?q=x&_x_tr_sl=auto&udm=50&_x_tr_tl=en", "https://www.google.com/search?q=x&udm=50", Some("q=x&udm=50")),
            ("https://perdu-com.translate.goog/?_x_tr_sch=http&_x_tr_sl=fr", "http://perdu.com/", None),
            ("https://claude-ai.translate.goog/?%5Fx%5Ftr%5Fsl=fr&a=1#frag", "https://claude.ai/?a=1", Some("a=1")),
            ("http://claude-ai.translate.goog/x", "https://claude.ai/x", None),
        ];
        for (url, want, query) in cases {
            let p = proxied(url).unwrap();
            assert_eq!(p.url.href, want, "{url}");
            assert_eq!(p.url.query.as_deref(), query, "{url}");
            assert_eq!(p.url, RequestUrl::parse(want).unwrap().into_owned(), "{url}: the served URL is canonical");
        }
    }

    /// Lookalikes and hosts the proxy does not serve are judged as themselves.
    #[test]
    fn only_one_label_under_the_proxy_domain_on_its_ports_is_a_proxy() {
        for url in [
            "https://claude-ai.translate.goog.evil.com/",
            "https://claude-ai-translate.goog/",
            "https://translate.goog/",
            "https://a.claude-ai.translate.goog/",
            "https://claude-ai.translate.goog:8443/",
            "wss://claude-ai.translate.goog/",
            "https://claude-ai.translategoog/",
            // Decodes to `foo.123`, which is no host (a numeric last label must be an address).
            "https://foo-123.translate.goog/",
        ] {
            assert_eq!(proxied(url), None, "{url}");
        }
    }

    /// The plain form is the one the network rules match; every other spelling is the
    /// navigation check's.
    #[test]
    fn only_labels_without_parameters_or_prefixes_are_plain() {
        for (url, plain) in [
            ("https://claude-ai.translate.goog/", true),
            ("https://my--site-example-com.translate.goog/?_x_tr_enc=1", true),
            ("https://www-xn----bcher--kva-example.translate.goog/", true),
            ("https://aude-ai.translate.goog/?_x_tr_hp=cl", false),
            ("https://1-claude-ai.translate.goog/?_x_tr_enc=1", false),
            ("https://0-57hw060o-com.translate.goog/?_x_tr_enc=0", false),
            ("https://a---b-com.translate.goog/", false),
            ("https://a_b-com.translate.goog/", false),
        ] {
            assert_eq!(proxied(url).map(|p| p.plain), Some(plain), "{url}");
        }
    }

    /// The plain label of a host decodes back to that host.
    #[test]
    fn plain_labels_round_trip() {
        for host in ["claude.ai", "my-site.example.com", "a--b.example", "www.xn--bcher-kva.example", "10.1.2.3", "v0.dev"] {
            let label = google_label(host).unwrap();
            let p = proxied(&format!("https://{label}.translate.goog/")).unwrap();
            assert_eq!((p.url.host.as_ref(), p.plain), (host, true), "{host} as {label}");
        }
        for host in ["[::1]", "a_b.example", "-a.example", "a-.example", "xn--bcher-kva.example"] {
            assert_eq!(google_label(host), None, "{host}");
        }
    }
}
