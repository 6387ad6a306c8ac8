//! URL verdict benchmark: AIGuard's engine and Brave's adblock engine on the same hosts and
//! URLs, in one run. Prints a table and writes the workload and figures to `target/bench/` for
//! the wasm benchmark (`tests/bench/url-bench.mjs`), which prints its figures next to these.
//!
//! Timing: each figure is the median over repeated passes of the whole URL list, divided by
//! the list length; a pass is long enough that timer resolution does not matter.

mod record;
mod workload;

use std::hint::black_box;
use std::time::Instant;

use aiguard_engine::url_filter::RequestUrl;
use aiguard_engine::Engine;
use record::record;
use workload::Rng;

/// The peer, as pinned in Cargo.toml.
const ADBLOCK: &str = "adblock 0.13.5 native";

const URLS: usize = 20_000;
const PASSES: usize = 31;
const COMPILES: usize = 11;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// ns per URL for two engines, passes interleaved so both see the same machine conditions
/// (the figures of one pass are only ever compared with the same pass's).
fn per_url_ns_pair(urls: &[String], mut a: impl FnMut(&str), mut b: impl FnMut(&str)) -> (f64, f64) {
    for u in urls.iter().take(1000) {
        a(u);
        b(u); // warm-up
    }
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..PASSES {
        let t = Instant::now();
        for u in urls {
            a(u);
        }
        ta.push(t.elapsed().as_nanos() as f64 / urls.len() as f64);
        let t = Instant::now();
        for u in urls {
            b(u);
        }
        tb.push(t.elapsed().as_nanos() as f64 / urls.len() as f64);
    }
    (median(ta), median(tb))
}

fn per_url_ns(urls: &[String], f: impl FnMut(&str)) -> f64 {
    per_url_ns_pair(urls, f, |_| {}).0
}

fn compile_ms(mut f: impl FnMut()) -> f64 {
    median(
        (0..COMPILES)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

fn adblock_engine(filters: &[String]) -> adblock::Engine {
    let mut set = adblock::lists::FilterSet::new(false);
    set.add_filter_list(filters.join("\n"), adblock::lists::ParseOptions::default());
    adblock::Engine::new_with_filter_set(set)
}

fn adblock_check(engine: &adblock::Engine, url: &str) -> bool {
    match adblock::request::Request::new(url, "https://example.com/", "document", "GET") {
        Ok(req) => engine.check_network_request(&req).filter.is_some(),
        Err(_) => false,
    }
}

struct Row {
    workload: String,
    aiguard_verdict: f64,
    aiguard_parsed: f64,
    adblock: f64,
    aiguard_compile: f64,
    adblock_compile: f64,
    matched_aiguard: usize,
    matched_adblock: usize,
}

fn main() {
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&out_dir).expect("create target/bench");
    let mut rng = Rng::new(0xA16A_7D);

    // Workload 1: the built-in catalog policy; adblock gets the catalog's host-only patterns.
    let builtin = Engine::builtin();
    let catalog_hosts: Vec<String> = builtin
        .catalog()
        .tools
        .iter()
        .flat_map(|t| t.patterns.iter())
        .filter(|p| !p.contains('/') && !p.contains('?'))
        .map(|p| p.trim_start_matches('.').to_string())
        .collect();
    let catalog_filters: Vec<String> = catalog_hosts.iter().map(|h| format!("||{h}^")).collect();
    let catalog_urls = workload::urls(&catalog_hosts, URLS, &mut rng);

    // Workload 2: a synthetic 10,000-rule policy.
    let (policy_10k, hosts_10k, filters_10k) = workload::synthetic_policy(10_000, &mut rng);
    let urls_10k = workload::urls(&hosts_10k, URLS, &mut rng);

    std::fs::write(out_dir.join("policy-10k.json"), &policy_10k).unwrap();
    std::fs::write(out_dir.join("urls-catalog.txt"), catalog_urls.join("\n")).unwrap();
    std::fs::write(out_dir.join("urls-10k.txt"), urls_10k.join("\n")).unwrap();

    let mut rows = Vec::new();
    for (name, policy, filters, urls) in [
        ("catalog", None, &catalog_filters, &catalog_urls),
        ("10k rules", Some(&policy_10k), &filters_10k, &urls_10k),
    ] {
        let make = || match policy {
            None => Engine::builtin(),
            Some(p) => Engine::from_policy_json(p).expect("synthetic policy is valid"),
        };
        let engine = make();
        let ad = adblock_engine(filters);
        let parsed: Vec<RequestUrl> = urls.iter().map(|u| RequestUrl::parse(u).unwrap()).collect();
        let mut i = 0;
        let (aiguard_verdict, adblock) = per_url_ns_pair(
            urls,
            |u| {
                black_box(engine.action(u).unwrap());
            },
            |u| {
                black_box(adblock_check(&ad, u));
            },
        );
        // Where the time goes: the URL parse alone, and how many URLs took the allocation-free path.
        let parse = per_url_ns(urls, |u| {
            black_box(RequestUrl::parse(u).unwrap());
        });
        println!("{name}: parse alone {parse:.0} ns per URL; canonical fast path {}/{} URLs",
            urls.iter().filter(|u| RequestUrl::canonical(u).is_some()).count(), urls.len());
        record("url-verdict", name, "AIGuard native", "URL parse alone", format!("{parse:.0}"), "ns/URL");
        let row = Row {
            workload: name.into(),
            aiguard_verdict,
            aiguard_parsed: per_url_ns(urls, |_| {
                black_box(engine.action_for(&parsed[i % parsed.len()]));
                i += 1;
            }),
            adblock,
            aiguard_compile: compile_ms(|| {
                black_box(make());
            }),
            adblock_compile: compile_ms(|| {
                black_box(adblock_engine(filters));
            }),
            matched_aiguard: urls.iter().filter(|u| engine.verdict(u).unwrap().rule.is_some()).count(),
            matched_adblock: urls.iter().filter(|u| adblock_check(&ad, u)).count(),
        };
        rows.push(row);
    }

    println!("URL verdicts, native ({URLS} URLs per workload, median of {PASSES} passes)");
    println!(
        "{:<10} {:>16} {:>18} {:>14} {:>9} {:>16} {:>16} {:>12}",
        "workload", "aiguard ns/url", "aiguard parsed ns", "adblock ns/url", "speed-up", "aiguard compile", "adblock compile", "matched a/b"
    );
    for r in &rows {
        println!(
            "{:<10} {:>16.0} {:>18.0} {:>14.0} {:>8.1}x {:>13.2} ms {:>13.2} ms {:>6}/{:<6}",
            r.workload,
            r.aiguard_verdict,
            r.aiguard_parsed,
            r.adblock,
            r.adblock / r.aiguard_verdict,
            r.aiguard_compile,
            r.adblock_compile,
            r.matched_aiguard,
            r.matched_adblock
        );
        let w = r.workload.as_str();
        record("url-verdict", w, "AIGuard native", "URL to action", format!("{:.0}", r.aiguard_verdict), "ns/URL");
        record("url-verdict", w, "AIGuard native", "action on a parsed URL", format!("{:.0}", r.aiguard_parsed), "ns/URL");
        record("url-verdict", w, ADBLOCK, "check_network_request", format!("{:.0}", r.adblock), "ns/URL");
        record("url-verdict", w, "AIGuard native", "speed-up over adblock", format!("{:.1}", r.adblock / r.aiguard_verdict), "x");
        record("policy-compile", w, "AIGuard native", "compile", format!("{:.2}", r.aiguard_compile), "ms");
        record("policy-compile", w, ADBLOCK, "compile", format!("{:.2}", r.adblock_compile), "ms");
    }
    let json: Vec<_> = rows
        .iter()
        .map(|r| {
            serde_json::json!({"workload": r.workload, "aiguardNsPerUrl": r.aiguard_verdict,
            "aiguardParsedNsPerUrl": r.aiguard_parsed, "adblockNsPerUrl": r.adblock,
            "aiguardCompileMs": r.aiguard_compile, "adblockCompileMs": r.adblock_compile})
        })
        .collect();
    std::fs::write(out_dir.join("url-native.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
}
