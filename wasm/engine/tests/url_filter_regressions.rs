//! Filter-parsing cases found by fuzzing (`wasm/fuzz/fuzz_targets/url_filter.rs`): each pins a
//! pattern whose canonical form must read back as the same filter.

use aiguard_engine::url_filter::{HostPattern, UrlFilter};

fn host(h: &str, subdomains: bool) -> HostPattern {
    HostPattern::Name { host: h.into(), subdomains }
}

#[test]
fn canonical_forms_round_trip() {
    let cases: &[(&str, Option<(HostPattern, &str)>)] = &[
        // A path that normalises to "/" means every path, and ranks like an empty one.
        ("example.com/.", Some((host("example.com", true), ""))),
        ("example.com/a/..", Some((host("example.com", true), ""))),
        // A percent-encoded dot decoding to an empty label.
        ("%2ee,", None),
        ("a%2e%2ecom", None),
        // A percent-encoded `*` inside a host.
        ("61hhh.6%2A", None),
        // IDNA drops soft hyphens, which can leave a trailing dot, or even an IPv4 address.
        ("11\u{4ac}.\u{ad}", Some((host("xn--11-yvc", true), ""))),
        ("\u{ad}\u{ad}8.888888..\u{ad}\u{ad}", Some((host("8.13.144.56", false), ""))),
    ];
    for (pattern, want) in cases {
        let got = UrlFilter::parse(pattern);
        match want {
            None => assert!(got.is_err(), "{pattern:?} should be rejected, got {got:?}"),
            Some((h, path)) => {
                let f = got.unwrap_or_else(|e| panic!("{pattern:?}: {e}"));
                assert_eq!((&f.host, f.path.as_str()), (h, *path), "{pattern:?}");
                assert_eq!(UrlFilter::parse(&f.to_string()).unwrap(), f, "{pattern:?} round trip");
            }
        }
    }
}

/// A filter written as an IPv4-mapped IPv6 literal is the IPv4 host it maps, so it matches the
/// IPv4 address and every spelling of the mapped one, and reads back as the IPv4 address.
#[test]
fn mapped_ipv6_filters_are_their_ipv4_host() {
    for pattern in ["[::ffff:10.1.2.3]", "[::ffff:a01:203]", "http://[::FFFF:10.1.2.3]:8080/admin", ".[::ffff:10.1.2.3]"] {
        let f = UrlFilter::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        assert_eq!(f.host, host("10.1.2.3", false), "{pattern}");
        assert_eq!(UrlFilter::parse(&f.to_string()).unwrap(), f, "{pattern} round trip");
    }
    assert_eq!(UrlFilter::parse("[::a01:203]").unwrap().host, host("[::a01:203]", false), "IPv4-compatible is not mapped");
}
