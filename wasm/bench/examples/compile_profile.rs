use std::time::Instant;
fn main() {
    let text = std::fs::read_to_string("target/bench/policy-10k.json").unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let a = t.elapsed();
        let t = Instant::now();
        let mut n = 0;
        for r in v["rules"].as_array().unwrap() {
            for p in r["patterns"].as_array().unwrap() {
                n += aiguard_engine::url_filter::UrlFilter::parse(p.as_str().unwrap()).unwrap().path.len();
            }
        }
        let b = t.elapsed();
        let t = Instant::now();
        let e = aiguard_engine::Engine::from_policy_json(&text).unwrap();
        let c = t.elapsed();
        let t = Instant::now();
        drop(e);
        let d = t.elapsed();
        println!("json value {a:?}  filters {b:?} ({n})  engine {c:?}  drop {d:?}");
    }
}
